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

// Validate reports a configuration that cannot work: a field out of range,
// NaN or infinite, or an invalid schedule.
func (c RMSpropConfig) Validate() error {
	return firstError(checkRate("RMSprop", c.LearningRate), checkUnit("RMSprop ρ", c.Rho),
		checkFinite("RMSprop ε", c.Epsilon), checkUnit("RMSprop momentum", c.Momentum),
		c.Clip.Validate(), validateSchedule(c.Schedule))
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
	s, m, b []float64 // mean square; mean (Centered only); momentum buffer (Momentum > 0 only)
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
	o := &RMSpropOptimizer{cfg: cfg, firstOrder: newFirstOrder(cfg.Clip, cfg.Schedule)}
	o.track(&o.s, 0)
	if cfg.Centered {
		o.track(&o.m, 0)
	}
	if cfg.Momentum > 0 {
		o.track(&o.b, 0)
	}
	return o
}

// Config returns the configuration in use, defaults filled in.
func (o *RMSpropOptimizer) Config() RMSpropConfig { return o.cfg }

// Validate checks the configuration.
func (o *RMSpropOptimizer) Validate() error { return o.cfg.Validate() }

// Step applies one RMSprop update. On error θ and the state are as they
// were.
func (o *RMSpropOptimizer) Step(ctx context.Context, obj Objective) (StepInfo, error) {
	return o.step(ctx, obj, o.cfg.LearningRate, o.update)
}

func (o *RMSpropOptimizer) update(lo, hi int, theta, g []float64, lr float64) {
	c := o.cfg
	for i := lo; i < hi; i++ {
		gi := g[i]
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
}

// BaseRate is the configured learning rate η, before schedules and
// ScaleRate.
func (o *RMSpropOptimizer) BaseRate() float64 { return o.cfg.LearningRate }
