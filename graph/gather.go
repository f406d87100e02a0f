package graph

import (
	"encoding/binary"
	"fmt"
	"hash"
	"hash/fnv"
	"math"

	"github.com/chewxy/hm"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// Gather, WindowSum and WindowMax are the index maps behind convolutions
// and pools (im2col, average and max pooling). Each works sample by sample:
// x has shape (batch, ...), with n = x.Size()/batch values per sample in
// row-major order, and the same index table applies to every sample, so the
// ops work on any batch (a training batch, or the N·R rows of a Jacobian
// graph). An index of -1 stands for a position outside the input (zero
// padding): it contributes 0 to Gather and WindowSum and is skipped by
// WindowMax. They are golem's own Gorgonia ops with their derivatives
// written out.

// Gather returns out with out_b[j] = x_b[idx[j]] for every sample b (0
// where idx[j] is -1), shaped shape; shape's total size must be
// batch·len(idx) (the first dimension may hold several rows per sample, as
// im2col's (batch·positions, k·C) does). Its gradient is the scatter-add.
func Gather(x *G.Node, idx []int, shape ...int) (*G.Node, error) {
	op, err := newWindowOp("Gather", x, idx, nil, 1, shape)
	if err != nil {
		return nil, err
	}
	return applyOp(op, x)
}

// WindowSum returns out with out_b[j] = Σ_k w[j·K+k]·x_b[idx[j·K+k]] for
// k < K (weights nil means 1; terms with index -1 are 0), shaped shape of
// total size batch·len(idx)/K. Average pooling is WindowSum with weights
// 1/count. It is linear in x; its gradient is the transposed map.
func WindowSum(x *G.Node, idx []int, weights []float64, K int, shape ...int) (*G.Node, error) {
	op, err := newWindowOp("WindowSum", x, idx, weights, K, shape)
	if err != nil {
		return nil, err
	}
	return applyOp(op, x)
}

// WindowMax returns out with out_b[j] = max_k x_b[idx[j·K+k]] over the
// k < K whose index is not -1 (0 when all are -1), shaped shape of total
// size batch·len(idx)/K. The gradient of an output goes to the first
// maximal element of its window (as PyTorch's max pooling).
func WindowMax(x *G.Node, idx []int, K int, shape ...int) (*G.Node, error) {
	op, err := newWindowOp("WindowMax", x, idx, nil, K, shape)
	if err != nil {
		return nil, err
	}
	op.max = true
	op.hash = op.computeHash()
	return applyOp(op, x)
}

func applyOp(op G.Op, xs ...*G.Node) (out *G.Node, err error) {
	err = catch(func() error {
		var e error
		out, e = G.ApplyOp(op, xs...)
		return e
	})
	if err != nil {
		return nil, fmt.Errorf("graph.%v: %w", op, err)
	}
	return out, nil
}

// windowOp is the data of the window ops; ops are pointers to it (Gorgonia
// compares ops by Hashcode, which covers every field).
type windowOp struct {
	name      string
	idx       []int
	w         []float64 // nil: 1
	k         int       // terms per output
	n, m      int       // values per sample in x and outputs per sample
	batch     int
	inShape   tensor.Shape
	outShape  tensor.Shape
	max       bool
	transpose bool // the transposed (scatter-add) map: out has inShape
	hash      uint32
}

func newWindowOp(name string, x *G.Node, idx []int, weights []float64, K int, shape []int) (*windowOp, error) {
	in := x.Shape().Clone()
	if in.Dims() < 1 || in[0] < 1 {
		return nil, fmt.Errorf("graph.%s: input shape %v has no batch dimension", name, in)
	}
	batch := in[0]
	n := in.TotalSize() / batch
	switch {
	case K < 1 || len(idx)%K != 0:
		return nil, fmt.Errorf("graph.%s: %d indices do not make windows of %d", name, len(idx), K)
	case weights != nil && len(weights) != len(idx):
		return nil, fmt.Errorf("graph.%s: %d weights for %d indices", name, len(weights), len(idx))
	case shapeSize(shape) != batch*len(idx)/K || len(shape) == 0:
		return nil, fmt.Errorf("graph.%s: output shape %v does not hold %d samples of %d values", name, shape, batch, len(idx)/K)
	}
	for j, i := range idx {
		if i < -1 || i >= n {
			return nil, fmt.Errorf("graph.%s: index %d (entry %d) is outside a sample of %d values (input %v)", name, i, j, n, in)
		}
	}
	op := &windowOp{
		name: name, idx: append([]int(nil), idx...), k: K, n: n, m: len(idx) / K,
		batch: batch, inShape: in, outShape: tensor.Shape(shape).Clone(),
	}
	if weights != nil {
		op.w = append([]float64(nil), weights...)
	}
	op.hash = op.computeHash()
	return op, nil
}

// transposed returns the op of the gradient of a WindowSum.
func (op *windowOp) transposed() *windowOp {
	t := *op
	t.transpose = !op.transpose
	t.hash = t.computeHash()
	return &t
}

func (op *windowOp) computeHash() uint32 {
	h := fnv.New32a()
	op.WriteHash(h)
	return h.Sum32()
}

func (op *windowOp) WriteHash(h hash.Hash) {
	fmt.Fprintf(h, "golem.%s max=%v t=%v k=%d %v→%v", op.name, op.max, op.transpose, op.k, op.inShape, op.outShape)
	var buf [8]byte
	for _, i := range op.idx {
		binary.LittleEndian.PutUint64(buf[:], uint64(i))
		h.Write(buf[:])
	}
	for _, w := range op.w {
		binary.LittleEndian.PutUint64(buf[:], math.Float64bits(w))
		h.Write(buf[:])
	}
}

func (op *windowOp) Hashcode() uint32 { return op.hash }

func (op *windowOp) String() string {
	if op.transpose {
		return fmt.Sprintf("%sᵀ%v→%v", op.name, op.outShape, op.inShape)
	}
	return fmt.Sprintf("%s%v→%v", op.name, op.inShape, op.outShape)
}

func (op *windowOp) Arity() int { return 1 }

func (op *windowOp) from() tensor.Shape {
	if op.transpose {
		return op.outShape
	}
	return op.inShape
}

func (op *windowOp) to() tensor.Shape {
	if op.transpose {
		return op.inShape
	}
	return op.outShape
}

func (op *windowOp) Type() hm.Type {
	a := hm.TypeVariable('a')
	return hm.NewFnType(tensorType(op.from().Dims(), a), tensorType(op.to().Dims(), a))
}

func (op *windowOp) InferShape(...G.DimSizer) (tensor.Shape, error) { return op.to().Clone(), nil }

func (op *windowOp) ReturnsPtr() bool     { return false }
func (op *windowOp) CallsExtern() bool    { return false }
func (op *windowOp) OverwritesInput() int { return -1 }

func windowValues(v G.Value, want int, what string) ([]float64, error) {
	d, ok := v.Data().([]float64)
	if !ok {
		return nil, fmt.Errorf("%s: only float64 tensors are supported, got %T", what, v.Data())
	}
	if len(d) != want {
		return nil, fmt.Errorf("%s: input has %d values, want %d", what, len(d), want)
	}
	return d, nil
}

func (op *windowOp) Do(vals ...G.Value) (G.Value, error) {
	if len(vals) != 1 {
		return nil, fmt.Errorf("%v: want 1 input, got %d", op, len(vals))
	}
	x, err := windowValues(vals[0], op.from().TotalSize(), op.String())
	if err != nil {
		return nil, err
	}
	out := make([]float64, op.to().TotalSize())
	switch {
	case op.transpose:
		op.scatter(x, out)
	case op.max:
		op.windowMax(x, out)
	default:
		op.windowSum(x, out)
	}
	return tensor.New(tensor.WithShape(op.to().Clone()...), tensor.WithBacking(out)), nil
}

func (op *windowOp) windowSum(x, out []float64) {
	n, m, k := op.n, op.m, op.k
	for b := 0; b < op.batch; b++ {
		xb, ob := x[b*n:(b+1)*n], out[b*m:(b+1)*m]
		if k == 1 && op.w == nil {
			for j, i := range op.idx {
				if i >= 0 {
					ob[j] = xb[i]
				}
			}
			continue
		}
		for j := range ob {
			var s float64
			for t := j * k; t < (j+1)*k; t++ {
				if i := op.idx[t]; i >= 0 {
					if op.w == nil {
						s += xb[i]
					} else {
						s += op.w[t] * xb[i]
					}
				}
			}
			ob[j] = s
		}
	}
}

// scatter is the transposed map: g (outputs) → out (inputs).
func (op *windowOp) scatter(g, out []float64) {
	n, m, k := op.n, op.m, op.k
	for b := 0; b < op.batch; b++ {
		gb, ob := g[b*m:(b+1)*m], out[b*n:(b+1)*n]
		for t, i := range op.idx {
			if i < 0 {
				continue
			}
			if op.w == nil {
				ob[i] += gb[t/k]
			} else {
				ob[i] += op.w[t] * gb[t/k]
			}
		}
	}
}

// argmax returns the index t (into op.idx) of the first maximum of window
// j of sample xb, or -1 when the window is all padding.
func (op *windowOp) argmax(xb []float64, j int) int {
	best := -1
	var v float64
	for t := j * op.k; t < (j+1)*op.k; t++ {
		i := op.idx[t]
		if i < 0 {
			continue
		}
		if best < 0 || xb[i] > v || (math.IsNaN(xb[i]) && !math.IsNaN(v)) {
			best, v = t, xb[i]
		}
	}
	return best
}

func (op *windowOp) windowMax(x, out []float64) {
	n, m := op.n, op.m
	for b := 0; b < op.batch; b++ {
		xb, ob := x[b*n:(b+1)*n], out[b*m:(b+1)*m]
		for j := range ob {
			if t := op.argmax(xb, j); t >= 0 {
				ob[j] = xb[op.idx[t]]
			}
		}
	}
}

// DiffWRT: the input is differentiable.
func (op *windowOp) DiffWRT(int) []bool { return []bool{true} }

// SymDiff is the transposed map for WindowSum and Gather (and the map
// itself for the transposed op); for WindowMax it routes each output's
// gradient to its window's argmax.
func (op *windowOp) SymDiff(in G.Nodes, _, grad *G.Node) (G.Nodes, error) {
	var g *G.Node
	var err error
	if op.max {
		g, err = G.ApplyOp(maxGradOp{op}, in[0], grad)
	} else {
		g, err = G.ApplyOp(op.transposed(), grad)
	}
	if err != nil {
		return nil, err
	}
	return G.Nodes{g}, nil
}

// maxGradOp is the gradient of a WindowMax: (x, grad) → ∂/∂x, the grad of
// each window added at its first maximum.
type maxGradOp struct{ *windowOp }

func (op maxGradOp) Arity() int { return 2 }

func (op maxGradOp) Type() hm.Type {
	a := hm.TypeVariable('a')
	in := tensorType(op.inShape.Dims(), a)
	return hm.NewFnType(in, tensorType(op.outShape.Dims(), a), in)
}

func (op maxGradOp) InferShape(...G.DimSizer) (tensor.Shape, error) {
	return op.inShape.Clone(), nil
}

func (op maxGradOp) WriteHash(h hash.Hash) {
	fmt.Fprint(h, "golem.WindowMaxGrad ")
	op.windowOp.WriteHash(h)
}

func (op maxGradOp) Hashcode() uint32 {
	h := fnv.New32a()
	op.WriteHash(h)
	return h.Sum32()
}

func (op maxGradOp) String() string { return fmt.Sprintf("WindowMaxGrad%v", op.inShape) }

func (op maxGradOp) Do(vals ...G.Value) (G.Value, error) {
	if len(vals) != 2 {
		return nil, fmt.Errorf("%v: want 2 inputs, got %d", op, len(vals))
	}
	x, err := windowValues(vals[0], op.inShape.TotalSize(), op.String())
	if err != nil {
		return nil, err
	}
	g, err := windowValues(vals[1], op.outShape.TotalSize(), op.String())
	if err != nil {
		return nil, err
	}
	out := make([]float64, len(x))
	n, m := op.n, op.m
	for b := 0; b < op.batch; b++ {
		xb, gb, ob := x[b*n:(b+1)*n], g[b*m:(b+1)*m], out[b*n:(b+1)*n]
		for j, gj := range gb {
			if t := op.argmax(xb, j); t >= 0 {
				ob[op.idx[t]] += gj
			}
		}
	}
	return tensor.New(tensor.WithShape(op.inShape.Clone()...), tensor.WithBacking(out)), nil
}

// DiffWRT: the gradient of a max is not differentiated again.
func (op maxGradOp) DiffWRT(int) []bool { return []bool{false, false} }

// SymDiff is not implemented: golem never differentiates twice.
func (op maxGradOp) SymDiff(G.Nodes, *G.Node, *G.Node) (G.Nodes, error) {
	return nil, fmt.Errorf("%v: second derivatives are not implemented", op)
}
