package optim

import (
	"context"
	"fmt"
	"math"
)

// AdamConfig configures Adam. Zero fields take the defaults, which are
// Keras's; so a field cannot be set to exactly 0 (use a tiny value).
type AdamConfig struct {
	LearningRate float64 // η; default 0.001
	Beta1        float64 // β₁, first-moment decay; default 0.9
	Beta2        float64 // β₂, second-moment decay; default 0.999
	Epsilon      float64 // ε; default 1e-7
}

// Validate reports a configuration that cannot work.
func (c AdamConfig) Validate() error {
	switch {
	case c.LearningRate < 0:
		return fmt.Errorf("optim: Adam learning rate %v is negative", c.LearningRate)
	case c.Beta1 < 0 || c.Beta1 >= 1:
		return fmt.Errorf("optim: Adam β₁ = %v is outside [0, 1)", c.Beta1)
	case c.Beta2 < 0 || c.Beta2 >= 1:
		return fmt.Errorf("optim: Adam β₂ = %v is outside [0, 1)", c.Beta2)
	case c.Epsilon < 0:
		return fmt.Errorf("optim: Adam ε = %v is negative", c.Epsilon)
	}
	return nil
}

// AdamOptimizer is Adam (Kingma & Ba, 2015) in Keras's formulation: at step t,
//
//	m ← β₁m + (1-β₁)g
//	v ← β₂v + (1-β₂)g²
//	θ ← θ - η·√(1-β₂ᵗ)/(1-β₁ᵗ) · m/(√v + ε)
//
// ε sits outside the square root and is applied to the uncorrected v, as in
// Keras. PyTorch adds ε after bias correction, √(v/(1-β₂ᵗ)) + ε, and
// defaults ε to 1e-8; the two agree when ε is negligible against √v.
type AdamOptimizer struct {
	cfg  AdamConfig
	m, v []float64
	gradientState
}

// Adam returns an Adam optimizer with cfg's zero fields defaulted.
func Adam(cfg AdamConfig) *AdamOptimizer {
	if cfg.LearningRate == 0 {
		cfg.LearningRate = 0.001
	}
	if cfg.Beta1 == 0 {
		cfg.Beta1 = 0.9
	}
	if cfg.Beta2 == 0 {
		cfg.Beta2 = 0.999
	}
	if cfg.Epsilon == 0 {
		cfg.Epsilon = 1e-7
	}
	return &AdamOptimizer{cfg: cfg}
}

// Config returns the configuration in use, defaults filled in.
func (o *AdamOptimizer) Config() AdamConfig { return o.cfg }

// Validate checks the configuration.
func (o *AdamOptimizer) Validate() error { return o.cfg.Validate() }

// Step applies one Adam update.
func (o *AdamOptimizer) Step(ctx context.Context, obj Objective) (StepInfo, error) {
	theta, g, info, err := o.gradient(ctx, obj)
	if err != nil {
		return info, err
	}
	if o.m == nil {
		o.m = make([]float64, len(theta))
		o.v = make([]float64, len(theta))
	}
	c := o.cfg
	t := float64(o.steps)
	alpha := c.LearningRate * math.Sqrt(1-math.Pow(c.Beta2, t)) / (1 - math.Pow(c.Beta1, t))
	for i, gi := range g {
		o.m[i] = c.Beta1*o.m[i] + (1-c.Beta1)*gi
		o.v[i] = c.Beta2*o.v[i] + (1-c.Beta2)*gi*gi
		theta[i] -= alpha * o.m[i] / (math.Sqrt(o.v[i]) + c.Epsilon)
	}
	return info, nil
}
