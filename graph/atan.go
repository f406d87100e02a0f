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

// Atan returns the elementwise arctangent of a float64 node, with
// derivative 1/(1+x²). Gorgonia v0.9.18 has no arctangent.
func Atan(x *G.Node) (*G.Node, error) { return G.ApplyOp(atanOp{}, x) }

type atanOp struct{}

func (atanOp) Arity() int { return 1 }

func (atanOp) Type() hm.Type {
	a := hm.TypeVariable('a')
	return hm.NewFnType(a, a)
}

func (atanOp) InferShape(in ...G.DimSizer) (tensor.Shape, error) {
	if len(in) != 1 {
		return nil, fmt.Errorf("atan: want 1 input")
	}
	if s, ok := in[0].(tensor.Shape); ok {
		return s.Clone(), nil
	}
	return nil, fmt.Errorf("atan: cannot infer the shape of %v", in[0])
}

func (atanOp) Do(vals ...G.Value) (G.Value, error) {
	switch v := vals[0].Data().(type) {
	case []float64:
		out := make([]float64, len(v))
		for i, x := range v {
			out[i] = math.Atan(x)
		}
		return tensor.New(tensor.WithShape(vals[0].Shape().Clone()...), tensor.WithBacking(out)), nil
	case float64:
		return G.NewF64(math.Atan(v)), nil
	}
	return nil, fmt.Errorf("atan: only float64 values are supported, got %T", vals[0].Data())
}

func (atanOp) ReturnsPtr() bool      { return false }
func (atanOp) CallsExtern() bool     { return false }
func (atanOp) OverwritesInput() int  { return -1 }
func (atanOp) WriteHash(h hash.Hash) { fmt.Fprint(h, "golem.atan") }
func (o atanOp) Hashcode() uint32 {
	h := fnv.New32a()
	o.WriteHash(h)
	return h.Sum32()
}
func (atanOp) String() string { return "Atan" }

// DiffWRT: the input is differentiable.
func (atanOp) DiffWRT(int) []bool { return []bool{true} }

// SymDiff is grad/(1+x²).
func (atanOp) SymDiff(in G.Nodes, _, grad *G.Node) (G.Nodes, error) {
	sq, err := G.Square(in[0])
	if err != nil {
		return nil, err
	}
	den, err := G.Add(sq, G.NewConstant(1.0))
	if err != nil {
		return nil, err
	}
	d, err := G.HadamardDiv(grad, den)
	if err != nil {
		return nil, err
	}
	return G.Nodes{d}, nil
}
