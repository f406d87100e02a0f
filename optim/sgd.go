package optim

import (
	"context"
	"fmt"
)

// SGDConfig configures SGD. Zero fields take the defaults.
type SGDConfig struct {
	LearningRate float64 // η; default 0.01 (Keras and PyTorch)
}

// Validate reports a configuration that cannot work.
func (c SGDConfig) Validate() error {
	if c.LearningRate < 0 {
		return fmt.Errorf("optim: SGD learning rate %v is negative", c.LearningRate)
	}
	return nil
}

// SGDOptimizer is plain gradient descent, θ ← θ - η·∇L. Whether it is full
// batch GD, stochastic (one sample) or mini-batch SGD is decided by the
// batch size the model trains with, not by the optimizer.
type SGDOptimizer struct {
	cfg SGDConfig
	gradientState
}

// SGD returns plain gradient descent with cfg's zero fields defaulted.
func SGD(cfg SGDConfig) *SGDOptimizer {
	if cfg.LearningRate == 0 {
		cfg.LearningRate = 0.01
	}
	return &SGDOptimizer{cfg: cfg}
}

// Config returns the configuration in use, defaults filled in.
func (o *SGDOptimizer) Config() SGDConfig { return o.cfg }

// Validate checks the configuration.
func (o *SGDOptimizer) Validate() error { return o.cfg.Validate() }

// Step applies θ ← θ - η·∇L.
func (o *SGDOptimizer) Step(ctx context.Context, obj Objective) (StepInfo, error) {
	theta, g, info, err := o.gradient(ctx, obj)
	if err != nil {
		return info, err
	}
	for i := range theta {
		theta[i] -= o.cfg.LearningRate * g[i]
	}
	return info, nil
}
