// Package optim holds golem's optimizers. They work on a model's flat
// parameter vector θ, updated in place, and never see the graph: a model
// offers an Objective for each step (one batch) and the optimizer asks it
// for the loss and gradient it needs.
//
// An optimizer keeps state (moments, step counters) for the one θ it first
// steps; use one optimizer value per model.
package optim

import (
	"context"
	"errors"
	"fmt"
	"math"
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
// earlier runs (moments, step counters, damping, the bound θ), so two runs
// from the same weights give bit-identical results; with p.Continue it
// keeps the state and only checks that p matches. Init returns an error
// when the optimizer cannot work on p (too many parameters for its memory
// budget, a DampingWeights length that is not P).
type Initializer interface {
	Init(p Problem) error
}

// Validator is implemented by optimizers whose configuration can be
// invalid; Compile calls Validate and refuses the optimizer on error.
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
	FullBatch() bool
	DefaultEpochs() int
}

// ErrNotFinite is wrapped by errors about a loss or gradient that is NaN or
// infinite; the weights are left as they were before the step.
var ErrNotFinite = errors.New("optim: not finite")

// ErrForeignParams is returned when an optimizer that already holds state
// for one parameter vector is asked to step another.
var ErrForeignParams = errors.New("optim: optimizer state belongs to another parameter vector; use one optimizer per model")

// gradientState binds an optimizer to the θ it first steps and holds the
// gradient buffer and the step counter.
type gradientState struct {
	bound *float64
	grad  []float64
	steps int
}

// gradient binds to θ on first use, evaluates the gradient, and rejects a
// non-finite one before anything is updated.
func (s *gradientState) gradient(ctx context.Context, obj Objective) (theta, g []float64, info StepInfo, err error) {
	if err = ctx.Err(); err != nil {
		return nil, nil, info, err
	}
	theta = obj.Params()
	if len(theta) == 0 {
		return nil, nil, info, errors.New("optim: the objective has no parameters")
	}
	if s.bound == nil {
		s.bound = &theta[0]
		s.grad = make([]float64, len(theta))
	} else if s.bound != &theta[0] || len(s.grad) != len(theta) {
		return nil, nil, info, ErrForeignParams
	}
	loss, err := obj.Gradient(s.grad)
	if err != nil {
		return nil, nil, info, err
	}
	var sq float64
	for i, v := range s.grad {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return nil, nil, info, fmt.Errorf("%w: gradient of parameter %d is %v (loss %v); weights left unchanged", ErrNotFinite, i, v, loss)
		}
		sq += v * v
	}
	s.steps++
	return theta, s.grad, StepInfo{Loss: loss, GradNorm: math.Sqrt(sq)}, nil
}
