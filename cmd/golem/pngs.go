package main

// Every PNG the command writes is made here, with golem's plots package.

import (
	"context"
	"errors"
	"fmt"

	"gonum.org/v1/gonum/mat"

	"github.com/golem-ml/golem"
	"github.com/golem-ml/golem/fit"
	"github.com/golem-ml/golem/plots"
)

// writeFitPNGs writes prefix_performance.png, prefix_trainstate.png,
// prefix_regression.png and prefix_errhist.png and returns the paths of
// those it wrote. A plot that fails does not stop the others; the errors
// are returned together.
func writeFitPNGs(prefix string, m *golem.Model, h *golem.History, x, y, pred *mat.Dense, splits []split) (files []string, err error) {
	var errs []error
	for _, p := range []struct {
		what, file string
		draw       func(string, *golem.History) error
	}{
		{"the performance plot", prefix + "_performance.png", plots.Performance},
		{"the training-state plot", prefix + "_trainstate.png", plots.TrainingState},
	} {
		if err := drawing(p.what, func() error { return p.draw(p.file, h) }); err != nil {
			errs = append(errs, err)
		} else {
			files = append(files, p.file)
		}
	}
	reg := prefix + "_regression.png"
	if err := drawing("the regression plot", func() error { _, err := plots.RegressionGrid(reg, m, x, y, plotSplits(splits)...); return err }); err != nil {
		errs = append(errs, err)
	} else {
		files = append(files, reg)
	}
	hist := prefix + "_errhist.png"
	if err := drawing("the error histogram", func() error { return errorHistogram(hist, y, pred, splits) }); err != nil {
		errs = append(errs, err)
	} else {
		files = append(files, hist)
	}
	return files, errors.Join(errs...)
}

// drawing runs a plotting function, turning a panic of the plotting
// library (gonum/plot panics on some degenerate data, such as a log axis
// over a single value) into an error naming the plot.
func drawing(what string, f func() error) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("drawing %s: %v", what, r)
		}
	}()
	if err := f(); err != nil {
		return fmt.Errorf("drawing %s: %w", what, err)
	}
	return nil
}

// plotSplits names the division's sets as MATLAB's plots do ("all" is
// left to the plots).
func plotSplits(splits []split) []plots.Split {
	names := map[string]string{"training": "Training", "validation": "Validation", "test": "Test"}
	var sets []plots.Split
	for _, s := range splits {
		if !s.all && len(s.index) > 0 {
			sets = append(sets, plots.Split{Name: names[s.name], Rows: s.index})
		}
	}
	return sets
}

// errorHistogram draws MATLAB's ploterrhist: the errors (targets −
// outputs, every target) in 20 bins shared by the sets, the training,
// validation and test counts stacked, and a line at zero error.
func errorHistogram(path string, y, pred *mat.Dense, splits []split) error {
	return plots.ErrorHistogram(path, y, pred, 0, plotSplits(splits)...)
}

// writeCurvePNGs writes prefix_curvefit.png (data, curve and bands; for a
// model of one input) and prefix_curvefit_residuals.png and returns their
// paths.
func writeCurvePNGs(ctx context.Context, prefix string, r *fit.Result) ([]string, error) {
	var files []string
	var errs []error
	if len(r.Model.Inputs) == 1 {
		fitPNG := prefix + "_curvefit.png"
		if err := drawing("the fit", func() error { return plots.Fit(ctx, fitPNG, r) }); err != nil {
			errs = append(errs, err)
		} else {
			files = append(files, fitPNG)
		}
	}
	resPNG := prefix + "_curvefit_residuals.png"
	if err := drawing("the residuals", func() error { return plots.Residuals(resPNG, r) }); err != nil {
		errs = append(errs, err)
	} else {
		files = append(files, resPNG)
	}
	return files, errors.Join(errs...)
}
