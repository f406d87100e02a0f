package timeseries

import (
	"context"
	"errors"
	"fmt"
	"slices"

	"gonum.org/v1/gonum/mat"

	"github.com/golem-ml/golem"
	"github.com/golem-ml/golem/layers"
	"github.com/golem-ml/golem/losses"
	"github.com/golem-ml/golem/optim"
)

// Kind is the architecture of a Net.
type Kind int

const (
	// KindNARX: y(t) = f(u(t−dᵢ)..., y(t−dⱼ)...), MATLAB's narxnet.
	KindNARX Kind = iota + 1
	// KindNAR: y(t) = f(y(t−dⱼ)...), MATLAB's narnet.
	KindNAR
	// KindTimeDelay: y(t) = f(u(t−dᵢ)...), MATLAB's timedelaynet.
	KindTimeDelay
	// KindLayerRecurrent: hidden layers fed back to themselves through
	// delays, MATLAB's layrecnet.
	KindLayerRecurrent
)

func (k Kind) String() string {
	switch k {
	case KindNARX:
		return "narx"
	case KindNAR:
		return "nar"
	case KindTimeDelay:
		return "timedelay"
	case KindLayerRecurrent:
		return "layrec"
	}
	return "unknown"
}

// Config describes a Net. The constructors NARX, NAR, TimeDelay and
// LayerRecurrent fill it; New takes it whole.
type Config struct {
	Kind Kind
	// InputDelays are the delays of the exogenous input u (NARX,
	// TimeDelay, LayerRecurrent); 0 is allowed (u(t) itself).
	InputDelays []int
	// FeedbackDelays are the delays of the target y fed back (NARX, NAR);
	// each ≥ 1.
	FeedbackDelays []int
	// LayerDelays are the delays of each hidden layer's feedback to itself
	// (LayerRecurrent); each ≥ 1.
	LayerDelays []int
	// Hidden are the hidden layers' sizes; default {10} (MATLAB's).
	Hidden []int
	// Activation names the hidden layers' activation (see
	// layers.ActivationNamed); default "tanh" (MATLAB's tansig). The output
	// layer is linear.
	Activation string
	// NoScaling turns off the default mapping of every input and target
	// channel onto [−1, 1] (MATLAB's mapminmax), fitted on the first Fit.
	NoScaling bool
}

// NARX is a nonlinear autoregressive network with exogenous inputs
// (MATLAB's narxnet(inputDelays, feedbackDelays, hidden)).
func NARX(inputDelays, feedbackDelays []int, hidden ...int) *Net {
	return mustNew(Config{Kind: KindNARX, InputDelays: inputDelays, FeedbackDelays: feedbackDelays, Hidden: hidden})
}

// NAR is a nonlinear autoregressive network (MATLAB's narnet).
func NAR(feedbackDelays []int, hidden ...int) *Net {
	return mustNew(Config{Kind: KindNAR, FeedbackDelays: feedbackDelays, Hidden: hidden})
}

// TimeDelay is a network of delayed inputs only (MATLAB's timedelaynet).
func TimeDelay(inputDelays []int, hidden ...int) *Net {
	return mustNew(Config{Kind: KindTimeDelay, InputDelays: inputDelays, Hidden: hidden})
}

// LayerRecurrent is a network whose hidden layers feed back to themselves
// through layerDelays (MATLAB's layrecnet(layerDelays, hidden), with the
// input u(t) and, optionally, its delays).
func LayerRecurrent(inputDelays, layerDelays []int, hidden ...int) *Net {
	return mustNew(Config{Kind: KindLayerRecurrent, InputDelays: inputDelays, LayerDelays: layerDelays, Hidden: hidden})
}

// mustNew keeps a configuration error for Compile to report (as
// golem.NewSequential does with its layers).
func mustNew(cfg Config) *Net {
	n, err := New(cfg)
	if err != nil {
		return &Net{cfg: cfg, err: err}
	}
	return n
}

// New checks cfg and returns an uncompiled open-loop Net.
func New(cfg Config) (*Net, error) {
	cfg.InputDelays = slices.Clone(cfg.InputDelays)
	cfg.FeedbackDelays = slices.Clone(cfg.FeedbackDelays)
	cfg.LayerDelays = slices.Clone(cfg.LayerDelays)
	cfg.Hidden = slices.Clone(cfg.Hidden)
	if len(cfg.Hidden) == 0 {
		cfg.Hidden = []int{10}
	}
	if cfg.Activation == "" {
		cfg.Activation = "tanh"
	}
	if err := cfg.validate(); err != nil {
		return nil, err
	}
	return &Net{cfg: cfg}, nil
}

