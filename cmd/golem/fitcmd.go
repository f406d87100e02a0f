package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"gonum.org/v1/gonum/mat"
	"gonum.org/v1/gonum/stat"

	"github.com/golem-ml/golem"
	"github.com/golem-ml/golem/layers"
	"github.com/golem-ml/golem/losses"
	"github.com/golem-ml/golem/optim"
)

var fitCommand = &command{
	name:    "fit",
	summary: "train a one-hidden-layer network on a CSV file (MATLAB nftool's defaults)",
	usage: `golem fit data.csv --target y [--inputs a,b] [--hidden 10] [--optimizer lm|br|adam]
       [--division 70/15/15] [--epochs 1000] [--max-fail 6] [--seed 1] [--out DIR]

Trains a network of one tanh hidden layer and a linear output on the CSV
file's columns, as MATLAB's nftool does by default: inputs and targets mapped
onto [-1, 1] (mapminmax), a random 70/15/15 division into training,
validation and test samples, early stopping after 6 epochs without a better
validation loss (the best epoch's weights are kept), Nguyen–Widrow initial
weights and Levenberg–Marquardt (trainlm). --optimizer br is trainbr
(Bayesian regularization), which uses no validation set: the validation share
joins the training samples (70/15/15 trains on 85%, tests on 15%).
--optimizer adam is Adam (learning rate 0.01, batches of 32, 1000 epochs,
--max-fail 50).

It writes into --out (default: the CSV's folder), for data.csv:
  data.golem              the model (golem's Save format)
  data.golem.json         the input and target column names (for golem predict)
  data_report.txt         the report also printed on standard output
  data_performance.png    training, validation and test loss per epoch
  data_trainstate.png     gradient, mu (gamma for br) and validation checks
  data_regression.png     outputs against targets: training, validation, test, all
  data_errhist.png        the histogram of errors (targets - outputs) per set
Training progress goes to standard error: a bar on a terminal, one line per
epoch otherwise. Ctrl-C stops training and keeps the network trained so far.`,
	flags: func(fs *flag.FlagSet) func(*env, []string) error {
		o := &fitOptions{}
		fs.StringVar(&o.target, "target", "", "target column(s), comma-separated (required)")
		fs.StringVar(&o.inputs, "inputs", "", "input columns, comma-separated (default: every column that is not a target)")
		fs.IntVar(&o.hidden, "hidden", 10, "units of the tanh hidden layer")
		fs.StringVar(&o.optimizer, "optimizer", "lm", "lm (trainlm), br (trainbr) or adam")
		fs.StringVar(&o.division, "division", "70/15/15", "training/validation/test percentages of a random division")
		fs.IntVar(&o.epochs, "epochs", 1000, "the most epochs to train")
		fs.IntVar(&o.maxFail, "max-fail", 0, "stop after this many epochs without a better validation loss\n(default 6, trainlm's max_fail; 50 for adam, whose epochs are many small steps)")
		fs.Uint64Var(&o.seed, "seed", 1, "seed of the initial weights and of the division")
		fs.StringVar(&o.out, "out", "", "folder of the files written (default: the CSV's folder)")
		return func(e *env, args []string) error {
			if err := positional(args, "the CSV file (golem fit data.csv --target y)"); err != nil {
				return err
			}
			o.csv = args[0]
			return runFit(e, o)
		}
	},
}

type fitOptions struct {
	csv, target, inputs, optimizer, division, out string
	hidden, epochs, maxFail                       int
	seed                                          uint64
}

// fitSetup is what the flags and the data decide before training.
type fitSetup struct {
	data            *table
	inputs, targets []string
	x, y            *mat.Dense
	div             golem.Division
	divText         string // the division as given, or as trainbr changed it
}

