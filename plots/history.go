package plots

import (
	"errors"
	"fmt"
	"image/color"
	"math"
	"path/filepath"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"

	"github.com/golem-ml/golem"
)

// History writes MATLAB's two training plots of a Fit run into dir
// (created if missing): performance.png (Performance) and trainstate.png
// (TrainingState). It returns the files' paths.
func History(dir string, h *golem.History) ([]string, error) {
	if err := checkHistory("History", h); err != nil {
		return nil, err
	}
	perf := filepath.Join(dir, "performance.png")
	if err := Performance(perf, h); err != nil {
		return nil, err
	}
	state := filepath.Join(dir, "trainstate.png")
	if err := TrainingState(state, h); err != nil {
		return nil, err
	}
	return []string{perf, state}, nil
}

// Performance writes MATLAB's plotperform of a Fit run to path (7 × 4.5
// inches; the format by path's extension, as Save): the training,
// validation and test loss per epoch on a log scale, with the best
// validation epoch ringed and named in the title. It fails on a History
// with no epochs or with fewer losses than epochs.
func Performance(path string, h *golem.History) error {
	if err := checkHistory("Performance", h); err != nil {
		return err
	}
	n := h.Len()
	p := plot.New()
	p.Title.Text = fmt.Sprintf("Performance (stopped: %s)", h.Stop)
	best := h.BestEpoch > 0 && h.BestEpoch <= len(h.ValLoss)
	if best {
		p.Title.Text = fmt.Sprintf("Best validation loss %.4g at epoch %d", h.ValLoss[h.BestEpoch-1], h.BestEpoch)
	}
	p.X.Label.Text = fmt.Sprintf("%d epochs", n)
	p.Y.Label.Text = "loss"
	LogY(p)
	p.Add(plotter.NewGrid())
	for _, s := range []struct {
		name string
		v    []float64
		c    color.Color
	}{{"train", h.Loss, blue}, {"validation", h.ValLoss, green}, {"test", h.TestLoss, red}} {
		if len(s.v) == 0 {
			continue
		}
		line, err := plotter.NewLine(epochSeries(h, s.v, true))
		if err != nil {
			return fmt.Errorf("plots: Performance: %s loss: %w", s.name, err)
		}
		line.Color, line.Width = s.c, vg.Points(1.5)
		p.Add(line)
		p.Legend.Add(s.name, line)
	}
	if best {
		ring, err := plotter.NewScatter(plotter.XYs{{X: float64(h.BestEpoch), Y: math.Max(h.ValLoss[h.BestEpoch-1], tiny)}})
		if err != nil {
			return fmt.Errorf("plots: Performance: %w", err)
		}
		ring.GlyphStyle.Shape = draw.RingGlyph{}
		ring.GlyphStyle.Radius = vg.Points(5)
		ring.GlyphStyle.Color = green
		p.Add(ring)
		p.Legend.Add("best", ring)
	}
	p.Legend.Top = true
	return Save(p, path, 7*vg.Inch, 4.5*vg.Inch)
}

// TrainingState writes MATLAB's plottrainstate of a Fit run to path, one
// panel 2.2 inches high (7 inches wide) per quantity recorded for every
// epoch, in this order: the gradient norm (log scale); μ when the last is
// not 0 (Levenberg–Marquardt); γ, the effective number of parameters, and
// the sum of squared weights (Bayesian regularization); the validation
// checks (with validation data). It fails where Performance does.
func TrainingState(path string, h *golem.History) error {
	if err := checkHistory("TrainingState", h); err != nil {
		return err
	}
	n := h.Len()
	var panels []*plot.Plot
	add := func(title string, v []float64, log bool) error {
		p := plot.New()
		p.Title.Text = title
		p.Add(plotter.NewGrid())
		if log {
			LogY(p)
		}
		line, err := plotter.NewLine(epochSeries(h, v, log))
		if err != nil {
			return fmt.Errorf("plots: TrainingState: %s: %w", title, err)
		}
		line.Color, line.Width = blue, vg.Points(1.5)
		p.Add(line)
		panels = append(panels, p)
		return nil
	}
	if len(h.GradNorm) == n {
		if err := add(fmt.Sprintf("Gradient = %.4g at epoch %d", h.GradNorm[n-1], n), h.GradNorm, true); err != nil {
			return err
		}
	}
	if len(h.Mu) == n && h.Mu[n-1] > 0 {
		if err := add(fmt.Sprintf("Mu = %.3g at epoch %d", h.Mu[n-1], n), h.Mu, true); err != nil {
			return err
		}
	}
	if len(h.Gamma) == n && len(h.SSW) == n { // Bayesian regularization, as trainbr's window
		if err := add(fmt.Sprintf("Num Parameters = %.4g at epoch %d", h.Gamma[n-1], n), h.Gamma, false); err != nil {
			return err
		}
		if err := add(fmt.Sprintf("Sum Squared Param = %.4g at epoch %d", h.SSW[n-1], n), h.SSW, true); err != nil {
			return err
		}
	}
	if len(h.ValChecks) == n {
		checks := make([]float64, n)
		for i, c := range h.ValChecks {
			checks[i] = float64(c)
		}
		if err := add(fmt.Sprintf("Validation checks = %d at epoch %d", h.ValChecks[n-1], n), checks, false); err != nil {
			return err
		}
	}
	if len(panels) == 0 {
		return fmt.Errorf("plots: TrainingState: the History has %d epochs but no gradient norm, μ, γ or validation checks for each", n)
	}
	panels[len(panels)-1].X.Label.Text = fmt.Sprintf("%d epochs", n)
	grid := make([][]*plot.Plot, len(panels))
	for i, p := range panels {
		grid[i] = []*plot.Plot{p}
	}
	return SaveGrid(path, grid, 7*vg.Inch, vg.Length(len(panels))*2.2*vg.Inch)
}

// tiny stands in for values ≤ 0 on a log axis.
const tiny = 1e-300

// epochSeries pairs v with the History's epoch numbers; on a log axis
// values ≤ 0 become tiny.
func epochSeries(h *golem.History, v []float64, log bool) plotter.XYs {
	xy := make(plotter.XYs, 0, len(v))
	for i, y := range v {
		if log {
			y = math.Max(y, tiny)
		}
		xy = append(xy, plotter.XY{X: float64(h.Epoch[i]), Y: y})
	}
	return xy
}

// checkHistory rejects a History that cannot be plotted.
func checkHistory(who string, h *golem.History) error {
	switch {
	case h == nil:
		return fmt.Errorf("plots: %s: the History is nil", who)
	case h.Len() == 0:
		return errors.New("plots: " + who + ": no epochs recorded")
	case len(h.Loss) != h.Len():
		return fmt.Errorf("plots: %s: the History has %d epochs but %d training losses", who, h.Len(), len(h.Loss))
	}
	for _, s := range []struct {
		name string
		v    []float64
	}{{"validation", h.ValLoss}, {"test", h.TestLoss}} {
		if len(s.v) > h.Len() {
			return fmt.Errorf("plots: %s: the History has %d epochs but %d %s losses", who, h.Len(), len(s.v), s.name)
		}
	}
	return nil
}