func (c *Config) validate() error {
	checkDelays := func(what string, ds []int, min int) error {
		seen := map[int]bool{}
		for _, d := range ds {
			if d < min {
				return fmt.Errorf("timeseries: %s delay %d: delays must be ≥ %d", what, d, min)
			}
			if seen[d] {
				return fmt.Errorf("timeseries: %s delay %d is listed twice", what, d)
			}
			seen[d] = true
		}
		return nil
	}
	if err := checkDelays("input", c.InputDelays, 0); err != nil {
		return err
	}
	if err := checkDelays("feedback", c.FeedbackDelays, 1); err != nil {
		return err
	}
	if err := checkDelays("layer", c.LayerDelays, 1); err != nil {
		return err
	}
	if _, ok := layers.ActivationNamed(c.Activation); !ok {
		return fmt.Errorf("timeseries: unknown activation %q", c.Activation)
	}
	for _, h := range c.Hidden {
		if h <= 0 {
			return fmt.Errorf("timeseries: hidden layer size %d must be positive", h)
		}
	}
	in, fb, lay := len(c.InputDelays) > 0, len(c.FeedbackDelays) > 0, len(c.LayerDelays) > 0
	switch c.Kind {
	case KindNARX:
		if !in || !fb || lay {
			return errors.New("timeseries: a NARX network needs input delays and feedback delays (and no layer delays)")
		}
	case KindNAR:
		if in || !fb || lay {
			return errors.New("timeseries: a NAR network needs feedback delays only")
		}
	case KindTimeDelay:
		if !in || fb || lay {
			return errors.New("timeseries: a time-delay network needs input delays only")
		}
	case KindLayerRecurrent:
		if !in || fb || !lay {
			return errors.New("timeseries: a layer-recurrent network needs input delays (use {0} for u(t) alone) and layer delays")
		}
	default:
		return fmt.Errorf("timeseries: unknown kind %d", c.Kind)
	}
	return nil
}

// Net is a dynamic network trained on time series: in open loop (series-
// parallel: the true past targets are fed back) or, after Close, in closed
// loop (parallel: its own past outputs are fed back).
//
// Its layers are golem layers (Dense), so every optimizer trains it.
// Series are matrices with time along rows: u is T × m (nil for NAR), y
// is T × k. A Net is not safe for concurrent use (Predict records the
// delay states it ends on).
type Net struct {
	cfg    Config
	err    error // a configuration error, reported by Compile
	closed bool
	// segment is the closed-loop training segment length (see Close).
	segment int
	m, k    int

	scaleU, scaleY *channelScale // per channel, fitted by the first Fit

	// cell is the one-step network on a window of delayed values (NARX,
	// NAR, time-delay): it trains in open loop and predicts in both.
	cell *golem.Model
	// loop is the network unrolled over segments (closed-loop training;
	// every use of a layer-recurrent net), compiled per segment length.
	loop    *golem.Model
	loopLen int
	// unrolled caches the prediction models of a layer-recurrent net, by
	// length.
	unrolled map[int]*golem.Model

	loss  losses.Loss
	opt   optim.Optimizer
	copts []golem.CompileOption
	theta []float64 // weights to carry into a model compiled later (Close, Load)

	// The last maxDelay rows of u and y the net has seen (Fit, Predict):
	// the delay states Forecast continues from. In target units.
	lastU, lastY *mat.Dense
}

// Config returns the net's configuration.
func (n *Net) Config() Config { return n.cfg }

// Closed reports whether the net feeds back its own outputs.
func (n *Net) Closed() bool { return n.closed }

// MaxDelay is the longest delay: the steps of history before the first
// prediction.
func (n *Net) MaxDelay() int {
	d := 0
	for _, v := range n.cfg.InputDelays {
		d = max(d, v)
	}
	for _, v := range n.cfg.FeedbackDelays {
		d = max(d, v)
	}
	return d
}

func (n *Net) hasInput() bool    { return len(n.cfg.InputDelays) > 0 }
func (n *Net) hasFeedback() bool { return len(n.cfg.FeedbackDelays) > 0 }

// features is the width of the cell's input window.
func (n *Net) features() int {
	return len(n.cfg.InputDelays)*n.m + len(n.cfg.FeedbackDelays)*n.k
}

