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
	"sync"
	"sync/atomic"

	"golem/graph"
	"golem/internal/jac"
	"golem/layers"
	"golem/losses"
	"golem/optim"
)

// Sequential is a model made of layers applied one after another.
//
// Predict, Evaluate and Save are safe for concurrent use by several
// goroutines, and give the same bits as serial calls. Fit, Compile, Load and
// CheckJacobian take the model for themselves: one of them started while
// another runs returns ErrBusy. While Fit trains, Predict and Evaluate from
// other goroutines (or from callbacks) see the weights between two optimizer
// steps.
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

	nets *netCache
	jac  *jac.Engine // built on first use by Levenberg–Marquardt

	inScale, outScale *scaler // nil without scaling; fitted at the first Fit or by Load

	busy atomic.Bool  // a Fit, Compile, Load or CheckJacobian is running
	rw   sync.RWMutex // readers: Predict, Evaluate, Save; writers: changes of θ, scalers or compiled state
}

// ErrBusy is returned by Fit, Compile, Load and CheckJacobian when another
// of them is already running on the same model.
var ErrBusy = errors.New("golem: the model is busy: another Fit, Compile, Load or CheckJacobian is running on it")

// acquire takes the model for an exclusive operation (Fit, Compile, Load,
// CheckJacobian); release gives it back.
func (m *Sequential) acquire() error {
	if !m.busy.CompareAndSwap(false, true) {
		return ErrBusy
	}
	return nil
}

func (m *Sequential) release() { m.busy.Store(false) }

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
	// inputsSet and targetsSet record an explicit ScaleInputs or
	// ScaleTargets, which overrides an optimizer's optim.ScaledData.
	inputsSet, targetsSet bool
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
// as Keras does; a shape error names the layer and the shapes. Compile then
// runs the model once on a small batch, so a layer that cannot build its
// graph or run fails here rather than in Fit. A new input shape rebuilds
// the layers with fresh weights and unfitted scalers. A rejected Compile
// leaves the model exactly as it was.
func (m *Sequential) Compile(in layers.Shape, loss losses.Loss, opt optim.Optimizer, opts ...CompileOption) error {
	if err := m.acquire(); err != nil {
		return err
	}
	defer m.release()
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
	if v, ok := opt.(optim.Validator); ok {
		if err := v.Validate(); err != nil {
			return fmt.Errorf("golem: %w", err)
		}
	}
	if leastSquaresOnly(opt) {
		if _, ok := loss.(losses.Residual); !ok {
			return fmt.Errorf("golem: the optimizer needs a loss with a residual (least-squares) form, and %s has none; use MSE, SSE or a cross-entropy", loss.Name())
		}
	}
	if sd, ok := opt.(optim.ScaledData); ok && sd.WantsScaledData() {
		if !cfg.inputsSet {
			cfg.inputs = MinMax
		}
		if !cfg.targetsSet && regressionLoss(loss) {
			cfg.targets = MinMax
		}
	}
	if cfg.targets != NoScaling && !regressionLoss(loss) {
		return fmt.Errorf("golem: target scaling applies to regression losses (mse, sse, mae), not %s", loss.Name())
	}
	rebuild := m.params == nil || !graph.SameShape(m.input, in)
	oldIn, oldOut := m.inScale, m.outScale
	if rebuild { // new weights: what the scalers learnt belongs to the old ones
		oldIn, oldOut = nil, nil
	}
	inScale, err := keepScaler("inputs", oldIn, cfg.inputs)
	if err != nil {
		return err
	}
	outScale, err := keepScaler("targets", oldOut, cfg.targets)
	if err != nil {
		return err
	}
	if err := m.checkOwnership(opt); err != nil {
		return err
	}

	m.rw.Lock()
	defer m.rw.Unlock()
	old := m.snapshot()
	if rebuild {
		if err := m.build(in, cfg.seed); err != nil {
			m.restore(old)
			return err
		}
	}
	m.loss, m.opt, m.metrics = loss, opt, cfg.metrics
	m.inScale, m.outScale = inScale, outScale
	m.nets, m.jac = newNetCache(), nil
	if err := m.probe(); err != nil {
		m.restore(old)
		return fmt.Errorf("golem: Compile: running the model on a small batch: %w", err)
	}
	if old.opt != opt {
		m.disown(old.opt)
	}
	m.claim()
	return nil
}

