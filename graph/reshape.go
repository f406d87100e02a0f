package graph

import (
	"fmt"
	"hash"
	"hash/fnv"

	"github.com/chewxy/hm"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// Reshape returns n with a new shape of the same size, as a copy.
//
// Use it instead of gorgonia.Reshape. Gorgonia v0.9.18's reshape returns a
// view sharing memory with its input, while its register allocator treats
// the result as a separate value that the next elementwise op may overwrite
// in place. That silently clobbers the input's value, and with it the
// gradient of any op whose derivative reads its own output (Tanh, Sqrt,
// Sigmoid, ...): tanh(x) → reshape → square backpropagates a wrong
// gradient. A copy costs one pass over the data and cannot alias.
func Reshape(n *G.Node, shape ...int) (*G.Node, error) {
	from := n.Shape().Clone()
	to := tensor.Shape(shape).Clone()
	if from.TotalSize() != to.TotalSize() {
		return nil, fmt.Errorf("graph.Reshape: cannot reshape %v to %v", from, to)
	}
	if sameShape(from, to) {
		return n, nil
	}
	var out *G.Node
	err := catch(func() error {
		var e error
		out, e = G.ApplyOp(reshapeCopy{from: from, to: to}, n)
		return e
	})
	return out, err
}

// reshapeCopy is a reshape that copies its input.
type reshapeCopy struct {
	from, to tensor.Shape
}

func (op reshapeCopy) Arity() int { return 1 }

func (op reshapeCopy) Type() hm.Type {
	a := hm.TypeVariable('a')
	return hm.NewFnType(tensorType(op.from.Dims(), a), tensorType(op.to.Dims(), a))
}

func tensorType(dims int, of hm.Type) hm.Type {
	if dims == 0 {
		return of
	}
	return G.TensorType{Dims: dims, Of: of}
}

func (op reshapeCopy) InferShape(...G.DimSizer) (tensor.Shape, error) { return op.to.Clone(), nil }

func (op reshapeCopy) Do(vals ...G.Value) (G.Value, error) {
	if len(vals) != 1 {
		return nil, fmt.Errorf("reshape: want 1 input, got %d", len(vals))
	}
	src, ok := vals[0].Data().([]float64)
	if !ok {
		if f, isScalar := vals[0].Data().(float64); isScalar {
			src = []float64{f}
		} else {
			return nil, fmt.Errorf("reshape: only float64 values are supported, got %T", vals[0].Data())
		}
	}
	if len(src) != op.to.TotalSize() {
		return nil, fmt.Errorf("reshape: input has %d values, %v needs %d", len(src), op.to, op.to.TotalSize())
	}
	return tensor.New(tensor.WithShape(op.to...), tensor.WithBacking(append([]float64(nil), src...))), nil
}

func (op reshapeCopy) ReturnsPtr() bool     { return false }
func (op reshapeCopy) CallsExtern() bool    { return false }
func (op reshapeCopy) OverwritesInput() int { return -1 }

func (op reshapeCopy) WriteHash(h hash.Hash) { fmt.Fprintf(h, "golem.reshape %v→%v", op.from, op.to) }

func (op reshapeCopy) Hashcode() uint32 {
	h := fnv.New32a()
	op.WriteHash(h)
	return h.Sum32()
}

func (op reshapeCopy) String() string { return fmt.Sprintf("Reshape%v→%v", op.from, op.to) }

// DiffWRT: the input is differentiable.
func (op reshapeCopy) DiffWRT(int) []bool { return []bool{true} }

// SymDiff reshapes the output gradient back to the input shape.
func (op reshapeCopy) SymDiff(_ G.Nodes, _, grad *G.Node) (G.Nodes, error) {
	g, err := G.ApplyOp(reshapeCopy{from: op.to, to: op.from}, grad)
	if err != nil {
		return nil, err
	}
	return G.Nodes{g}, nil
}
