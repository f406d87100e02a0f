package graph

import (
	"fmt"
	"math"

	G "gorgonia.org/gorgonia"
)

// Softplus returns log(1+eˣ) Elementwise, computed as
// max(x, 0) + log1p(e^{-|x|}): accurate to a few ulps relative for every x
// (e^x for x ≪ 0, x for x ≫ 0), with derivative σ(x), itself computed to
// relative accuracy on both tails.
//
// Use it instead of gorgonia.Softplus wherever a small value matters, as
// in a loss: Gorgonia v0.9.18's Softplus returns x itself for x > 16 and
// loses relative accuracy below, and its graph rewriter turns
// log1p(exp(x)) into that Softplus, so the accurate form cannot be built
// from Gorgonia's own ops.
func Softplus(x *G.Node) (*G.Node, error) { return applyUnary(elemSoftplus, x) }

// Sigmoid returns 1/(1+e^{-x}) Elementwise, to relative accuracy on both
// tails (Gorgonia v0.9.18's Sigmoid returns exactly 1 for x > 19 and 0 for
// x < -709).
func Sigmoid(x *G.Node) (*G.Node, error) { return applyUnary(elemSigmoid, x) }

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

// elemKind names one of this file's functions: softplus, its derivative σ,
// and σ's derivative σ·σ(-x). A third derivative of softplus is not
// implemented.
type elemKind int

const (
	elemSoftplus elemKind = iota
	elemSigmoid
	elemSigmoidDeriv
)

var elemNames = [...]string{"Softplus", "Sigmoid", "SigmoidDeriv"}
var elemFuncs = [...]func(float64) float64{softplus, sigmoid, sigmoidDeriv}

func (k elemKind) String() string         { return elemNames[k] }
func (k elemKind) Eval(x float64) float64 { return elemFuncs[k](x) }
func (k elemKind) Derivative() (Elementwise, error) {
	if k == elemSigmoidDeriv {
		return nil, fmt.Errorf("graph: the derivative of %v is not implemented", k)
	}
	return k + 1, nil
}
