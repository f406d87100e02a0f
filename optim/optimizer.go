package optim

import (
	"context"
	"errors"
	"time"
)

// Objective is what a model offers an optimizer for one step (one batch).
type Objective interface {
	// Params returns θ itself; the optimizer updates it in place.
	Params() []float64
	// Loss evaluates the loss at the current θ (forward pass only).
	Loss() (float64, error)
	// Gradient writes ∇loss at the current θ into g (len(g) == len(θ)) and
	// returns the loss.
	Gradient(g []float64) (float64, error)
}

// StepInfo reports one optimizer step.
type StepInfo struct {
	Loss     float64 // loss at θ before the update
	GradNorm float64 // Euclidean norm of the gradient at θ before the update

	// Filled by Levenberg–Marquardt (zero for first-order optimizers):
	NewLoss  float64 // loss after an accepted step (Loss when rejected)
	Mu       float64 // damping μ after the step
	Tries    int     // linear solves tried, the accepted one included
	Accepted bool    // whether θ changed
	Cond     float64 // condition estimate of the last system solved
	Warning  string  // e.g. an ill-conditioned system; empty when all is well
	Stop     Stop    // non-empty when the optimizer says training should stop

	Evidence *Evidence // Bayesian regularization's state after the step (nil for other optimizers)

	Time time.Duration // wall time of the step, set by the training loop
}

// Stop names why an optimizer or a training loop stopped.
type Stop string

// The stop reasons optimizers report.
const (
	StopMinGrad Stop = "min_grad" // ‖∇loss‖ fell below the configured minimum
	StopMuMax   Stop = "mu_max"   // μ grew past its maximum without a better step
)

// Optimizer updates θ from an Objective, one batch at a time.
type Optimizer interface {
	// Step performs one update. On error θ is left as it was.
	Step(ctx context.Context, obj Objective) (StepInfo, error)
}

// Problem is what an optimizer is told about a training run before its
// first step, so it can size its workspace and check that it can work.
type Problem struct {
	Params    int  // P, the length of θ
	Samples   int  // training samples
	BatchSize int  // samples per step
	Batches   int  // steps per epoch
	Rows      int  // residual rows of a full batch (least-squares objectives); 0 otherwise
	Continue  bool // the run continues the previous one (FitConfig.Continue): keep the state
}

// Initializer is implemented by optimizers that keep state between steps
// (every optimizer in this package). Fit calls Init once before the first
// step of every run. Unless p.Continue is set, Init discards all state from
// earlier runs (moments, accumulators, step counters, damping, the bound
// θ, the ScaleRate factor, the state of a StatefulSchedule) and sizes the
// workspace for p.Params, so a run after Init gives bit for bit what a
// fresh optimizer gives from the same weights; the first Step after it
// binds the optimizer to the θ it is given. With p.Continue it keeps all
// state and only checks that p matches, so N steps, Init(Continue) and M
// more steps are bit for bit N+M steps of one run. Init returns an error
// when the optimizer cannot work on p (no parameters, a P other than the
// run it continues, too many parameters for its memory budget, a
// DampingWeights length that is not P).
//
// Step without Init still works: an optimizer that was never initialized
// sizes itself for, and binds to, the θ of its first step.
type Initializer interface {
	Init(p Problem) error
}

// Validator is implemented by optimizers, schedules and configurations
// that can be invalid (a value out of range, NaN or infinite). Compile and
// Minimize call an optimizer's Validate and refuse it on error; an
// optimizer's Validate calls its schedule's.
type Validator interface {
	Validate() error
}

// LeastSquaresOptimizer is implemented by optimizers that step only through
// LeastSquares (Levenberg–Marquardt): Compile rejects a loss without a
// residual form for them, and Fit never builds a gradient graph.
type LeastSquaresOptimizer interface {
	Optimizer
	NeedsLeastSquares() bool
}

// TrainingDefaults is implemented by optimizers with their own defaults for
// Fit: full-batch steps and a number of epochs (trainlm's 1000).
type TrainingDefaults interface {
	// FullBatch reports that the optimizer steps on all training samples:
	// golem's Fit then defaults BatchSize to all of them and refuses a
	// smaller one unless FitConfig.MiniBatch asks for mini-batches.
	FullBatch() bool
	// DefaultEpochs is Fit's default FitConfig.Epochs for the optimizer.
	DefaultEpochs() int
}

// ScaledData is implemented by optimizers that expect their inputs and
// targets mapped onto [-1, 1], as MATLAB's trainbr always has them (fitnet's
// mapminmax): a model compiled with such an optimizer scales them so
// (golem.MinMax) unless the Compile options choose a scaling.
type ScaledData interface {
	WantsScaledData() bool
}

// WeightPrior is implemented by optimizers that regularize the weights
// themselves (Bayesian regularization); a model refuses layer penalties
// (graph.Penalty) with them, which they would count as data error.
type WeightPrior interface {
	RegularizesWeights() bool
}

// ErrNotFinite is wrapped by errors about a loss, gradient or updated
// weight that is NaN or infinite; the weights (and an optimizer's state)
// are left as they were before the step.
var ErrNotFinite = errors.New("optim: not finite")

// ErrForeignParams is returned when an optimizer that already holds state
// for one parameter vector is asked to step another.
var ErrForeignParams = errors.New("optim: optimizer state belongs to another parameter vector; use one optimizer per model")
