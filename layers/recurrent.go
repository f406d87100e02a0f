package layers

import (
	"fmt"

	G "gorgonia.org/gorgonia"

	"github.com/golem-ml/golem/graph"
	"github.com/golem-ml/golem/internal/graphrt"
)

// RecurrentLayer is a recurrent layer over sequences: SimpleRNN, GRU or
// LSTM. An input sample is a sequence of shape (T, F), T time steps of F
// features (batch × T × F in the graph); the output is the last hidden
// state (units), or the hidden state at every step (T, units) with
// ReturnSequences. The initial state is zero.
//
// The gate math and the weight layout are PyTorch's (torch.nn.RNN, GRU and
// LSTM with batch_first=True), so weights carry over: the kernel W is
// (F × k·units) and the recurrent kernel U is (units × k·units), the
// transposes of PyTorch's weight_ih_l0 and weight_hh_l0, with the k gate
// blocks in PyTorch's order, and each step computes x_t·W + h·U + b.
// SimpleRNN and LSTM have one bias b, PyTorch's b_ih + b_hh; GRU has two,
// b (b_ih) and bh (b_hh), because its recurrent bias sits inside the reset
// gate's product.
//
// Every step's products go through graph.Builder.Affine, so per-sample
// Jacobians take the tap route: W gets one tap per step and U one per step
// after the first (GRU: one per step, as its recurrent bias acts at the
// first step too), all accumulated into the same columns of J.
type RecurrentLayer struct {
	cell  cell
	units int
	cfg   config

	steps, features int
	// W is the kernel (F × k·units), U the recurrent kernel
	// (units × k·units), B the bias (k·units) or nil with NoBias, and BH
	// GRU's recurrent bias (k·units), nil for the other layers.
	W, U, B, BH *graph.Param
}

// cell is one kind of recurrent layer.
type cell interface {
	kind() string // "lstm"
	name() string // "LSTM"
	gates() int   // k: blocks of units in W, U and b
	// options lists the options the layer takes besides the common ones.
	options() []string
	// recurrentBias reports whether the layer has a separate recurrent
	// bias (GRU).
	recurrentBias() bool
	// step computes the next state from x_t (batch × F) and the state
	// (nil at the first step); h is the hidden state the layer outputs.
	step(l *RecurrentLayer, b *graph.Builder, x *G.Node, s state) (state, error)
}

// state is a recurrent layer's state between steps: h, and LSTM's cell c.
type state struct{ h, c *G.Node }

// commonOptions are the options every recurrent layer takes.
var commonOptions = []string{"Activation", "KernelInit", "RecurrentInit", "BiasInit", "NoBias", "KernelRegularizer", "RecurrentRegularizer", "BiasRegularizer", "ReturnSequences"}

func newRecurrent(c cell, units int, defaults config, opts []Option) *RecurrentLayer {
	defaults.activation = Tanh
	defaults.recurrentActivation = Sigmoid
	defaults.kernelInit = graph.GlorotUniform()
	defaults.recurrentInit = graph.Orthogonal()
	if defaults.biasInit == nil {
		defaults.biasInit = graph.Zeros()
	}
	return &RecurrentLayer{cell: c, units: units, cfg: newConfig(defaults, opts)}
}

// Kind is "simplernn", "gru" or "lstm".
func (l *RecurrentLayer) Kind() string { return l.cell.kind() }

// Units is the width of the hidden state.
func (l *RecurrentLayer) Units() int { return l.units }

// ReturnsSequences reports whether the layer outputs every step's state.
func (l *RecurrentLayer) ReturnsSequences() bool { return l.cfg.returnSequences }

// String describes the configuration, e.g. "LSTM(4, tanh, sigmoid,
// return sequences)"; SimpleRNN has no recurrent activation.
func (l *RecurrentLayer) String() string {
	s := fmt.Sprintf("%s(%d, %s", l.cell.name(), l.units, l.cfg.activation.Name())
	if l.cell.gates() > 1 {
		s += ", " + l.cfg.recurrentActivation.Name()
	}
	if l.cfg.returnSequences {
		s += ", return sequences"
	}
	if l.cfg.noBias {
		s += ", no bias"
	}
	if !l.cfg.kernelPenalty.IsZero() {
		s += ", kernel " + l.cfg.kernelPenalty.String()
	}
	if !l.cfg.recurrentPenalty.IsZero() {
		s += ", recurrent " + l.cfg.recurrentPenalty.String()
	}
	if !l.cfg.biasPenalty.IsZero() {
		s += ", bias " + l.cfg.biasPenalty.String()
	}
	return s + ")"
}

