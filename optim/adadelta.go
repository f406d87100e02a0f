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

// Validate reports a configuration that cannot work.
func (c AdadeltaConfig) Validate() error {
	switch {
	case c.LearningRate < 0:
		return errorf("Adadelta learning rate %v is negative", c.LearningRate)
	case c.Rho < 0 || c.Rho >= 1:
		return errorf("Adadelta ρ = %v is outside [0, 1)", c.Rho)
	}
	return c.Clip.validate()
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
	return &AdadeltaOptimizer{cfg: cfg, firstOrder: firstOrder{clip: cfg.Clip, schedule: cfg.Schedule}}
}

// Config returns the configuration in use, defaults filled in.
func (o *AdadeltaOptimizer) Config() AdadeltaConfig { return o.cfg }

// Validate checks the configuration.
func (o *AdadeltaOptimizer) Validate() error { return o.cfg.Validate() }

// Step applies one Adadelta update.
func (o *AdadeltaOptimizer) Step(ctx context.Context, obj Objective) (StepInfo, error) {
	theta, g, info, err := o.step(ctx, obj)
	if err != nil {
		return info, err
	}
	if o.eg == nil {
		o.eg, o.ed = make([]float64, len(theta)), make([]float64, len(theta))
	}
	lr, rho, eps := o.rate(o.cfg.LearningRate), o.cfg.Rho, o.cfg.Epsilon
	for i, gi := range g {
		o.eg[i] = rho*o.eg[i] + (1-rho)*gi*gi
		d := math.Sqrt(o.ed[i]+eps) / math.Sqrt(o.eg[i]+eps) * gi
		o.ed[i] = rho*o.ed[i] + (1-rho)*d*d
		theta[i] -= lr * d
	}
	return info, nil
}
