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

// Validate reports a configuration that cannot work: a negative, NaN or
// infinite learning rate, a NaN or infinite field, or an invalid schedule.
func (c AdagradConfig) Validate() error {
	return firstError(checkRate("Adagrad", c.LearningRate),
		checkFinite("Adagrad initial accumulator", c.InitialAccumulator), checkFinite("Adagrad ε", c.Epsilon),
		c.Clip.Validate(), validateSchedule(c.Schedule))
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
	o := &AdagradOptimizer{cfg: cfg, firstOrder: newFirstOrder(cfg.Clip, cfg.Schedule)}
	o.track(&o.a, cfg.InitialAccumulator)
	return o
}

// Config returns the configuration in use, defaults filled in.
func (o *AdagradOptimizer) Config() AdagradConfig { return o.cfg }

// Validate checks the configuration.
func (o *AdagradOptimizer) Validate() error { return o.cfg.Validate() }

// Step applies one Adagrad update. On error θ and the state are as they
// were.
func (o *AdagradOptimizer) Step(ctx context.Context, obj Objective) (StepInfo, error) {
	return o.step(ctx, obj, o.cfg.LearningRate, o.update)
}

func (o *AdagradOptimizer) update(lo, hi int, theta, g []float64, lr float64) {
	for i := lo; i < hi; i++ {
		gi := g[i]
		o.a[i] += gi * gi
		theta[i] -= lr * gi / math.Sqrt(o.a[i]+o.cfg.Epsilon)
	}
}

// BaseRate is the configured learning rate η, before schedules and
// ScaleRate.
func (o *AdagradOptimizer) BaseRate() float64 { return o.cfg.LearningRate }
