// Package graph is golem's bridge to Gorgonia.
//
// It owns the flat parameter vector θ and the views into it, seeded weight
// initializers, a per-graph Builder that hands layers their parameter and
// input nodes, a Machine that runs a compiled graph and turns Gorgonia's
// panics into errors, broadcasting arithmetic for layer authors, and the
// fixed-shape batch plan used for training and inference.
//
// Every parameter tensor in every graph is backed by a slice of the same θ,
// so an optimizer that updates θ in place is seen by the next run of any
// graph with no copying and no recompilation.
//
// What a layer author uses: Scope (Param and State declare a layer's
// parameters and non-trainable state in Build, with an Initializer such as
// Constant or the Glorot and He families), Builder (Param, Input, Affine —
// the fast route to per-sample Jacobians — Training, Random, RowMask), the
// broadcasting ops Add, Sub, Mul, Div and MatMul, Expr (the same
// arithmetic on scalar nodes, for formulas and parametric layers), and the
// safe or accurate replacements for Gorgonia's ops: Reshape, Columns,
// ConcatColumns, Softplus, Sigmoid, Atan, NegLogSoftmax, NegLogSqueezed, and
// Elementwise/Apply to add one. Catch turns a Gorgonia panic into an error.
// The engine's own parts (Machine, Plan, Tap, Tile) serve package golem and
// internal/jac.
//
// See package layers for the Layer interface these build, and the README's
// "Writing a layer" for a worked example.
package graph
