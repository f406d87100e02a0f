package main

import (
	"fmt"
	"math"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"

	"github.com/golem-ml/golem/examples/internal/chart"
	"github.com/golem-ml/golem/plots"
)

// plotAccuracy draws every run's test accuracy against epochs (log scale)
// and against training seconds, side by side, with the 97 % line; the
// lower row repeats both from 90 % up, with a ring where each run first
// reached 97 % and a dot at its best.
func plotAccuracy(runs []trained, path string) error {
	var rowsOf [2][2]*plot.Plot
	for zoom := 0; zoom < 2; zoom++ {
		suffix := ""
		if zoom == 1 {
			suffix = ", from 90 % (ring: first ≥ 97 %, dot: best)"
		}
		byEpoch := chart.New("digits: test accuracy by epoch"+suffix, "epoch", "test accuracy (%)")
		byEpoch.X.Scale, byEpoch.X.Tick.Marker = plot.LogScale{}, plot.LogTicks{Prec: -1}
		byTime := chart.New("digits: test accuracy by training time"+suffix, "seconds (wall)", "test accuracy (%)")
		var epochSeries, timeSeries []chart.Series
		lo, maxEpoch, maxTime := 100.0, 1.0, 0.0
		for _, r := range runs {
			var ep, sec, acc []float64
			for _, e := range r.epochs {
				ep, sec, acc = append(ep, float64(e.epoch)), append(sec, e.elapsed.Seconds()), append(acc, 100*e.testAcc)
				lo = math.Min(lo, 100*e.testAcc)
				maxEpoch, maxTime = math.Max(maxEpoch, float64(e.epoch)), math.Max(maxTime, e.elapsed.Seconds())
			}
			label := fmt.Sprintf("%s: best %.2f %%", r.name, 100*r.best().testAcc)
			epochSeries = append(epochSeries, chart.Series{Name: label, X: ep, Y: acc})
			timeSeries = append(timeSeries, chart.Series{Name: label, X: sec, Y: acc})
		}
		goal := func(xmin, xmax float64) chart.Series {
			return chart.Series{Name: "97 %", X: []float64{xmin, xmax}, Y: []float64{100 * target, 100 * target}}
		}
		if err := chart.AddLines(byEpoch, append(epochSeries, goal(1, maxEpoch))...); err != nil {
			return err
		}
		if err := chart.AddLines(byTime, append(timeSeries, goal(0, maxTime))...); err != nil {
			return err
		}
		for _, p := range []*plot.Plot{byEpoch, byTime} {
			p.Y.Min, p.Y.Max = math.Max(0, math.Min(lo, 80)), 100
			p.Legend.Top, p.Legend.Left = false, false // bottom right, below the curves' plateau
			if zoom == 1 {
				p.Y.Min = 90
				p.Legend = plot.NewLegend() // the upper row's legend serves both
			}
		}
		if zoom == 1 {
			for i, r := range runs {
				clr := plots.Color(i)
				type mark struct {
					e     epochScore
					shape draw.GlyphDrawer
				}
				var marks []mark
				if len(r.epochs) > 0 {
					marks = append(marks, mark{r.best(), draw.CircleGlyph{}})
				}
				if e, ok := r.reached(target); ok {
					marks = append(marks, mark{e, draw.RingGlyph{}})
				}
				for _, m := range marks {
					for k, pt := range []plotter.XY{{X: float64(m.e.epoch), Y: 100 * m.e.testAcc}, {X: m.e.elapsed.Seconds(), Y: 100 * m.e.testAcc}} {
						sc, err := plotter.NewScatter(plotter.XYs{pt})
						if err != nil {
							return err
						}
						sc.GlyphStyle = draw.GlyphStyle{Color: clr, Radius: vg.Points(4), Shape: m.shape}
						if _, ring := m.shape.(draw.RingGlyph); ring {
							sc.GlyphStyle.Radius = vg.Points(7) // around the dot when the first is the best
						}
						[]*plot.Plot{byEpoch, byTime}[k].Add(sc)
					}
				}
			}
		}
		rowsOf[zoom] = [2]*plot.Plot{byEpoch, byTime}
	}
	return plots.SaveGrid(path, [][]*plot.Plot{rowsOf[0][:], rowsOf[1][:]}, 13*vg.Inch, 9*vg.Inch)
}
