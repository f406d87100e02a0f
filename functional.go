package golem

import (
	"errors"
	"fmt"

	"gonum.org/v1/gonum/mat"
	G "gorgonia.org/gorgonia"

	"github.com/golem-ml/golem/graph"
	"github.com/golem-ml/golem/internal/engine"
	"github.com/golem-ml/golem/internal/graphrt"
	"github.com/golem-ml/golem/layers"
)

// Node is a tensor of a functional model: a model input (NewInput) or the
// output of a layer called on nodes (Call). A Node is only a description:
// layers are built, and shapes checked, when the model is compiled.
type Node struct {
	input bool         // made by NewInput
	shape layers.Shape // an input's sample shape
	layer layers.Layer // the layer called, for a layer's output
	from  []*Node
}

// NewInput is an input of a functional model, with samples of the given
// shape: NewInput(8) for 8 features, NewInput(20, 3) for sequences of 20
// steps of 3 features, NewInput(8, 8, 1) for 8×8 images of one channel.
func NewInput(dims ...int) *Node {
	return &Node{input: true, shape: append(layers.Shape(nil), dims...)}
}

// Call applies a layer to nodes and returns its output. A layer of one
// input takes one node; a merge (layers.Concatenate, Add, Multiply) takes
// two or more. Calling one layer value more than once shares its weights:
// every call computes with the same parameters, as in Keras.
func Call(l layers.Layer, from ...*Node) *Node {
	return &Node{layer: l, from: append([]*Node(nil), from...)}
}

// NewModel returns a functional model from its inputs to its outputs. The
// model's data are one matrix per call, as for Sequential: x holds the
// inputs' flattened samples side by side, in the order given (see
// Columns), and Predict returns the outputs side by side in the order
// given (see SplitOutputs). Every output must be a vector per sample. With
// several outputs, compile with PerOutput to give each its loss.
//
// Mistakes in the graph (an output that depends on an input not listed, a
// layer called with the wrong number of nodes, shapes that do not fit)
// are reported by Compile and Load.
func NewModel(inputs []*Node, outputs ...*Node) *Model {
	m := &Model{graphIn: append([]*Node(nil), inputs...), graphOut: append([]*Node(nil), outputs...)}
	m.topo0, m.graphErr = functionalTopology(m.graphIn, m.graphOut)
	if m.graphErr == nil {
		m.layers = m.topo0.units
	} else if m.graphIn == nil {
		m.graphIn = []*Node{} // still a functional model
	}
	return m
}

// call is one layer application in a model, in evaluation order.
type call struct {
	unit int   // index into Model.layers (several calls share a unit)
	from []int // producers: call index, or -(k+1) for model input k
}

// topology is a model's graph as calls in evaluation order.
type topology struct {
	units   []layers.Layer // distinct layer values, in order of first call
	calls   []call
	inputs  []layers.Shape
	outputs []int // the call producing each model output
}

// sequentialTopology chains ls on one input of shape in.
func sequentialTopology(ls []layers.Layer, in layers.Shape) topology {
	t := topology{units: ls, inputs: []layers.Shape{in}}
	for i := range ls {
		t.calls = append(t.calls, call{unit: i, from: []int{i - 1}})
	}
	t.calls[0].from[0] = -1
	t.outputs = []int{len(ls) - 1}
	return t
}

// functionalTopology orders the graph from ins to outs: each node after
// the nodes it uses, the nodes a node uses in the order given.
func functionalTopology(ins, outs []*Node) (topology, error) {
	var t topology
	if len(ins) == 0 {
		return t, errors.New("golem: NewModel needs at least one input")
	}
	if len(outs) == 0 {
		return t, errors.New("golem: NewModel needs at least one output")
	}
	index := map[*Node]int{}
	for k, in := range ins {
		switch {
		case in == nil:
			return t, fmt.Errorf("golem: input %d is nil", k+1)
		case !in.input:
			return t, fmt.Errorf("golem: input %d is a layer's output, not a NewInput", k+1)
		case len(in.shape) == 0 || in.shape.Size() <= 0:
			return t, fmt.Errorf("golem: input %d has invalid shape %v", k+1, in.shape)
		}
		if _, dup := index[in]; dup {
			return t, fmt.Errorf("golem: input %d is listed twice", k+1)
		}
		index[in] = -(k + 1)
		t.inputs = append(t.inputs, in.shape)
	}
	units := map[layers.Layer]int{}
	visiting := map[*Node]bool{}
	var visit func(n *Node) (int, error)
	visit = func(n *Node) (int, error) {
		if i, ok := index[n]; ok {
			return i, nil
		}
		switch {
		case n == nil:
			return 0, errors.New("golem: a layer is called on a nil node")
		case n.input:
			return 0, fmt.Errorf("golem: an output depends on an input of shape %v that is not among NewModel's inputs", n.shape)
		case n.layer == nil:
			return 0, errors.New("golem: golem.Call was given a nil layer")
		case visiting[n]:
			return 0, errors.New("golem: the model's graph has a cycle")
		}
		visiting[n] = true
		c := call{}
		for _, f := range n.from {
			i, err := visit(f)
			if err != nil {
				return 0, err
			}
			c.from = append(c.from, i)
		}
		u, ok := units[n.layer]
		if !ok {
			u = len(t.units)
			units[n.layer] = u
			t.units = append(t.units, n.layer)
		}
		c.unit = u
		index[n] = len(t.calls)
		t.calls = append(t.calls, c)
		return index[n], nil
	}
	for k, out := range outs {
		i, err := visit(out)
		if err != nil {
			return t, err
		}
		if i < 0 {
			return t, fmt.Errorf("golem: output %d is an input; add a layer", k+1)
		}
		t.outputs = append(t.outputs, i)
	}
	return t, nil
}

