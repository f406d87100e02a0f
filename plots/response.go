package plots

import (
	"fmt"
	"image/color"

	"gonum.org/v1/gonum/mat"
	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
)

// errorColors draw Response's errors, one per channel.
var errorColors = []color.Color{Color(3), Color(2), Color(4), Color(5)}

// responseChannels is the number of channels Response draws.
const responseChannels = 4

// Response writes the targets and the outputs of a time series against
// time to path, as MATLAB's plotresponse: one panel per channel (the first 4 when there are
// more), the targets as points on a line and the outputs as a line, then a
// lower panel with the errors, targets − outputs, of those channels. times
// gives each row's t (timeseries.Windows.Times); targets and outputs are
// N × k. title heads the first panel. The image is 8 inches wide and 2.6
// inches a panel, in the format path's extension names, as Save.
//
// It fails on an empty or mismatched series (times, targets and outputs of
// different lengths, targets and outputs with different channels) and on a
// NaN or Inf.
func Response(path string, times []int, targets, outputs mat.Matrix, title string) error {
	n, k, err := samePair(targets, outputs, "outputs")
	if err != nil {
		return fmt.Errorf("plots: Response: %w", err)
	}
	if len(times) != n {
		return fmt.Errorf("plots: Response: %d times for %d rows", len(times), n)
	}
	channels := min(k, responseChannels)
	var panels []*plot.Plot
	errPanel := plot.New()
	errPanel.Title.Text = "Errors (targets − outputs)"
	errPanel.X.Label.Text = "time"
	errPanel.Y.Label.Text = "error"
	errPanel.Add(plotter.NewGrid())
	zero, err := plotter.NewLine(plotter.XYs{{X: float64(times[0]), Y: 0}, {X: float64(times[n-1]), Y: 0}})
	if err != nil {
		return err
	}
	zero.Color = color.Gray{Y: 120}
	errPanel.Add(zero)
	for c := 0; c < channels; c++ {
		tg, out, er := make(plotter.XYs, n), make(plotter.XYs, n), make(plotter.XYs, n)
		for i := 0; i < n; i++ {
			x := float64(times[i])
			tv, ov := targets.At(i, c), outputs.At(i, c)
			tg[i], out[i], er[i] = plotter.XY{X: x, Y: tv}, plotter.XY{X: x, Y: ov}, plotter.XY{X: x, Y: tv - ov}
		}
		p := plot.New()
		p.Title.Text = fmt.Sprintf("Response of output %d", c+1)
		if c == 0 && title != "" {
			p.Title.Text = title + ": " + p.Title.Text
		}
		p.Y.Label.Text = fmt.Sprintf("output %d", c+1)
		p.Add(plotter.NewGrid())
		tl, tp, err := plotter.NewLinePoints(tg)
		if err != nil {
			return err
		}
		tl.Color, tp.Color = blue, blue
		tp.GlyphStyle.Radius = vg.Points(1.5)
		ol, err := plotter.NewLine(out)
		if err != nil {
			return err
		}
		ol.Color, ol.Width = red, vg.Points(1.5)
		p.Add(tl, tp, ol)
		p.Legend.Add("targets", tl, tp)
		p.Legend.Add("outputs", ol)
		p.Legend.Top = true
		panels = append(panels, p)

		el, err := plotter.NewLine(er)
		if err != nil {
			return err
		}
		el.Color = errorColors[c%len(errorColors)]
		errPanel.Add(el)
		errPanel.Legend.Add(fmt.Sprintf("output %d", c+1), el)
	}
	errPanel.Legend.Top = true
	panels = append(panels, errPanel)
	return saveColumn(path, panels)
}
