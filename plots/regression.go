package plots

import (
	"fmt"
	"math"

	"gonum.org/v1/gonum/mat"
	"gonum.org/v1/gonum/stat"
	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"

	"github.com/golem-ml/golem"
)

// Regression writes MATLAB's plotregression of the model's outputs for x
// against the targets y to path (5 × 5 inches; the format by path's
// extension, as Save): every output of every sample as a point, the
// least-squares line through them, the Y = T line, and in the title R, the
// correlation between outputs and targets (1 is a perfect fit). title
// names the data set ("Training", "Test", ...). It returns R.
//
// It fails where Predict does, when y's shape is not the outputs', and
// when the targets hold fewer than two distinct values (no line to fit).
func Regression(path string, m *golem.Model, x, y mat.Matrix, title string) (float64, error) {
	if m == nil {
		return 0, fmt.Errorf("plots: Regression: the model is nil")
	}
	if y == nil {
		return 0, fmt.Errorf("plots: Regression: y is nil")
	}
	pred, err := m.Predict(x)
	if err != nil {
		return 0, fmt.Errorf("plots: Regression: %w", err)
	}
	n, k := pred.Dims()
	if yn, yk := y.Dims(); yn != n || yk != k {
		return 0, fmt.Errorf("plots: Regression: y is %d×%d, the outputs %d×%d", yn, yk, n, k)
	}
	ts, os := make([]float64, 0, n*k), make([]float64, 0, n*k)
	pts := make(plotter.XYs, 0, n*k)
	lo, hi := math.Inf(1), math.Inf(-1)
	for i := 0; i < n; i++ {
		for j := 0; j < k; j++ {
			t, o := y.At(i, j), pred.At(i, j)
			if math.IsNaN(t) || math.IsInf(t, 0) {
				return 0, fmt.Errorf("plots: Regression: y row %d, column %d is %v", i, j, t)
			}
			if math.IsNaN(o) || math.IsInf(o, 0) {
				return 0, fmt.Errorf("plots: Regression: output row %d, column %d is %v", i, j, o)
			}
			ts, os = append(ts, t), append(os, o)
			pts = append(pts, plotter.XY{X: t, Y: o})
			lo, hi = math.Min(lo, t), math.Max(hi, t)
		}
	}
	if !(lo < hi) {
		return 0, fmt.Errorf("plots: Regression: the %d targets are all %g: no line to fit", len(ts), lo)
	}
	r := stat.Correlation(ts, os, nil)
	intercept, slope := stat.LinearRegression(ts, os, nil, false)
	p := plot.New()
	p.Title.Text = fmt.Sprintf("%s: R = %.5f", title, r)
	p.X.Label.Text = "target"
	p.Y.Label.Text = fmt.Sprintf("output ≈ %.3g·target %+.3g", slope, intercept)
	p.Add(plotter.NewGrid())
	scatter, err := plotter.NewScatter(pts)
	if err != nil {
		return 0, fmt.Errorf("plots: Regression: %w", err)
	}
	scatter.GlyphStyle.Color = grey
	fit, err := plotter.NewLine(plotter.XYs{{X: lo, Y: intercept + slope*lo}, {X: hi, Y: intercept + slope*hi}})
	if err != nil {
		return 0, fmt.Errorf("plots: Regression: %w", err)
	}
	fit.Color, fit.Width = blue, vg.Points(2)
	ideal, err := plotter.NewLine(plotter.XYs{{X: lo, Y: lo}, {X: hi, Y: hi}})
	if err != nil {
		return 0, fmt.Errorf("plots: Regression: %w", err)
	}
	ideal.Dashes = []vg.Length{vg.Points(4), vg.Points(3)}
	p.Add(scatter, fit, ideal)
	p.Legend.Add("data", scatter)
	p.Legend.Add("fit", fit)
	p.Legend.Add("Y = T", ideal)
	p.Legend.Top, p.Legend.Left = true, true
	return r, Save(p, path, 5*vg.Inch, 5*vg.Inch)
}
