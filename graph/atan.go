package graph

import (
	"fmt"
	"math"

	G "gorgonia.org/gorgonia"
)

// Atan returns the elementwise arctangent of a float64 node, with
// derivative 1/(1+x²). Gorgonia v0.9.18 has no arctangent.
func Atan(x *G.Node) (*G.Node, error) { return applyUnary(atan{}, x) }

// atan is the arctangent, or with deriv its derivative 1/(1+x²); a second
// derivative is not implemented.
type atan struct{ deriv bool }

func (f atan) String() string {
	if f.deriv {
		return "AtanDeriv"
	}
	return "Atan"
}

func (f atan) Eval(x float64) float64 {
	if f.deriv {
		return 1 / (1 + x*x)
	}
	return math.Atan(x)
}

func (f atan) Derivative() (Elementwise, error) {
	if f.deriv {
		return nil, fmt.Errorf("graph: the second derivative of Atan is not implemented")
	}
	return atan{deriv: true}, nil
}
