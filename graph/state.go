package graph

import (
	"fmt"
	"math/rand/v2"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/golem-ml/golem/internal/graphrt"
)

// Non-trainable state.
//
// Some layers keep values that are not parameters: BatchNormalization's
// moving mean and variance are updated by training runs, not by an
// optimizer, and must not be part of θ (an optimizer would otherwise
// change them, penalize them, or count them in Levenberg–Marquardt's
// normal equations). They are declared with Scope.State into a second flat
// vector, the state values, laid out like θ: one Param per state tensor,
// in declaration order, each with its own Offset into the state values
// (not into θ). Params.Init allocates and fills them after θ, continuing
// θ's seeded random stream, so adding state to a model never changes its
// initial weights.
//
// In a graph, Builder.State gives a node backed by the state values (read
// at every run, never differentiated), and Builder.UpdateState records a
// moving-average update that the engine applies after a training run.

// stateSet is the state part of a Params.
type stateSet struct {
	list   []*Param
	index  map[string]*Param
	values []float64
}

func (s *stateSet) size() int {
	if n := len(s.list); n > 0 {
		last := s.list[n-1]
		return last.Offset + last.Size()
	}
	return 0
}

// DeclareState registers a state tensor (see Scope.State). It fails on a
// name already used by a parameter or state, a non-positive dimension, or
// once the parameters have been initialized.
func (ps *Params) DeclareState(name string, shape []int, init Initializer) (*Param, error) {
	if ps.theta != nil {
		return nil, fmt.Errorf("graph: cannot declare state %q: parameters are already initialized", name)
	}
	if _, dup := ps.index[name]; dup || ps.state.index[name] != nil {
		return nil, fmt.Errorf("graph: duplicate parameter name %q", name)
	}
	if len(shape) == 0 {
		return nil, fmt.Errorf("graph: state %q has an empty shape", name)
	}
	for _, d := range shape {
		if d <= 0 {
			return nil, fmt.Errorf("graph: state %q has invalid shape %v", name, shape)
		}
	}
	if init == nil {
		init = Zeros()
	}
	p := &Param{Name: name, Shape: append([]int(nil), shape...), Offset: ps.state.size(), Init: init, state: true}
	if ps.state.index == nil {
		ps.state.index = map[string]*Param{}
	}
	ps.state.list = append(ps.state.list, p)
	ps.state.index[name] = p
	return p, nil
}

// initState allocates the state values and fills them, in declaration
// order, from rng (θ's stream, after θ).
func (ps *Params) initState(rng *rand.Rand) {
	ps.state.values = make([]float64, ps.state.size())
	for _, p := range ps.state.list {
		p.Init.Fill(rng, 0, 0, ps.StateView(p))
	}
}

// State returns the state tensors in declaration order (nil when the model
// has none). They are not in List and not in θ.
func (ps *Params) State() []*Param { return ps.state.list }

// StateValues returns the state values themselves (not a copy): every state
// tensor, one after another, at its Offset. It is nil before Init and empty
// when there is no state.
func (ps *Params) StateValues() []float64 { return ps.state.values }

// StateLen is the total number of state scalars.
func (ps *Params) StateLen() int { return ps.state.size() }

// LookupState finds a state tensor by name.
func (ps *Params) LookupState(name string) (*Param, bool) {
	p, ok := ps.state.index[name]
	return p, ok
}

// StateView returns the slice of the state values that backs p. It panics
// if the parameters are not initialized or p is not state (programmer
// errors).
func (ps *Params) StateView(p *Param) []float64 {
	if ps.state.values == nil {
		panic("graph: Params.StateView before Init")
	}
	if !p.state {
		panic("graph: Params.StateView of parameter " + p.Name + " (use View)")
	}
	return ps.state.values[p.Offset : p.Offset+p.Size()]
}

// IsState reports whether p was declared as state (Scope.State).
func (p *Param) IsState() bool { return p.state }

// State declares prefix/name as non-trainable state of the given shape,
// initialized by init (nil means zeros). See the package notes on state.
func (s *Scope) State(name string, shape []int, init Initializer) (*Param, error) {
	full := name
	if s.prefix != "" {
		full = s.prefix + "/" + name
	}
	return s.params.DeclareState(full, shape, init)
}

// State returns p's node in this graph, creating it on first use: a tensor
// backed by p's slice of the state values, so an update applied between
// runs is seen by the next run without recompiling. It
// is never tiled and no gradient flows into it (it is not a parameter).
// It panics if p is not state (a programmer error).
func (b *Builder) State(p *Param) *G.Node {
	if !p.state {
		panic("graph: Builder.State of parameter " + p.Name + " (use Param)")
	}
	if n, ok := b.stateNodes[p]; ok {
		return n
	}
	t := tensor.New(tensor.WithShape(p.Shape...), tensor.WithBacking(b.params.StateView(p)))
	n := G.NewTensor(b.g, tensor.Float64, len(p.Shape), G.WithShape(p.Shape...), G.WithName(p.Name), G.WithValue(t))
	b.stateNodes[p] = n
	return n
}

// UpdateState records that after each run of this graph the state p
// becomes momentum·p + (1−momentum)·batchValue, where batchValue is a node
// with p's number of entries (a batch statistic, say). The update is not
// part of the graph: the engine applies it after each training run. Layers call it only in
// training mode. A batchValue of the wrong size or a momentum outside
// [0, 1] panics (a programmer error).
func (b *Builder) UpdateState(p *Param, batchValue *G.Node, momentum float64) {
	if !p.state {
		panic("graph: UpdateState of parameter " + p.Name)
	}
	if batchValue.Shape().TotalSize() != p.Size() {
		panic(fmt.Sprintf("graph: UpdateState of %s %v with a value of shape %v", p.Name, p.Shape, batchValue.Shape()))
	}
	if !(momentum >= 0 && momentum <= 1) {
		panic(fmt.Sprintf("graph: UpdateState of %s with momentum %v outside [0, 1]", p.Name, momentum))
	}
	b.st.Updates = append(b.st.Updates, graphrt.StateUpdate[*Param]{Param: p, Value: b.output(batchValue), Momentum: momentum})
}
