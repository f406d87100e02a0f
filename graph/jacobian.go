package graph

import (
	"fmt"

	G "gorgonia.org/gorgonia"

	"github.com/golem-ml/golem/internal/graphrt"
)

// A Jacobian graph computes, for every row of a batch, the derivative of
// that row's residual with respect to every parameter. Gorgonia
// differentiates only with respect to input nodes and sums over the batch,
// so a Jacobian graph makes per-row derivatives reachable through zero-valued
// inputs added to the graph:
//
//   - Tap: Affine adds a zero input E at its result z = x·W + b. The gradient
//     of the seeded cost with respect to E is each row's δ = ∂r/∂z, and the
//     row's Jacobian entries are x ⊗ δ for W and δ for b. This is the fast
//     route; any layer built on Affine takes it. x may have G rows per
//     sample (a convolution's patches, one row per output position); the
//     sample's entries are then Σ_g x_g ⊗ δ_g and Σ_g δ_g.
//   - Tile: Param returns p + T with T a zero input of shape (batch, p's
//     shape...), so the parameter has one copy per row and ∂cost/∂T is the
//     per-row derivative. This works for parameters used elementwise or
//     through the broadcasting helpers and MatMul.
//   - Loop: parameters the engine marks as Loop are used as they are; their
//     derivatives come from a separate one-sample graph run per residual.
//
// The engine (internal/engine) turns a builder into a Jacobian builder and
// reads the taps and tiles it recorded.

// Param returns p's node in this graph. In a Jacobian graph a parameter not
// marked Loop is tiled: the node has shape (batch, p's shape...) and each
// row holds the same values. Layer code that combines parameters with the
// batch through the broadcasting helpers (Add, Sub, Mul, Div) and MatMul
// works unchanged with either shape.
func (b *Builder) Param(p *Param) *G.Node {
	st := b.st
	st.Touch(p)
	if !st.Jacobian || st.Loop[p] {
		return b.paramNode(p)
	}
	if n, ok := st.Tiled[p]; ok {
		return n
	}
	shape := append([]int{b.batch}, p.Shape...)
	zero := b.input(p.Name+"/tile", shape...)
	n, err := tileParam(zero.Node, b.paramNode(p))
	if err != nil {
		// Shapes always broadcast here; failing is a programmer error.
		panic(fmt.Sprintf("graph: tiling %s: %v", p.Name, err))
	}
	st.Tiles = append(st.Tiles, &graphrt.Tile[*Param]{Param: p, T: zero.Node})
	st.Tiled[p] = n
	return n
}

// Affine returns x·W + bias for x of shape (batch·G × in), W (in × out) and
// bias (out) or nil, where G ≥ 1 is a whole number of rows per sample
// (rows qG, ..., qG+G-1 belong to sample q; a dense layer has G = 1, a
// convolution one row per output position). In a Jacobian graph it adds a
// tap (see the Tap route above), which is the fastest way to per-sample Jacobians: custom
// layers that compute an affine map should use Affine rather than MatMul
// and Add. (In a Jacobian graph, x with rows that are not a multiple of
// the batch is an error, and the engine falls back to the loop route.)
func (b *Builder) Affine(x *G.Node, w, bias *Param) (z *G.Node, err error) {
	if x.Dims() != 2 || len(w.Shape) != 2 || x.Shape()[1] != w.Shape[0] {
		return nil, fmt.Errorf("graph.Affine: x %v and W %v do not multiply", x.Shape(), w.Shape)
	}
	if bias != nil && (len(bias.Shape) != 1 || bias.Shape[0] != w.Shape[1]) {
		return nil, fmt.Errorf("graph.Affine: bias %v does not match W %v", bias.Shape, w.Shape)
	}
	st := b.st
	tap := st.Jacobian && !st.Loop[w] && (bias == nil || !st.Loop[bias])
	st.Touch(w)
	if bias != nil {
		st.Touch(bias)
	}
	rows := x.Shape()[0]
	if tap && (rows < b.batch || rows%b.batch != 0) {
		// The engine moves the layer's parameters (touched above) to the
		// loop route.
		return nil, fmt.Errorf("graph.Affine: x has %d rows, not a whole number of rows for each of the batch's %d samples", rows, b.batch)
	}
	group := rows / b.batch
	err = catch(func() error {
		var e error
		if z, e = G.Mul(x, b.paramNode(w)); e != nil {
			return e
		}
		if bias != nil {
			if z, e = Add(z, b.paramNode(bias)); e != nil {
				return e
			}
		}
		if tap {
			// Unique names: Gorgonia merges input nodes of the same
			// name, which would give a kernel used twice one tap.
			e0 := b.input(fmt.Sprintf("%s/tap%d", w.Name, len(st.Taps)+1), rows, w.Shape[1])
			if z, e = G.Add(z, e0.Node); e != nil {
				return e
			}
			st.Taps = append(st.Taps, &graphrt.Tap[*Param]{W: w, Bias: bias, X: b.output(x), E: e0.Node, Group: group})
		}
		return nil
	})
	return z, err
}

// MatMul returns x·w for x of shape (batch × in) and w of shape (in × out),
// or, when w is a tiled parameter (batch × in × out), the row-wise product
// with each row's own copy.
func MatMul(x, w *G.Node) (out *G.Node, err error) {
	err = catch(func() error {
		switch {
		case w.Dims() == 2:
			var e error
			out, e = G.Mul(x, w)
			return e
		case w.Dims() == 3 && x.Dims() == 2 && x.Shape()[0] == w.Shape()[0]:
			rows, in, cols := w.Shape()[0], w.Shape()[1], w.Shape()[2]
			x3, e := Reshape(x, rows, 1, in)
			if e != nil {
				return e
			}
			p, e := G.BatchedMatMul(x3, w)
			if e != nil {
				return e
			}
			out, e = Reshape(p, rows, cols)
			return e
		default:
			return fmt.Errorf("graph.MatMul: shapes %v and %v do not multiply", x.Shape(), w.Shape())
		}
	})
	return out, err
}
