package timeseries

import (
	"fmt"
	"image/color"
	"math"
	"os"
	"path/filepath"

	"gonum.org/v1/gonum/mat"
	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"
)

// The colours of golem's plots: targets and stems blue, outputs and limits
// red, errors in the palette's order.
var (
	plotTargetColor = color.RGBA{R: 30, G: 90, B: 200, A: 255}
	plotOutputColor = color.RGBA{R: 210, G: 40, B: 40, A: 255}
	plotErrorColors = []color.Color{
		color.RGBA{R: 230, G: 140, A: 255},
		color.RGBA{G: 140, B: 60, A: 255},
		color.RGBA{R: 120, G: 50, B: 170, A: 255},
		color.RGBA{G: 160, B: 170, A: 255},
	}
)

// plotMaxChannels is the number of channels PlotResponse draws.
const plotMaxChannels = 4

// PlotResponse writes a PNG of the targets and the outputs against time, as
// MATLAB's plotresponse: one panel per channel (the first 4 when there are
// more), the targets as points on a line and the outputs as a line, then a
// lower panel with the errors, targets − outputs, of those channels. times
// gives each row's t (Windows.Times); targets and outputs are N × k. title
// heads the first panel. The file's folder is created if missing.
//
// It fails on an empty or mismatched series (times, targets and outputs of
// different lengths, targets and outputs with different channels) and on a
// NaN or Inf.
func PlotResponse(path string, times []int, targets, outputs mat.Matrix, title string) error {
	if nilMatrix(targets) || nilMatrix(outputs) {
		return fmt.Errorf("timeseries: PlotResponse: targets or outputs is nil")
	}
	n, k := targets.Dims()
	on, ok := outputs.Dims()
	if on != n || ok != k {
		return fmt.Errorf("timeseries: PlotResponse: targets are %d×%d, outputs %d×%d", n, k, on, ok)
	}
	if len(times) != n {
		return fmt.Errorf("timeseries: PlotResponse: %d times for %d rows", len(times), n)
	}
	if n == 0 || k == 0 {
		return fmt.Errorf("timeseries: PlotResponse: the series is empty (%d×%d)", n, k)
	}
	for _, s := range []struct {
		name string
		a    mat.Matrix
	}{{"targets", targets}, {"outputs", outputs}} {
		if err := checkSeriesFinite(s.name, s.a); err != nil {
			return fmt.Errorf("timeseries: PlotResponse: %w", err)
		}
	}
	channels := min(k, plotMaxChannels)
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
		tl.Color, tp.Color = plotTargetColor, plotTargetColor
		tp.GlyphStyle.Radius = vg.Points(1.5)
		ol, err := plotter.NewLine(out)
		if err != nil {
			return err
		}
		ol.Color, ol.Width = plotOutputColor, vg.Points(1.5)
		p.Add(tl, tp, ol)
		p.Legend.Add("targets", tl, tp)
		p.Legend.Add("outputs", ol)
		p.Legend.Top = true
		panels = append(panels, p)

		el, err := plotter.NewLine(er)
		if err != nil {
			return err
		}
		el.Color = plotErrorColors[c%len(plotErrorColors)]
		errPanel.Add(el)
		errPanel.Legend.Add(fmt.Sprintf("output %d", c+1), el)
	}
	errPanel.Legend.Top = true
	panels = append(panels, errPanel)
	return savePanels(path, panels)
}

// PlotErrorAutocorrelation writes a PNG of ErrorAutocorrelation(e, maxLag)
// as MATLAB's ploterrcorr draws it: a stem per lag and the ±bound limits as
// dashed lines; the title counts the nonzero lags outside them. It fails
// where ErrorAutocorrelation does.
func PlotErrorAutocorrelation(path string, e []float64, maxLag int) error {
	lags, r, bound, err := ErrorAutocorrelation(e, maxLag)
	if err != nil {
		return fmt.Errorf("timeseries: PlotErrorAutocorrelation: %w", err)
	}
	p, err := stemPlot(lags, r, bound, true)
	if err != nil {
		return err
	}
	p.Title.Text = fmt.Sprintf("Autocorrelation of the errors: %d of %d lags outside ±%.3g", outsideBound(lags, r, bound, true), 2*maxLag, bound)
	return savePanels(path, []*plot.Plot{p})
}

// PlotInputErrorCrossCorrelation writes a PNG of
// InputErrorCrossCorrelation(u, e, maxLag) as MATLAB's plotinerrcorr draws
// it: a stem per lag and the ±bound limits as dashed lines; the title
// counts the lags outside them. It fails where InputErrorCrossCorrelation
// does.
func PlotInputErrorCrossCorrelation(path string, u, e []float64, maxLag int) error {
	lags, r, bound, err := InputErrorCrossCorrelation(u, e, maxLag)
	if err != nil {
		return fmt.Errorf("timeseries: PlotInputErrorCrossCorrelation: %w", err)
	}
	p, err := stemPlot(lags, r, bound, false)
	if err != nil {
		return err
	}
	p.Title.Text = fmt.Sprintf("Correlation between input and error: %d of %d lags outside ±%.3g", outsideBound(lags, r, bound, false), len(lags), bound)
	return savePanels(path, []*plot.Plot{p})
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
		stem.Color, stem.Width = plotTargetColor, vg.Points(1.5)
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
	dots.GlyphStyle.Color, dots.GlyphStyle.Radius = plotTargetColor, vg.Points(2)
	p.Add(dots)
	p.Legend.Add("correlation", dots)
	lo, hi := float64(lags[0])-0.5, float64(lags[len(lags)-1])+0.5
	for i, y := range []float64{bound, -bound} {
		l, err := plotter.NewLine(plotter.XYs{{X: lo, Y: y}, {X: hi, Y: y}})
		if err != nil {
			return nil, err
		}
		l.Color, l.Width = plotOutputColor, vg.Points(1.2)
		l.Dashes = []vg.Length{vg.Points(5), vg.Points(3)}
		p.Add(l)
		if i == 0 {
			p.Legend.Add("95 % limit", l)
		}
	}
	p.Legend.Top = true
	return p, nil
}

// savePanels stacks the panels in one column, aligned, and writes them as a
// PNG at path, creating its folder.
func savePanels(path string, panels []*plot.Plot) error {
	if dir := filepath.Dir(path); dir != "" {
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return err
		}
	}
	const width = 8 * vg.Inch
	height := vg.Length(len(panels)) * 2.6 * vg.Inch
	if len(panels) == 1 {
		height = 4.5 * vg.Inch
	}
	img := vgimg.New(width, height)
	dc := draw.New(img)
	tiles := draw.Tiles{Rows: len(panels), Cols: 1, PadY: vg.Points(10), PadTop: vg.Points(5), PadBottom: vg.Points(5), PadLeft: vg.Points(5), PadRight: vg.Points(10)}
	grid := make([][]*plot.Plot, len(panels))
	for i, p := range panels {
		grid[i] = []*plot.Plot{p}
	}
	for i, c := range plot.Align(grid, tiles, dc) {
		panels[i].Draw(c[0])
	}
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if _, err := (vgimg.PngCanvas{Canvas: img}).WriteTo(f); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}