// cellLayers returns fresh layers of the one-step network.
func (n *Net) cellLayers() []layers.Layer {
	act, _ := layers.ActivationNamed(n.cfg.Activation)
	var ls []layers.Layer
	for _, h := range n.cfg.Hidden {
		ls = append(ls, layers.Dense(h, act))
	}
	return append(ls, layers.Dense(n.k))
}

// Compile prepares the net for series of inputs channels of u (0 for NAR)
// and outputs channels of y, with a loss and an optimizer, as
// golem.Model.Compile. Compiling a closed-loop net (see Close) keeps its
// weights. golem.ScaleInputs and ScaleTargets are refused: the net scales
// each channel itself (see Config.NoScaling).
func (n *Net) Compile(inputs, outputs int, loss losses.Loss, opt optim.Optimizer, opts ...golem.CompileOption) error {
	if n.err != nil {
		return n.err
	}
	switch {
	case outputs <= 0:
		return fmt.Errorf("timeseries: %d outputs; a net needs at least one target channel", outputs)
	case n.hasInput() && inputs <= 0:
		return fmt.Errorf("timeseries: a %v net needs input channels, got %d", n.cfg.Kind, inputs)
	case !n.hasInput() && inputs != 0:
		return fmt.Errorf("timeseries: a %v net takes no exogenous input, got %d channels", n.cfg.Kind, inputs)
	case n.m != 0 || n.k != 0:
		if inputs != n.m || outputs != n.k {
			return fmt.Errorf("timeseries: the net was built for %d inputs and %d outputs, not %d and %d", n.m, n.k, inputs, outputs)
		}
	}
	if loss == nil || opt == nil {
		return errors.New("timeseries: Compile needs a loss and an optimizer")
	}
	n.m, n.k = inputs, outputs
	n.loss, n.opt, n.copts = loss, opt, opts
	all := append(slices.Clone(opts), golem.ScaleInputs(golem.NoScaling), golem.ScaleTargets(golem.NoScaling))
	if n.cfg.Kind == KindLayerRecurrent || n.closed {
		if n.loop != nil && n.cell == nil {
			n.theta = slices.Clone(n.loop.Params().Theta())
		}
		n.loop, n.loopLen = nil, 0 // built for the segment length at Fit
		return n.ensureCell(all)
	}
	if n.cell == nil {
		n.cell = golem.NewSequential(n.cellLayers()...)
	}
	if err := n.cell.Compile(golem.Input(n.features()), loss, opt, all...); err != nil {
		return err
	}
	return n.restoreTheta(n.cell)
}

// ensureCell builds the one-step network a closed-loop NARX/NAR net
// predicts with (a layer-recurrent net has none).
func (n *Net) ensureCell(opts []golem.CompileOption) error {
	if n.cfg.Kind == KindLayerRecurrent || n.cell != nil {
		return nil
	}
	n.cell = golem.NewSequential(n.cellLayers()...)
	if err := n.cell.Compile(golem.Input(n.features()), losses.MSE(), optim.LM(optim.LMConfig{}), opts...); err != nil {
		return err
	}
	return n.restoreTheta(n.cell)
}

// restoreTheta gives a freshly compiled model the weights the net carries.
func (n *Net) restoreTheta(m *golem.Model) error {
	if n.theta == nil {
		return nil
	}
	th := m.Params().Theta()
	if len(th) != len(n.theta) {
		return fmt.Errorf("timeseries: the net has %d weights, its model %d", len(n.theta), len(th))
	}
	copy(th, n.theta)
	return nil
}

// weights are the net's current weights (θ of its cell, or of its loop).
func (n *Net) weights() []float64 {
	switch {
	case n.cell != nil && n.cell.Params() != nil:
		return n.cell.Params().Theta()
	case n.loop != nil && n.loop.Params() != nil:
		return n.loop.Params().Theta()
	}
	return n.theta
}

// Close returns the closed-loop form of n (MATLAB's closeloop): the same
// weights, scaling and delay states, its own outputs fed back. Predict
// then forecasts multi-step, and Fit (after Compile) trains in closed loop
// on segments of the given length (0: 20 steps, or the series when it is
// shorter), the Jacobian taken through the recurrence by autodiff of the
// unrolled network. A time-delay or layer-recurrent net has no output
// feedback: its closed form computes the same as the open one.
func (n *Net) Close(segment int) (*Net, error) {
	if n.err != nil {
		return nil, n.err
	}
	if n.k == 0 {
		return nil, errors.New("timeseries: Close needs a compiled net")
	}
	if segment < 0 {
		return nil, fmt.Errorf("timeseries: segment length %d", segment)
	}
	c := &Net{cfg: n.cfg, closed: true, segment: segment, m: n.m, k: n.k, scaleU: n.scaleU, scaleY: n.scaleY,
		theta: slices.Clone(n.weights()), lastU: cloneDense(n.lastU), lastY: cloneDense(n.lastY)}
	if err := c.ensureCell([]golem.CompileOption{golem.ScaleInputs(golem.NoScaling), golem.ScaleTargets(golem.NoScaling)}); err != nil {
		return nil, err
	}
	return c, nil
}

