package optim

import "context"

// MomentumConfig configures Momentum and Nesterov. Zero fields take the
// defaults; a negative Momentum means 0.
type MomentumConfig struct {
	LearningRate float64  // η; default 0.01
	Momentum     float64  // μ; default 0.9
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

// Validate reports a configuration that cannot work.
func (c MomentumConfig) Validate() error {
	switch {
	case c.LearningRate < 0:
		return errorf("momentum learning rate %v is negative", c.LearningRate)
	case c.Momentum >= 1:
		return errorf("momentum %v must be below 1", c.Momentum)
	}
	return c.Clip.validate()
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
	return &MomentumOptimizer{cfg: cfg, firstOrder: firstOrder{clip: cfg.Clip, schedule: cfg.Schedule}}
}

// Config returns the configuration in use, defaults filled in.
func (o *MomentumOptimizer) Config() MomentumConfig { return o.cfg }

// Validate checks the configuration.
func (o *MomentumOptimizer) Validate() error { return o.cfg.Validate() }

// Step applies one momentum update (see the type's doc).
func (o *MomentumOptimizer) Step(ctx context.Context, obj Objective) (StepInfo, error) {
	theta, g, info, err := o.step(ctx, obj)
	if err != nil {
		return info, err
	}
	if o.v == nil {
		o.v = make([]float64, len(theta))
	}
	lr, mu := o.rate(o.cfg.LearningRate), o.cfg.Momentum
	for i, gi := range g {
		o.v[i] = mu*o.v[i] - lr*gi
		if o.nesterov {
			theta[i] += mu*o.v[i] - lr*gi
		} else {
			theta[i] += o.v[i]
		}
	}
	return info, nil
}
