package graph

import (
	"fmt"
	"math/rand/v2"
)

// Param is a named view into the flat parameter vector θ.
type Param struct {
	Name   string // unique within a model, e.g. "dense_1/W"
	Shape  []int  // tensor shape, e.g. [in, out]
	Offset int    // index of the first element in θ
	Init   Initializer
	// Penalty regularizes the parameter: the model's objective gains
	// Penalty.Value of its entries (none by default). Layers set it in
	// Build from options such as layers.KernelRegularizer.
	Penalty Penalty
	fanIn   int
	fanOut  int
	state   bool // declared with Scope.State: Offset is into the state values
}

// Size is the number of scalars in the parameter.
func (p *Param) Size() int { return shapeSize(p.Shape) }

// Params is the set of a model's parameters, laid out one after another in a
// single []float64 θ. Parameters are declared during build (Declare, or a
// Scope), then Init allocates θ and fills it with the seeded initializers.
type Params struct {
	list  []*Param
	index map[string]*Param
	theta []float64
	state stateSet // non-trainable state (state.go)
}

// NewParams returns an empty parameter set.
func NewParams() *Params { return &Params{index: map[string]*Param{}} }

// Declare registers a parameter of the given shape. fanIn and fanOut are
// used by variance-scaling initializers (Glorot, He). Declare fails on a
// duplicate name, a non-positive dimension, or once θ has been allocated.
func (ps *Params) Declare(name string, shape []int, init Initializer, fanIn, fanOut int) (*Param, error) {
	if ps.theta != nil {
		return nil, fmt.Errorf("graph: cannot declare %q: parameters are already initialized", name)
	}
	if _, dup := ps.index[name]; dup || ps.state.index[name] != nil {
		return nil, fmt.Errorf("graph: duplicate parameter name %q", name)
	}
	if len(shape) == 0 {
		return nil, fmt.Errorf("graph: parameter %q has an empty shape", name)
	}
	for _, d := range shape {
		if d <= 0 {
			return nil, fmt.Errorf("graph: parameter %q has invalid shape %v", name, shape)
		}
	}
	if init == nil {
		init = Zeros()
	}
	off := 0
	if n := len(ps.list); n > 0 {
		last := ps.list[n-1]
		off = last.Offset + last.Size()
	}
	p := &Param{Name: name, Shape: append([]int(nil), shape...), Offset: off, Init: init, fanIn: fanIn, fanOut: fanOut}
	ps.list = append(ps.list, p)
	ps.index[name] = p
	return p, nil
}

// Init allocates θ and fills every parameter, in declaration order, from a
// random stream seeded by seed: the same seed gives the same weights.
func (ps *Params) Init(seed uint64) {
	ps.theta = make([]float64, ps.Len())
	rng := rand.New(rand.NewPCG(seed, 0x9e3779b97f4a7c15))
	for _, p := range ps.list {
		p.Init.Fill(rng, p.fanIn, p.fanOut, ps.View(p))
	}
	ps.initState(rng)
}

// Len is the total number of scalars P.
func (ps *Params) Len() int {
	if n := len(ps.list); n > 0 {
		last := ps.list[n-1]
		return last.Offset + last.Size()
	}
	return 0
}

// Theta returns θ itself (not a copy); nil before Init.
func (ps *Params) Theta() []float64 { return ps.theta }

// List returns the parameters in declaration (θ) order.
func (ps *Params) List() []*Param { return ps.list }

// Lookup finds a parameter by name.
func (ps *Params) Lookup(name string) (*Param, bool) {
	p, ok := ps.index[name]
	return p, ok
}

// View returns the slice of θ that backs p. It panics if θ is not allocated
// (a programmer error: call Init first).
func (ps *Params) View(p *Param) []float64 {
	if ps.theta == nil {
		panic("graph: Params.View before Init")
	}
	if p.state {
		panic("graph: Params.View of state " + p.Name + " (use StateView)")
	}
	return ps.theta[p.Offset : p.Offset+p.Size()]
}

// Scope declares parameters under a name prefix: Scope("dense_1") declares
// "dense_1/W". Layers receive a Scope when they are built.
type Scope struct {
	params *Params
	prefix string
}

// NewScope returns a scope that declares into ps with the given prefix.
func NewScope(ps *Params, prefix string) *Scope { return &Scope{params: ps, prefix: prefix} }

// Name is the scope's prefix, which is the owning layer's name.
func (s *Scope) Name() string { return s.prefix }

// Sub is a scope for a layer built inside this one (a composite layer's
// parts): it declares prefix/name/....
func (s *Scope) Sub(name string) *Scope {
	if s.prefix == "" {
		return &Scope{params: s.params, prefix: name}
	}
	return &Scope{params: s.params, prefix: s.prefix + "/" + name}
}

// Param declares prefix/name. fanIn and fanOut feed variance-scaling
// initializers; pass 0 where they do not apply.
func (s *Scope) Param(name string, shape []int, init Initializer, fanIn, fanOut int) (*Param, error) {
	full := name
	if s.prefix != "" {
		full = s.prefix + "/" + name
	}
	return s.params.Declare(full, shape, init, fanIn, fanOut)
}

func shapeSize(shape []int) int {
	n := 1
	for _, d := range shape {
		n *= d
	}
	return n
}
