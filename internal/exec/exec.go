// Package exec evaluates small Gorgonia graphs on preallocated float64
// slices, without Gorgonia's tape machine.
//
// Gorgonia keeps building and differentiating golem's graphs; a Program
// only runs them. New walks the graph's nodes in Gorgonia's topological
// order, keeps those the requested outputs depend on, and gives each its
// own buffer. The ops it recognises (elementwise arithmetic and unary
// functions, sums, reshapes, broadcasting repeats, size constants, matrix
// products, and any op that implements SliceOp) run as plain loops on
// those slices, written to give the bits Gorgonia v0.9.18's own kernels
// give; every other op runs through its own Do on tensors wrapping copies
// of its inputs, so an op the executor does not know is still evaluated by
// Gorgonia's code, never approximated. New refuses (ok false) a graph it
// cannot represent: a value that is not float64, a leaf without a dense
// value, a node it cannot size, or more values than Limit. The caller then
// uses the tape machine.
//
// The recognition of Gorgonia's unexported op types depends on Gorgonia's
// internals: callers must use New only with the Gorgonia version it was
// checked against (graph gates it on the same check as its tape loop).
package exec

import (
	"fmt"
	"reflect"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// SliceOp is an op that evaluates itself on float64 slices: out has the
// node's size and in holds the children's values (a scalar as one value).
// It returns false when it cannot (the executor then calls the op's Do).
// Its result must be bit-identical to the op's Do.
type SliceOp interface {
	DoSlices(out []float64, in ...[]float64) bool
}

// Limit is the most float64 values (all buffers together) a Program
// holds; larger graphs are refused, since their per-run overhead is
// negligible beside their arithmetic and the tape machine reuses memory.
const Limit = 1 << 20

// Program is a graph compiled for the executor. It is not safe for
// concurrent use.
type Program struct {
	nodes  []*G.Node      // in execution order
	vals   [][]float64    // value of each node (leaves: refreshed per run)
	leaves []int          // indices of leaf nodes
	sizes  []int          // values of each node
	shapes []tensor.Shape // shape of each node (read only)
	seen   []G.Value      // each leaf's value when last read
	scalar []bool         // node is a Gorgonia scalar (shape ())
	leaf   []bool
	steps  []step  // one per non-leaf node, in order
	index  []int32 // by node ID: the node's position, or -1
}

type step struct {
	node int   // index of the node computed
	in   []int // children
	kern kernel
	// fallback: the op runs through its Do (see doOp)
	fallback bool
}

// kernel computes out from in.
type kernel func(p *Program, s *step) error

// New compiles the nodes of g that outputs depend on. ok is false when
// the executor cannot run the graph; err reports a malformed graph.
func New(g *G.ExprGraph, outputs []*G.Node) (p *Program, ok bool, err error) {
	// Children before parents, depth first from the outputs in order: a
	// topological order of exactly the nodes the outputs depend on (every
	// op is a pure function of its children, so any such order gives the
	// same values).
	// Gorgonia numbers a graph's nodes from 0 as it adds them.
	ids := 0
	for _, n := range g.AllNodes() {
		if n.ID() < 0 {
			return nil, false, nil
		}
		ids = max(ids, int(n.ID())+1)
	}
	var order []*G.Node
	state := make([]int8, ids) // 1: on the stack, 2: done
	kids := make([][]*G.Node, ids)
	var visit func(n *G.Node) error
	visit = func(n *G.Node) error {
		id := n.ID()
		if id < 0 || int(id) >= ids {
			return fmt.Errorf("exec: node %v is not in the graph", n)
		}
		switch state[id] {
		case 1:
			return fmt.Errorf("exec: the graph has a cycle through %v", n)
		case 2:
			return nil
		}
		state[id] = 1
		ch := children(g, n)
		kids[id] = ch
		for _, c := range ch {
			if err := visit(c); err != nil {
				return err
			}
		}
		state[id] = 2
		order = append(order, n)
		return nil
	}
	for _, o := range outputs {
		if o == nil || o.Graph() != g {
			return nil, false, fmt.Errorf("exec: output %v is not in the graph", o)
		}
		if err := visit(o); err != nil {
			return nil, false, err
		}
	}
	p = &Program{index: make([]int32, ids)}
	for i := range p.index {
		p.index[i] = -1
	}
	total := 0
	for _, n := range order {
		if n.Dtype() != tensor.Float64 {
			return nil, false, nil
		}
		sh := n.Shape() // a copy: Gorgonia clones the shape on every call
		size := sh.TotalSize()
		if sh.IsScalar() {
			size = 1
		}
		if size <= 0 {
			return nil, false, nil
		}
		idx := len(p.nodes)
		p.sizes = append(p.sizes, size)
		p.index[n.ID()] = int32(idx)
		p.nodes = append(p.nodes, n)
		p.shapes = append(p.shapes, sh)
		p.scalar = append(p.scalar, sh.IsScalar())
		ch := kids[n.ID()]
		p.leaf = append(p.leaf, len(ch) == 0)
		if len(ch) == 0 {
			if !leafOK(n, size) {
				return nil, false, nil
			}
			p.vals = append(p.vals, nil)
			p.seen = append(p.seen, nil)
			p.leaves = append(p.leaves, idx)
			continue
		}
		total += size
		if total > Limit {
			return nil, false, nil
		}
		p.vals = append(p.vals, make([]float64, size))
		s := step{node: idx}
		s.in = make([]int, len(ch))
		for i, c := range ch {
			s.in[i] = int(p.index[c.ID()])
		}
		s.kern, s.fallback = p.choose(n, ch)
		p.steps = append(p.steps, s)
	}
	return p, true, nil
}

// children lists n's arguments in order.
func children(g *G.ExprGraph, n *G.Node) []*G.Node {
	var out []*G.Node
	it := g.From(n.ID())
	if it == nil {
		return nil
	}
	for it.Next() {
		out = append(out, it.Node().(*G.Node))
	}
	return out
}

// leafOK reports whether a leaf has a value the executor can read: a dense
// float64 tensor of the node's size, not a view, or a float64 scalar.
func leafOK(n *G.Node, size int) bool {
	v := n.Value()
	if v == nil {
		if n.Op() == nil {
			return false
		}
		var err error
		if v, err = n.Op().Do(); err != nil || v == nil {
			return false
		}
	}
	_, ok := leafData(v, size)
	return ok
}

// leafData returns a leaf value's float64 data (its own backing, for a
// dense tensor).
func leafData(v G.Value, size int) ([]float64, bool) {
	switch t := v.(type) {
	case *tensor.Dense:
		if t.IsView() || t.Dtype() != tensor.Float64 {
			return nil, false
		}
		d := t.Float64s()
		if len(d) != size {
			return nil, false
		}
		return d, true
	case *G.F64:
		return []float64{float64(*t)}, true
	}
	return nil, false
}

// Value is node n's buffer, valid after each Run and overwritten by the
// next. It is nil for a leaf (read its own value) or a node the program
// does not hold.
func (p *Program) Value(n *G.Node) []float64 {
	i, ok := p.lookup(n)
	if !ok || p.leaf[i] {
		return nil
	}
	return p.vals[i]
}

// Steps is the number of ops a run evaluates, and Fallbacks how many of
// them run through the op's own Do.
func (p *Program) Steps() (steps, fallbacks int) {
	for _, s := range p.steps {
		if s.fallback {
			fallbacks++
		}
	}
	return len(p.steps), fallbacks
}

// Run evaluates the program once: leaves are read from their nodes'
// current values (θ, inputs), then every step in order.
func (p *Program) Run() error {
	for li, i := range p.leaves {
		n := p.nodes[i]
		v := n.Value()
		if t, ok := v.(*tensor.Dense); ok && v == p.seen[li] && !t.IsView() && len(t.Float64s()) == p.sizes[i] {
			p.vals[i] = t.Float64s() // the same tensor: its current backing
			continue
		}
		p.seen[li] = nil
		if v == nil && n.Op() != nil {
			var err error
			if v, err = n.Op().Do(); err != nil {
				return fmt.Errorf("exec: constant %v: %w", n, err)
			}
		}
		size := p.sizes[i]
		d, ok := leafData(v, size)
		if !ok {
			return fmt.Errorf("exec: leaf %v has no float64 value of %d values", n, size)
		}
		p.vals[i] = d
		if _, ok := v.(*tensor.Dense); ok {
			p.seen[li] = v
		}
	}
	for k := range p.steps {
		s := &p.steps[k]
		if err := s.kern(p, s); err != nil {
			return fmt.Errorf("exec: %v: %w", p.nodes[s.node].Op(), err)
		}
	}
	return nil
}

// opType is the name and package of an op's dynamic type, pointers
// followed.
func opType(op G.Op) (pkg, name string) {
	t := reflect.TypeOf(op)
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	return t.PkgPath(), t.Name()
}

// field reads an unexported field of an op struct.
func field(op G.Op, name string) (reflect.Value, bool) {
	v := reflect.ValueOf(op)
	for v.Kind() == reflect.Pointer {
		if v.IsNil() {
			return reflect.Value{}, false
		}
		v = v.Elem()
	}
	if v.Kind() != reflect.Struct {
		return reflect.Value{}, false
	}
	f := v.FieldByName(name)
	return f, f.IsValid()
}

// LeafValue is a leaf node's value as the last Run read it (nil before).
func (p *Program) LeafValue(n *G.Node) []float64 {
	i, ok := p.lookup(n)
	if !ok || !p.leaf[i] {
		return nil
	}
	return p.vals[i]
}

// shapeOf is the shape of a node of the program (read only), without
// the copy Gorgonia's Node.Shape makes.
func (p *Program) shapeOf(n *G.Node) tensor.Shape {
	if i, ok := p.lookup(n); ok {
		return p.shapes[i]
	}
	return n.Shape()
}

// lookup is n's position in the program.
func (p *Program) lookup(n *G.Node) (int, bool) {
	id := n.ID()
	if id < 0 || int(id) >= len(p.index) || p.index[id] < 0 {
		return 0, false
	}
	i := int(p.index[id])
	return i, p.nodes[i] == n
}
