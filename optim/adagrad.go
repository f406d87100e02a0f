package optim

import (
	"context"
	"math"
)

// AdagradConfig configures Adagrad. Zero fields take the defaults, which
// are Keras's; a negative InitialAccumulator or Epsilon means 0.
type AdagradConfig struct {
	LearningRate       float64  // η; default 0.001 (PyTorch: 0.01)
	InitialAccumulator float64  // a₀; default 0.1 (PyTorch: 0)
	Epsilon            float64  // ε; default 1e-7 (PyTorch: 1e-10)
	Clip               Clipping // default none
	Schedule           Schedule // default constant η
}

// Validate reports a configuration that cannot work.
func (c AdagradConfig) Validate() error {
	if c.LearningRate < 0 {
		return errorf("Adagrad learning rate %v is negative", c.LearningRate)
	}
	return c.Clip.validate()
}

// AdagradOptimizer is Adagrad (Duchi, Hazan & Singer, 2011) in Keras's
// form, each parameter's rate shrinking with its accumulated squared
// gradients:
//
//	a ← a + g²
//	θ ← θ - η·g/√(a + ε)
//
// ε sits inside the square root. PyTorch adds it outside, √a + ε, and
// starts a at 0 instead of 0.1.
type AdagradOptimizer struct {
	cfg AdagradConfig
	a   []float64
	firstOrder
}

// Adagrad returns Adagrad with cfg's zero fields defaulted.
func Adagrad(cfg AdagradConfig) *AdagradOptimizer {
	if cfg.LearningRate == 0 {
		cfg.LearningRate = 0.001
	}
	cfg.InitialAccumulator = orDefault(cfg.InitialAccumulator, 0.1)
	cfg.Epsilon = orDefault(cfg.Epsilon, 1e-7)
	return &AdagradOptimizer{cfg: cfg, firstOrder: firstOrder{clip: cfg.Clip, schedule: cfg.Schedule}}
}

// Config returns the configuration in use, defaults filled in.
func (o *AdagradOptimizer) Config() AdagradConfig { return o.cfg }

// Validate checks the configuration.
func (o *AdagradOptimizer) Validate() error { return o.cfg.Validate() }

// Step applies one Adagrad update.
func (o *AdagradOptimizer) Step(ctx context.Context, obj Objective) (StepInfo, error) {
	theta, g, info, err := o.step(ctx, obj)
	if err != nil {
		return info, err
	}
	if o.a == nil {
		o.a = make([]float64, len(theta))
		for i := range o.a {
			o.a[i] = o.cfg.InitialAccumulator
		}
	}
	lr := o.rate(o.cfg.LearningRate)
	for i, gi := range g {
		o.a[i] += gi * gi
		theta[i] -= lr * gi / math.Sqrt(o.a[i]+o.cfg.Epsilon)
	}
	return info, nil
}
