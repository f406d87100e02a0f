package layers

import (
	"fmt"
	"hash"
	"hash/fnv"
	"math"

	"github.com/chewxy/hm"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/golem-ml/golem/graph"
	"github.com/golem-ml/golem/internal/graphrt"
)

// EmbeddingLayer maps each of a sample's T integer indices to a learnt
// vector of dim values: input (T) → output (T, dim), out[t] = E[x[t]], with
// E of shape (vocab × dim).
//
// Indices arrive as float64 values (golem's data is float64) and must be
// integers in [0, vocab): any other value makes the run (Predict, Fit, ...)
// fail with an error naming the value, its row in the batch and its
// position, never a silent clamp. Input
// scaling must therefore be off for a model that starts with an Embedding.
//
// The lookup is computed as onehot(x)·E through graph.Builder.Affine, with
// onehot of shape (batch·T × vocab) (built by an op that has no gradient:
// indices are not differentiable), so E takes the Jacobian tap route where
// Affine taps batch·T rows; elsewhere the Jacobian engine falls back to a
// slower route that is equally correct.
type EmbeddingLayer struct {
	vocab, dim int
	cfg        config
	E          *graph.Param
	steps      int
}

// Embedding returns an embedding of vocab indices into dim values.
// Options: KernelInit for E (default graph.Uniform(-0.05, 0.05), as Keras's
// "uniform"), KernelRegularizer.
func Embedding(vocab, dim int, opts ...Option) *EmbeddingLayer {
	return &EmbeddingLayer{vocab: vocab, dim: dim, cfg: newConfig(config{kernelInit: graph.Uniform(-0.05, 0.05)}, opts)}
}

// Kind is "embedding".
func (l *EmbeddingLayer) Kind() string { return "embedding" }

// TakesIndices is true: Embedding's inputs must not be scaled (see
// IndexInput).
func (l *EmbeddingLayer) TakesIndices() bool { return true }

// String describes the configuration, e.g. "Embedding(1000, 16)".
func (l *EmbeddingLayer) String() string {
	s := fmt.Sprintf("Embedding(%d, %d", l.vocab, l.dim)
	if !l.cfg.kernelPenalty.IsZero() {
		s += ", embeddings " + l.cfg.kernelPenalty.String()
	}
	return s + ")"
}

// Build declares E (vocab × dim) for samples of T indices.
func (l *EmbeddingLayer) Build(s *graph.Scope, in Shape) (Shape, error) {
	if l.vocab <= 0 || l.dim <= 0 {
		return nil, fmt.Errorf("Embedding needs a positive vocabulary size and dimension, got %d and %d", l.vocab, l.dim)
	}
	if err := l.cfg.only("Embedding", "KernelInit", "KernelRegularizer"); err != nil {
		return nil, err
	}
	if len(in) != 1 || in[0] <= 0 {
		return nil, fmt.Errorf("Embedding needs samples of T indices, shape (batch, T), got input shape %v", in)
	}
	if err := l.cfg.kernelPenalty.Validate(); err != nil {
		return nil, err
	}
	var err error
	if l.E, err = s.Param("E", []int{l.vocab, l.dim}, l.cfg.kernelInit, l.vocab, l.dim); err != nil {
		return nil, err
	}
	l.E.Penalty = l.cfg.kernelPenalty
	l.steps = in[0]
	return Shape{in[0], l.dim}, nil
}

// Forward looks up x (batch × T) and returns (batch × T × dim).
func (l *EmbeddingLayer) Forward(b *graph.Builder, x *G.Node) (out *G.Node, err error) {
	if l.E == nil {
		return nil, fmt.Errorf("Embedding: Forward before Build")
	}
	if x.Dims() != 2 || x.Shape()[1] != l.steps {
		return nil, fmt.Errorf("Embedding: input has shape %v, want (batch, %d)", x.Shape(), l.steps)
	}
	rows := x.Shape()[0]
	err = graphrt.Catch(func() error {
		oh, err := G.ApplyOp(oneHotOp{vocab: l.vocab, rows: rows, steps: l.steps}, x)
		if err != nil {
			return err
		}
		z, err := b.Affine(oh, l.E, nil)
		if err != nil {
			return err
		}
		out, err = graph.Reshape(z, rows, l.steps, l.dim)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("%s on %v: %w", l, x.Shape(), err)
	}
	return out, nil
}

// oneHotOp turns (rows × steps) integer-valued indices into the
// (rows·steps × vocab) one-hot matrix. It has no gradient.
type oneHotOp struct{ vocab, rows, steps int }

func (oneHotOp) Arity() int { return 1 }

func (oneHotOp) Type() hm.Type {
	a := hm.TypeVariable('a')
	return hm.NewFnType(G.TensorType{Dims: 2, Of: a}, G.TensorType{Dims: 2, Of: a})
}

func (op oneHotOp) InferShape(...G.DimSizer) (tensor.Shape, error) {
	return tensor.Shape{op.rows * op.steps, op.vocab}, nil
}

func (op oneHotOp) Do(vals ...G.Value) (G.Value, error) {
	if len(vals) != 1 {
		return nil, fmt.Errorf("Embedding: want 1 input, got %d", len(vals))
	}
	idx, ok := vals[0].Data().([]float64)
	if !ok || len(idx) != op.rows*op.steps {
		return nil, fmt.Errorf("Embedding: want %d float64 indices, got %T", op.rows*op.steps, vals[0].Data())
	}
	out := make([]float64, len(idx)*op.vocab)
	for q, v := range idx {
		if v != math.Trunc(v) || v < 0 || v >= float64(op.vocab) {
			return nil, fmt.Errorf("Embedding: index %v at row %d of the batch, position %d, is not an integer in [0, %d)", v, q/op.steps, q%op.steps, op.vocab)
		}
		out[q*op.vocab+int(v)] = 1
	}
	return tensor.New(tensor.WithShape(op.rows*op.steps, op.vocab), tensor.WithBacking(out)), nil
}

func (oneHotOp) ReturnsPtr() bool     { return false }
func (oneHotOp) CallsExtern() bool    { return false }
func (oneHotOp) OverwritesInput() int { return -1 }

func (op oneHotOp) WriteHash(h hash.Hash) {
	fmt.Fprintf(h, "golem.onehot(%d,%d,%d)", op.vocab, op.rows, op.steps)
}

func (op oneHotOp) Hashcode() uint32 {
	h := fnv.New32a()
	op.WriteHash(h)
	return h.Sum32()
}

func (op oneHotOp) String() string { return fmt.Sprintf("OneHot(%d)", op.vocab) }

// DiffWRT: indices are not differentiable.
func (oneHotOp) DiffWRT(int) []bool { return []bool{false} }

// SymDiff is never needed (see DiffWRT).
func (oneHotOp) SymDiff(G.Nodes, *G.Node, *G.Node) (G.Nodes, error) {
	return nil, fmt.Errorf("Embedding: the indices have no gradient")
}