// regressionLoss reports whether targets of loss can be scaled.
func regressionLoss(l losses.Loss) bool {
	switch l.Name() {
	case "mse", "sse", "mae":
		return true
	}
	return false
}

// probeRows is the batch Compile runs the model on.
const probeRows = 2

// probe builds and runs the graphs training will use, on a small batch of
// zero inputs and zero targets (valid for every loss), so that a layer that
// fails to build or run is caught at Compile.
func (m *Sequential) probe() error {
	n, err := m.nets.get(m, probeRows, !leastSquaresOnly(m.opt))
	if err != nil {
		return err
	}
	defer m.nets.put(n)
	d := &dataset{n: probeRows, xCols: m.input.Size(), x: make([]float64, probeRows*m.input.Size())}
	if n.y != nil {
		d.yCols = n.y.Shape[1]
		d.y = make([]float64, probeRows*d.yCols)
	}
	n.bind(d, nil, 0, probeRows, 1)
	if err := n.run(); err != nil {
		return err
	}
	if wp, ok := m.opt.(optim.WeightPrior); ok && wp.RegularizesWeights() {
		if pen := m.params.Penalized(); len(pen) > 0 {
			return fmt.Errorf("parameter %s has a penalty (%v), but the optimizer sets its own weight penalty: remove the layer regularizers", pen[0].Name, pen[0].Penalty)
		}
	}
	if leastSquaresOnly(m.opt) {
		for _, p := range m.params.Penalized() {
			if p.Penalty.L1 > 0 {
				return fmt.Errorf("parameter %s has an L1 penalty, which has no least-squares form: use L2 with this optimizer, or a first-order optimizer", p.Name)
			}
		}
		if _, err := m.jacobianSpec(); err != nil {
			return err
		}
	}
	return nil
}

// modelState is everything Compile and Load may change, so that a rejected
// call can put it back.
type modelState struct {
	names             []string
	input, output     layers.Shape
	shapes            []layers.Shape
	params            *graph.Params
	loss              losses.Loss
	opt               optim.Optimizer
	metrics           []losses.Metric
	nets              *netCache
	jac               *jac.Engine
	inScale, outScale *scaler
	theta             []float64 // a copy of θ, for a rebuild of the layers
}

func (m *Sequential) snapshot() modelState {
	s := modelState{names: m.names, input: m.input, output: m.output, shapes: m.shapes, params: m.params,
		loss: m.loss, opt: m.opt, metrics: m.metrics, nets: m.nets, jac: m.jac, inScale: m.inScale, outScale: m.outScale}
	if m.params != nil {
		s.theta = append([]float64(nil), m.params.Theta()...)
	}
	return s
}

// restore puts back a snapshot. The layers keep what their last Build
// declared, so when the parameters were rebuilt they are built again on the
// old input shape (giving the same layout) and given the old values of θ.
func (m *Sequential) restore(s modelState) {
	rebuilt := m.params != s.params
	m.names, m.input, m.output, m.shapes, m.params = s.names, s.input, s.output, s.shapes, s.params
	m.loss, m.opt, m.metrics, m.nets, m.jac, m.inScale, m.outScale = s.loss, s.opt, s.metrics, s.nets, s.jac, s.inScale, s.outScale
	if !rebuilt || s.params == nil {
		return
	}
	if err := m.build(s.input, 1); err != nil || m.params.Len() != len(s.theta) {
		// Cannot happen: the same layers built on the same shape before.
		panic(fmt.Sprintf("golem: restoring the model after a failed Compile: %v", err))
	}
	copy(m.params.Theta(), s.theta)
	m.nets, m.jac = newNetCache(), nil
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
		return nil, fmt.Errorf("golem: the model's output must be a vector per sample, got %v; end with layers.Flatten", shape)
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

// setWeights replaces θ, excluding concurrent readers.
func (m *Sequential) setWeights(theta []float64) {
	m.rw.Lock()
	copy(m.params.Theta(), theta)
	m.rw.Unlock()
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
