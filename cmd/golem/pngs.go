package main

// Every PNG the command writes is made here, against golem's plotting API
// of today (History.Plot, Model.PlotRegression, fit.Result.PlotFit and
// PlotResiduals) and gonum/plot for the error histogram, which golem does
// not draw yet: when the plots package takes these over, this file is the
// one to change.

import (
	"context"
	"errors"
	"fmt"
	"image"
	"image/color"
	"image/draw"
	"image/png"
	"math"
	"os"
	"path/filepath"

	"gonum.org/v1/gonum/mat"
	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"

	"github.com/golem-ml/golem"
	"github.com/golem-ml/golem/fit"
)

// writeFitPNGs writes prefix_performance.png, prefix_trainstate.png,
// prefix_regression.png and prefix_errhist.png and returns the paths of
// those it wrote, and a note on what it did not draw. A plot that fails
// does not stop the others; the errors are returned together.
func writeFitPNGs(prefix string, m *golem.Model, h *golem.History, x, y, pred *mat.Dense, splits []split) (files []string, note string, err error) {
	tmp, err := os.MkdirTemp(filepath.Dir(prefix), ".golem-plots-")
	if err != nil {
		return nil, "", err
	}
	defer os.RemoveAll(tmp)
	var errs []error
	// golem's History.Plot panics on a history of one epoch (a log axis
	// over a single value), so such a run gets no performance and
	// training-state plots.
	if h.Len() < 2 {
		note = "no performance and training-state plots: training ran one epoch"
	} else if err := drawing("the performance and training-state plots", func() error {
		plots, err := h.Plot(tmp) // performance.png, trainstate.png
		if err != nil {
			return err
		}
		for _, p := range plots {
			dst := prefix + "_" + filepath.Base(p)
			if err := os.Rename(p, dst); err != nil {
				return err
			}
			files = append(files, dst)
		}
		return nil
	}); err != nil {
		errs = append(errs, err)
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
	return files, note, errors.Join(errs...)
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
// each is Model.PlotRegression's, drawn into tmp and pasted into a grid.
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
		if _, err := m.PlotRegression(pickRows(x, idx), pickRows(y, idx), titles[s.name], file); err != nil {
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
	const bins = 20
	n, k := y.Dims()
	lo, hi := math.Inf(1), math.Inf(-1)
	for i := 0; i < n; i++ {
		for j := 0; j < k; j++ {
			e := y.At(i, j) - pred.At(i, j)
			lo, hi = math.Min(lo, e), math.Max(hi, e)
		}
	}
	if hi <= lo { // every error equal: one bin around it
		lo, hi = lo-0.5, hi+0.5
	}
	width := (hi - lo) / bins
	colors := map[string]color.Color{
		"training":   color.RGBA{R: 30, G: 90, B: 200, A: 255},
		"validation": color.RGBA{G: 150, B: 60, A: 255},
		"test":       color.RGBA{R: 210, G: 40, B: 40, A: 255},
		"all":        color.RGBA{R: 30, G: 90, B: 200, A: 255},
	}
	// Stack the sets that have samples; without a division, "all" alone.
	var sets []split
	for _, s := range splits {
		if !s.all && len(s.index) > 0 {
			sets = append(sets, s)
		}
	}
	if len(sets) == 0 {
		sets = []split{{name: "all", all: true}}
	}
	counts := make([][]float64, len(sets)) // cumulative over the sets
	for si, s := range sets {
		counts[si] = make([]float64, bins)
		if si > 0 {
			copy(counts[si], counts[si-1])
		}
		for _, i := range s.rows(n) {
			for j := 0; j < k; j++ {
				b := int((y.At(i, j) - pred.At(i, j) - lo) / width)
				counts[si][min(max(b, 0), bins-1)]++
			}
		}
	}
	p := plot.New()
	p.Title.Text = fmt.Sprintf("Error histogram with %d bins", bins)
	p.X.Label.Text = "errors = targets − outputs"
	p.Y.Label.Text = "instances"
	p.Add(plotter.NewGrid())
	for si := len(sets) - 1; si >= 0; si-- { // tallest first, so each set shows as its band
		h := &plotter.Histogram{Width: width, FillColor: colors[sets[si].name]}
		h.LineStyle.Width = vg.Points(0.5)
		h.LineStyle.Color = color.Black
		for b := 0; b < bins; b++ {
			h.Bins = append(h.Bins, plotter.HistogramBin{Min: lo + float64(b)*width, Max: lo + float64(b+1)*width, Weight: counts[si][b]})
		}
		p.Add(h)
		p.Legend.Add(sets[si].name, h)
	}
	top := 0.0
	for _, c := range counts[len(counts)-1] {
		top = math.Max(top, c)
	}
	zero, err := plotter.NewLine(plotter.XYs{{X: 0, Y: 0}, {X: 0, Y: top * 1.05}})
	if err != nil {
		return err
	}
	zero.Color, zero.Width = color.RGBA{R: 230, G: 140, A: 255}, vg.Points(2)
	p.Add(zero)
	p.Legend.Add("zero error", zero)
	p.Legend.Top = true
	return p.Save(7*vg.Inch, 4.5*vg.Inch, path)
}

// writeCurvePNGs writes prefix_curvefit.png (data, curve and bands; for a
// model of one input) and prefix_curvefit_residuals.png and returns their
// paths.
func writeCurvePNGs(ctx context.Context, prefix string, r *fit.Result) ([]string, error) {
	var files []string
	var errs []error
	if len(r.Model.Inputs) == 1 {
		fitPNG := prefix + "_curvefit.png"
		if err := drawing("the fit", func() error { return r.PlotFit(ctx, fitPNG) }); err != nil {
			errs = append(errs, err)
		} else {
			files = append(files, fitPNG)
		}
	}
	resPNG := prefix + "_curvefit_residuals.png"
	if err := drawing("the residuals", func() error { return r.PlotResiduals(resPNG) }); err != nil {
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
