package optim

import (
	"context"

	"gonum.org/v1/gonum/mat"
)

// LeastSquares is offered by objectives whose loss is a weighted sum of
// squared residuals, loss = Σ_q W_q·r_q² = ‖r‖²_W, with J = ∂r/∂θ. It is
// what Levenberg–Marquardt needs; a model offers it when its loss has a
// residual form.
type LeastSquares interface {
	Objective
	// Rows is the number of residuals (samples × residuals per sample) of
	// the current batch; it may change from step to step.
	Rows() int
	// SumSquares returns Σ W·r² at the current θ: the loss LM compares.
	// It must be one code path with one summation order, so the same θ
	// gives the same bits every call, and its memory must not grow with
	// Rows beyond the data itself (evaluate in chunks).
	SumSquares(ctx context.Context) (float64, error)
	// NormalEquations fills jtj with JᵀWJ (P×P) and jtr with JᵀWr at the
	// current θ and returns the loss, streaming J so memory stays
	// O(P² + chunk·P).
	NormalEquations(ctx context.Context, jtj *mat.SymDense, jtr []float64) (float64, error)
	// Jacobian fills dst (Rows×P) with √W·J and r (Rows) with √W·r at the
	// current θ. It needs Rows·P·8 bytes; LM uses it only for the QR and
	// underdetermined solvers and for geodesic acceleration.
	Jacobian(ctx context.Context, dst *mat.Dense, r []float64) error
	// Residuals fills r (Rows) with √W·r at the current θ.
	Residuals(ctx context.Context, r []float64) error
}

// BatchVersion is implemented by LeastSquares objectives that can say
// whether their residuals are still those of an earlier step: the version
// changes whenever the batch or its data change, and stays the same across
// the steps of a full-batch run. An optimizer may reuse what it computed
// from the same objective at the same θ and version (Bayesian
// regularization reuses the normal equations of its γ update).
type BatchVersion interface {
	BatchVersion() uint64
}
