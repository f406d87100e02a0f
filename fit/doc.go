// Package fit fits curves y = f(x; p) to data by Levenberg–Marquardt and
// reports what a scientist needs besides the parameter values: standard
// errors, covariance and correlation, confidence intervals, goodness of fit,
// confidence and prediction bands, and plots. Models are Go functions over
// graph.Expr (Func) or formula strings (Expr); golem differentiates them.
package fit
