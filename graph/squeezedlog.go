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

// NegLogSqueezed returns -log x elementwise, where x = ε + (1-2ε)·p is the
// probability p squeezed into [ε, 1-ε] (how a cross-entropy from
// probabilities avoids log 0). It keeps relative accuracy near p = 1, where
// the loss is tiny: there it is computed as -log1p(-(ε + (1-2ε)(1-p))), since
// 1 - x rounded to float64 would lose half the digits of a loss near ε.
// The derivative is -(1-2ε)/x. eps must be in (0, 0.5).
func NegLogSqueezed(p *G.Node, eps float64) (*G.Node, error) {
	return applySqueezedLog(squeezedLogOp{eps: eps}, p)
}

// NegLog1mSqueezed returns -log(1 - x) elementwise with x as in
// NegLogSqueezed: the cross-entropy of the complementary class, accurate
// near p = 0. It equals NegLogSqueezed(1 - p) without rounding 1 - p.
func NegLog1mSqueezed(p *G.Node, eps float64) (*G.Node, error) {
	return applySqueezedLog(squeezedLogOp{eps: eps, complement: true}, p)
}

func applySqueezedLog(op squeezedLogOp, p *G.Node) (out *G.Node, err error) {
	if !(op.eps > 0 && op.eps < 0.5) {
		return nil, fmt.Errorf("graph.%v: ε = %v is outside (0, 0.5)", op, op.eps)
	}
	err = Catch(func() error {
		var e error
		out, e = G.ApplyOp(op, p)
		return e
	})
	if err != nil {
		return nil, fmt.Errorf("graph.%v: %w", op, err)
	}
	return out, nil
}

// squeezedLogOp is -log x (or -log(1-x) when complement), or with deriv
// its derivative in p.
type squeezedLogOp struct {
	eps        float64
	complement bool
	deriv      bool
}

// eval is the op at one p. With q = 1 - p (exact for p in [0.5, 1]), x and
// 1 - x are each formed from whichever of p and q is small.
func (op squeezedLogOp) eval(p float64) float64 {
	s := 1 - 2*op.eps
	if op.complement {
		// -log(1-x) = -log(ε + s·(1-p)); derivative s/(ε + s·(1-p)).
		if op.deriv {
			return s / (op.eps + s*(1-p))
		}
		if p < 0.5 {
			return -math.Log1p(-(op.eps + s*p))
		}
		return -math.Log(op.eps + s*(1-p))
	}
	if op.deriv {
		return -s / (op.eps + s*p)
	}
	if p > 0.5 {
		return -math.Log1p(-(op.eps + s*(1-p)))
	}
	return -math.Log(op.eps + s*p)
}

func (squeezedLogOp) Arity() int { return 1 }

func (squeezedLogOp) Type() hm.Type {
	a := hm.TypeVariable('a')
	return hm.NewFnType(a, a)
}

func (op squeezedLogOp) InferShape(in ...G.DimSizer) (tensor.Shape, error) {
	if len(in) != 1 {
		return nil, fmt.Errorf("%v: want 1 input", op)
	}
	if s, ok := in[0].(tensor.Shape); ok {
		return s.Clone(), nil
	}
	return nil, fmt.Errorf("%v: cannot infer the shape of %v", op, in[0])
}

func (op squeezedLogOp) Do(vals ...G.Value) (G.Value, error) {
	if len(vals) != 1 {
		return nil, fmt.Errorf("%v: want 1 input, got %d", op, len(vals))
	}
	switch v := vals[0].Data().(type) {
	case []float64:
		out := make([]float64, len(v))
		for i, p := range v {
			out[i] = op.eval(p)
		}
		return tensor.New(tensor.WithShape(vals[0].Shape().Clone()...), tensor.WithBacking(out)), nil
	case float64:
		return G.NewF64(op.eval(v)), nil
	}
	return nil, fmt.Errorf("%v: only float64 values are supported, got %T", op, vals[0].Data())
}

func (squeezedLogOp) ReturnsPtr() bool     { return false }
func (squeezedLogOp) CallsExtern() bool    { return false }
func (squeezedLogOp) OverwritesInput() int { return -1 }

func (op squeezedLogOp) WriteHash(h hash.Hash) {
	fmt.Fprintf(h, "golem.squeezedlog %v %v %v", math.Float64bits(op.eps), op.complement, op.deriv)
}

func (op squeezedLogOp) Hashcode() uint32 {
	h := fnv.New32a()
	op.WriteHash(h)
	return h.Sum32()
}

func (op squeezedLogOp) String() string {
	name := "NegLogSqueezed"
	if op.complement {
		name = "NegLog1mSqueezed"
	}
	if op.deriv {
		name += "Deriv"
	}
	return name
}

// DiffWRT: the input is differentiable.
func (squeezedLogOp) DiffWRT(int) []bool { return []bool{true} }

// SymDiff is grad ⊙ f'(p); a second derivative is not implemented and is
// an error, never a silent zero.
func (op squeezedLogOp) SymDiff(in G.Nodes, _, grad *G.Node) (G.Nodes, error) {
	if op.deriv {
		return nil, fmt.Errorf("graph: the second derivative of %v is not implemented", squeezedLogOp{complement: op.complement})
	}
	d := op
	d.deriv = true
	fp, err := G.ApplyOp(d, in[0])
	if err != nil {
		return nil, err
	}
	g, err := G.HadamardProd(grad, fp)
	if err != nil {
		return nil, err
	}
	return G.Nodes{g}, nil
}
