package main

// Every PNG the command writes is made here, with golem's plots package.

import (
	"context"
	"errors"
	"fmt"
	"image"
	"image/color"
	"image/draw"
	"image/png"
	"os"
	"path/filepath"

	"gonum.org/v1/gonum/mat"

	"github.com/golem-ml/golem"
	"github.com/golem-ml/golem/fit"
	"github.com/golem-ml/golem/plots"
)

// writeFitPNGs writes prefix_performance.png, prefix_trainstate.png,
// prefix_regression.png and prefix_errhist.png and returns the paths of
// those it wrote. A plot that fails
// does not stop the others; the errors are returned together.
func writeFitPNGs(prefix string, m *golem.Model, h *golem.History, x, y, pred *mat.Dense, splits []split) (files []string, err error) {
	tmp, err := os.MkdirTemp(filepath.Dir(prefix), ".golem-plots-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(tmp)
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
	if err := drawing("the regression plot", func() error { return regressionGrid(tmp, reg, m, x, y, splits) }); err != nil {
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

// regressionGrid draws MATLAB's four regression panels (training,
// validation, test, all; the empty ones left out) side by side in one PNG:
// each is plots.Regression's, drawn into tmp and pasted into a grid.
func regressionGrid(tmp, path string, m *golem.Model, x, y *mat.Dense, splits []split) error {
	n, _ := x.Dims()
	titles := map[string]string{"training": "Training", "validation": "Validation", "test": "Test", "all": "All"}
	var panels []image.Image
	for _, s := range splits {
		idx := s.rows(n)
		if len(idx) < 2 {
			continue
		}
		file := filepath.Join(tmp, "regression_"+s.name+".png")
		if _, err := plots.Regression(file, m, pickRows(x, idx), pickRows(y, idx), titles[s.name]); err != nil {
			return err
		}
		img, err := readPNG(file)
		if err != nil {
			return err
		}
		panels = append(panels, img)
	}
	if len(panels) == 0 {
		return fmt.Errorf("no set has two samples to plot")
	}
	cols := min(2, len(panels))
	rows := (len(panels) + cols - 1) / cols
	w, h := panels[0].Bounds().Dx(), panels[0].Bounds().Dy()
	grid := image.NewRGBA(image.Rect(0, 0, cols*w, rows*h))
	draw.Draw(grid, grid.Bounds(), image.NewUniform(color.White), image.Point{}, draw.Src)
	for i, p := range panels {
		at := image.Pt((i%cols)*w, (i/cols)*h)
		draw.Draw(grid, image.Rectangle{Min: at, Max: at.Add(p.Bounds().Size())}, p, p.Bounds().Min, draw.Src)
	}
	return writePNG(path, grid)
}

// errorHistogram draws MATLAB's ploterrhist: the errors (targets −
// outputs, every target) in 20 bins shared by the sets, the training,
// validation and test counts stacked, and a line at zero error.
func errorHistogram(path string, y, pred *mat.Dense, splits []split) error {
	names := map[string]string{"training": "Training", "validation": "Validation", "test": "Test"}
	var sets []plots.Split
	for _, s := range splits {
		if !s.all && len(s.index) > 0 {
			sets = append(sets, plots.Split{Name: names[s.name], Rows: s.index})
		}
	}
	return plots.ErrorHistogram(path, y, pred, 0, sets...)
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

func pickRows(m *mat.Dense, idx []int) *mat.Dense {
	_, c := m.Dims()
	out := mat.NewDense(len(idx), c, nil)
	for i, r := range idx {
		out.SetRow(i, m.RawRowView(r))
	}
	return out
}

func readPNG(path string) (image.Image, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return png.Decode(f)
}

func writePNG(path string, img image.Image) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if err := png.Encode(f, img); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}
