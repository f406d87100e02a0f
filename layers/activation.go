package layers

import (
	"fmt"

	G "gorgonia.org/gorgonia"

	"github.com/golem-ml/golem/graph"
	"github.com/golem-ml/golem/internal/engine"
	"github.com/golem-ml/golem/internal/graphrt"
)

// Activation is an elementwise (or, for Softmax, row-wise) nonlinearity.
// Pass one to Dense, or use it on its own with Act.
type Activation struct {
	name  string
	apply func(b *graph.Builder, z *G.Node) (*G.Node, error)
}

// Name is the activation's lower-case name, e.g. "tanh".
func (a Activation) Name() string {
	if a.name == "" {
		return "linear"
	}
	return a.name
}

// Apply adds the activation of z to the graph.
func (a Activation) Apply(b *graph.Builder, z *G.Node) (*G.Node, error) {
	if a.apply == nil {
		return z, nil
	}
	return a.apply(b, z)
}

func (a Activation) applyOption(c *config) {
	c.given = append(c.given, "Activation")
	c.activation = a
}

// The built-in activations.
var (
	// Linear is the identity; it is Dense's default.
	Linear = Activation{name: "linear"}
	// Tanh is the hyperbolic tangent.
	Tanh = Activation{name: "tanh", apply: unary(G.Tanh)}
	// Sigmoid is 1/(1+e^{-z}); losses that expect probabilities use its logits.
	Sigmoid = Activation{name: "sigmoid", apply: func(b *graph.Builder, z *G.Node) (*G.Node, error) {
		out, err := G.Sigmoid(z)
		if err == nil {
			engine.MarkLogits(b, out, z, graphrt.LinkSigmoid)
		}
		return out, err
	}}
	// ReLU is max(z, 0).
	ReLU = Activation{name: "relu", apply: unary(G.Rectify)}
	// Softplus is log(1+e^z).
	Softplus = Activation{name: "softplus", apply: unary(G.Softplus)}
	// Softmax normalizes each row to probabilities, computed stably as
	// exp(z - max z)/Σ exp(z - max z); losses that expect probabilities use
	// its logits.
	Softmax = Activation{name: "softmax", apply: func(b *graph.Builder, z *G.Node) (*G.Node, error) {
		out, err := softmax(z)
		if err == nil {
			engine.MarkLogits(b, out, z, graphrt.LinkSoftmax)
		}
		return out, err
	}}
)

func unary(f func(*G.Node) (*G.Node, error)) func(*graph.Builder, *G.Node) (*G.Node, error) {
	return func(_ *graph.Builder, z *G.Node) (*G.Node, error) { return f(z) }
}

// softmax over the last axis of a (batch × k) node.
func softmax(z *G.Node) (*G.Node, error) {
	if z.Dims() != 2 {
		return nil, fmt.Errorf("softmax needs a (batch × classes) input, got shape %v", z.Shape())
	}
	shifted, err := graph.LogSoftmax(z)
	if err != nil {
		return nil, err
	}
	return G.Exp(shifted)
}

// Act is a parameter-free layer that applies an activation.
func Act(a Activation) Layer { return &actLayer{act: a} }

type actLayer struct{ act Activation }

func (l *actLayer) Kind() string { return "activation" }

func (l *actLayer) String() string { return "Activation(" + l.act.Name() + ")" }

func (l *actLayer) Build(_ *graph.Scope, in Shape) (Shape, error) {
	if l.act.name == "softmax" && len(in) != 1 {
		return nil, fmt.Errorf("softmax needs vector samples, got %v", in)
	}
	return in, nil
}

func (l *actLayer) Forward(b *graph.Builder, x *G.Node) (*G.Node, error) { return l.act.Apply(b, x) }

// ActivationNamed returns the built-in activation of the given name
// ("linear", "tanh", "sigmoid", "relu", "softplus", "softmax").
func ActivationNamed(name string) (Activation, bool) {
	for _, a := range []Activation{Linear, Tanh, Sigmoid, ReLU, Softplus, Softmax} {
		if a.name == name {
			return a, true
		}
	}
	return Activation{}, false
}
