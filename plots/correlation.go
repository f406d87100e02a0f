package plots

import (
	"fmt"
	"image/color"
	"math"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"

	"github.com/golem-ml/golem/timeseries"
)

// ErrorAutocorrelation writes timeseries.ErrorAutocorrelation(e, maxLag)
// to path as MATLAB's ploterrcorr draws it: a stem per lag and the ±bound
// limits as dashed lines; the title counts the nonzero lags outside them.
// The image is 8 × 4.5 inches, in the format path's extension names, as
// Save. It fails where timeseries.ErrorAutocorrelation does.
func ErrorAutocorrelation(path string, e []float64, maxLag int) error {
	lags, r, bound, err := timeseries.ErrorAutocorrelation(e, maxLag)
	if err != nil {
		return fmt.Errorf("plots: ErrorAutocorrelation: %w", err)
	}
	p, err := stemPlot(lags, r, bound, true)
	if err != nil {
		return err
	}
	p.Title.Text = fmt.Sprintf("Autocorrelation of the errors: %d of %d lags outside ±%.3g", outsideBound(lags, r, bound, true), 2*maxLag, bound)
	return saveColumn(path, []*plot.Plot{p})
}

// InputErrorCrossCorrelation writes
// timeseries.InputErrorCrossCorrelation(u, e, maxLag) to path as MATLAB's
// plotinerrcorr draws it: a stem per lag and the ±bound limits as dashed
// lines; the title counts the lags outside them. The image is as
// ErrorAutocorrelation's. It fails where
// timeseries.InputErrorCrossCorrelation does.
func InputErrorCrossCorrelation(path string, u, e []float64, maxLag int) error {
	lags, r, bound, err := timeseries.InputErrorCrossCorrelation(u, e, maxLag)
	if err != nil {
		return fmt.Errorf("plots: InputErrorCrossCorrelation: %w", err)
	}
	p, err := stemPlot(lags, r, bound, false)
	if err != nil {
		return err
	}
	p.Title.Text = fmt.Sprintf("Correlation between input and error: %d of %d lags outside ±%.3g", outsideBound(lags, r, bound, false), len(lags), bound)
	return saveColumn(path, []*plot.Plot{p})
}

func outsideBound(lags []int, r []float64, bound float64, skipZero bool) int {
	c := 0
	for i, v := range r {
		if skipZero && lags[i] == 0 {
			continue
		}
		if math.Abs(v) > bound {
			c++
		}
	}
	return c
}

// stemPlot draws r against lags as stems, with dashed limit lines at
// ±bound; with markZero the lag-0 stem, 1 by construction, is grey.
func stemPlot(lags []int, r []float64, bound float64, markZero bool) (*plot.Plot, error) {
	p := plot.New()
	p.X.Label.Text = "lag"
	p.Y.Label.Text = "correlation"
	p.Add(plotter.NewGrid())
	heads := make(plotter.XYs, len(lags))
	for i, k := range lags {
		x := float64(k)
		stem, err := plotter.NewLine(plotter.XYs{{X: x, Y: 0}, {X: x, Y: r[i]}})
		if err != nil {
			return nil, err
		}
		stem.Color, stem.Width = blue, vg.Points(1.5)
		if markZero && k == 0 {
			stem.Color = color.Gray{Y: 140}
		}
		p.Add(stem)
		heads[i] = plotter.XY{X: x, Y: r[i]}
	}
	dots, err := plotter.NewScatter(heads)
	if err != nil {
		return nil, err
	}
	dots.GlyphStyle.Shape = draw.CircleGlyph{}
	dots.GlyphStyle.Color, dots.GlyphStyle.Radius = blue, vg.Points(2)
	p.Add(dots)
	p.Legend.Add("correlation", dots)
	lo, hi := float64(lags[0])-0.5, float64(lags[len(lags)-1])+0.5
	for i, y := range []float64{bound, -bound} {
		l, err := plotter.NewLine(plotter.XYs{{X: lo, Y: y}, {X: hi, Y: y}})
		if err != nil {
			return nil, err
		}
		l.Color, l.Width = red, vg.Points(1.2)
		l.Dashes = []vg.Length{vg.Points(5), vg.Points(3)}
		p.Add(l)
		if i == 0 {
			p.Legend.Add("95 % limit", l)
		}
	}
	p.Legend.Top = true
	return p, nil
}