func (o *fitOptions) check() error {
	switch {
	case o.target == "":
		return usagef("--target is required: the column(s) to predict")
	case o.hidden < 1:
		return usagef("--hidden is %d; it must be at least 1", o.hidden)
	case o.epochs < 1:
		return usagef("--epochs is %d; it must be at least 1", o.epochs)
	case o.maxFail < 0:
		return usagef("--max-fail is %d; it must be at least 1", o.maxFail)
	}
	if o.maxFail == 0 {
		o.maxFail = 6
		if o.optimizer == "adam" {
			o.maxFail = 50
		}
	}
	switch o.optimizer {
	case "lm", "br", "adam":
	default:
		return usagef("--optimizer %q: use lm, br or adam", o.optimizer)
	}
	return nil
}

// parseDivision reads "70/15/15" (or fractions, "0.7/0.15/0.15") as the
// training, validation and test shares.
func parseDivision(s string) (golem.Division, error) {
	parts := strings.Split(s, "/")
	if len(parts) != 3 {
		return golem.Division{}, usagef("--division %q: give three shares, training/validation/test, such as 70/15/15", s)
	}
	var v [3]float64
	sum := 0.0
	for i, p := range parts {
		f, err := strconv.ParseFloat(strings.TrimSpace(p), 64)
		if err != nil || f < 0 || math.IsInf(f, 0) || math.IsNaN(f) {
			return golem.Division{}, usagef("--division %q: %q is not a share (a number ≥ 0)", s, p)
		}
		v[i], sum = f, sum+f
	}
	if v[0] == 0 {
		return golem.Division{}, usagef("--division %q: the training share must be positive", s)
	}
	return golem.Division{Train: v[0] / sum, Val: v[1] / sum, Test: v[2] / sum}, nil
}

func (o *fitOptions) setup(e *env) (*fitSetup, error) {
	if err := o.check(); err != nil {
		return nil, err
	}
	div, err := parseDivision(o.division)
	if err != nil {
		return nil, err
	}
	s := &fitSetup{div: div, divText: o.division}
	if o.optimizer == "br" && div.Val > 0 {
		s.div = golem.Division{Train: div.Train + div.Val, Test: div.Test}
		s.divText = fmt.Sprintf("%s/0/%s", pct(s.div.Train), pct(s.div.Test))
	}
	if s.data, err = readTable(e, o.csv); err != nil {
		return nil, err
	}
	s.targets = splitNames(o.target)
	if len(s.targets) == 0 {
		return nil, usagef("--target %q names no column", o.target)
	}
	if o.inputs != "" {
		s.inputs = splitNames(o.inputs)
	} else {
		for _, c := range s.data.columns {
			if !slices.Contains(s.targets, c) {
				s.inputs = append(s.inputs, c)
			}
		}
	}
	if len(s.inputs) == 0 {
		return nil, fmt.Errorf("%s: no input columns: every column is a target", s.data.name)
	}
	for _, t := range s.targets {
		if slices.Contains(s.inputs, t) {
			return nil, usagef("column %q is both an input and a target", t)
		}
	}
	for _, names := range [][]string{s.inputs, s.targets} {
		for i, n := range names {
			if slices.Index(names, n) != i {
				return nil, usagef("column %q is listed twice", n)
			}
		}
	}
	in, err := s.data.indices(s.inputs)
	if err != nil {
		return nil, err
	}
	out, err := s.data.indices(s.targets)
	if err != nil {
		return nil, err
	}
	s.x, s.y = s.data.matrix(in), s.data.matrix(out)
	return s, nil
}

// pct formats a share as a percentage without trailing zeros.
func pct(f float64) string { return strconv.FormatFloat(math.Round(f*1e4)/100, 'g', -1, 64) }

