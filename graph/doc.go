// Package graph is golem's bridge to Gorgonia.
//
// It owns the flat parameter vector θ and the views into it, seeded weight
// initializers, a per-graph Builder that hands layers their parameter
// nodes, and the broadcasting arithmetic and safe ops layer authors build
// with.
//
// Every parameter tensor in every graph is backed by a slice of the same θ,
// so an optimizer that updates θ in place is seen by the next run of any
// graph with no copying and no recompilation.
//
// What a layer author uses: Scope (Param and State declare a layer's
// parameters and non-trainable state in Build, with an Initializer such as
// Constant or the Glorot and He families), Builder (Param, Affine — the
// fast route to per-sample Jacobians — State, UpdateState, Training,
// Random, RowMask, Tensor), the
// broadcasting ops Add, Sub, Mul, Div and MatMul, Expr (the same
// arithmetic on scalar nodes, for formulas and parametric layers), and the
// safe or accurate replacements for Gorgonia's ops: Reshape, Columns,
// ConcatColumns, Softplus, Sigmoid, Atan, NegLogSoftmax, NegLogSqueezed, and
// Elementwise/Apply to add one. The ops return Gorgonia's panics as errors;
// golem also recovers any panic a layer's Forward raises and names the
// layer.
//
// What only the engine needs (compiled machines, batch plans, graph inputs
// and outputs, Jacobian taps and tiles, training mode, logits marks) lives
// in golem's internal packages.
//
// See package layers for the Layer interface these build, and the README's
// "Writing a layer" for a worked example.
package graph
