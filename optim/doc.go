// Package optim holds golem's optimizers. They work on a model's flat
// parameter vector θ, updated in place, and never see the graph: a model
// offers an Objective for each step (one batch) and the optimizer asks it
// for the loss and gradient it needs; least-squares optimizers ask a
// LeastSquares objective for the normal equations JᵀWJ and JᵀWr.
//
// An optimizer keeps state (moments, step counters) for one θ: the one it
// first steps after Init (see Initializer), or, without Init, the first it
// ever steps. Use one optimizer value per model.
//
// The optimizers, each configured by a struct whose zero fields take the
// documented defaults (Validate reports the rest): LM (Levenberg–Marquardt
// with MATLAB trainlm's defaults; LMConfig chooses the Damping matrix, the
// μ Update rule, the Solver, L2 and geodesic acceleration; CurveFit is the
// preset for curve fits) and BR (Bayesian regularization, trainbr); and
// the first-order SGD, Momentum, Nesterov, Adagrad, Adadelta, RMSprop,
// Adam and AdamW, with Clipping and a Schedule (StepDecay,
// ExponentialDecay, CosineDecay, NewPlateau).
//
// Optimizers are passed to golem's Model.Compile; golem.Minimize runs one
// on any scalar expression. See package golem.
package optim
