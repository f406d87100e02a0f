package optim

import (
	"context"
	"math"
)

// AdamConfig configures Adam. Zero fields take the defaults, which are
// Keras's; a negative Beta1 or Epsilon means 0.
type AdamConfig struct {
	LearningRate float64  // η; default 0.001
	Beta1        float64  // β₁, first-moment decay; default 0.9
	Beta2        float64  // β₂, second-moment decay; default 0.999
	Epsilon      float64  // ε; default 1e-7 (PyTorch: 1e-8)
	AMSGrad      bool     // use the running maximum of v (Reddi et al., 2018); default false
	Clip         Clipping // default none
	Schedule     Schedule // default constant η
}

func (c AdamConfig) withDefaults() AdamConfig {
	if c.LearningRate == 0 {
		c.LearningRate = 0.001
	}
	c.Beta1 = orDefault(c.Beta1, 0.9)
	if c.Beta2 == 0 {
		c.Beta2 = 0.999
	}
	c.Epsilon = orDefault(c.Epsilon, 1e-7)
	return c
}

// Validate reports a configuration that cannot work.
func (c AdamConfig) Validate() error {
	switch {
	case c.LearningRate < 0:
		return errorf("Adam learning rate %v is negative", c.LearningRate)
	case c.Beta1 < 0 || c.Beta1 >= 1:
		return errorf("Adam β₁ = %v is outside [0, 1)", c.Beta1)
	case c.Beta2 < 0 || c.Beta2 >= 1:
		return errorf("Adam β₂ = %v is outside [0, 1)", c.Beta2)
	case c.Epsilon < 0:
		return errorf("Adam ε = %v is negative", c.Epsilon)
	}
	return c.Clip.validate()
}

// AdamOptimizer is Adam (Kingma & Ba, 2015) in Keras's formulation: at step t,
//
//	m ← β₁m + (1-β₁)g
//	v ← β₂v + (1-β₂)g²       (AMSGrad: v̂ ← max(v̂, v), used below for v)
//	θ ← θ - η·√(1-β₂ᵗ)/(1-β₁ᵗ) · m/(√v + ε)
//
// ε sits outside the square root and is applied to the uncorrected v, as in
// Keras. PyTorch adds ε after bias correction, √(v/(1-β₂ᵗ)) + ε, and
// defaults ε to 1e-8; the two agree when ε is negligible against √v. AdamW
// is this optimizer with decoupled weight decay (see AdamW).
type AdamOptimizer struct {
	cfg        AdamConfig
	decay      float64 // AdamW's λ
	m, v, vmax []float64
	firstOrder
}

// Adam returns an Adam optimizer with cfg's zero fields defaulted.
func Adam(cfg AdamConfig) *AdamOptimizer {
	cfg = cfg.withDefaults()
	return &AdamOptimizer{cfg: cfg, firstOrder: firstOrder{clip: cfg.Clip, schedule: cfg.Schedule}}
}

// Config returns the configuration in use, defaults filled in.
func (o *AdamOptimizer) Config() AdamConfig { return o.cfg }

// Validate checks the configuration.
func (o *AdamOptimizer) Validate() error {
	if o.decay < 0 {
		return errorf("AdamW weight decay %v is negative", o.decay)
	}
	return o.cfg.Validate()
}

// Step applies one Adam (or AdamW) update.
func (o *AdamOptimizer) Step(ctx context.Context, obj Objective) (StepInfo, error) {
	theta, g, info, err := o.step(ctx, obj)
	if err != nil {
		return info, err
	}
	if o.m == nil {
		o.m, o.v = make([]float64, len(theta)), make([]float64, len(theta))
		if o.cfg.AMSGrad {
			o.vmax = make([]float64, len(theta))
		}
	}
	c := o.cfg
	lr := o.rate(c.LearningRate)
	t := float64(o.steps)
	alpha := lr * math.Sqrt(1-math.Pow(c.Beta2, t)) / (1 - math.Pow(c.Beta1, t))
	for i, gi := range g {
		if o.decay > 0 {
			theta[i] -= lr * o.decay * theta[i]
		}
		o.m[i] = c.Beta1*o.m[i] + (1-c.Beta1)*gi
		o.v[i] = c.Beta2*o.v[i] + (1-c.Beta2)*gi*gi
		v := o.v[i]
		if c.AMSGrad {
			o.vmax[i] = math.Max(o.vmax[i], v)
			v = o.vmax[i]
		}
		theta[i] -= alpha * o.m[i] / (math.Sqrt(v) + c.Epsilon)
	}
	return info, nil
}
