package optim

import (
	"context"
	"math"
)

// AdadeltaConfig configures Adadelta. Zero fields take the defaults, which
// are Keras's; a negative Epsilon means 0.
type AdadeltaConfig struct {
	LearningRate float64  // η; default 0.001 (PyTorch: 1.0, Zeiler's original)
	Rho          float64  // ρ, decay of both averages; default 0.95 (PyTorch: 0.9)
	Epsilon      float64  // ε; default 1e-7 (PyTorch: 1e-6)
	Clip         Clipping // default none
	Schedule     Schedule // default constant η
}

// Validate reports a configuration that cannot work: a field out of range,
// NaN or infinite, or an invalid schedule.
func (c AdadeltaConfig) Validate() error {
	return firstError(checkRate("Adadelta", c.LearningRate), checkUnit("Adadelta ρ", c.Rho),
		checkFinite("Adadelta ε", c.Epsilon), c.Clip.Validate(), validateSchedule(c.Schedule))
}

// AdadeltaOptimizer is Adadelta (Zeiler, 2012), which scales each step by
// the ratio of running RMS of past updates and of gradients:
//
//	E[g²] ← ρ·E[g²] + (1-ρ)·g²
//	Δ ← √(E[Δ²] + ε) / √(E[g²] + ε) · g
//	E[Δ²] ← ρ·E[Δ²] + (1-ρ)·Δ²
//	θ ← θ - η·Δ
//
// ε sits inside both square roots, in Keras and PyTorch alike; only their
// defaults differ.
type AdadeltaOptimizer struct {
	cfg    AdadeltaConfig
	eg, ed []float64
	firstOrder
}

// Adadelta returns Adadelta with cfg's zero fields defaulted.
func Adadelta(cfg AdadeltaConfig) *AdadeltaOptimizer {
	if cfg.LearningRate == 0 {
		cfg.LearningRate = 0.001
	}
	if cfg.Rho == 0 {
		cfg.Rho = 0.95
	}
	cfg.Epsilon = orDefault(cfg.Epsilon, 1e-7)
	o := &AdadeltaOptimizer{cfg: cfg, firstOrder: newFirstOrder(cfg.Clip, cfg.Schedule)}
	o.track(&o.eg, 0)
	o.track(&o.ed, 0)
	return o
}

// Config returns the configuration in use, defaults filled in.
func (o *AdadeltaOptimizer) Config() AdadeltaConfig { return o.cfg }

// Validate checks the configuration.
func (o *AdadeltaOptimizer) Validate() error { return o.cfg.Validate() }

// Step applies one Adadelta update. On error θ and the state are as they
// were.
func (o *AdadeltaOptimizer) Step(ctx context.Context, obj Objective) (StepInfo, error) {
	return o.step(ctx, obj, o.cfg.LearningRate, o.update)
}

func (o *AdadeltaOptimizer) update(lo, hi int, theta, g []float64, lr float64) {
	rho, eps := o.cfg.Rho, o.cfg.Epsilon
	for i := lo; i < hi; i++ {
		gi := g[i]
		o.eg[i] = rho*o.eg[i] + (1-rho)*gi*gi
		d := math.Sqrt(o.ed[i]+eps) / math.Sqrt(o.eg[i]+eps) * gi
		o.ed[i] = rho*o.ed[i] + (1-rho)*d*d
		theta[i] -= lr * d
	}
}

// BaseRate is the configured learning rate η, before schedules and
// ScaleRate.
func (o *AdadeltaOptimizer) BaseRate() float64 { return o.cfg.LearningRate }
