package main

import (
	"errors"
	"flag"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"github.com/golem-ml/golem/fit"
)

var curvefitCommand = &command{
	name:    "curvefit",
	summary: "fit a formula y = f(x; b) to a CSV file, with standard errors and bands",
	usage: `golem curvefit data.csv --expr "b1*(1-exp(-b2*x))" --start b1=500,b2=1e-4
       [--x col] [--y col] [--level 0.95] [--out DIR]

Fits the formula to the CSV file's columns by Levenberg–Marquardt (golem's
fit package: damped LM, restarted as MINPACK's trust region when it does not
converge) and prints the fit report: each parameter with its standard error
and confidence interval, chi-square, R², AIC/BIC, correlations and warnings.
The formula's inputs are the --x columns, named in it by their CSV headers;
every other name in it is a parameter, and each needs a start in --start.
Formulas use + - * / ** (or ^), exp log log10 sqrt pow sin cos tan atan tanh
sinh cosh abs and pi.

It writes into --out (default: the CSV's folder), for data.csv:
  data_curvefit_report.txt     the report also printed on standard output
  data_curvefit.png            data, fitted curve, confidence and prediction bands
  data_curvefit_residuals.png  residuals against x`,
	flags: func(fs *flag.FlagSet) func(*env, []string) error {
		o := &curvefitOptions{}
		fs.StringVar(&o.expr, "expr", "", "the formula, e.g. \"b1*(1-exp(-b2*x))\" (required)")
		fs.StringVar(&o.start, "start", "", "each parameter's start, e.g. b1=500,b2=1e-4 (required)")
		fs.StringVar(&o.x, "x", "", "input column(s), comma-separated (default: every column but the y column)")
		fs.StringVar(&o.y, "y", "", "the column fitted (default: \"y\" if there is one, else the last column)")
		fs.Float64Var(&o.level, "level", 0.95, "confidence level of the intervals and bands")
		fs.StringVar(&o.out, "out", "", "folder of the files written (default: the CSV's folder)")
		return func(e *env, args []string) error {
			if err := positional(args, "the CSV file (golem curvefit data.csv --expr ... --start ...)"); err != nil {
				return err
			}
			o.csv = args[0]
			return runCurvefit(e, o)
		}
	},
}

type curvefitOptions struct {
	csv, expr, start, x, y, out string
	level                       float64
}

// parseStarts reads "b1=500,b2=1e-4".
func parseStarts(s string) ([]fit.Param, error) {
	var ps []fit.Param
	for _, part := range strings.Split(s, ",") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		name, val, ok := strings.Cut(part, "=")
		name = strings.TrimSpace(name)
		if !ok || name == "" {
			return nil, usagef("--start: %q is not name=value", part)
		}
		v, err := strconv.ParseFloat(strings.TrimSpace(val), 64)
		if err != nil || math.IsNaN(v) || math.IsInf(v, 0) {
			return nil, usagef("--start: the start of %s, %q, is not a finite number", name, val)
		}
		if slices.ContainsFunc(ps, func(p fit.Param) bool { return p.Name == name }) {
			return nil, usagef("--start gives %s twice", name)
		}
		ps = append(ps, fit.P(name, v))
	}
	if len(ps) == 0 {
		return nil, usagef("--start is required: each parameter's starting value, e.g. b1=500,b2=1e-4")
	}
	return ps, nil
}

func runCurvefit(e *env, o *curvefitOptions) error {
	if o.expr == "" {
		return usagef("--expr is required: the formula to fit, e.g. \"b1*(1-exp(-b2*x))\"")
	}
	if !(o.level > 0 && o.level < 1) {
		return usagef("--level is %v; it must be between 0 and 1", o.level)
	}
	starts, err := parseStarts(o.start)
	if err != nil {
		return err
	}
	data, err := readTable(e, o.csv)
	if err != nil {
		return err
	}
	yName := o.y
	if yName == "" {
		yName = data.columns[len(data.columns)-1]
		if slices.Contains(data.columns, "y") {
			yName = "y"
		}
	}
	yCol, err := data.index(yName)
	if err != nil {
		return err
	}
	var xNames []string
	if o.x != "" {
		xNames = splitNames(o.x)
	} else {
		for _, c := range data.columns {
			if c != yName {
				xNames = append(xNames, c)
			}
		}
	}
	if len(xNames) == 0 {
		return fmt.Errorf("%s: no input column besides %q", data.name, yName)
	}
	if slices.Contains(xNames, yName) {
		return usagef("column %q is both an input (--x) and the fitted column (--y)", yName)
	}
	xCols, err := data.indices(xNames)
	if err != nil {
		return err
	}
	model, err := fit.Expr(o.expr, xNames...)
	if err != nil {
		var ee *fit.ExprError
		if errors.As(err, &ee) && ee.Col == 0 {
			return fmt.Errorf("%v (the inputs are the columns %s)", err, strings.Join(quoteAll(xNames), ", "))
		}
		return err
	}
	for _, p := range starts {
		if !slices.Contains(model.Params, p.Name) {
			return usagef("--start names %s, which is not a parameter of the formula (its parameters: %s)", p.Name, strings.Join(model.Params, ", "))
		}
	}
	for _, name := range model.Params {
		if !slices.ContainsFunc(starts, func(p fit.Param) bool { return p.Name == name }) {
			return usagef("--start gives no start for %s (the formula's parameters: %s)", name, strings.Join(model.Params, ", "))
		}
	}
	y := make([]float64, len(data.rows))
	for i, r := range data.rows {
		y[i] = r[yCol]
	}
	res, err := fit.Curve(e.ctx, model, data.matrix(xCols), y, fit.Options{Params: starts, Level: o.level})
	if err != nil {
		return err
	}
	var b strings.Builder
	fmt.Fprintf(&b, "golem curvefit: %s, %d points; %s as a function of %s\n\n", data.name, len(y), yName, strings.Join(xNames, ", "))
	b.WriteString(res.Report())
	if !strings.HasSuffix(b.String(), "\n") {
		b.WriteString("\n")
	}
	report := b.String()

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
	files := []string{prefix + "_curvefit_report.txt"}
	if err := os.WriteFile(files[0], []byte(report), 0o644); err != nil {
		return err
	}
	pngs, err := writeCurvePNGs(e.ctx, prefix, res)
	files = append(files, pngs...)
	fmt.Fprint(e.stdout, report)
	fmt.Fprintln(e.stdout, "\nwrote:")
	for _, f := range files {
		fmt.Fprintf(e.stdout, "  %s\n", f)
	}
	return err
}
