// Package fit fits curves y = f(x; p) to data by Levenberg–Marquardt and
// reports what a scientist needs besides the parameter values, as scipy's
// curve_fit, lmfit and MATLAB's fit do — for any model written in Go or as
// a formula, because golem differentiates it.
//
// # Models
//
// Expr builds a model from a formula such as "b1*(1-exp(-b2*x))": the
// input is x (or the names given), every other name is a parameter. Func
// wraps a Go function over graph.Expr, the way layers.Parametric does.
//
// # Fitting
//
// Curve fits a model to N points: x is N × inputs, y has N values.
// Options.Params gives every parameter its start by name (Start lists them
// in order), with optional bounds (AtLeast, AtMost, Between) or a fixed
// value (Fix). Options.Sigma weights the points by 1/σ², with scipy's
// absolute_sigma semantics (AbsoluteSigma). Options.Loss chooses a robust
// loss (SoftL1, Huber, Cauchy, Arctan, with FScale), which scipy's
// least_squares defines the same way.
//
// The defaults are meant to work on hard problems without tuning: damped
// Levenberg–Marquardt (DefaultLM), and, when it does not converge within
// half of DefaultMaxIterations, a restart from the start as MINPACK's trust
// region (FallbackLM). With them the 27 NIST StRD nonlinear regression
// problems of every difficulty are solved from both of their starting
// points (see the tests); Result.Restarted says when the restart was
// needed.
//
// # Bounds
//
// Bounds are enforced by a change of variables (see Param), so no trial
// leaves them. A parameter that ends on a bound is reported AtLower or
// AtUpper and held there for the statistics: it gets no standard error,
// the others' errors are those of the fit with it fixed there, and a
// warning says so, because at an active bound the asymptotic theory behind
// standard errors does not hold.
//
// # Statistics
//
// A Result holds the parameters with standard errors and confidence
// intervals (Student's t on N − k degrees of freedom, or the normal
// distribution with AbsoluteSigma), the covariance and correlation
// matrices, χ², reduced χ², the residual standard deviation, R², AIC and
// BIC, the iterations and the stop reason (which convergence test held, or
// why the fit did not converge), and warnings when numbers stop meaning
// anything (no convergence, an active bound, a rank-deficient Jacobian, no
// degrees of freedom). Report formats them like lmfit's fit_report. Band
// gives confidence and prediction bands at new x by the delta method;
// plots.Fit and plots.Residuals draw them.
//
// The covariance is s²·(JᵀWJ)⁻¹ with J the Jacobian with respect to the
// user's parameters (not the internal, unbounded ones) at the solution,
// computed from the singular value decomposition of √W·J. Standard errors
// match NIST's certified standard deviations to at least 4 digits, except
// on Lanczos1, whose residuals (about 1e-13) are at the rounding level of
// float64 data and evaluation, so that no double-precision fit reproduces
// its certified errors beyond about 3 digits.
package fit
