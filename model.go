package golem

import (
	"errors"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/golem-ml/golem/graph"
	"github.com/golem-ml/golem/internal/graphrt"
	"github.com/golem-ml/golem/internal/jac"
	"github.com/golem-ml/golem/layers"
	"github.com/golem-ml/golem/losses"
	"github.com/golem-ml/golem/optim"
)

// Model is a model of layers: a stack of layers applied one after another
// (NewSequential), or a functional graph of layers called on nodes, with
// any number of inputs and outputs (NewModel).
//
// Predict, Evaluate and Save are safe for concurrent use by several
// goroutines, and give the same bits as serial calls. Fit, Compile, Load,
// CheckJacobian and JacobianRoutes take the model for themselves: one of
// them started while another runs returns ErrBusy. While Fit trains, Predict and Evaluate from
// other goroutines (or from callbacks) see the weights between two optimizer
// steps.
type Model struct {
	layers []layers.Layer // distinct layer values, in order of first call
	names  []string       // per layer value
	input  layers.Shape   // the shape of x's rows (several inputs: their total size)
	output layers.Shape   // Outputs(), as a shape
	shapes []layers.Shape // output shape of each call
	params *graph.Params

	// A functional model's graph as given to NewModel, and its order.
	graphIn, graphOut []*Node
	topo0             topology
	graphErr          error

	topo         topology // the built model's calls
	outputWidths []int    // features of each model output

	loss    losses.Loss
	opt     optim.Optimizer
	metrics []losses.Metric
	// file is what a Load into an uncompiled model gave it: the loss and
	// metrics (in loss and metrics, or why they could not be rebuilt) and
	// the file's records of them, which Save writes back. Compile clears it.
	file fileLoss

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
func (m *Model) acquire() error {
	if !m.busy.CompareAndSwap(false, true) {
		return ErrBusy
	}
	return nil
}

func (m *Model) release() { m.busy.Store(false) }

// Sequential is a Model made by NewSequential: the name golem's models
// have always had.
type Sequential = Model

// NewSequential returns a model of the given layers in order. A layer
// value may appear once; to share a layer's weights between two places,
// build a functional model (NewModel) and Call the layer twice.
func NewSequential(ls ...layers.Layer) *Model {
	return &Model{layers: ls}
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

// WithMetrics adds metrics reported by Fit's History and by Evaluate,
// keyed by their names (which must differ). Losses with a metric reading
// (losses.MSE, SSE, MAE) are metrics too: WithMetrics(losses.MSE()).
// Metrics are computed in the targets' own units, so with target scaling
// the metric "mse" differs from the loss "mse", which is on the scaled
// targets.
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
func (m *Model) Compile(in layers.Shape, loss losses.Loss, opt optim.Optimizer, opts ...CompileOption) error {
	if err := m.acquire(); err != nil {
		return err
	}
	defer m.release()
	if m.isFunctional() && in == nil && m.graphErr == nil {
		in = flatInput(m.topo0.inputs) // a functional model's inputs declare their shapes
	}
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
		if po, ok := loss.(*PerOutputLoss); ok && !po.hasResiduals() {
			return fmt.Errorf("golem: the optimizer needs a loss with a residual (least-squares) form, and a part of %s has none; use MSE, SSE or a cross-entropy", loss.Name())
		}
		if _, ok := loss.(losses.Residual); !ok {
			return fmt.Errorf("golem: the optimizer needs a loss with a residual (least-squares) form, and %s has none; use MSE, SSE or a cross-entropy", loss.Name())
		}
	}
	indices := m.takesIndices()
	if sd, ok := opt.(optim.ScaledData); ok && sd.WantsScaledData() {
		if !cfg.inputsSet && !indices {
			cfg.inputs = MinMax
		}
		if !cfg.targetsSet && regressionLoss(loss) {
			cfg.targets = MinMax
		}
	}
	if cfg.targets != NoScaling && !regressionLoss(loss) {
		return fmt.Errorf("golem: target scaling applies to regression losses (mse, sse, mae), not %s", loss.Name())
	}
	if cfg.inputs != NoScaling && indices {
		return fmt.Errorf("golem: the model's inputs include indices (an Embedding layer), which %v scaling would change; compile without input scaling", cfg.inputs)
	}
	rebuild := m.params == nil || !graphrt.SameShape(m.input, in)
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
	if err := m.bindLoss(&loss, cfg.metrics); err != nil {
		m.restore(old)
		return err
	}
	m.loss, m.opt, m.metrics, m.file = loss, opt, cfg.metrics, fileLoss{}
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

// takesIndices reports whether a layer reads indices from the inputs (see
// layers.IndexInput).
func (m *Model) takesIndices() bool {
	for _, l := range m.layers {
		if ix, ok := l.(layers.IndexInput); ok && ix.TakesIndices() {
			return true
		}
	}
	return false
}

// bindLoss checks the loss against the model's outputs: a model with
// several outputs needs a PerOutput loss (bound here to the outputs'
// widths, in a copy) and takes no metrics.
func (m *Model) bindLoss(loss *losses.Loss, metrics []losses.Metric) error {
	po, ok := (*loss).(*PerOutputLoss)
	switch {
	case ok:
		bound, err := po.bind(m.outputWidths)
		if err != nil {
			return err
		}
		*loss = bound
	case len(m.outputWidths) > 1:
		return fmt.Errorf("golem: the model has %d outputs: give each its loss with golem.PerOutput", len(m.outputWidths))
	}
	if len(m.outputWidths) > 1 && len(metrics) > 0 {
		return fmt.Errorf("golem: metrics are not supported for a model with %d outputs; evaluate each output from Predict and SplitOutputs", len(m.outputWidths))
	}
	seen := map[string]int{}
	for i, mt := range metrics {
		if mt == nil {
			return fmt.Errorf("golem: metric %d is nil", i+1)
		}
		if j, dup := seen[mt.Name()]; dup {
			return fmt.Errorf("golem: metrics %d and %d are both named %q, which History and Evaluate key by name; give each metric once", j+1, i+1, mt.Name())
		}
		seen[mt.Name()] = i
	}
	return nil
}

// regressionLoss reports whether targets of loss can be scaled.
func regressionLoss(l losses.Loss) bool {
	if po, ok := l.(*PerOutputLoss); ok {
		for _, p := range po.parts {
			if p.Loss == nil || !regressionLoss(p.Loss) {
				return false
			}
		}
		return len(po.parts) > 0
	}
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
func (m *Model) probe() error {
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
		spec, err := m.jacobianSpec()
		if err != nil {
			return err
		}
		// The engine Fit will use (it builds its graphs on first use), so
		// the one-row graph that sized the residuals is not built again.
		if m.jac, err = jac.New(spec, jac.Config{}); err != nil {
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
	file              fileLoss
	nets              *netCache
	jac               *jac.Engine
	inScale, outScale *scaler
	theta             []float64 // a copy of θ, for a rebuild of the layers
	outputWidths      []int
	topo              topology
}

func (m *Model) snapshot() modelState {
	s := modelState{names: m.names, input: m.input, output: m.output, shapes: m.shapes, params: m.params,
		loss: m.loss, opt: m.opt, metrics: m.metrics, file: m.file, nets: m.nets, jac: m.jac, inScale: m.inScale, outScale: m.outScale,
		outputWidths: m.outputWidths, topo: m.topo}
	if m.params != nil {
		s.theta = m.appendWeights(nil)
	}
	return s
}

// restore puts back a snapshot. The layers keep what their last Build
// declared, so when the parameters were rebuilt they are built again on the
// old input shape (giving the same layout) and given the old values of θ.
func (m *Model) restore(s modelState) {
	rebuilt := m.params != s.params
	m.names, m.input, m.output, m.shapes, m.params = s.names, s.input, s.output, s.shapes, s.params
	m.outputWidths, m.topo = s.outputWidths, s.topo
	m.loss, m.opt, m.metrics, m.file, m.nets, m.jac, m.inScale, m.outScale = s.loss, s.opt, s.metrics, s.file, s.nets, s.jac, s.inScale, s.outScale
	if !rebuilt || s.params == nil {
		return
	}
	if err := m.build(s.input, 1); err != nil || m.params.Len()+m.params.StateLen() != len(s.theta) {
		// Cannot happen: the same layers built on the same shape before.
		panic(fmt.Sprintf("golem: restoring the model after a failed Compile: %v", err))
	}
	n := copy(m.params.Theta(), s.theta)
	copy(m.params.StateValues(), s.theta[n:])
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
func (m *Model) build(in layers.Shape, seed uint64) error {
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
	names         []string       // per layer value
	shapes        []layers.Shape // output sample shape per call
	outputWidths  []int          // features of each model output
	topo          topology
	params        *graph.Params // declared; θ is not allocated yet
}

// declare builds every layer from the input shape (a functional model's
// inputs declare their own shapes: in must be nil or the same), declaring
// the parameters without allocating θ: Load checks the layout against a
// file before allocating anything. The layers' Build methods are called,
// once per layer value.
func (m *Model) declare(in layers.Shape) (*layout, error) {
	var t topology
	if m.graphIn != nil || m.graphOut != nil {
		if m.graphErr != nil {
			return nil, m.graphErr
		}
		t = m.topo0
		if in != nil && !graphrt.SameShape(in, flatInput(t.inputs)) {
			return nil, fmt.Errorf("golem: the functional model's input is %v, not %v (its inputs declare their shapes: pass nil)", flatInput(t.inputs), in)
		}
	} else {
		if len(m.layers) == 0 {
			return nil, errors.New("golem: the model has no layers")
		}
		if len(in) == 0 || in.Size() <= 0 {
			return nil, fmt.Errorf("golem: invalid input shape %v", in)
		}
		for i, l := range m.layers {
			if l == nil {
				return nil, fmt.Errorf("golem: layer %d is nil", i+1)
			}
		}
		t = sequentialTopology(m.layers, append(layers.Shape(nil), in...))
	}
	params := graph.NewParams()
	counts := map[string]int{}
	names := make([]string, len(t.units))
	for u, l := range t.units {
		if l == nil {
			return nil, fmt.Errorf("golem: layer %d is nil", u+1)
		}
		counts[l.Kind()]++
		names[u] = fmt.Sprintf("%s_%d", l.Kind(), counts[l.Kind()])
	}
	shapes := make([]layers.Shape, len(t.calls))
	built := make([][]layers.Shape, len(t.units)) // input shapes of each unit's first call
	builtOut := make([]layers.Shape, len(t.units))
	for i, c := range t.calls {
		l := t.units[c.unit]
		ins := make([]layers.Shape, len(c.from))
		for j, f := range c.from {
			if f < 0 {
				ins[j] = t.inputs[-f-1]
			} else {
				ins[j] = shapes[f]
			}
		}
		_, merge := l.(layers.Merge)
		switch {
		case merge && len(ins) < 2:
			return nil, fmt.Errorf("golem: layer %s (%s) is a merge and needs two or more inputs, got %d", names[c.unit], describe(l), len(ins))
		case !merge && len(ins) != 1:
			return nil, fmt.Errorf("golem: layer %s (%s) takes one input, got %d", names[c.unit], describe(l), len(ins))
		}
		if prev := built[c.unit]; prev != nil { // a shared layer: same shapes, same weights
			if fmt.Sprint(prev) != fmt.Sprint(ins) {
				return nil, fmt.Errorf("golem: layer %s (%s) is shared, and called on %v after %v; a shared layer needs the same input shape at every call", names[c.unit], describe(l), shapeList(ins), shapeList(prev))
			}
			shapes[i] = builtOut[c.unit]
			continue
		}
		scope := graph.NewScope(params, names[c.unit])
		var out layers.Shape
		var err error
		if mg, ok := l.(layers.Merge); ok {
			out, err = mg.BuildMerge(scope, ins)
		} else {
			out, err = l.Build(scope, ins[0])
		}
		if err != nil {
			return nil, fmt.Errorf("golem: building layer %s (%s) on input %v: %w", names[c.unit], describe(l), shapeList(ins), err)
		}
		if len(out) == 0 || out.Size() <= 0 {
			return nil, fmt.Errorf("golem: layer %s (%s) built an invalid output shape %v", names[c.unit], describe(l), out)
		}
		built[c.unit], builtOut[c.unit], shapes[i] = ins, out, out
	}
	total := 0
	var widths []int
	for k, i := range t.outputs {
		if len(shapes[i]) != 1 {
			what := "the model's output"
			if len(t.outputs) > 1 {
				what = fmt.Sprintf("output %d", k+1)
			}
			return nil, fmt.Errorf("golem: %s must be a vector per sample, got %v; end with layers.Flatten", what, shapes[i])
		}
		widths = append(widths, shapes[i][0])
		total += shapes[i][0]
	}
	return &layout{input: flatInput(t.inputs), output: layers.Shape{total}, names: names, shapes: shapes, outputWidths: widths, topo: t, params: params}, nil
}

func shapeList(ss []layers.Shape) string {
	if len(ss) == 1 {
		return ss[0].String()
	}
	parts := make([]string, len(ss))
	for i, s := range ss {
		parts[i] = s.String()
	}
	return "[" + strings.Join(parts, ", ") + "]"
}

// setLayout makes l (with θ allocated) the model's layout.
func (m *Model) setLayout(l *layout) {
	m.input, m.output, m.names, m.shapes, m.params = l.input, l.output, l.names, l.shapes, l.params
	m.outputWidths, m.topo = l.outputWidths, l.topo
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

// appendWeights appends θ and then the layers' state (BatchNormalization's
// moving statistics) to dst: what setWeights puts back.
func (m *Model) appendWeights(dst []float64) []float64 {
	dst = append(dst, m.params.Theta()...)
	return append(dst, m.params.StateValues()...)
}

// setWeights replaces θ and the state with what appendWeights gave,
// excluding concurrent readers.
func (m *Model) setWeights(w []float64) {
	m.rw.Lock()
	n := copy(m.params.Theta(), w)
	copy(m.params.StateValues(), w[n:])
	m.rw.Unlock()
}

// Params returns the model's parameters (nil before Compile or Load).
func (m *Model) Params() *graph.Params { return m.params }

// Layers returns the layers with the names they were given at Compile.
func (m *Model) Layers() (ls []layers.Layer, names []string) { return m.layers, m.names }

// InputShape is the shape of one input sample (nil before Compile).
func (m *Model) InputShape() layers.Shape { return m.input }

// Outputs is the number of model outputs per sample.
func (m *Model) Outputs() int {
	if len(m.output) == 0 {
		return 0
	}
	return m.output[0]
}

// Summary describes the layers, output shapes and parameter counts, as
// Keras's model.summary.
func (m *Model) Summary() string {
	if m.params == nil {
		return "golem model (not built)\n"
	}
	functional := m.isFunctional()
	counts := map[string]int{}
	for _, p := range m.params.List() {
		counts[strings.SplitN(p.Name, "/", 2)[0]] += p.Size()
	}
	type row struct{ name, kind, shape, params, from string }
	rows := []row{{"Layer", "Type", "Output shape", "Params", "Connected to"}}
	seen := map[int]bool{}
	for i, c := range m.topo.calls {
		r := row{name: m.names[c.unit], kind: describe(m.topo.units[c.unit]), shape: m.shapes[i].String(), params: fmt.Sprint(counts[m.names[c.unit]])}
		if seen[c.unit] {
			r.name, r.params = r.name+"*", "0"
		}
		seen[c.unit] = true
		var from []string
		for _, f := range c.from {
			if f < 0 {
				from = append(from, fmt.Sprintf("input_%d", -f))
			} else {
				from = append(from, m.names[m.topo.calls[f].unit])
			}
		}
		r.from = strings.Join(from, ", ")
		rows = append(rows, r)
	}
	// Columns at least as wide as golem has always printed them.
	wName, wKind, wShape, wParams := 12, 28, 14, 8
	for _, r := range rows {
		wName, wKind, wShape = max(wName, len(r.name)), max(wKind, len([]rune(r.kind))), max(wShape, len(r.shape))
	}
	var b strings.Builder
	for _, r := range rows {
		line := fmt.Sprintf("%-*s %-*s %-*s ", wName, r.name, wKind, r.kind, wShape, r.shape)
		if functional {
			line += fmt.Sprintf("%-*s %s", wParams, r.params, r.from)
		} else {
			line += r.params
		}
		fmt.Fprintln(&b, line)
	}
	if functional {
		var ins, outs []string
		for _, s := range m.topo.inputs {
			ins = append(ins, s.String())
		}
		for _, i := range m.topo.outputs {
			outs = append(outs, m.names[m.topo.calls[i].unit])
		}
		fmt.Fprintf(&b, "Inputs %s; outputs %s; %d parameters%s", strings.Join(ins, ", "), strings.Join(outs, ", "), m.params.Len(), stateNote(m.params))
		if len(seen) < len(m.topo.calls) {
			fmt.Fprint(&b, " (* a shared layer called again)")
		}
		fmt.Fprintln(&b)
		return b.String()
	}
	fmt.Fprintf(&b, "Input %v, %d parameters%s\n", m.input, m.params.Len(), stateNote(m.params))
	return b.String()
}

// isFunctional reports whether m was made by NewModel.
func (m *Model) isFunctional() bool { return m.graphIn != nil || m.graphOut != nil }

func describe(l layers.Layer) string {
	if s, ok := l.(fmt.Stringer); ok {
		return s.String()
	}
	return l.Kind()
}

// stateNote mentions the non-trainable state values, if any.
func stateNote(ps *graph.Params) string {
	if n := ps.StateLen(); n > 0 {
		return fmt.Sprintf(" (+%d non-trainable state values)", n)
	}
	return ""
}