func cloneDense(a *mat.Dense) *mat.Dense {
	if a == nil {
		return nil
	}
	return mat.DenseCopyOf(a)
}

// Response is a net's output on a series, aligned with its targets.
type Response struct {
	Times   []int      // the time step of each row
	Outputs *mat.Dense // the net's outputs, in target units
	Targets *mat.Dense // y at those times
	Errors  *mat.Dense // Targets − Outputs
}

// Fit trains the net on the series u (T × m; nil for NAR) and y (T × k):
// in open loop on the prepared windows (see Prepare), or, closed, on
// segments with their own outputs fed back. cfg is golem's FitConfig.
// The first Fit fits the channel scaling; the net keeps the series' last
// delay states for Forecast.
func (n *Net) Fit(ctx context.Context, u, y mat.Matrix, cfg golem.FitConfig) (*golem.History, error) {
	if n.loss == nil {
		return nil, golem.ErrNotCompiled
	}
	oldU, oldY := n.scaleU, n.scaleY
	su, sy, err := n.scaled(u, y, true)
	if err != nil {
		return nil, err
	}
	var h *golem.History
	defer func() {
		if err != nil && h == nil { // a rejected Fit (nothing trained) leaves the scaling it found
			n.scaleU, n.scaleY = oldU, oldY
		}
	}()
	if n.closed || n.cfg.Kind == KindLayerRecurrent {
		h, err = n.fitLoop(ctx, su, sy, cfg)
	} else {
		var w *Windows
		if w, err = Prepare(nilIfEmpty(su), sy, n.cfg.InputDelays, n.cfg.FeedbackDelays); err != nil {
			return nil, err
		}
		h, err = n.cell.Fit(ctx, w.X, w.T, cfg)
	}
	if err != nil {
		return h, err
	}
	n.keepStates(u, y)
	return h, nil
}

// nilIfEmpty turns a series of no channels into nil.
func nilIfEmpty(a *mat.Dense) mat.Matrix {
	if a == nil {
		return nil
	}
	return a
}

// keepStates records the last delay states of a series (user units).
func (n *Net) keepStates(u, y mat.Matrix) {
	d := max(n.MaxDelay(), 1)
	T, _ := y.Dims()
	if T < d {
		return
	}
	n.lastY = sliceRows(mat.DenseCopyOf(y), T-d, T)
	if u != nil && n.m > 0 {
		n.lastU = sliceRows(mat.DenseCopyOf(u), T-d, T)
	}
}

// Predict runs the net over the series: in open loop, one step ahead from
// the true past targets; closed, from the first MaxDelay steps of y alone
// (the rest of y only scores it). The response starts at step MaxDelay
// (layer-recurrent nets: at step MaxDelay of the inputs, from zero hidden
// states). The net keeps the series' last delay states for Forecast.
func (n *Net) Predict(u, y mat.Matrix) (*Response, error) {
	if n.k == 0 {
		return nil, golem.ErrNotCompiled
	}
	su, sy, err := n.scaled(u, y, false)
	if err != nil {
		return nil, err
	}
	var out *mat.Dense
	var times []int
	switch {
	case n.cfg.Kind == KindLayerRecurrent:
		out, times, err = n.predictLoop(su, sy)
	case n.closed:
		out, times, err = n.predictClosed(su, sy)
	default:
		var w *Windows
		if w, err = Prepare(nilIfEmpty(su), sy, n.cfg.InputDelays, n.cfg.FeedbackDelays); err != nil {
			return nil, err
		}
		times = w.Times
		out, err = n.cell.Predict(w.X)
	}
	if err != nil {
		return nil, err
	}
	n.scaleY.invert(out)
	r := &Response{Times: times, Outputs: out, Targets: mat.NewDense(len(times), n.k, nil), Errors: mat.NewDense(len(times), n.k, nil)}
	for i, t := range times {
		for j := 0; j < n.k; j++ {
			r.Targets.Set(i, j, y.At(t, j))
			r.Errors.Set(i, j, y.At(t, j)-out.At(i, j))
		}
	}
	n.keepStates(u, y)
	return r, nil
}
