package optim

// The convergence stops Levenberg–Marquardt reports (MINPACK's tests; see
// LMConfig.FTol, XTol and GTol), and its stop on a non-finite Jacobian.
const (
	// StopConvergedFtol: the actual and the predicted relative reduction
	// of the objective are both at most FTol — no step can lower the loss
	// by more than that fraction.
	StopConvergedFtol Stop = "converged_ftol"
	// StopConvergedXtol: the step is at most XTol relative to θ in every
	// parameter.
	StopConvergedXtol Stop = "converged_xtol"
	// StopConvergedGtol: the residuals are orthogonal to every column of J
	// to within GTol (MINPACK's scaled gradient), or they are all zero.
	StopConvergedGtol Stop = "converged_gtol"
	// StopNotFinite: J, JᵀWJ or JᵀWr holds NaN or ±Inf entries although
	// the loss is finite (e.g. a residual form whose derivative overflows);
	// no step was taken and StepInfo.Warning says where.
	StopNotFinite Stop = "jacobian_not_finite"
)

// Converged reports whether s says the optimizer reached a minimum: one of
// the StopConverged* tests, or StopMinGrad (a gradient below the minimum).
// StopMuMax (damping ran past its maximum while no convergence test held:
// stuck) and every other stop are not convergence.
func (s Stop) Converged() bool {
	switch s {
	case StopMinGrad, StopConvergedFtol, StopConvergedXtol, StopConvergedGtol:
		return true
	}
	return false
}
