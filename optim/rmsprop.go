package optim

import (
	"context"
	"math"
)

// RMSpropConfig configures RMSprop. Zero fields take the defaults, which
// are Keras's; a negative Epsilon means 0.
type RMSpropConfig struct {
	LearningRate float64  // η; default 0.001 (PyTorch: 0.01)
	Rho          float64  // ρ, decay of the mean square; default 0.9 (PyTorch's alpha: 0.99)
	Epsilon      float64  // ε; default 1e-7 (PyTorch: 1e-8)
	Momentum     float64  // μ; default 0 (none)
	Centered     bool     // divide by the gradient's variance instead of its mean square; default false
	Clip         Clipping // default none
	Schedule     Schedule // default constant η
}

// Validate reports a configuration that cannot work.
func (c RMSpropConfig) Validate() error {
	switch {
	case c.LearningRate < 0:
		return errorf("RMSprop learning rate %v is negative", c.LearningRate)
	case c.Rho < 0 || c.Rho >= 1:
		return errorf("RMSprop ρ = %v is outside [0, 1)", c.Rho)
	case c.Momentum < 0 || c.Momentum >= 1:
		return errorf("RMSprop momentum %v is outside [0, 1)", c.Momentum)
	}
	return c.Clip.validate()
}

// RMSpropOptimizer is RMSprop (Hinton), in Keras's form:
//
//	s ← ρ·s + (1-ρ)·g²
//	d = s + ε, or, centered, with m ← ρ·m + (1-ρ)·g: d = s - m² + ε
//	u = η·g/√d
//	θ ← θ - u, or with momentum: b ← μ·b + u, θ ← θ - b
//
// ε sits inside the square root; PyTorch adds it outside (√(s - m²) + ε) and
// its momentum buffer holds g/√d, scaled by η at the update: the same for a
// constant η.
type RMSpropOptimizer struct {
	cfg     RMSpropConfig
	s, m, b []float64
	firstOrder
}

// RMSprop returns RMSprop with cfg's zero fields defaulted.
func RMSprop(cfg RMSpropConfig) *RMSpropOptimizer {
	if cfg.LearningRate == 0 {
		cfg.LearningRate = 0.001
	}
	if cfg.Rho == 0 {
		cfg.Rho = 0.9
	}
	cfg.Epsilon = orDefault(cfg.Epsilon, 1e-7)
	return &RMSpropOptimizer{cfg: cfg, firstOrder: firstOrder{clip: cfg.Clip, schedule: cfg.Schedule}}
}

// Config returns the configuration in use, defaults filled in.
func (o *RMSpropOptimizer) Config() RMSpropConfig { return o.cfg }

// Validate checks the configuration.
func (o *RMSpropOptimizer) Validate() error { return o.cfg.Validate() }

// Step applies one RMSprop update.
func (o *RMSpropOptimizer) Step(ctx context.Context, obj Objective) (StepInfo, error) {
	theta, g, info, err := o.step(ctx, obj)
	if err != nil {
		return info, err
	}
	n := len(theta)
	if o.s == nil {
		o.s, o.m, o.b = make([]float64, n), make([]float64, n), make([]float64, n)
	}
	c := o.cfg
	lr := o.rate(c.LearningRate)
	for i, gi := range g {
		o.s[i] = c.Rho*o.s[i] + (1-c.Rho)*gi*gi
		d := o.s[i] + c.Epsilon
		if c.Centered {
			o.m[i] = c.Rho*o.m[i] + (1-c.Rho)*gi
			d -= o.m[i] * o.m[i]
		}
		u := lr * gi / math.Sqrt(d)
		if c.Momentum > 0 {
			o.b[i] = c.Momentum*o.b[i] + u
			u = o.b[i]
		}
		theta[i] -= u
	}
	return info, nil
}
