package main

import (
	"bufio"
	"flag"
	"fmt"
	"strings"
)

var predictCommand = &command{
	name:    "predict",
	summary: "compute a trained model's outputs for the rows of a CSV file",
	usage: `golem predict model.golem new.csv > out.csv

Loads a model written by golem fit and computes its outputs for every row of
new.csv ("-" reads standard input), whose header must name the input columns
the model was trained with (in any order; other columns are ignored). The
names come from model.golem.json, written beside the model by golem fit.
Writes CSV to standard output: a header of the target names, then one row of
outputs per input row, each number at full precision.`,
	flags: func(fs *flag.FlagSet) func(*env, []string) error {
		return func(e *env, args []string) error {
			if err := positional(args, "the model file", "the CSV file"); err != nil {
				return err
			}
			return runPredict(e, args[0], args[1])
		}
	},
}

func runPredict(e *env, modelPath, csvPath string) error {
	l, err := loadModel(modelPath)
	if err != nil {
		return err
	}
	names, err := readSidecar(modelPath, l.inputs, l.model.Outputs())
	if err != nil {
		return err
	}
	data, err := readTable(e, csvPath)
	if err != nil {
		return err
	}
	cols, err := data.indices(names.Inputs)
	if err != nil {
		return fmt.Errorf("%v: the model takes the inputs %s", err, strings.Join(quoteAll(names.Inputs), ", "))
	}
	pred, err := l.model.Predict(data.matrix(cols))
	if err != nil {
		return err
	}
	w := bufio.NewWriter(e.stdout)
	if err := writeCSV(w, names.Targets, pred); err != nil {
		return err
	}
	return w.Flush()
}
