package graph

import (
	"fmt"
	"hash"
	"hash/fnv"

	"github.com/chewxy/hm"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// Elementwise is a float64 function applied elementwise as a Gorgonia op
// (see Apply), with its derivative written out: the way to add a function
// Gorgonia lacks (Atan, Softplus) or computes inaccurately. Implementations
// must be comparable values, such as structs of numbers (Gorgonia compares
// and hashes ops); String names the function in graphs and errors.
type Elementwise interface {
	fmt.Stringer
	// Eval is f(x).
	Eval(x float64) float64
	// Derivative is f' as another Elementwise, or an error when it is not
	// implemented (never a silent zero).
	Derivative() (Elementwise, error)
}

// Apply adds f(x), elementwise, to x's graph; its gradient is
// grad ⊙ f'(x). A Gorgonia panic comes back as an error.
func Apply(f Elementwise, x *G.Node) (*G.Node, error) { return applyUnary(f, x) }

// applyUnary adds f(x) to x's graph, turning a Gorgonia panic into an error.
func applyUnary(f Elementwise, x *G.Node) (out *G.Node, err error) {
	err = catch(func() error {
		var e error
		out, e = G.ApplyOp(unaryOp{f}, x)
		return e
	})
	if err != nil {
		return nil, fmt.Errorf("graph.%v: %w", f, err)
	}
	return out, nil
}

// unaryOp is the Gorgonia op of an elementwise function.
type unaryOp struct{ f Elementwise }

func (unaryOp) Arity() int { return 1 }

func (unaryOp) Type() hm.Type {
	a := hm.TypeVariable('a')
	return hm.NewFnType(a, a)
}

func (op unaryOp) InferShape(in ...G.DimSizer) (tensor.Shape, error) {
	if len(in) != 1 {
		return nil, fmt.Errorf("%v: want 1 input", op)
	}
	if s, ok := in[0].(tensor.Shape); ok {
		return s.Clone(), nil
	}
	return nil, fmt.Errorf("%v: cannot infer the shape of %v", op, in[0])
}

func (op unaryOp) Do(vals ...G.Value) (G.Value, error) {
	if len(vals) != 1 {
		return nil, fmt.Errorf("%v: want 1 input, got %d", op, len(vals))
	}
	switch v := vals[0].Data().(type) {
	case []float64:
		out := make([]float64, len(v))
		for i, x := range v {
			out[i] = op.f.Eval(x)
		}
		return tensor.New(tensor.WithShape(vals[0].Shape().Clone()...), tensor.WithBacking(out)), nil
	case float64:
		return G.NewF64(op.f.Eval(v)), nil
	}
	return nil, fmt.Errorf("%v: only float64 values are supported, got %T", op, vals[0].Data())
}

func (unaryOp) ReturnsPtr() bool         { return false }
func (unaryOp) CallsExtern() bool        { return false }
func (unaryOp) OverwritesInput() int     { return -1 }
func (op unaryOp) WriteHash(h hash.Hash) { fmt.Fprintf(h, "golem.%T.%#v", op.f, op.f) }
func (op unaryOp) Hashcode() uint32 {
	h := fnv.New32a()
	op.WriteHash(h)
	return h.Sum32()
}
func (op unaryOp) String() string { return op.f.String() }

// DiffWRT: the input is differentiable.
func (unaryOp) DiffWRT(int) []bool { return []bool{true} }

// SymDiff is grad ⊙ f'(x).
func (op unaryOp) SymDiff(in G.Nodes, _, grad *G.Node) (G.Nodes, error) {
	d, err := op.f.Derivative()
	if err != nil {
		return nil, err
	}
	fx, err := G.ApplyOp(unaryOp{d}, in[0])
	if err != nil {
		return nil, err
	}
	g, err := G.HadamardProd(grad, fx)
	if err != nil {
		return nil, err
	}
	return G.Nodes{g}, nil
}
