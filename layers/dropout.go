package layers

import (
	"fmt"

	G "gorgonia.org/gorgonia"

	"github.com/golem-ml/golem/graph"
	"github.com/golem-ml/golem/internal/graphrt"
)

// DropoutLayer is inverted dropout. In a training-mode graph
// (graph.Builder.Training: the graph of a first-order optimizer) it keeps
// each entry with probability 1−rate and scales the kept ones by
// 1/(1−rate), so the expected output equals the input; the masks come from
// a graph.Builder.Random input that the graph's owner refills before each
// run (the same seeded generator gives the same masks). In every other
// graph it is the identity.
//
// Levenberg–Marquardt and every Jacobian graph run dropout as the identity:
// LM accepts or rejects a step by comparing the loss before and after it,
// which needs a deterministic objective, and its Jacobian must be the
// derivative of that same objective. A model with dropout trained by LM is
// therefore trained without dropout.
type DropoutLayer struct {
	rate float64
}

// Dropout returns a dropout layer that drops a fraction rate of the entries
// while training; rate must be in [0, 1) (checked at Build).
func Dropout(rate float64) *DropoutLayer { return &DropoutLayer{rate: rate} }

// Kind is "dropout".
func (l *DropoutLayer) Kind() string { return "dropout" }

// Rate is the fraction of entries dropped while training.
func (l *DropoutLayer) Rate() float64 { return l.rate }

// String describes the configuration, e.g. "Dropout(0.5)".
func (l *DropoutLayer) String() string { return fmt.Sprintf("Dropout(%g)", l.rate) }

// Build checks the rate; the output shape is the input shape.
func (l *DropoutLayer) Build(_ *graph.Scope, in Shape) (Shape, error) {
	if !(l.rate >= 0 && l.rate < 1) {
		return nil, fmt.Errorf("Dropout needs a rate in [0, 1), got %v", l.rate)
	}
	return in, nil
}

// Forward is x ⊙ mask/(1−rate) in training mode and x otherwise.
func (l *DropoutLayer) Forward(b *graph.Builder, x *G.Node) (out *G.Node, err error) {
	if !(l.rate >= 0 && l.rate < 1) {
		return nil, fmt.Errorf("Dropout needs a rate in [0, 1), got %v", l.rate)
	}
	if !b.Training() || l.rate == 0 {
		return x, nil
	}
	err = graphrt.Catch(func() error {
		u := b.Random("dropout", x.Shape().Clone()...)
		keep, err := graph.Apply(dropoutKeep{rate: l.rate}, u)
		if err != nil {
			return err
		}
		out, err = G.HadamardProd(x, keep)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("Dropout(%g) on %v: %w", l.rate, x.Shape(), err)
	}
	return out, nil
}

// dropoutKeep maps a uniform u on [0, 1) to the mask entry: 1/(1−rate)
// where u ≥ rate (probability 1−rate), else 0.
type dropoutKeep struct{ rate float64 }

func (f dropoutKeep) String() string { return fmt.Sprintf("dropoutKeep(%g)", f.rate) }

func (f dropoutKeep) Eval(u float64) float64 {
	if u >= f.rate {
		return 1 / (1 - f.rate)
	}
	return 0
}

// Derivative is 0: the mask is a step function of a random input that is
// never differentiated (no parameter reaches it).
func (f dropoutKeep) Derivative() (graph.Elementwise, error) { return zeroFunc{}, nil }

// zeroFunc is the constant 0.
type zeroFunc struct{}

func (zeroFunc) String() string                         { return "zero" }
func (zeroFunc) Eval(float64) float64                   { return 0 }
func (zeroFunc) Derivative() (graph.Elementwise, error) { return zeroFunc{}, nil }
