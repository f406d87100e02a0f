package graph

import (
	"fmt"
	"math"

	G "gorgonia.org/gorgonia"
)

// NegLogSqueezed returns -log x Elementwise, where x = ε + (1-2ε)·p is the
// probability p squeezed into [ε, 1-ε] (how a cross-entropy from
// probabilities avoids log 0). It keeps relative accuracy near p = 1, where
// the loss is tiny: there it is computed as -log1p(-(ε + (1-2ε)(1-p))), since
// 1 - x rounded to float64 would lose half the digits of a loss near ε.
// The derivative is -(1-2ε)/x. eps must be in (0, 0.5).
func NegLogSqueezed(p *G.Node, eps float64) (*G.Node, error) {
	return applySqueezedLog(squeezedLog{eps: eps}, p)
}

// NegLog1mSqueezed returns -log(1 - x) elementwise with x as in
// NegLogSqueezed: the cross-entropy of the complementary class, accurate
// near p = 0. It equals NegLogSqueezed(1 - p) without rounding 1 - p.
func NegLog1mSqueezed(p *G.Node, eps float64) (*G.Node, error) {
	return applySqueezedLog(squeezedLog{eps: eps, complement: true}, p)
}

func applySqueezedLog(f squeezedLog, p *G.Node) (*G.Node, error) {
	if !(f.eps > 0 && f.eps < 0.5) {
		return nil, fmt.Errorf("graph.%v: ε = %v is outside (0, 0.5)", f, f.eps)
	}
	return applyUnary(f, p)
}

// squeezedLog is -log x (or -log(1-x) when complement), or with deriv its
// derivative in p.
type squeezedLog struct {
	eps        float64
	complement bool
	deriv      bool
}

// eval is the op at one p. With q = 1 - p (exact for p in [0.5, 1]), x and
// 1 - x are each formed from whichever of p and q is small.
func (op squeezedLog) Eval(p float64) float64 {
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

func (op squeezedLog) String() string {
	name := "NegLogSqueezed"
	if op.complement {
		name = "NegLog1mSqueezed"
	}
	if op.deriv {
		name += "Deriv"
	}
	return name
}

// derivative is f'(p); a second derivative is not implemented and is an
// error, never a silent zero.
func (op squeezedLog) Derivative() (Elementwise, error) {
	if op.deriv {
		return nil, fmt.Errorf("graph: the second derivative of %v is not implemented", squeezedLog{complement: op.complement})
	}
	d := op
	d.deriv = true
	return d, nil
}
