package optim

import "context"

// MomentumConfig configures Momentum and Nesterov. Zero fields take the
// defaults; a negative Momentum means 0.
type MomentumConfig struct {
	LearningRate float64  // η; default 0.01
	Momentum     float64  // μ; default 0.9; must be below 1
	Clip         Clipping // default none
	Schedule     Schedule // default constant η
}

func (c MomentumConfig) withDefaults() MomentumConfig {
	if c.LearningRate == 0 {
		c.LearningRate = 0.01
	}
	c.Momentum = orDefault(c.Momentum, 0.9)
	return c
}

// Validate reports a configuration that cannot work: a field out of range,
// NaN or infinite, or an invalid schedule.
func (c MomentumConfig) Validate() error {
	return firstError(checkRate("momentum", c.LearningRate), checkBelowOne("momentum", c.Momentum),
		c.Clip.Validate(), validateSchedule(c.Schedule))
}

// MomentumOptimizer is gradient descent with classical (heavy-ball)
// momentum, in Keras's form:
//
//	v ← μ·v - η·g
//	θ ← θ + v
//
// PyTorch's SGD(momentum=μ) keeps b ← μ·b + g and steps θ ← θ - η·b; with a
// constant η the two are the same iteration (v = -η·b).
type MomentumOptimizer struct {
	cfg      MomentumConfig
	nesterov bool
	v        []float64
	firstOrder
}

// Momentum returns classical momentum with cfg's zero fields defaulted.
func Momentum(cfg MomentumConfig) *MomentumOptimizer {
	cfg = cfg.withDefaults()
	o := &MomentumOptimizer{cfg: cfg, firstOrder: newFirstOrder(cfg.Clip, cfg.Schedule)}
	o.track(&o.v, 0)
	return o
}

// Config returns the configuration in use, defaults filled in.
func (o *MomentumOptimizer) Config() MomentumConfig { return o.cfg }

// Validate checks the configuration.
func (o *MomentumOptimizer) Validate() error { return o.cfg.Validate() }

// Step applies one momentum update (see the type's doc). On error θ and
// the state are as they were.
func (o *MomentumOptimizer) Step(ctx context.Context, obj Objective) (StepInfo, error) {
	return o.step(ctx, obj, o.cfg.LearningRate, o.update)
}

func (o *MomentumOptimizer) update(lo, hi int, theta, g []float64, lr float64) {
	mu := o.cfg.Momentum
	for i := lo; i < hi; i++ {
		gi := g[i]
		o.v[i] = mu*o.v[i] - lr*gi
		if o.nesterov {
			theta[i] += mu*o.v[i] - lr*gi
		} else {
			theta[i] += o.v[i]
		}
	}
}

// BaseRate is the configured learning rate η, before schedules and
// ScaleRate.
func (o *MomentumOptimizer) BaseRate() float64 { return o.cfg.LearningRate }
