// Package jac computes per-sample Jacobians of a model's residuals through
// Gorgonia's autodiff, and streams them into the Levenberg–Marquardt normal
// equations JᵀWJ and JᵀWr.
//
// The residuals are r (N samples × R per sample); J has one row per
// (sample, residual) pair and one column per parameter. Rows are computed
// in chunks, each by one run of a "fast" graph in which every graph row is a
// (sample, residual) pair and a seed input selects that row's residual, so
// one gradient gives every row's derivatives (see graph.Builder.Affine and graph.Builder.Param).
// Parameters whose layers cannot be tapped or tiled take the loop route: a
// one-sample graph run once per residual. The engine picks the route per
// parameter: a layer whose tiled build fails moves to the loop route, and on
// first use a probe compares every parameter's fast-route columns with the
// loop route on a few samples, so a route that would be wrong is never used.
//
// Engine is the entry point (built from a Spec of the model's residual
// graph; golem builds one per compiled model for Levenberg–Marquardt and
// CheckJacobian); AddGram and AddWeightedVec accumulate the normal
// equations; Route names the route a parameter took.
package jac