func runFit(e *env, o *fitOptions) error {
	s, err := o.setup(e)
	if err != nil {
		return err
	}
	model := golem.NewSequential(
		layers.Dense(o.hidden, layers.Tanh, layers.NguyenWidrow(-1, 1)), // inputs are mapped onto [-1, 1]
		layers.Dense(len(s.targets)),
	)
	var (
		opt     optim.Optimizer
		loss    = losses.MSE()
		optName string
		batch   int
	)
	switch o.optimizer {
	case "lm":
		opt, optName = optim.LM(optim.LMConfig{}), "Levenberg–Marquardt (trainlm's defaults)"
	case "br":
		opt, loss, optName = optim.BR(optim.BRConfig{}), losses.SSE(), "Bayesian regularization (trainbr's defaults)"
	case "adam":
		opt, optName, batch = optim.Adam(optim.AdamConfig{LearningRate: 0.01}), "Adam (learning rate 0.01, batches of 32)", 32
	}
	if err := model.Compile(golem.Input(len(s.inputs)), loss, opt, golem.WithSeed(o.seed),
		golem.ScaleInputs(golem.MinMax), golem.ScaleTargets(golem.MinMax)); err != nil {
		return err
	}
	n := len(s.data.rows)
	if d := s.div; n < 3 || (d.Val > 0 && math.Round(d.Val*float64(n)) < 1) || (d.Test > 0 && math.Round(d.Test*float64(n)) < 1) {
		return fmt.Errorf("%s: %d rows are too few for the division %s", s.data.name, n, s.divText)
	}
	cfg := golem.FitConfig{
		Epochs:    o.epochs,
		BatchSize: batch,
		Seed:      o.seed,
		Division:  &s.div,
		Patience:  o.maxFail,
		Output:    e.stderr,
	}
	interrupt := &interrupter{ctx: e.ctx}
	cfg.Callbacks = []golem.Callback{interrupt}
	if isTerminal(e.stderr) {
		cfg.Callbacks = append(cfg.Callbacks, &progressBar{w: e.stderr, maxFail: o.maxFail})
	} else {
		cfg.Verbose = 2 // one line per epoch
	}
	start := time.Now()
	// Fit runs under its own context: Ctrl-C (e.ctx) stops it through the
	// interrupter after the current step, keeping the network.
	hist, err := model.Fit(context.WithoutCancel(e.ctx), s.x, s.y, cfg)
	if err != nil {
		return err
	}
	elapsed := time.Since(start)

	base := strings.TrimSuffix(filepath.Base(o.csv), filepath.Ext(o.csv))
	if o.csv == "-" {
		base = "stdin"
	}
	dir := o.out
	if dir == "" {
		dir = filepath.Dir(o.csv)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	prefix := filepath.Join(dir, base)
	pred, err := model.Predict(s.x)
	if err != nil {
		return err
	}
	splits := []split{{"training", hist.TrainIndex, false}, {"validation", hist.ValIndex, false}, {"test", hist.TestIndex, false}, {"all", nil, true}}
	report := fitReport(o, s, model, optName, hist, pred, splits, elapsed)

	modelPath := prefix + ".golem"
	if err := saveModel(model, modelPath); err != nil {
		return err
	}
	if err := writeSidecar(modelPath, sidecar{Inputs: s.inputs, Targets: s.targets}); err != nil {
		return err
	}
	files := []string{modelPath, sidecarPath(modelPath), prefix + "_report.txt"}
	if err := os.WriteFile(prefix+"_report.txt", []byte(report), 0o644); err != nil {
		return err
	}
	pngs, plotErr := writeFitPNGs(prefix, model, hist, s.x, s.y, pred, splits)
	files = append(files, pngs...)
	fmt.Fprint(e.stdout, report)
	fmt.Fprintln(e.stdout, "\nwrote:")
	for _, f := range files {
		fmt.Fprintf(e.stdout, "  %s\n", f)
	}
	return plotErr
}

func saveModel(m *golem.Model, path string) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if err := m.Save(f); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// split is a set of samples: indices into the data, or all of them.
type split struct {
	name  string
	index []int
	all   bool
}

// rows are the set's samples, of n.
func (s split) rows(n int) []int {
	if !s.all {
		return s.index
	}
	idx := make([]int, n)
	for i := range idx {
		idx[i] = i
	}
	return idx
}

// splitScores are the MSE (in the targets' units, over every sample and
// target) and R (the correlation of outputs and targets, as MATLAB's
// plotregression) of a set.
func splitScores(y, pred *mat.Dense, idx []int) (mse, r float64) {
	_, k := y.Dims()
	var ts, outs []float64
	for _, i := range idx {
		for j := 0; j < k; j++ {
			t, o := y.At(i, j), pred.At(i, j)
			ts, outs = append(ts, t), append(outs, o)
			mse += (t - o) * (t - o)
		}
	}
	return mse / float64(len(ts)), stat.Correlation(ts, outs, nil)
}

// fitReport is the text report: architecture, optimizer, stop, epochs,
// MSE and R per set (as nftool's results table), elapsed time.
func fitReport(o *fitOptions, s *fitSetup, m *golem.Model, optName string, h *golem.History, pred *mat.Dense, splits []split, elapsed time.Duration) string {
	var b strings.Builder
	ls, names := m.Layers()
	var desc []string
	for i, l := range ls {
		desc = append(desc, fmt.Sprintf("%s %v", names[i], l))
	}
	weights := m.Params().Len()
	n := len(s.data.rows)
	fmt.Fprintf(&b, "golem fit: %s, %d samples\n", s.data.name, n)
	fmt.Fprintf(&b, "inputs:      %s\n", strings.Join(s.inputs, ", "))
	fmt.Fprintf(&b, "targets:     %s\n", strings.Join(s.targets, ", "))
	fmt.Fprintf(&b, "network:     %d-%d-%d, %s; %d weights\n", len(s.inputs), o.hidden, len(s.targets), strings.Join(desc, ", "), weights)
	b.WriteString("scaling:     inputs and targets mapped onto [-1, 1] (mapminmax, fitted on the training samples)\n")
	fmt.Fprintf(&b, "optimizer:   %s: %s\n", o.optimizer, optName)
	fmt.Fprintf(&b, "division:    random %s (seed %d): %d training, %d validation, %d test samples\n",
		s.divText, o.seed, len(h.TrainIndex), len(h.ValIndex), len(h.TestIndex))
	stop := fmt.Sprintf("%s after %d epochs", h.Stop, h.Len())
	switch h.Stop {
	case golem.StopPatience:
		stop = fmt.Sprintf("%s (%d validation checks) after %d epochs", h.Stop, o.maxFail, h.Len())
	case golem.StopEpochs:
		stop = fmt.Sprintf("epochs (the maximum, %d)", h.Len())
	}
	if h.BestEpoch > 0 {
		stop += fmt.Sprintf("; best validation epoch %d", h.BestEpoch)
		if h.Restored {
			stop += " (its weights kept)"
		}
	}
	fmt.Fprintf(&b, "stopped:     %s\n", stop)
	if len(h.Gamma) > 0 {
		fmt.Fprintf(&b, "parameters:  %.4g effective of %d (gamma)\n", h.Gamma[len(h.Gamma)-1], weights)
	}
	fmt.Fprintf(&b, "elapsed:     %s\n\n", elapsed.Round(time.Millisecond))
	fmt.Fprintf(&b, "%-12s %8s %14s %10s\n", "", "samples", "MSE", "R")
	for _, sp := range splits {
		idx := sp.rows(n)
		if len(idx) == 0 {
			continue
		}
		mse, r := splitScores(s.y, pred, idx)
		fmt.Fprintf(&b, "%-12s %8d %14.6g %10.6f\n", sp.name, len(idx), mse, r)
	}
	b.WriteString("(MSE in the targets' units, over every target; R: the correlation of outputs and targets)\n")
	return b.String()
}

// interrupter stops training gracefully when ctx is cancelled (Ctrl-C),
// so the network trained so far is kept and written.
type interrupter struct {
	golem.BaseCallback
	ctx context.Context
}

// OnBatchEnd stops training once the context is done.
func (c *interrupter) OnBatchEnd(s *golem.State) error {
	if c.ctx.Err() != nil {
		s.StopTraining("interrupted")
	}
	return nil
}

// isTerminal reports whether w is a terminal (a character device).
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}
