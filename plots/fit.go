package plots

import (
	"context"
	"fmt"
	"image/color"
	"math"

	"gonum.org/v1/gonum/mat"
	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"

	"github.com/golem-ml/golem/fit"
)

// bandColor shades Fit's confidence band.
var bandColor = color.RGBA{R: 30, G: 90, B: 200, A: 70}

// fitPoints is the number of points on which Fit draws the curve.
const fitPoints = 300

// Fit writes the data of a curve fit, the fitted curve, its confidence
// band (shaded) and its prediction band (dashed) at the Result's Level, for
// a model of one input, to path (7 × 4.5 inches; the format by path's
// extension, as Save). Without a covariance (see fit.Result.Warnings) it
// draws the curve alone. It fails for a model of several inputs (use
// Residuals) and where fit.Result.Eval does.
func Fit(ctx context.Context, path string, r *fit.Result) error {
	if r == nil {
		return fmt.Errorf("plots: Fit: the Result is nil")
	}
	x, y, _ := r.Data()
	n, inputs := x.Dims()
	if inputs != 1 {
		return fmt.Errorf("plots: Fit draws models of one input; %s has %d (use Residuals)", r.Model.Name, inputs)
	}
	lo, hi := math.Inf(1), math.Inf(-1)
	for i := 0; i < n; i++ {
		lo, hi = math.Min(lo, x.At(i, 0)), math.Max(hi, x.At(i, 0))
	}
	if lo == hi {
		lo, hi = lo-1, hi+1
	}
	grid := mat.NewDense(fitPoints, 1, nil)
	for i := 0; i < fitPoints; i++ {
		grid.Set(i, 0, lo+(hi-lo)*float64(i)/(fitPoints-1))
	}
	p := plot.New()
	p.Title.Text = fmt.Sprintf("%s (%s)", r.Model.Name, r.Stop)
	p.X.Label.Text = inputName(r.Model)
	p.Y.Label.Text = "y"
	band, err := r.Band(ctx, grid, 0, nil)
	var curve []float64
	if err == nil {
		curve = band.Fit
		upper, lower := make(plotter.XYs, fitPoints), make(plotter.XYs, fitPoints)
		poly := make(plotter.XYs, 0, 2*fitPoints)
		for i := 0; i < fitPoints; i++ {
			x := grid.At(i, 0)
			poly = append(poly, plotter.XY{X: x, Y: band.Fit[i] + band.Confidence[i]})
			upper[i] = plotter.XY{X: x, Y: band.Fit[i] + band.Prediction[i]}
			lower[i] = plotter.XY{X: x, Y: band.Fit[i] - band.Prediction[i]}
		}
		for i := fitPoints - 1; i >= 0; i-- {
			poly = append(poly, plotter.XY{X: grid.At(i, 0), Y: band.Fit[i] - band.Confidence[i]})
		}
		shade, err := plotter.NewPolygon(poly)
		if err != nil {
			return fmt.Errorf("plots: Fit: confidence band: %w", err)
		}
		shade.Color, shade.LineStyle.Width = bandColor, 0
		p.Add(shade)
		p.Legend.Add(fmt.Sprintf("%g%% confidence band", 100*r.Level), shade)
		for k, side := range []plotter.XYs{upper, lower} {
			l, err := plotter.NewLine(side)
			if err != nil {
				return fmt.Errorf("plots: Fit: prediction band: %w", err)
			}
			l.Color, l.Dashes = red, []vg.Length{vg.Points(4), vg.Points(3)}
			p.Add(l)
			if k == 0 {
				p.Legend.Add(fmt.Sprintf("%g%% prediction band", 100*r.Level), l)
			}
		}
	} else if curve, err = r.Eval(ctx, grid); err != nil {
		return fmt.Errorf("plots: Fit: %w", err)
	}
	line := make(plotter.XYs, fitPoints)
	for i := range line {
		line[i] = plotter.XY{X: grid.At(i, 0), Y: curve[i]}
	}
	l, err := plotter.NewLine(line)
	if err != nil {
		return fmt.Errorf("plots: Fit: the curve: %w", err)
	}
	l.Color, l.Width = blue, vg.Points(1.5)
	p.Add(l)
	p.Legend.Add("fit", l)
	pts := make(plotter.XYs, n)
	for i := range pts {
		pts[i] = plotter.XY{X: x.At(i, 0), Y: y[i]}
	}
	s, err := plotter.NewScatter(pts)
	if err != nil {
		return fmt.Errorf("plots: Fit: the data: %w", err)
	}
	s.Color, s.Shape, s.Radius = ink, draw.CircleGlyph{}, vg.Points(2)
	p.Add(s)
	p.Legend.Add("data", s)
	p.Legend.Top, p.Legend.Left = true, true
	return Save(p, path, 7*vg.Inch, 4.5*vg.Inch)
}

// Residuals writes the residuals yᵢ − f(xᵢ) of a curve fit, divided by σᵢ
// when Sigma was given, to path (7 × 3.5 inches; the format by path's
// extension, as Save), with the zero line: against x for a model of one
// input, against the fitted values otherwise.
func Residuals(path string, r *fit.Result) error {
	if r == nil {
		return fmt.Errorf("plots: Residuals: the Result is nil")
	}
	x, _, sigma := r.Data()
	n, inputs := x.Dims()
	if n == 0 || len(r.Residuals) != n || len(r.Fitted) != n {
		return fmt.Errorf("plots: Residuals: %d points, %d residuals and %d fitted values", n, len(r.Residuals), len(r.Fitted))
	}
	p := plot.New()
	p.Title.Text = fmt.Sprintf("%s: residuals", r.Model.Name)
	p.Y.Label.Text = "y − f(x)"
	if sigma != nil {
		p.Y.Label.Text = "(y − f(x))/σ"
	}
	p.X.Label.Text = "fitted value"
	if inputs == 1 {
		p.X.Label.Text = inputName(r.Model)
	}
	pts := make(plotter.XYs, n)
	lo, hi := math.Inf(1), math.Inf(-1)
	for i := range pts {
		at := r.Fitted[i]
		if inputs == 1 {
			at = x.At(i, 0)
		}
		e := r.Residuals[i]
		if sigma != nil {
			e /= sigma[i]
		}
		lo, hi = math.Min(lo, at), math.Max(hi, at)
		pts[i] = plotter.XY{X: at, Y: e}
	}
	s, err := plotter.NewScatter(pts)
	if err != nil {
		return fmt.Errorf("plots: Residuals: %w", err)
	}
	s.Color, s.Shape, s.Radius = ink, draw.CircleGlyph{}, vg.Points(2)
	zero, err := plotter.NewLine(plotter.XYs{{X: lo, Y: 0}, {X: hi, Y: 0}})
	if err != nil {
		return fmt.Errorf("plots: Residuals: %w", err)
	}
	zero.Color = blue
	p.Add(zero, s)
	return Save(p, path, 7*vg.Inch, 3.5*vg.Inch)
}

// inputName is the name of a curve model's first input: "x" unless
// Inputs names it, as in package fit.
func inputName(m *fit.Model) string {
	if m != nil && len(m.Inputs) > 0 {
		return m.Inputs[0]
	}
	return "x"
}
