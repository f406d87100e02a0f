package layers

import (
	"fmt"
	"math"
	"slices"

	G "gorgonia.org/gorgonia"

	"github.com/golem-ml/golem/graph"
	"github.com/golem-ml/golem/internal/graphrt"
)

// NormOption configures LayerNormalization and BatchNormalization.
type NormOption interface{ applyNorm(*normConfig) }

type normConfig struct {
	given    []string
	epsilon  float64
	momentum float64
}

type normOptionFunc struct {
	name string
	f    func(*normConfig)
}

func (o normOptionFunc) applyNorm(c *normConfig) {
	c.given = append(c.given, o.name)
	o.f(c)
}

// Epsilon sets the small constant added to the variance before the square
// root (default 1e-3, as Keras; PyTorch's default is 1e-5).
func Epsilon(e float64) NormOption {
	return normOptionFunc{"Epsilon", func(c *normConfig) { c.epsilon = e }}
}

// Momentum sets BatchNormalization's moving-average momentum: after each
// training batch, moving ← momentum·moving + (1−momentum)·batch (default
// 0.99, as Keras; PyTorch's momentum m corresponds to 1−m here).
func Momentum(m float64) NormOption {
	return normOptionFunc{"Momentum", func(c *normConfig) { c.momentum = m }}
}

func newNormConfig(opts []NormOption) normConfig {
	c := normConfig{epsilon: 1e-3, momentum: 0.99}
	for _, o := range opts {
		if o != nil {
			o.applyNorm(&c)
		}
	}
	return c
}

func (c *normConfig) check(layer string, allowed ...string) error {
	for _, g := range c.given {
		if !slices.Contains(allowed, g) {
			return fmt.Errorf("%s does not take the %s option", layer, g)
		}
	}
	if !(c.epsilon > 0) {
		return fmt.Errorf("%s needs a positive epsilon, got %v", layer, c.epsilon)
	}
	if !(c.momentum >= 0 && c.momentum <= 1) {
		return fmt.Errorf("%s needs a momentum in [0, 1], got %v", layer, c.momentum)
	}
	return nil
}

// LayerNormLayer normalizes each sample over its last axis (channels-last):
// for every position, y = (x − mean)/√(var + ε)·γ + β with the mean and the
// biased variance taken over the last axis, and γ, β of the last axis's
// size. It behaves the same in every mode, and rows stay independent, so
// Levenberg–Marquardt and per-sample Jacobians see it as any other layer
// (γ and β take the tile route in Jacobian graphs).
type LayerNormLayer struct {
	cfg         normConfig
	Gamma, Beta *graph.Param
}

// LayerNormalization returns a layer normalization over the last axis, as
// Keras's LayerNormalization(axis=-1) and PyTorch's LayerNorm(C). Options:
// Epsilon (default 1e-3).
func LayerNormalization(opts ...NormOption) *LayerNormLayer {
	return &LayerNormLayer{cfg: newNormConfig(opts)}
}

// Kind is "layernorm".
func (l *LayerNormLayer) Kind() string { return "layernorm" }

// String describes the configuration, e.g. "LayerNormalization(epsilon=0.001)".
func (l *LayerNormLayer) String() string {
	return fmt.Sprintf("LayerNormalization(epsilon=%g)", l.cfg.epsilon)
}

// Build declares gamma (ones) and beta (zeros), sized like the last axis.
func (l *LayerNormLayer) Build(s *graph.Scope, in Shape) (Shape, error) {
	if err := l.cfg.check("LayerNormalization", "Epsilon"); err != nil {
		return nil, err
	}
	if err := checkChannels("LayerNormalization", in); err != nil {
		return nil, err
	}
	c := in[len(in)-1]
	var err error
	if l.Gamma, err = s.Param("gamma", []int{c}, graph.Constant(1), 0, 0); err != nil {
		return nil, err
	}
	if l.Beta, err = s.Param("beta", []int{c}, graph.Zeros(), 0, 0); err != nil {
		return nil, err
	}
	return in, nil
}

