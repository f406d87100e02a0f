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

// Validate reports a configuration that cannot work: a field out of range,
// NaN or infinite, or an invalid schedule.
func (c AdamConfig) Validate() error {
	return firstError(checkRate("Adam", c.LearningRate), checkBelowOne("Adam β₁", c.Beta1),
		checkUnit("Adam β₂", c.Beta2), checkFinite("Adam ε", c.Epsilon),
		c.Clip.Validate(), validateSchedule(c.Schedule))
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
	o := &AdamOptimizer{cfg: cfg, firstOrder: newFirstOrder(cfg.Clip, cfg.Schedule)}
	o.track(&o.m, 0)
	o.track(&o.v, 0)
	if cfg.AMSGrad {
		o.track(&o.vmax, 0)
	}
	return o
}

// Config returns the configuration in use, defaults filled in.
func (o *AdamOptimizer) Config() AdamConfig { return o.cfg }

// Validate checks the configuration (AdamW's weight decay included).
func (o *AdamOptimizer) Validate() error {
	return firstError(checkFinite("AdamW weight decay", o.decay), o.cfg.Validate())
}

// Step applies one Adam (or AdamW) update. On error θ and the state are as
// they were.
func (o *AdamOptimizer) Step(ctx context.Context, obj Objective) (StepInfo, error) {
	return o.step(ctx, obj, o.cfg.LearningRate, o.update)
}

func (o *AdamOptimizer) update(lo, hi int, theta, g []float64, lr float64) {
	c := o.cfg
	t := float64(o.steps)
	alpha := lr * math.Sqrt(1-math.Pow(c.Beta2, t)) / (1 - math.Pow(c.Beta1, t))
	for i := lo; i < hi; i++ {
		gi := g[i]
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
}

// BaseRate is the configured learning rate η, before schedules and
// ScaleRate.
func (o *AdamOptimizer) BaseRate() float64 { return o.cfg.LearningRate }
