package optim

import "context"

// SGDConfig configures SGD. Zero fields take the defaults.
type SGDConfig struct {
	LearningRate float64  // η; default 0.01 (Keras and PyTorch)
	Clip         Clipping // default none
	Schedule     Schedule // default constant η
}

// Validate reports a configuration that cannot work.
func (c SGDConfig) Validate() error {
	if c.LearningRate < 0 {
		return errorf("SGD learning rate %v is negative", c.LearningRate)
	}
	return c.Clip.validate()
}

// SGDOptimizer is plain gradient descent:
//
//	θ ← θ - η·g
//
// Full-batch gradient descent, stochastic gradient descent (one sample per
// step) and mini-batch SGD are this one optimizer: which one it is depends
// only on FitConfig.BatchSize (-1 for all samples, 1, or m).
type SGDOptimizer struct {
	cfg SGDConfig
	firstOrder
}

// SGD returns plain gradient descent with cfg's zero fields defaulted.
func SGD(cfg SGDConfig) *SGDOptimizer {
	if cfg.LearningRate == 0 {
		cfg.LearningRate = 0.01
	}
	return &SGDOptimizer{cfg: cfg, firstOrder: firstOrder{clip: cfg.Clip, schedule: cfg.Schedule}}
}

// Config returns the configuration in use, defaults filled in.
func (o *SGDOptimizer) Config() SGDConfig { return o.cfg }

// Validate checks the configuration.
func (o *SGDOptimizer) Validate() error { return o.cfg.Validate() }

// Step applies θ ← θ - η·g.
func (o *SGDOptimizer) Step(ctx context.Context, obj Objective) (StepInfo, error) {
	theta, g, info, err := o.step(ctx, obj)
	if err != nil {
		return info, err
	}
	lr := o.rate(o.cfg.LearningRate)
	for i := range theta {
		theta[i] -= lr * g[i]
	}
	return info, nil
}
