package optim

import "context"

// SGDConfig configures SGD. Zero fields take the defaults.
type SGDConfig struct {
	LearningRate float64  // η; default 0.01 (Keras and PyTorch)
	Clip         Clipping // default none
	Schedule     Schedule // default constant η
}

// Validate reports a configuration that cannot work: a negative, NaN or
// infinite field, or an invalid schedule.
func (c SGDConfig) Validate() error {
	return firstError(checkRate("SGD", c.LearningRate), c.Clip.Validate(), validateSchedule(c.Schedule))
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
	return &SGDOptimizer{cfg: cfg, firstOrder: newFirstOrder(cfg.Clip, cfg.Schedule)}
}

// Config returns the configuration in use, defaults filled in.
func (o *SGDOptimizer) Config() SGDConfig { return o.cfg }

// Validate checks the configuration.
func (o *SGDOptimizer) Validate() error { return o.cfg.Validate() }

// Step applies θ ← θ - η·g. On error θ and the state are as they were.
func (o *SGDOptimizer) Step(ctx context.Context, obj Objective) (StepInfo, error) {
	return o.step(ctx, obj, o.cfg.LearningRate, o.update)
}

func (o *SGDOptimizer) update(lo, hi int, theta, g []float64, lr float64) {
	for i := lo; i < hi; i++ {
		theta[i] -= lr * g[i]
	}
}

// BaseRate is the configured learning rate η, before schedules and
// ScaleRate.
func (o *SGDOptimizer) BaseRate() float64 { return o.cfg.LearningRate }
