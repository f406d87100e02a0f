// Package golem defines models as Gorgonia expression graphs and trains them
// with Levenberg–Marquardt or first-order optimizers through a Keras-like
// Compile / Fit / Evaluate / Predict loop.
//
// Data are gonum matrices: x is N × features, y is N × targets, one sample
// per row. FromRows and FromTensor convert [][]float64 and tensor.Tensor.
package golem

import (
	"errors"
	"fmt"
	"strings"

	"golem/graph"
	"golem/internal/jac"
	"golem/layers"
	"golem/losses"
	"golem/optim"
)

// Sequential is a model made of layers applied one after another.
type Sequential struct {
	layers []layers.Layer
	names  []string
	input  layers.Shape
	output layers.Shape
	shapes []layers.Shape // output shape of each layer
	params *graph.Params

	loss    losses.Loss
	opt     optim.Optimizer
	metrics []losses.Metric

	nets map[netKey]*net
	jac  *jac.Engine // built on first use by Levenberg–Marquardt

	inScale, outScale *scaler // nil without scaling; fitted at the first Fit or by Load
}

// NewSequential returns a model of the given layers in order.
func NewSequential(ls ...layers.Layer) *Sequential {
	return &Sequential{layers: ls}
}

// Input is the shape of one input sample: Input(8) for 8 features.
func Input(dims ...int) layers.Shape { return layers.Shape(dims) }

// CompileOption adjusts Compile.
type CompileOption func(*compileConfig)

type compileConfig struct {
	metrics []losses.Metric
	seed    uint64
	inputs  Scaling
	targets Scaling
}

// WithMetrics adds metrics reported by Fit's History and by Evaluate.
func WithMetrics(ms ...losses.Metric) CompileOption {
	return func(c *compileConfig) { c.metrics = append(c.metrics, ms...) }
}

// WithSeed sets the seed of the weight initializers (default 1): the same
// seed gives bit-identical initial weights.
func WithSeed(seed uint64) CompileOption {
	return func(c *compileConfig) { c.seed = seed }
}

// ErrNotCompiled is returned by methods that need a compiled model.
var ErrNotCompiled = errors.New("golem: the model is not compiled; call Compile first")

// Compile builds the layers for input samples of shape in, initializes the
// weights (seeded, see WithSeed) and sets the loss and optimizer. Compiling
// again with the same input shape keeps the weights (and loaded weights),
// as Keras does; a shape error names the layer and the shapes.
func (m *Sequential) Compile(in layers.Shape, loss losses.Loss, opt optim.Optimizer, opts ...CompileOption) error {
	cfg := compileConfig{seed: 1}
	for _, o := range opts {
		o(&cfg)
	}
	if loss == nil {
		return errors.New("golem: Compile needs a loss")
	}
	if opt == nil {
		return errors.New("golem: Compile needs an optimizer")
	}
	if v, ok := opt.(interface{ Validate() error }); ok {
		if err := v.Validate(); err != nil {
			return fmt.Errorf("golem: %w", err)
		}
	}
	if ls, ok := opt.(interface{ NeedsLeastSquares() bool }); ok && ls.NeedsLeastSquares() {
		if _, ok := loss.(losses.Residual); !ok {
			return fmt.Errorf("golem: the optimizer needs a loss with a residual (least-squares) form, and %s has none; use MSE, SSE or a cross-entropy", loss.Name())
		}
	}
	if m.params == nil || !graph.SameShape(m.input, in) {
		if err := m.build(in, cfg.seed); err != nil {
			return err
		}
	}
	if cfg.targets != NoScaling {
		switch loss.Name() {
		case "mse", "sse", "mae":
		default:
			return fmt.Errorf("golem: target scaling applies to regression losses (mse, sse, mae), not %s", loss.Name())
		}
	}
	var err error
	if m.inScale, err = keepScaler("inputs", m.inScale, cfg.inputs); err != nil {
		return err
	}
	if m.outScale, err = keepScaler("targets", m.outScale, cfg.targets); err != nil {
		return err
	}
	m.loss, m.opt, m.metrics = loss, opt, cfg.metrics
	m.nets = map[netKey]*net{}
	m.jac = nil
	return nil
}