// flatInput is the shape of x's rows: the one input's shape, or the total
// size of several inputs.
func flatInput(ins []layers.Shape) layers.Shape {
	if len(ins) == 1 {
		return ins[0]
	}
	n := 0
	for _, s := range ins {
		n += s.Size()
	}
	return layers.Shape{n}
}

// forwardGraph adds every call to b on x (batch × features) and returns the
// model's outputs, checking each output shape against what its layer's
// Build promised.
func (m *Model) forwardGraph(b *graph.Builder, x *G.Node) ([]*G.Node, error) {
	t := &m.topo
	batch := b.Batch()
	ins := make([]*G.Node, len(t.inputs))
	col := 0
	for k, s := range t.inputs {
		in := x
		if len(t.inputs) > 1 {
			var err error
			if in, err = sliceColumns(x, col, col+s.Size()); err != nil {
				return nil, fmt.Errorf("golem: input %d: %w", k+1, err)
			}
		}
		col += s.Size()
		if len(s) > 1 { // samples arrive flat: (batch × size) → (batch, shape...)
			shape := append([]int{batch}, s...)
			var err error
			if in, err = graph.Reshape(in, shape...); err != nil {
				return nil, fmt.Errorf("golem: reshaping input %d to %v: %w", k+1, shape, err)
			}
		}
		ins[k] = in
	}
	outs := make([]*G.Node, len(t.calls))
	node := func(i int) *G.Node {
		if i < 0 {
			return ins[-i-1]
		}
		return outs[i]
	}
	for i, c := range t.calls {
		l := t.units[c.unit]
		xs := make([]*G.Node, len(c.from))
		for j, f := range c.from {
			xs[j] = node(f)
		}
		engine.BeginLayer(b)
		var out *G.Node
		err := graphrt.Catch(func() error {
			var e error
			if mg, ok := l.(layers.Merge); ok {
				out, e = mg.ForwardMerge(b, xs)
			} else {
				out, e = l.Forward(b, xs[0])
			}
			return e
		})
		name := m.names[c.unit]
		if err != nil {
			return nil, fmt.Errorf("golem: layer %s (%s) on input %v: %w", name, describe(l), shapesOf(xs), err)
		}
		if want := append([]int{batch}, m.shapes[i]...); !graphrt.SameShape(out.Shape(), want) {
			return nil, fmt.Errorf("golem: layer %s (%s) returned shape %v, its Build promised %v", name, describe(l), out.Shape(), want)
		}
		outs[i] = out
	}
	res := make([]*G.Node, len(t.outputs))
	for k, i := range t.outputs {
		res[k] = outs[i]
	}
	return res, nil
}

// forwardLayers is forwardGraph with the outputs side by side (batch ×
// Outputs()); b remembers the parts, so a PerOutput loss finds each output
// as its layer made it.
func (m *Model) forwardLayers(b *graph.Builder, x *G.Node) (*G.Node, error) {
	outs, err := m.forwardGraph(b, x)
	if err != nil {
		return nil, err
	}
	if len(outs) == 1 {
		return outs[0], nil
	}
	h, err := graph.ConcatColumns(outs...)
	if err != nil {
		return nil, fmt.Errorf("golem: joining the outputs: %w", err)
	}
	engine.MarkParts(b, h, outs)
	return h, nil
}

func shapesOf(xs []*G.Node) string {
	if len(xs) == 1 {
		return fmt.Sprint(xs[0].Shape())
	}
	s := "["
	for i, x := range xs {
		if i > 0 {
			s += ", "
		}
		s += fmt.Sprint(x.Shape())
	}
	return s + "]"
}

// sliceColumns returns columns [lo, hi) of x (batch × n) as a copy.
func sliceColumns(x *G.Node, lo, hi int) (*G.Node, error) { return graph.Columns(x, lo, hi) }

// Columns puts matrices side by side (all with the same number of rows):
// the x of a model with several inputs, or the y of several outputs.
func Columns(ms ...mat.Matrix) (*mat.Dense, error) {
	if len(ms) == 0 {
		return nil, errors.New("golem: Columns needs at least one matrix")
	}
	rows, total := 0, 0
	for i, a := range ms {
		if a == nil {
			return nil, fmt.Errorf("golem: Columns: matrix %d is nil", i+1)
		}
		r, c := a.Dims()
		if i == 0 {
			rows = r
		} else if r != rows {
			return nil, fmt.Errorf("golem: Columns: matrix %d has %d rows, matrix 1 has %d", i+1, r, rows)
		}
		total += c
	}
	out := mat.NewDense(rows, total, nil)
	col := 0
	for _, a := range ms {
		_, c := a.Dims()
		out.Slice(0, rows, col, col+c).(*mat.Dense).Copy(a)
		col += c
	}
	return out, nil
}

// SplitOutputs splits Predict's result into one matrix per model output.
func (m *Model) SplitOutputs(pred mat.Matrix) ([]*mat.Dense, error) {
	if m.params == nil {
		return nil, ErrNotCompiled
	}
	r, c := pred.Dims()
	if c != m.Outputs() {
		return nil, fmt.Errorf("golem: SplitOutputs: %d columns, the model has %d outputs", c, m.Outputs())
	}
	var res []*mat.Dense
	col := 0
	for _, w := range m.outputWidths {
		part := mat.NewDense(r, w, nil)
		for i := 0; i < r; i++ {
			for j := 0; j < w; j++ {
				part.Set(i, j, pred.At(i, col+j))
			}
		}
		res = append(res, part)
		col += w
	}
	return res, nil
}
