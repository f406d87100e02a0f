package fit

import (
	"context"
	"errors"
	"fmt"
	"image/color"
	"math"

	"gonum.org/v1/gonum/mat"
	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

var (
	dataColor  = color.RGBA{R: 30, G: 30, B: 30, A: 255}
	curveColor = color.RGBA{R: 30, G: 90, B: 200, A: 255}
	confColor  = color.RGBA{R: 30, G: 90, B: 200, A: 70}
	predColor  = color.RGBA{R: 210, G: 40, B: 40, A: 255}
)

// plotPoints is the number of points on which PlotFit draws the curve.
const plotPoints = 300

// PlotFit writes a PNG (or SVG, PDF, by path's extension) of the data, the
// fitted curve, its confidence band (shaded) and its prediction band
// (dashed) at the Result's Level, for a model of one input. Without a
// covariance it draws the curve alone.
func (r *Result) PlotFit(ctx context.Context, path string) error {
	if r.pr.d.inputs != 1 {
		return fmt.Errorf("fit: PlotFit draws models of one input; %s has %d (use PlotResiduals)", r.Model.Name, r.pr.d.inputs)
	}
	d := r.pr.d
	lo, hi := math.Inf(1), math.Inf(-1)
	for _, v := range d.x {
		lo, hi = math.Min(lo, v), math.Max(hi, v)
	}
	if lo == hi {
		lo, hi = lo-1, hi+1
	}
	grid := mat.NewDense(plotPoints, 1, nil)
	for i := 0; i < plotPoints; i++ {
		grid.Set(i, 0, lo+(hi-lo)*float64(i)/(plotPoints-1))
	}
	p := plot.New()
	p.Title.Text = fmt.Sprintf("%s (%s)", r.Model.Name, r.Stop)
	p.X.Label.Text = r.Model.inputs()[0]
	p.Y.Label.Text = "y"
	band, err := r.Band(ctx, grid, 0, nil)
	var fit []float64
	if err == nil {
		fit = band.Fit
		upper, lower := make(plotter.XYs, plotPoints), make(plotter.XYs, plotPoints)
		poly := make(plotter.XYs, 0, 2*plotPoints)
		for i := 0; i < plotPoints; i++ {
			x := grid.At(i, 0)
			poly = append(poly, plotter.XY{X: x, Y: band.Fit[i] + band.Confidence[i]})
			upper[i] = plotter.XY{X: x, Y: band.Fit[i] + band.Prediction[i]}
			lower[i] = plotter.XY{X: x, Y: band.Fit[i] - band.Prediction[i]}
		}
		for i := plotPoints - 1; i >= 0; i-- {
			poly = append(poly, plotter.XY{X: grid.At(i, 0), Y: band.Fit[i] - band.Confidence[i]})
		}
		shade, err := plotter.NewPolygon(poly)
		if err != nil {
			return err
		}
		shade.Color, shade.LineStyle.Width = confColor, 0
		p.Add(shade)
		p.Legend.Add(fmt.Sprintf("%g%% confidence band", 100*r.Level), shade)
		for k, side := range []plotter.XYs{upper, lower} {
			l, err := plotter.NewLine(side)
			if err != nil {
				return err
			}
			l.Color, l.Dashes = predColor, []vg.Length{vg.Points(4), vg.Points(3)}
			p.Add(l)
			if k == 0 {
				p.Legend.Add(fmt.Sprintf("%g%% prediction band", 100*r.Level), l)
			}
		}
	} else if fit, err = r.Eval(ctx, grid); err != nil {
		return err
	}
	curve := make(plotter.XYs, plotPoints)
	for i := range curve {
		curve[i] = plotter.XY{X: grid.At(i, 0), Y: fit[i]}
	}
	l, err := plotter.NewLine(curve)
	if err != nil {
		return err
	}
	l.Color, l.Width = curveColor, vg.Points(1.5)
	p.Add(l)
	p.Legend.Add("fit", l)
	pts := make(plotter.XYs, d.n)
	for i := range pts {
		pts[i] = plotter.XY{X: d.x[i], Y: d.y[2*i]}
	}
	s, err := plotter.NewScatter(pts)
	if err != nil {
		return err
	}
	s.Color, s.Shape, s.Radius = dataColor, draw.CircleGlyph{}, vg.Points(2)
	p.Add(s)
	p.Legend.Add("data", s)
	p.Legend.Top, p.Legend.Left = true, true
	return p.Save(7*vg.Inch, 4.5*vg.Inch, path)
}

// PlotResiduals writes a plot of the residuals yᵢ − f(xᵢ), weighted by 1/σᵢ
// when Sigma was given, against x for a model of one input and against the
// fitted values otherwise, with the zero line.
func (r *Result) PlotResiduals(path string) error {
	d := r.pr.d
	if d.n == 0 {
		return errors.New("fit: no points to plot")
	}
	p := plot.New()
	p.Title.Text = fmt.Sprintf("%s: residuals", r.Model.Name)
	p.Y.Label.Text = "y − f(x)"
	if d.sigma != nil {
		p.Y.Label.Text = "(y − f(x))/σ"
	}
	pts := make(plotter.XYs, d.n)
	lo, hi := math.Inf(1), math.Inf(-1)
	for i := range pts {
		x := r.Fitted[i]
		if d.inputs == 1 {
			x = d.x[i]
		}
		lo, hi = math.Min(lo, x), math.Max(hi, x)
		pts[i] = plotter.XY{X: x, Y: r.Residuals[i] * d.y[2*i+1]}
	}
	p.X.Label.Text = "fitted value"
	if d.inputs == 1 {
		p.X.Label.Text = r.Model.inputs()[0]
	}
	s, err := plotter.NewScatter(pts)
	if err != nil {
		return err
	}
	s.Color, s.Shape, s.Radius = dataColor, draw.CircleGlyph{}, vg.Points(2)
	zero, err := plotter.NewLine(plotter.XYs{{X: lo, Y: 0}, {X: hi, Y: 0}})
	if err != nil {
		return err
	}
	zero.Color = curveColor
	p.Add(zero, s)
	return p.Save(7*vg.Inch, 3.5*vg.Inch, path)
}