// Build declares W (F × k·units), U (units × k·units), b (k·units) and,
// for GRU, bh (k·units), for input samples of shape (T, F).
func (l *RecurrentLayer) Build(s *graph.Scope, in Shape) (Shape, error) {
	name := l.cell.name()
	if l.units <= 0 {
		return nil, fmt.Errorf("%s needs a positive number of units, got %d", name, l.units)
	}
	if err := l.cfg.only(name, append(l.cell.options(), commonOptions...)...); err != nil {
		return nil, err
	}
	if len(in) != 2 {
		return nil, fmt.Errorf("%s needs sequence samples (T, F), got input shape %v", name, in)
	}
	for _, p := range []graph.Penalty{l.cfg.kernelPenalty, l.cfg.recurrentPenalty, l.cfg.biasPenalty} {
		if err := p.Validate(); err != nil {
			return nil, fmt.Errorf("%s: %w", name, err)
		}
	}
	l.steps, l.features = in[0], in[1]
	width := l.cell.gates() * l.units
	var err error
	if l.W, err = s.Param("W", []int{l.features, width}, l.cfg.kernelInit, l.features, width); err != nil {
		return nil, err
	}
	l.W.Penalty = l.cfg.kernelPenalty
	if l.U, err = s.Param("U", []int{l.units, width}, l.cfg.recurrentInit, l.units, width); err != nil {
		return nil, err
	}
	l.U.Penalty = l.cfg.recurrentPenalty
	if !l.cfg.noBias {
		if l.B, err = s.Param("b", []int{width}, l.cfg.biasInit, l.features, width); err != nil {
			return nil, err
		}
		l.B.Penalty = l.cfg.biasPenalty
		if l.cell.recurrentBias() {
			if l.BH, err = s.Param("bh", []int{width}, l.cfg.biasInit, l.units, width); err != nil {
				return nil, err
			}
			l.BH.Penalty = l.cfg.biasPenalty
		}
	}
	if l.cfg.returnSequences {
		return Shape{l.steps, l.units}, nil
	}
	return Shape{l.units}, nil
}

// Forward runs the layer over x (batch × T × F).
func (l *RecurrentLayer) Forward(b *graph.Builder, x *G.Node) (*G.Node, error) {
	name := l.cell.name()
	if l.W == nil {
		return nil, fmt.Errorf("%s: Forward before Build", name)
	}
	if want := []int{b.Batch(), l.steps, l.features}; !graphrt.SameShape(x.Shape(), want) {
		return nil, fmt.Errorf("%s: input has shape %v, want %v", name, x.Shape(), want)
	}
	// (batch, T, F) → (batch × T·F): step t is the columns [t·F, (t+1)·F).
	flat, err := graph.Reshape(x, b.Batch(), l.steps*l.features)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	var s state
	hs := make(G.Nodes, 0, l.steps)
	for t := 0; t < l.steps; t++ {
		xt, err := columns(flat, t*l.features, (t+1)*l.features)
		if err != nil {
			return nil, fmt.Errorf("%s: step %d: %w", name, t, err)
		}
		if s, err = l.cell.step(l, b, xt, s); err != nil {
			return nil, fmt.Errorf("%s: step %d: %w", name, t, err)
		}
		hs = append(hs, s.h)
	}
	if !l.cfg.returnSequences {
		return s.h, nil
	}
	// (batch × units) per step → (batch × T·units) → (batch, T, units).
	seq, err := graph.ConcatColumns(hs...)
	if err != nil {
		return nil, fmt.Errorf("%s: stacking the steps: %w", name, err)
	}
	return graph.Reshape(seq, b.Batch(), l.steps, l.units)
}

// columns returns z[:, from:to] of z (batch × n) as a copy.
func columns(z *G.Node, from, to int) (*G.Node, error) { return graph.Columns(z, from, to) }

// gate applies the recurrent activation to z.
func (l *RecurrentLayer) gate(b *graph.Builder, z *G.Node) (*G.Node, error) {
	return l.cfg.recurrentActivation.Apply(b, z)
}

// act applies the layer's activation to z.
func (l *RecurrentLayer) act(b *graph.Builder, z *G.Node) (*G.Node, error) {
	return l.cfg.activation.Apply(b, z)
}
