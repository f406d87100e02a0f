package graph

import (
	"fmt"
	"hash"
	"hash/fnv"

	"github.com/chewxy/hm"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// Columns returns the columns [from, to) of a (rows × n) node as a
// (rows × (to−from)) copy; its gradient scatters back into those columns.
//
// Use it instead of gorgonia.Slice to take a block of columns (a recurrent
// layer's time step or gate). Gorgonia v0.9.18's Slice turns a result of
// one element into a scalar, which breaks the ops after it on a batch of
// one, and its gradient allocates the input's full shape per slice.
func Columns(n *G.Node, from, to int) (*G.Node, error) {
	s := n.Shape()
	if s.Dims() != 2 || from < 0 || to <= from || to > s[1] {
		return nil, fmt.Errorf("graph.Columns: cannot take columns [%d, %d) of %v", from, to, s)
	}
	if from == 0 && to == s[1] {
		return n, nil
	}
	return apply(colSlice{rows: s[0], n: s[1], from: from, to: to}, n)
}

// ConcatColumns joins (rows × nᵢ) nodes side by side into one
// (rows × Σnᵢ) node, as a copy; each input's gradient is its block of
// columns. It is gorgonia.Concat along axis 1 without that op's reshape
// views (see Reshape) for blocks one column wide.
func ConcatColumns(ns ...*G.Node) (*G.Node, error) {
	if len(ns) == 0 {
		return nil, fmt.Errorf("graph.ConcatColumns: no nodes")
	}
	rows := -1
	widths := make([]int, len(ns))
	for i, n := range ns {
		s := n.Shape()
		if s.Dims() != 2 || (rows >= 0 && s[0] != rows) {
			return nil, fmt.Errorf("graph.ConcatColumns: node %d has shape %v, want (%d, n)", i, s, rows)
		}
		rows, widths[i] = s[0], s[1]
	}
	if len(ns) == 1 {
		return ns[0], nil
	}
	return apply(colConcat{rows: rows, widths: widths}, ns...)
}

func apply(op G.Op, ns ...*G.Node) (out *G.Node, err error) {
	err = catch(func() error {
		var e error
		out, e = G.ApplyOp(op, ns...)
		return e
	})
	return out, err
}

// float64s returns a value's data; a scalar is a slice of one.
func float64s(v G.Value) ([]float64, error) {
	switch d := v.Data().(type) {
	case []float64:
		return d, nil
	case float64:
		return []float64{d}, nil
	}
	return nil, fmt.Errorf("only float64 values are supported, got %T", v.Data())
}

func matrixType() hm.Type { return G.TensorType{Dims: 2, Of: hm.TypeVariable('a')} }

func hashOf(s string) uint32 {
	h := fnv.New32a()
	h.Write([]byte(s))
	return h.Sum32()
}

// colSlice copies columns [from, to) of a (rows × n) matrix.
type colSlice struct{ rows, n, from, to int }

func (op colSlice) Arity() int            { return 1 }
func (op colSlice) Type() hm.Type         { return hm.NewFnType(matrixType(), matrixType()) }
func (op colSlice) ReturnsPtr() bool      { return false }
func (op colSlice) CallsExtern() bool     { return false }
func (op colSlice) OverwritesInput() int  { return -1 }
func (op colSlice) String() string        { return fmt.Sprintf("Columns[%d:%d of %d]", op.from, op.to, op.n) }
func (op colSlice) WriteHash(h hash.Hash) { fmt.Fprintf(h, "golem.%v rows %d", op, op.rows) }
func (op colSlice) Hashcode() uint32      { return hashOf(fmt.Sprintf("golem.%v rows %d", op, op.rows)) }
func (op colSlice) DiffWRT(int) []bool    { return []bool{true} }
func (op colSlice) InferShape(...G.DimSizer) (tensor.Shape, error) {
	return tensor.Shape{op.rows, op.to - op.from}, nil
}

func (op colSlice) Do(vals ...G.Value) (G.Value, error) {
	if len(vals) != 1 {
		return nil, fmt.Errorf("%v: want 1 input, got %d", op, len(vals))
	}
	src, err := float64s(vals[0])
	if err != nil {
		return nil, fmt.Errorf("%v: %w", op, err)
	}
	if len(src) != op.rows*op.n {
		return nil, fmt.Errorf("%v: input has %d values, want %d×%d", op, len(src), op.rows, op.n)
	}
	w := op.to - op.from
	dst := make([]float64, op.rows*w)
	for r := 0; r < op.rows; r++ {
		copy(dst[r*w:(r+1)*w], src[r*op.n+op.from:r*op.n+op.to])
	}
	return tensor.New(tensor.WithShape(op.rows, w), tensor.WithBacking(dst)), nil
}

// SymDiff scatters the gradient into zero columns around [from, to).
func (op colSlice) SymDiff(_ G.Nodes, _, grad *G.Node) (G.Nodes, error) {
	g, err := G.ApplyOp(colPad(op), grad)
	if err != nil {
		return nil, err
	}
	return G.Nodes{g}, nil
}

// colPad places a (rows × (to−from)) matrix at columns [from, to) of a
// zero (rows × n) matrix: colSlice's gradient.
type colPad colSlice

func (op colPad) Arity() int            { return 1 }
func (op colPad) Type() hm.Type         { return hm.NewFnType(matrixType(), matrixType()) }
func (op colPad) ReturnsPtr() bool      { return false }
func (op colPad) CallsExtern() bool     { return false }
func (op colPad) OverwritesInput() int  { return -1 }
func (op colPad) String() string        { return fmt.Sprintf("PadColumns[%d:%d of %d]", op.from, op.to, op.n) }
func (op colPad) WriteHash(h hash.Hash) { fmt.Fprintf(h, "golem.%v rows %d", op, op.rows) }
func (op colPad) Hashcode() uint32      { return hashOf(fmt.Sprintf("golem.%v rows %d", op, op.rows)) }
func (op colPad) DiffWRT(int) []bool    { return []bool{true} }
func (op colPad) InferShape(...G.DimSizer) (tensor.Shape, error) {
	return tensor.Shape{op.rows, op.n}, nil
}

func (op colPad) Do(vals ...G.Value) (G.Value, error) {
	if len(vals) != 1 {
		return nil, fmt.Errorf("%v: want 1 input, got %d", op, len(vals))
	}
	src, err := float64s(vals[0])
	if err != nil {
		return nil, fmt.Errorf("%v: %w", op, err)
	}
	w := op.to - op.from
	if len(src) != op.rows*w {
		return nil, fmt.Errorf("%v: input has %d values, want %d×%d", op, len(src), op.rows, w)
	}
	dst := make([]float64, op.rows*op.n)
	for r := 0; r < op.rows; r++ {
		copy(dst[r*op.n+op.from:r*op.n+op.to], src[r*w:(r+1)*w])
	}
	return tensor.New(tensor.WithShape(op.rows, op.n), tensor.WithBacking(dst)), nil
}

// SymDiff takes the gradient's columns [from, to).
func (op colPad) SymDiff(_ G.Nodes, _, grad *G.Node) (G.Nodes, error) {
	g, err := G.ApplyOp(colSlice(op), grad)
	if err != nil {
		return nil, err
	}
	return G.Nodes{g}, nil
}

// colConcat joins (rows × widths[i]) matrices side by side.
type colConcat struct {
	rows   int
	widths []int
}

func (op colConcat) Arity() int { return len(op.widths) }
func (op colConcat) Type() hm.Type {
	ts := make([]hm.Type, len(op.widths)+1)
	for i := range ts {
		ts[i] = matrixType()
	}
	return hm.NewFnType(ts...)
}
func (op colConcat) ReturnsPtr() bool      { return false }
func (op colConcat) CallsExtern() bool     { return false }
func (op colConcat) OverwritesInput() int  { return -1 }
func (op colConcat) String() string        { return fmt.Sprintf("ConcatColumns%v", op.widths) }
func (op colConcat) WriteHash(h hash.Hash) { fmt.Fprintf(h, "golem.%v rows %d", op, op.rows) }
func (op colConcat) Hashcode() uint32      { return hashOf(fmt.Sprintf("golem.%v rows %d", op, op.rows)) }
func (op colConcat) total() int {
	n := 0
	for _, w := range op.widths {
		n += w
	}
	return n
}
func (op colConcat) DiffWRT(n int) []bool {
	d := make([]bool, n)
	for i := range d {
		d[i] = true
	}
	return d
}
func (op colConcat) InferShape(...G.DimSizer) (tensor.Shape, error) {
	return tensor.Shape{op.rows, op.total()}, nil
}

func (op colConcat) Do(vals ...G.Value) (G.Value, error) {
	if len(vals) != len(op.widths) {
		return nil, fmt.Errorf("%v: want %d inputs, got %d", op, len(op.widths), len(vals))
	}
	n := op.total()
	dst := make([]float64, op.rows*n)
	off := 0
	for i, v := range vals {
		src, err := float64s(v)
		if err != nil {
			return nil, fmt.Errorf("%v: %w", op, err)
		}
		w := op.widths[i]
		if len(src) != op.rows*w {
			return nil, fmt.Errorf("%v: input %d has %d values, want %d×%d", op, i, len(src), op.rows, w)
		}
		for r := 0; r < op.rows; r++ {
			copy(dst[r*n+off:r*n+off+w], src[r*w:(r+1)*w])
		}
		off += w
	}
	return tensor.New(tensor.WithShape(op.rows, n), tensor.WithBacking(dst)), nil
}

// SymDiff gives each input its block of the gradient's columns.
func (op colConcat) SymDiff(inputs G.Nodes, _, grad *G.Node) (G.Nodes, error) {
	out := make(G.Nodes, len(inputs))
	n, off := op.total(), 0
	for i, w := range op.widths {
		g, err := G.ApplyOp(colSlice{rows: op.rows, n: n, from: off, to: off + w}, grad)
		if err != nil {
			return nil, err
		}
		out[i] = g
		off += w
	}
	return out, nil
}
