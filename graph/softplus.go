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

// Softplus returns log(1+eˣ) elementwise, computed as
// max(x, 0) + log1p(e^{-|x|}): accurate to a few ulps relative for every x
// (e^x for x ≪ 0, x for x ≫ 0), with derivative σ(x), itself computed to
// relative accuracy on both tails.
//
// Use it instead of gorgonia.Softplus wherever a small value matters, as
// in a loss: Gorgonia v0.9.18's Softplus returns x itself for x > 16 and
// loses relative accuracy below, and its graph rewriter turns
// log1p(exp(x)) into that Softplus, so the accurate form cannot be built
// from Gorgonia's own ops.
func Softplus(x *G.Node) (*G.Node, error) { return applyElem(elemSoftplus, x) }

// Sigmoid returns 1/(1+e^{-x}) elementwise, to relative accuracy on both
// tails (Gorgonia v0.9.18's Sigmoid returns exactly 1 for x > 19 and 0 for
// x < -709).
func Sigmoid(x *G.Node) (*G.Node, error) { return applyElem(elemSigmoid, x) }

// softplus is max(x, 0) + log1p(e^{-|x|}).
func softplus(x float64) float64 { return math.Max(x, 0) + math.Log1p(math.Exp(-math.Abs(x))) }

// sigmoid is 1/(1+e^{-x}), evaluated through e^{-|x|} so that neither tail
// cancels or overflows.
func sigmoid(x float64) float64 {
	if x >= 0 {
		return 1 / (1 + math.Exp(-x))
	}
	e := math.Exp(x)
	return e / (1 + e)
}

// sigmoidDeriv is σ(x)·σ(-x) = e^{-|x|}/(1+e^{-|x|})².
func sigmoidDeriv(x float64) float64 {
	e := math.Exp(-math.Abs(x))
	return e / ((1 + e) * (1 + e))
}

// elemKind names one of the elementwise ops of this file.
type elemKind int

const (
	elemSoftplus elemKind = iota
	elemSigmoid
	elemSigmoidDeriv
)

var elemNames = [...]string{"Softplus", "Sigmoid", "SigmoidDeriv"}
var elemFuncs = [...]func(float64) float64{softplus, sigmoid, sigmoidDeriv}

// elemOp applies one float64 function elementwise. It is a comparable
// value type (Gorgonia compares and hashes ops).
type elemOp struct{ kind elemKind }

func applyElem(k elemKind, x *G.Node) (out *G.Node, err error) {
	err = Catch(func() error {
		var e error
		out, e = G.ApplyOp(elemOp{kind: k}, x)
		return e
	})
	if err != nil {
		return nil, fmt.Errorf("graph.%s: %w", elemNames[k], err)
	}
	return out, nil
}

func (elemOp) Arity() int { return 1 }

func (elemOp) Type() hm.Type {
	a := hm.TypeVariable('a')
	return hm.NewFnType(a, a)
}

func (op elemOp) InferShape(in ...G.DimSizer) (tensor.Shape, error) {
	if len(in) != 1 {
		return nil, fmt.Errorf("%v: want 1 input", op)
	}
	if s, ok := in[0].(tensor.Shape); ok {
		return s.Clone(), nil
	}
	return nil, fmt.Errorf("%v: cannot infer the shape of %v", op, in[0])
}

func (op elemOp) Do(vals ...G.Value) (G.Value, error) {
	if len(vals) != 1 {
		return nil, fmt.Errorf("%v: want 1 input, got %d", op, len(vals))
	}
	f := elemFuncs[op.kind]
	switch v := vals[0].Data().(type) {
	case []float64:
		out := make([]float64, len(v))
		for i, x := range v {
			out[i] = f(x)
		}
		return tensor.New(tensor.WithShape(vals[0].Shape().Clone()...), tensor.WithBacking(out)), nil
	case float64:
		return G.NewF64(f(v)), nil
	}
	return nil, fmt.Errorf("%v: only float64 values are supported, got %T", op, vals[0].Data())
}

func (elemOp) ReturnsPtr() bool         { return false }
func (elemOp) CallsExtern() bool        { return false }
func (elemOp) OverwritesInput() int     { return -1 }
func (op elemOp) WriteHash(h hash.Hash) { fmt.Fprintf(h, "golem.%s", elemNames[op.kind]) }
func (op elemOp) Hashcode() uint32 {
	h := fnv.New32a()
	op.WriteHash(h)
	return h.Sum32()
}
func (op elemOp) String() string { return elemNames[op.kind] }

// DiffWRT: the input is differentiable.
func (elemOp) DiffWRT(int) []bool { return []bool{true} }

// SymDiff is grad ⊙ f'(x): σ for softplus, σ·σ(-x) for the sigmoid. A
// third derivative of softplus is not implemented and is an error, never
// a silent zero.
func (op elemOp) SymDiff(in G.Nodes, _, grad *G.Node) (G.Nodes, error) {
	var d elemKind
	switch op.kind {
	case elemSoftplus:
		d = elemSigmoid
	case elemSigmoid:
		d = elemSigmoidDeriv
	default:
		return nil, fmt.Errorf("graph: the derivative of %v is not implemented", op)
	}
	fx, err := G.ApplyOp(elemOp{kind: d}, in[0])
	if err != nil {
		return nil, err
	}
	g, err := G.HadamardProd(grad, fx)
	if err != nil {
		return nil, err
	}
	return G.Nodes{g}, nil
}