// Forward normalizes x (batch, ..., C) over its last axis.
func (l *LayerNormLayer) Forward(b *graph.Builder, x *G.Node) (out *G.Node, err error) {
	if l.Gamma == nil {
		return nil, fmt.Errorf("LayerNormalization: Forward before Build")
	}
	err = graphrt.Catch(func() error {
		last := x.Dims() - 1
		c := float64(x.Shape()[last])
		keep := x.Shape().Clone()
		keep[last] = 1
		mean, err := G.Sum(x, last)
		if err != nil {
			return err
		}
		if mean, err = graph.Div(mean, G.NewConstant(c)); err != nil {
			return err
		}
		if mean, err = graph.Reshape(mean, keep...); err != nil {
			return err
		}
		d, err := graph.Sub(x, mean)
		if err != nil {
			return err
		}
		sq, err := G.Square(d)
		if err != nil {
			return err
		}
		v, err := G.Sum(sq, last)
		if err != nil {
			return err
		}
		if v, err = graph.Div(v, G.NewConstant(c)); err != nil {
			return err
		}
		out, err = standardize(b, d, v, l.cfg.epsilon, keep, l.Gamma, l.Beta)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("LayerNormalization on %v: %w", x.Shape(), err)
	}
	return out, nil
}

// standardize returns γ·d/√(v+ε) + β along the last axis, for centred
// values d and variances v; shape, when not nil, is the shape v is
// reshaped to before it divides d (LayerNormalization's per-row
// variances).
func standardize(b *graph.Builder, d, v *G.Node, eps float64, shape []int, gamma, beta *graph.Param) (*G.Node, error) {
	v, err := graph.Add(v, G.NewConstant(eps))
	if err != nil {
		return nil, err
	}
	inv, err := graph.Apply(invSqrt{}, v)
	if err != nil {
		return nil, err
	}
	if shape != nil {
		if inv, err = graph.Reshape(inv, shape...); err != nil {
			return nil, err
		}
	}
	xhat, err := graph.Mul(d, inv)
	if err != nil {
		return nil, err
	}
	return affineChannels(b, xhat, gamma, beta)
}

// checkChannels requires samples with a positive last axis.
func checkChannels(layer string, in Shape) error {
	if len(in) == 0 || in[len(in)-1] <= 0 {
		return fmt.Errorf("%s needs samples with a last (channel) axis, got input shape %v", layer, in)
	}
	return nil
}

// channelParam returns p's node shaped to broadcast against x
// (batch, ..., C) along the last axis: (C) as it is, or, when the builder
// tiled p per row (batch, C), reshaped to (batch, 1, ..., 1, C).
func channelParam(b *graph.Builder, p *graph.Param, x *G.Node) (*G.Node, error) {
	n := b.Param(p)
	if n.Dims() == 1 || n.Dims() == x.Dims() {
		return n, nil
	}
	shape := make([]int, x.Dims())
	for i := range shape {
		shape[i] = 1
	}
	shape[0] = n.Shape()[0]
	shape[len(shape)-1] = n.Shape()[n.Dims()-1]
	return graph.Reshape(n, shape...)
}

// affineChannels returns xhat·γ + β along the last axis.
func affineChannels(b *graph.Builder, xhat *G.Node, gamma, beta *graph.Param) (*G.Node, error) {
	g, err := channelParam(b, gamma, xhat)
	if err != nil {
		return nil, err
	}
	y, err := graph.Mul(xhat, g)
	if err != nil {
		return nil, err
	}
	bt, err := channelParam(b, beta, xhat)
	if err != nil {
		return nil, err
	}
	return graph.Add(y, bt)
}

// BatchNormLayer is Keras's BatchNormalization over the last axis
// (channels-last): y = (x − μ)/√(σ² + ε)·γ + β per channel, with γ and β
// trained (they are in θ) and the moving mean and variance kept as
// non-trainable state (graph.Scope.State, outside θ; initialized to 0 and 1).
//
// In a training-mode graph (graph.Builder.Training: the graph of a
// first-order optimizer) μ and σ² are the mean and the biased variance of
// the batch over every axis but the last, counting only real rows (the
// builder's RowMask: padding rows do not count), and each run updates the
// moving statistics, moving ← momentum·moving + (1−momentum)·batch. The
// variance used for the moving variance is the biased one, as Keras
// (PyTorch's running_var uses the unbiased variance instead). The gradient
// flows through the batch statistics, as in both frameworks.
//
// In every other graph (inference, Evaluate, Levenberg–Marquardt and every
// Jacobian graph) μ and σ² are the moving statistics, so the layer is a
// fixed per-channel affine map of each row and rows stay independent.
//
// What Levenberg–Marquardt does with batch statistics: it never uses them.
// LM needs a deterministic objective, a sum of per-sample residuals, both
// to build its per-sample Jacobian and to accept or reject a step by
// comparing losses; batch statistics would couple the samples and change
// with the batch. So under LM the layer normalizes by the moving statistics
// as they are (LM runs no training-mode graph, so they do not move), and LM
// trains γ and β — the per-channel scale and shift — with them fixed.
type BatchNormLayer struct {
	cfg                   normConfig
	Gamma, Beta           *graph.Param
	MovingMean, MovingVar *graph.Param // state, not in θ
}

// BatchNormalization returns a batch normalization over the last axis with
// Keras's defaults. Options: Epsilon (default 1e-3), Momentum (default 0.99).
func BatchNormalization(opts ...NormOption) *BatchNormLayer {
	return &BatchNormLayer{cfg: newNormConfig(opts)}
}

// Kind is "batchnorm".
func (l *BatchNormLayer) Kind() string { return "batchnorm" }

// String describes the configuration, e.g.
// "BatchNormalization(momentum=0.99, epsilon=0.001)".
func (l *BatchNormLayer) String() string {
	return fmt.Sprintf("BatchNormalization(momentum=%g, epsilon=%g)", l.cfg.momentum, l.cfg.epsilon)
}

// Build declares gamma (ones), beta (zeros) and the state moving_mean
// (zeros) and moving_variance (ones), sized like the last axis.
func (l *BatchNormLayer) Build(s *graph.Scope, in Shape) (Shape, error) {
	if err := l.cfg.check("BatchNormalization", "Epsilon", "Momentum"); err != nil {
		return nil, err
	}
	if err := checkChannels("BatchNormalization", in); err != nil {
		return nil, err
	}
	c := []int{in[len(in)-1]}
	var err error
	if l.Gamma, err = s.Param("gamma", c, graph.Constant(1), 0, 0); err != nil {
		return nil, err
	}
	if l.Beta, err = s.Param("beta", c, graph.Zeros(), 0, 0); err != nil {
		return nil, err
	}
	if l.MovingMean, err = s.State("moving_mean", c, graph.Zeros()); err != nil {
		return nil, err
	}
	if l.MovingVar, err = s.State("moving_variance", c, graph.Constant(1)); err != nil {
		return nil, err
	}
	return in, nil
}

// Forward normalizes x (batch, ..., C): by the batch statistics in a
// training-mode graph, by the moving statistics otherwise.
func (l *BatchNormLayer) Forward(b *graph.Builder, x *G.Node) (out *G.Node, err error) {
	if l.Gamma == nil {
		return nil, fmt.Errorf("BatchNormalization: Forward before Build")
	}
	err = graphrt.Catch(func() error {
		var d, v *G.Node
		var err error
		if b.Training() {
			var mean *G.Node
			if mean, v, d, err = maskedMoments(b, x); err != nil {
				return err
			}
			b.UpdateState(l.MovingMean, mean, l.cfg.momentum)
			b.UpdateState(l.MovingVar, v, l.cfg.momentum)
		} else {
			v = b.State(l.MovingVar)
			if d, err = graph.Sub(x, b.State(l.MovingMean)); err != nil {
				return err
			}
		}
		out, err = standardize(b, d, v, l.cfg.epsilon, nil, l.Gamma, l.Beta)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("BatchNormalization on %v: %w", x.Shape(), err)
	}
	return out, nil
}

// maskedMoments returns the per-channel mean and biased variance (each of
// shape (C)) of x (batch, ..., C) over every axis but the last, counting
// only the rows the builder's row mask marks as real, and d = x − mean.
func maskedMoments(b *graph.Builder, x *G.Node) (mean, v, d *G.Node, err error) {
	shape := x.Shape()
	rows, c := shape[0], shape[len(shape)-1]
	per := shape.TotalSize() / (rows * c) // positions per sample
	mshape := make([]int, len(shape))
	for i := range mshape {
		mshape[i] = 1
	}
	mshape[0] = rows
	mask, err := graph.Reshape(b.RowMask(), mshape...)
	if err != nil {
		return nil, nil, nil, err
	}
	count, err := G.Sum(b.RowMask())
	if err != nil {
		return nil, nil, nil, err
	}
	if per != 1 {
		if count, err = G.HadamardProd(count, G.NewConstant(float64(per))); err != nil {
			return nil, nil, nil, err
		}
	}
	sum := func(n *G.Node) (*G.Node, error) {
		m, err := graph.Mul(n, mask)
		if err != nil {
			return nil, err
		}
		if m, err = graph.Reshape(m, rows*per, c); err != nil {
			return nil, err
		}
		s, err := G.Sum(m, 0)
		if err != nil {
			return nil, err
		}
		return graph.Div(s, count)
	}
	if mean, err = sum(x); err != nil {
		return nil, nil, nil, err
	}
	if d, err = graph.Sub(x, mean); err != nil {
		return nil, nil, nil, err
	}
	sq, err := G.Square(d)
	if err != nil {
		return nil, nil, nil, err
	}
	if v, err = sum(sq); err != nil {
		return nil, nil, nil, err
	}
	return mean, v, d, nil
}

// invSqrt is 1/√v. Gorgonia v0.9.18's InverseSqrt backpropagates a wrong
// gradient (TestInvSqrtGradient shows it), so the norm layers use this.
type invSqrt struct{}

func (invSqrt) String() string                         { return "invSqrt" }
func (invSqrt) Eval(v float64) float64                 { return 1 / math.Sqrt(v) }
func (invSqrt) Derivative() (graph.Elementwise, error) { return invSqrtDeriv{}, nil }

// invSqrtDeriv is d/dv 1/√v = −½·v^(−3/2).
type invSqrtDeriv struct{}

func (invSqrtDeriv) String() string         { return "invSqrt'" }
func (invSqrtDeriv) Eval(v float64) float64 { return -0.5 / (v * math.Sqrt(v)) }
func (invSqrtDeriv) Derivative() (graph.Elementwise, error) {
	return nil, fmt.Errorf("invSqrt has no second derivative")
}