// keepScaler keeps a scaler of the requested kind (and what it has learnt
// from a Fit or Load) or makes a new one. Dropping or changing a fitted
// scaler would silently change what the weights mean, so it is an error.
func keepScaler(what string, old *scaler, kind Scaling) (*scaler, error) {
	switch {
	case old.fitted() && old.Kind != kind:
		return nil, fmt.Errorf("golem: the model's %s are scaled (%v, learnt by Fit or Load); compile with the same scaling", what, old.Kind)
	case kind == NoScaling:
		return nil, nil
	case old != nil && old.Kind == kind:
		return old, nil
	}
	return &scaler{Kind: kind}, nil
}

// build builds every layer from the input shape and initializes θ.
func (m *Sequential) build(in layers.Shape, seed uint64) error {
	l, err := m.declare(in)
	if err != nil {
		return err
	}
	if err := initWeights(l.params, seed); err != nil {
		return err
	}
	m.setLayout(l)
	return nil
}

// layout is what building the layers for one input shape produces.
type layout struct {
	input, output layers.Shape
	names         []string
	shapes        []layers.Shape
	params        *graph.Params // declared; θ is not allocated yet
}

// declare builds every layer from the input shape, declaring the
// parameters without allocating θ: Load checks the layout against a file
// before allocating anything. The layers' Build methods are called.
func (m *Sequential) declare(in layers.Shape) (*layout, error) {
	if len(m.layers) == 0 {
		return nil, errors.New("golem: the model has no layers")
	}
	if len(in) == 0 || in.Size() <= 0 {
		return nil, fmt.Errorf("golem: invalid input shape %v", in)
	}
	params := graph.NewParams()
	counts := map[string]int{}
	names := make([]string, len(m.layers))
	shapes := make([]layers.Shape, len(m.layers))
	shape := in
	for i, l := range m.layers {
		if l == nil {
			return nil, fmt.Errorf("golem: layer %d is nil", i+1)
		}
		counts[l.Kind()]++
		names[i] = fmt.Sprintf("%s_%d", l.Kind(), counts[l.Kind()])
		out, err := l.Build(graph.NewScope(params, names[i]), shape)
		if err != nil {
			return nil, fmt.Errorf("golem: building layer %s (%s) on input %v: %w", names[i], describe(l), shape, err)
		}
		shape = out
		shapes[i] = out
	}
	if len(shape) != 1 {
		return nil, fmt.Errorf("golem: the model's output must be a vector per sample, got %v", shape)
	}
	return &layout{input: append(layers.Shape(nil), in...), output: shape, names: names, shapes: shapes, params: params}, nil
}

// setLayout makes l (with θ allocated) the model's layout.
func (m *Sequential) setLayout(l *layout) {
	m.input, m.output, m.names, m.shapes, m.params = l.input, l.output, l.names, l.shapes, l.params
}

// initWeights runs the initializers, turning a panic in one (a wrong
// graph.Values count, a custom initializer's bug) into an error.
func initWeights(ps *graph.Params, seed uint64) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("golem: initializing the weights: %v", r)
		}
	}()
	ps.Init(seed)
	return nil
}

// Params returns the model's parameters (nil before Compile or Load).
func (m *Sequential) Params() *graph.Params { return m.params }

// Layers returns the layers with the names they were given at Compile.
func (m *Sequential) Layers() (ls []layers.Layer, names []string) { return m.layers, m.names }

// InputShape is the shape of one input sample (nil before Compile).
func (m *Sequential) InputShape() layers.Shape { return m.input }

// Outputs is the number of model outputs per sample.
func (m *Sequential) Outputs() int {
	if len(m.output) == 0 {
		return 0
	}
	return m.output[0]
}

// Summary describes the layers, output shapes and parameter counts, as
// Keras's model.summary.
func (m *Sequential) Summary() string {
	if m.params == nil {
		return "golem.Sequential (not built)\n"
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%-12s %-28s %-14s %s\n", "Layer", "Type", "Output shape", "Params")
	counts := map[string]int{}
	for _, p := range m.params.List() {
		counts[strings.SplitN(p.Name, "/", 2)[0]] += p.Size()
	}
	for i, l := range m.layers {
		fmt.Fprintf(&b, "%-12s %-28s %-14s %d\n", m.names[i], describe(l), m.shapes[i], counts[m.names[i]])
	}
	fmt.Fprintf(&b, "Input %v, %d parameters\n", m.input, m.params.Len())
	return b.String()
}

func describe(l layers.Layer) string {
	if s, ok := l.(fmt.Stringer); ok {
		return s.String()
	}
	return l.Kind()
}
