package graph

import (
	"fmt"
	"hash"
	"hash/fnv"
	"math"

	"github.com/chewxy/hm"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// NegLogSoftmax returns ℓ = -log softmax(z) for every entry of a
// (batch × k) node of logits, row by row: ℓ_c = logsumexp(z) - z_c, the
// cross-entropy of class c. It keeps relative accuracy where ℓ_c is tiny
// (a class whose logit dominates), which z - logsumexp(z) cannot: with
// m = z_{k*} the first largest logit,
//
//	ℓ_c = (m - z_c) + log1p(Σ_{k≠k*} exp(z_k - m)),
//
// a sum of two non-negative terms, each exact to rounding, so ℓ of the
// dominant class is log1p(Σ_{k≠c} e^{z_k-z_c}) ≈ Σ_{k≠c} e^{z_k-z_c} down to
// the underflow threshold rather than 0 once that sum falls below 1e-16.
//
// Its derivative, ∂ℓ_c/∂z_k = p_k - [k = c] with p = e^{-ℓ}, is computed with
// 1 - p_c = -expm1(-ℓ_c), so it is as accurate as ℓ (p_c - 1 rounds to 0
// long before ℓ_c does). A square-root residual √ℓ_c therefore has a
// finite derivative that agrees with finite differences at any logits.
func NegLogSoftmax(z *G.Node) (out *G.Node, err error) {
	if z.Dims() != 2 {
		return nil, fmt.Errorf("graph.NegLogSoftmax: needs a (batch × k) node, got shape %v", z.Shape())
	}
	err = catch(func() error {
		var e error
		out, e = G.ApplyOp(negLogSoftmaxOp{}, z)
		return e
	})
	if err != nil {
		return nil, fmt.Errorf("graph.NegLogSoftmax: %w", err)
	}
	return out, nil
}

// negLogSoftmaxRow writes -log softmax(z) of one row into dst.
func negLogSoftmaxRow(z, dst []float64) {
	top := 0
	for k, v := range z {
		if v > z[top] {
			top = k
		}
	}
	m := z[top]
	var s float64
	for k, v := range z {
		if k != top {
			s += math.Exp(v - m)
		}
	}
	lse := math.Log1p(s)
	for k, v := range z {
		dst[k] = (m - v) + lse
	}
}

// negLogSoftmaxGradRow writes, for one row of logits z and an upstream
// gradient g with respect to ℓ, the gradient with respect to z:
//
//	Σ_c g_c·(p_k - [k = c]) = p_k·Σ_{c≠k} g_c - g_k·(1 - p_k),
//
// with p_k = e^{-ℓ_k}, 1 - p_k = -expm1(-ℓ_k) and Σ_{c≠k} g_c from prefix and
// suffix sums, so no term cancels. l is scratch of the row's length.
func negLogSoftmaxGradRow(z, g, l, dst []float64) {
	negLogSoftmaxRow(z, l)
	// dst holds the suffix sums Σ_{c>k} g_c first.
	var suffix float64
	for k := len(g) - 1; k >= 0; k-- {
		dst[k] = suffix
		suffix += g[k]
	}
	var prefix float64
	for k := range g {
		others := prefix + dst[k]
		prefix += g[k]
		dst[k] = math.Exp(-l[k])*others + g[k]*math.Expm1(-l[k])
	}
}

// negLogSoftmaxOp is -log softmax along the last axis of a (batch × k)
// value; negLogSoftmaxGradOp is its vector–Jacobian product, with inputs
// (z, upstream gradient).
type negLogSoftmaxOp struct{}
type negLogSoftmaxGradOp struct{}

func (negLogSoftmaxOp) Arity() int     { return 1 }
func (negLogSoftmaxGradOp) Arity() int { return 2 }

func (negLogSoftmaxOp) Type() hm.Type {
	a := hm.TypeVariable('a')
	return hm.NewFnType(a, a)
}

func (negLogSoftmaxGradOp) Type() hm.Type {
	a := hm.TypeVariable('a')
	return hm.NewFnType(a, a, a)
}

func (op negLogSoftmaxOp) InferShape(in ...G.DimSizer) (tensor.Shape, error) {
	return inferMatrixShape(op, 1, in)
}

func (op negLogSoftmaxGradOp) InferShape(in ...G.DimSizer) (tensor.Shape, error) {
	return inferMatrixShape(op, 2, in)
}

// inferMatrixShape checks that all n inputs are the same (batch × k) shape
// and returns it.
func inferMatrixShape(op fmt.Stringer, n int, in []G.DimSizer) (tensor.Shape, error) {
	if len(in) != n {
		return nil, fmt.Errorf("%v: want %d inputs, got %d", op, n, len(in))
	}
	var s tensor.Shape
	for i, d := range in {
		si, ok := d.(tensor.Shape)
		if !ok || si.Dims() != 2 {
			return nil, fmt.Errorf("%v: input %d is %v, want a (batch × k) shape", op, i, d)
		}
		if s != nil && !sameShape(s, si) {
			return nil, fmt.Errorf("%v: inputs have shapes %v and %v", op, s, si)
		}
		s = si
	}
	return s.Clone(), nil
}

// matrixData returns a (batch × k) float64 value's data and shape.
func matrixData(op fmt.Stringer, v G.Value) ([]float64, int, int, error) {
	d, ok := v.Data().([]float64)
	s := v.Shape()
	if !ok || s.Dims() != 2 || len(d) != s.TotalSize() {
		return nil, 0, 0, fmt.Errorf("%v: want a (batch × k) float64 value, got %T of shape %v", op, v.Data(), s)
	}
	return d, s[0], s[1], nil
}

func (op negLogSoftmaxOp) Do(vals ...G.Value) (G.Value, error) {
	if len(vals) != 1 {
		return nil, fmt.Errorf("%v: want 1 input, got %d", op, len(vals))
	}
	z, rows, k, err := matrixData(op, vals[0])
	if err != nil {
		return nil, err
	}
	out := make([]float64, len(z))
	for i := 0; i < rows; i++ {
		negLogSoftmaxRow(z[i*k:(i+1)*k], out[i*k:(i+1)*k])
	}
	return tensor.New(tensor.WithShape(rows, k), tensor.WithBacking(out)), nil
}

func (op negLogSoftmaxGradOp) Do(vals ...G.Value) (G.Value, error) {
	if len(vals) != 2 {
		return nil, fmt.Errorf("%v: want 2 inputs, got %d", op, len(vals))
	}
	z, rows, k, err := matrixData(op, vals[0])
	if err != nil {
		return nil, err
	}
	g, gr, gk, err := matrixData(op, vals[1])
	if err != nil {
		return nil, err
	}
	if gr != rows || gk != k {
		return nil, fmt.Errorf("%v: logits are %d×%d, the gradient %d×%d", op, rows, k, gr, gk)
	}
	out := make([]float64, len(z))
	l := make([]float64, k)
	for i := 0; i < rows; i++ {
		negLogSoftmaxGradRow(z[i*k:(i+1)*k], g[i*k:(i+1)*k], l, out[i*k:(i+1)*k])
	}
	return tensor.New(tensor.WithShape(rows, k), tensor.WithBacking(out)), nil
}

func (negLogSoftmaxOp) ReturnsPtr() bool         { return false }
func (negLogSoftmaxGradOp) ReturnsPtr() bool     { return false }
func (negLogSoftmaxOp) CallsExtern() bool        { return false }
func (negLogSoftmaxGradOp) CallsExtern() bool    { return false }
func (negLogSoftmaxOp) OverwritesInput() int     { return -1 }
func (negLogSoftmaxGradOp) OverwritesInput() int { return -1 }

func (negLogSoftmaxOp) WriteHash(h hash.Hash)     { fmt.Fprint(h, "golem.NegLogSoftmax") }
func (negLogSoftmaxGradOp) WriteHash(h hash.Hash) { fmt.Fprint(h, "golem.NegLogSoftmaxGrad") }

func (op negLogSoftmaxOp) Hashcode() uint32 {
	h := fnv.New32a()
	op.WriteHash(h)
	return h.Sum32()
}

func (op negLogSoftmaxGradOp) Hashcode() uint32 {
	h := fnv.New32a()
	op.WriteHash(h)
	return h.Sum32()
}

func (negLogSoftmaxOp) String() string     { return "NegLogSoftmax" }
func (negLogSoftmaxGradOp) String() string { return "NegLogSoftmaxGrad" }

// DiffWRT: the logits are differentiable.
func (negLogSoftmaxOp) DiffWRT(int) []bool { return []bool{true} }

// SymDiff is the vector–Jacobian product above.
func (negLogSoftmaxOp) SymDiff(in G.Nodes, _, grad *G.Node) (G.Nodes, error) {
	g, err := G.ApplyOp(negLogSoftmaxGradOp{}, in[0], grad)
	if err != nil {
		return nil, err
	}
	return G.Nodes{g}, nil
}

// DiffWRT: a second derivative of NegLogSoftmax is not implemented; it is
// an error (see SymDiff), never a silent zero.
func (negLogSoftmaxGradOp) DiffWRT(int) []bool { return []bool{true, true} }

// SymDiff reports that the second derivative is not implemented.
func (op negLogSoftmaxGradOp) SymDiff(G.Nodes, *G.Node, *G.Node) (G.Nodes, error) {
	return nil, fmt.Errorf("graph: the second derivative of NegLogSoftmax is not implemented")
}
