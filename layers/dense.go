package layers

import (
	"fmt"

	G "gorgonia.org/gorgonia"

	"github.com/golem-ml/golem/graph"
)

// DenseLayer is a fully connected layer, out = act(x·W + b), with W of shape
// (in × units) and b of shape (units).
type DenseLayer struct {
	units int
	cfg   config
	W, B  *graph.Param
}

// Dense returns a fully connected layer with the given number of units.
// Options: an Activation (default Linear), KernelInit, BiasInit, NoBias,
// KernelRegularizer, BiasRegularizer.
func Dense(units int, opts ...Option) *DenseLayer {
	return &DenseLayer{units: units, cfg: newConfig(config{
		activation: Linear,
		kernelInit: graph.GlorotUniform(),
		biasInit:   graph.Zeros(),
	}, opts)}
}

// Kind is "dense".
func (l *DenseLayer) Kind() string { return "dense" }

// Units is the layer's output width.
func (l *DenseLayer) Units() int { return l.units }

// Activation is the layer's activation.
func (l *DenseLayer) Activation() Activation { return l.cfg.activation }

// String describes the configuration, e.g. "Dense(10, tanh)".
func (l *DenseLayer) String() string {
	s := fmt.Sprintf("Dense(%d, %s", l.units, l.cfg.activation.Name())
	if l.cfg.noBias {
		s += ", no bias"
	}
	if !l.cfg.kernelPenalty.IsZero() {
		s += ", kernel " + l.cfg.kernelPenalty.String()
	}
	if !l.cfg.biasPenalty.IsZero() {
		s += ", bias " + l.cfg.biasPenalty.String()
	}
	return s + ")"
}

// Build declares W (in × units) and b (units), where in is the last axis
// of the input samples: on samples of shape (..., in) Dense maps every
// position's vector, as Keras does (a sequence (T, in) gives (T, units)).
func (l *DenseLayer) Build(s *graph.Scope, in Shape) (Shape, error) {
	if l.units <= 0 {
		return nil, fmt.Errorf("Dense needs a positive number of units, got %d", l.units)
	}
	if err := l.cfg.only("Dense", "Activation", "KernelInit", "BiasInit", "NoBias", "KernelRegularizer", "BiasRegularizer", "NguyenWidrow"); err != nil {
		return nil, err
	}
	if len(in) == 0 || in.Size() <= 0 {
		return nil, fmt.Errorf("Dense needs samples with a feature axis, got input shape %v", in)
	}
	lead, feat := in[:len(in)-1], in[len(in)-1]
	for _, p := range []graph.Penalty{l.cfg.kernelPenalty, l.cfg.biasPenalty} {
		if err := p.Validate(); err != nil {
			return nil, err
		}
	}
	var err error
	if l.W, err = s.Param("W", []int{feat, l.units}, l.cfg.kernelInit, feat, l.units); err != nil {
		return nil, err
	}
	l.W.Penalty = l.cfg.kernelPenalty
	if !l.cfg.noBias {
		if l.B, err = s.Param("b", []int{l.units}, l.cfg.biasInit, feat, l.units); err != nil {
			return nil, err
		}
		l.B.Penalty = l.cfg.biasPenalty
	}
	return append(append(Shape(nil), lead...), l.units), nil
}

// Forward computes act(x·W + b). Samples of more than one axis are seen as
// (batch·positions × in) rows, which Affine takes as a grouped tap.
func (l *DenseLayer) Forward(b *graph.Builder, x *G.Node) (*G.Node, error) {
	shape := x.Shape().Clone()
	if x.Dims() > 2 {
		rows := shape.TotalSize() / shape[len(shape)-1]
		var err error
		if x, err = graph.Reshape(x, rows, shape[len(shape)-1]); err != nil {
			return nil, err
		}
	}
	z, err := l.PreActivation(b, x)
	if err != nil {
		return nil, err
	}
	out, err := l.cfg.activation.Apply(b, z)
	if err != nil || len(shape) <= 2 {
		return out, err
	}
	shape[len(shape)-1] = l.units
	return graph.Reshape(out, shape...)
}

// PreActivation computes z = x·W + b, before the activation. It uses
// graph.Builder.Affine, which gives Jacobian graphs their fast route.
func (l *DenseLayer) PreActivation(b *graph.Builder, x *G.Node) (*G.Node, error) {
	return b.Affine(x, l.W, l.B)
}
