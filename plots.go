package golem

import (
	"fmt"
	"image/color"
	"math"
	"os"
	"path/filepath"

	"gonum.org/v1/gonum/mat"
	"gonum.org/v1/gonum/stat"
	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"
)

var (
	trainColor = color.RGBA{R: 30, G: 90, B: 200, A: 255}
	valColor   = color.RGBA{G: 150, B: 60, A: 255}
	testColor  = color.RGBA{R: 210, G: 40, B: 40, A: 255}
)

// Plot writes two PNGs into dir (created if missing), like MATLAB's
// plotperform and plottrainstate: performance.png, the training, validation
// and test loss per epoch on a log scale with the best validation epoch
// marked, and trainstate.png, the gradient norm, μ (Levenberg–Marquardt),
// γ and the sum of squared weights (Bayesian regularization) and the
// validation checks per epoch. It returns the files' paths.
func (h *History) Plot(dir string) ([]string, error) {
	if h.Len() == 0 {
		return nil, fmt.Errorf("golem: History.Plot: no epochs recorded")
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	perf := filepath.Join(dir, "performance.png")
	if err := h.plotPerformance(perf); err != nil {
		return nil, err
	}
	state := filepath.Join(dir, "trainstate.png")
	if err := h.plotTrainState(state); err != nil {
		return nil, err
	}
	return []string{perf, state}, nil
}

func (h *History) series(v []float64) plotter.XYs {
	xy := make(plotter.XYs, 0, len(v))
	for i, y := range v {
		xy = append(xy, plotter.XY{X: float64(h.Epoch[i]), Y: math.Max(y, 1e-300)})
	}
	return xy
}

func (h *History) plotPerformance(path string) error {
	p := plot.New()
	p.Title.Text = fmt.Sprintf("Performance (stopped: %s)", h.Stop)
	if h.BestEpoch > 0 {
		p.Title.Text = fmt.Sprintf("Best validation loss %.4g at epoch %d", h.ValLoss[h.BestEpoch-1], h.BestEpoch)
	}
	p.X.Label.Text = fmt.Sprintf("%d epochs", h.Len())
	p.Y.Label.Text = "loss"
	p.Y.Scale = plot.LogScale{}
	p.Y.Tick.Marker = plot.LogTicks{Prec: 1}
	p.Add(plotter.NewGrid())
	for _, s := range []struct {
		name string
		v    []float64
		c    color.Color
	}{{"train", h.Loss, trainColor}, {"validation", h.ValLoss, valColor}, {"test", h.TestLoss, testColor}} {
		if len(s.v) == 0 {
			continue
		}
		line, err := plotter.NewLine(h.series(s.v))
		if err != nil {
			return err
		}
		line.Color, line.Width = s.c, vg.Points(1.5)
		p.Add(line)
		p.Legend.Add(s.name, line)
	}
	if h.BestEpoch > 0 {
		best, err := plotter.NewScatter(plotter.XYs{{X: float64(h.BestEpoch), Y: h.ValLoss[h.BestEpoch-1]}})
		if err != nil {
			return err
		}
		best.GlyphStyle.Shape = draw.RingGlyph{}
		best.GlyphStyle.Radius = vg.Points(5)
		best.GlyphStyle.Color = valColor
		p.Add(best)
		p.Legend.Add("best", best)
	}
	p.Legend.Top = true
	return p.Save(7*vg.Inch, 4.5*vg.Inch, path)
}

func (h *History) plotTrainState(path string) error {
	var panels []*plot.Plot
	add := func(title string, v []float64, log bool) error {
		p := plot.New()
		p.Title.Text = title
		p.Add(plotter.NewGrid())
		if log {
			p.Y.Scale = plot.LogScale{}
			p.Y.Tick.Marker = plot.LogTicks{Prec: 1}
		}
		line, err := plotter.NewLine(h.series(v))
		if err != nil {
			return err
		}
		line.Color, line.Width = trainColor, vg.Points(1.5)
		p.Add(line)
		panels = append(panels, p)
		return nil
	}
	if err := add(fmt.Sprintf("Gradient = %.4g at epoch %d", h.GradNorm[h.Len()-1], h.Len()), h.GradNorm, true); err != nil {
		return err
	}
	if h.Mu[len(h.Mu)-1] > 0 {
		if err := add(fmt.Sprintf("Mu = %.3g at epoch %d", h.Mu[len(h.Mu)-1], h.Len()), h.Mu, true); err != nil {
			return err
		}
	}
	if n := len(h.Gamma); n == h.Len() && n > 0 { // Bayesian regularization, as trainbr's window
		if err := add(fmt.Sprintf("Num Parameters = %.4g at epoch %d", h.Gamma[n-1], n), h.Gamma, false); err != nil {
			return err
		}
		if err := add(fmt.Sprintf("Sum Squared Param = %.4g at epoch %d", h.SSW[n-1], n), h.SSW, true); err != nil {
			return err
		}
	}
	if len(h.ValChecks) == h.Len() {
		checks := make([]float64, len(h.ValChecks))
		for i, c := range h.ValChecks {
			checks[i] = float64(c)
		}
		if err := add(fmt.Sprintf("Validation checks = %d at epoch %d", h.ValChecks[len(h.ValChecks)-1], h.Len()), checks, false); err != nil {
			return err
		}
	}
	panels[len(panels)-1].X.Label.Text = fmt.Sprintf("%d epochs", h.Len())
	const width = 7 * vg.Inch
	height := vg.Length(len(panels)) * 2.2 * vg.Inch
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

// PlotRegression writes a PNG of the model's outputs against the targets
// for (x, y), like MATLAB's plotregression: the points, the least-squares
// line through them, the Y = T line and R, the correlation between outputs
// and targets (1 is a perfect fit). title names the data set ("Training",
// "Test", ...). It returns R.
func (m *Model) PlotRegression(x, y mat.Matrix, title, path string) (float64, error) {
	pred, err := m.Predict(x)
	if err != nil {
		return 0, err
	}
	n, k := pred.Dims()
	if yn, yk := y.Dims(); yn != n || yk != k {
		return 0, fmt.Errorf("golem: PlotRegression: y is %d×%d, the outputs %d×%d", yn, yk, n, k)
	}
	ts, os_ := make([]float64, 0, n*k), make([]float64, 0, n*k)
	pts := make(plotter.XYs, 0, n*k)
	for i := 0; i < n; i++ {
		for j := 0; j < k; j++ {
			ts, os_ = append(ts, y.At(i, j)), append(os_, pred.At(i, j))
			pts = append(pts, plotter.XY{X: y.At(i, j), Y: pred.At(i, j)})
		}
	}
	r := stat.Correlation(ts, os_, nil)
	intercept, slope := stat.LinearRegression(ts, os_, nil, false)
	lo, hi := math.Inf(1), math.Inf(-1)
	for _, t := range ts {
		lo, hi = math.Min(lo, t), math.Max(hi, t)
	}
	p := plot.New()
	p.Title.Text = fmt.Sprintf("%s: R = %.5f", title, r)
	p.X.Label.Text = "target"
	p.Y.Label.Text = fmt.Sprintf("output ≈ %.3g·target %+.3g", slope, intercept)
	p.Add(plotter.NewGrid())
	scatter, err := plotter.NewScatter(pts)
	if err != nil {
		return 0, err
	}
	scatter.GlyphStyle.Color = color.RGBA{R: 90, G: 90, B: 90, A: 255}
	fit, err := plotter.NewLine(plotter.XYs{{X: lo, Y: intercept + slope*lo}, {X: hi, Y: intercept + slope*hi}})
	if err != nil {
		return 0, err
	}
	fit.Color, fit.Width = trainColor, vg.Points(2)
	ideal, err := plotter.NewLine(plotter.XYs{{X: lo, Y: lo}, {X: hi, Y: hi}})
	if err != nil {
		return 0, err
	}
	ideal.Dashes = []vg.Length{vg.Points(4), vg.Points(3)}
	p.Add(scatter, fit, ideal)
	p.Legend.Add("data", scatter)
	p.Legend.Add("fit", fit)
	p.Legend.Add("Y = T", ideal)
	p.Legend.Top, p.Legend.Left = true, true
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return 0, err
	}
	return r, p.Save(5*vg.Inch, 5*vg.Inch, path)
}
