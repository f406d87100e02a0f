package graphrt

import (
	"math/rand/v2"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// Input is a graph input backed by Data, a row-major slice the caller fills
// before each run.
type Input struct {
	Node  *G.Node
	Data  []float64
	Shape []int
}

// NewInput adds an input node of the given shape to g, backed by a new
// zeroed slice. Gorgonia merges input nodes of the same name: callers make
// names unique.
func NewInput(g *G.ExprGraph, name string, shape ...int) *Input {
	data := make([]float64, shapeSize(shape))
	t := tensor.New(tensor.WithShape(shape...), tensor.WithBacking(data))
	n := G.NewTensor(g, tensor.Float64, len(shape), G.WithShape(shape...), G.WithName(name), G.WithValue(t))
	return &Input{Node: n, Data: data, Shape: append([]int(nil), shape...)}
}

// Output reads a node's value after each run.
type Output struct {
	Node *G.Node
	v    G.Value
	prog *execBinding // set when the graph runs on golem's executor
}

// NewOutput arranges for n's value to be readable after each run. Call it
// before the graph is compiled.
func NewOutput(n *G.Node) *Output {
	o := &Output{Node: n}
	G.Read(n, &o.v)
	return o
}

// Data is the node's value from the last run, row-major. It aliases the
// machine's memory: copy it before the next run.
func (o *Output) Data() []float64 {
	if o.prog != nil {
		return o.prog.data()
	}
	if o.v == nil {
		return nil
	}
	switch d := o.v.Data().(type) {
	case []float64:
		return d
	case float64:
		return []float64{d}
	}
	return nil
}

// Value is the node's value from the last run on the tape machine, as
// Gorgonia holds it (nil before the first run, and on golem's executor).
func (o *Output) Value() G.Value { return o.v }

// Scalar is the value of a scalar output from the last run.
func (o *Output) Scalar() float64 {
	d := o.Data()
	if len(d) == 0 {
		return 0
	}
	return d[0]
}

// FillRandom fills every input of ins, in order, with uniform values on
// [0, 1) from rng, so the same seeded rng gives the same masks.
func FillRandom(ins []*Input, rng *rand.Rand) {
	for _, in := range ins {
		for i := range in.Data {
			in.Data[i] = rng.Float64()
		}
	}
}

func shapeSize(shape []int) int {
	n := 1
	for _, d := range shape {
		n *= d
	}
	return n
}
