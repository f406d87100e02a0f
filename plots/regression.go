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
	pred, err := predictFor("Regression", m, x, y)
	if err != nil {
		return 0, err
	}
	p, r, err := regressionPlot(pred, y, nil, title)
	if err != nil {
		return 0, fmt.Errorf("plots: Regression: %w", err)
	}
	return r, Save(p, path, 5*vg.Inch, 5*vg.Inch)
}

// RegressionGrid writes MATLAB's plotregression window of a divided Fit
// run to path: one Regression panel per split of at least two samples
// (Splits of a History gives Training, Validation and Test) and a last
// panel of all the samples, two panels to a row, 5 × 5 inches each. It
// predicts once and returns each panel's R, in order (All last). It fails
// where Regression does, and on a split row outside y.
func RegressionGrid(path string, m *golem.Model, x, y mat.Matrix, splits ...Split) ([]float64, error) {
	pred, err := predictFor("RegressionGrid", m, x, y)
	if err != nil {
		return nil, err
	}
	n, _ := pred.Dims()
	var panels []*plot.Plot
	var rs []float64
	for _, s := range append(splits, Split{Name: "All"}) {
		if s.Rows != nil && len(s.Rows) < 2 {
			continue
		}
		for _, i := range s.Rows {
			if i < 0 || i >= n {
				return nil, fmt.Errorf("plots: RegressionGrid: split %s has row %d, y has %d", s.Name, i, n)
			}
		}
		p, r, err := regressionPlot(pred, y, s.Rows, s.Name)
		if err != nil {
			return nil, fmt.Errorf("plots: RegressionGrid: %s: %w", s.Name, err)
		}
		panels, rs = append(panels, p), append(rs, r)
	}
	cols := min(2, len(panels))
	grid := make([][]*plot.Plot, (len(panels)+cols-1)/cols)
	for r := range grid {
		grid[r] = make([]*plot.Plot, cols) // a last odd tile stays empty
	}
	for i, p := range panels {
		grid[i/cols][i%cols] = p
	}
	return rs, SaveGrid(path, grid, vg.Length(cols)*5*vg.Inch, vg.Length(len(grid))*5*vg.Inch)
}

// predictFor is m's outputs for x, checked against y's shape.
func predictFor(caller string, m *golem.Model, x, y mat.Matrix) (*mat.Dense, error) {
	if m == nil {
		return nil, fmt.Errorf("plots: %s: the model is nil", caller)
	}
	if y == nil {
		return nil, fmt.Errorf("plots: %s: y is nil", caller)
	}
	pred, err := m.Predict(x)
	if err != nil {
		return nil, fmt.Errorf("plots: %s: %w", caller, err)
	}
	n, k := pred.Dims()
	if yn, yk := y.Dims(); yn != n || yk != k {
		return nil, fmt.Errorf("plots: %s: y is %d×%d, the outputs %d×%d", caller, yn, yk, n, k)
	}
	return pred, nil
}

// regressionPlot is the Regression panel of the rows of pred and y (nil:
// all) and their R.
func regressionPlot(pred *mat.Dense, y mat.Matrix, rows []int, title string) (*plot.Plot, float64, error) {
	n, k := pred.Dims()
	if rows == nil {
		rows = make([]int, n)
		for i := range rows {
			rows[i] = i
		}
	}
	ts, os := make([]float64, 0, len(rows)*k), make([]float64, 0, len(rows)*k)
	pts := make(plotter.XYs, 0, len(rows)*k)
	lo, hi := math.Inf(1), math.Inf(-1)
	for _, i := range rows {
		for j := 0; j < k; j++ {
			t, o := y.At(i, j), pred.At(i, j)
			if math.IsNaN(t) || math.IsInf(t, 0) {
				return nil, 0, fmt.Errorf("y row %d, column %d is %v", i, j, t)
			}
			if math.IsNaN(o) || math.IsInf(o, 0) {
				return nil, 0, fmt.Errorf("output row %d, column %d is %v", i, j, o)
			}
			ts, os = append(ts, t), append(os, o)
			pts = append(pts, plotter.XY{X: t, Y: o})
			lo, hi = math.Min(lo, t), math.Max(hi, t)
		}
	}
	if !(lo < hi) {
		return nil, 0, fmt.Errorf("the %d targets are all %g: no line to fit", len(ts), lo)
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
		return nil, 0, err
	}
	scatter.GlyphStyle.Color = grey
	fit, err := plotter.NewLine(plotter.XYs{{X: lo, Y: intercept + slope*lo}, {X: hi, Y: intercept + slope*hi}})
	if err != nil {
		return nil, 0, err
	}
	fit.Color, fit.Width = blue, vg.Points(2)
	ideal, err := plotter.NewLine(plotter.XYs{{X: lo, Y: lo}, {X: hi, Y: hi}})
	if err != nil {
		return nil, 0, err
	}
	ideal.Dashes = []vg.Length{vg.Points(4), vg.Points(3)}
	p.Add(scatter, fit, ideal)
	p.Legend.Add("data", scatter)
	p.Legend.Add("fit", fit)
	p.Legend.Add("Y = T", ideal)
	p.Legend.Top, p.Legend.Left = true, true
	return p, r, nil
}
