package graph

import (
	"fmt"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// Link names the squashing function that turned logits into an output, so a
// loss can work from the logits instead (log-sum-exp stable).
type Link int

const (
	// LinkSigmoid: out = 1/(1+exp(-logits)), elementwise.
	LinkSigmoid Link = iota + 1
	// LinkSoftmax: out = softmax(logits) along the last axis.
	LinkSoftmax
)

// Builder assembles one fixed-batch Gorgonia graph for a model. It creates,
// once per graph, the node of each parameter (backed by θ) and the input
// nodes (backed by Go slices the caller fills before each run).
type Builder struct {
	g      *G.ExprGraph
	params *Params
	batch  int
	nodes  map[*Param]*G.Node
	logits map[*G.Node]logitsOf
	parts  map[*G.Node][]*G.Node
	consts int

	// Jacobian mode (see JacobianMode).
	jacobian bool
	loop     map[*Param]bool
	taps     []*Tap
	tiles    []*Tile
	tiled    map[*Param]*G.Node
	accessed []*Param

	// Training mode, random inputs, the row mask and state (mode.go).
	mode modeState

	// outputs lists every Output, for the machine that binds them.
	outputs []*Output
}

type logitsOf struct {
	node *G.Node
	link Link
}

// NewBuilder starts a graph for batches of the given number of rows.
// ps must be initialized (θ allocated).
func NewBuilder(ps *Params, batch int) *Builder {
	return &Builder{
		g:      G.NewGraph(),
		params: ps,
		batch:  batch,
		nodes:  map[*Param]*G.Node{},
		logits: map[*G.Node]logitsOf{},
		parts:  map[*G.Node][]*G.Node{},
		tiled:  map[*Param]*G.Node{},
	}
}

// Graph is the underlying Gorgonia graph.
func (b *Builder) Graph() *G.ExprGraph { return b.g }

// Batch is the graph's fixed number of rows.
func (b *Builder) Batch() int { return b.batch }

// paramNode returns p's node in this graph, creating it on first use. Its
// value is a tensor backed by p's slice of θ.
func (b *Builder) paramNode(p *Param) *G.Node {
	if n, ok := b.nodes[p]; ok {
		return n
	}
	t := tensor.New(tensor.WithShape(p.Shape...), tensor.WithBacking(b.params.View(p)))
	n := G.NewTensor(b.g, tensor.Float64, len(p.Shape), G.WithShape(p.Shape...), G.WithName(p.Name), G.WithValue(t))
	b.nodes[p] = n
	return n
}

// UsedParams returns the parameters this graph uses, in θ order, with their nodes.
func (b *Builder) UsedParams() ([]*Param, G.Nodes) {
	var ps []*Param
	var ns G.Nodes
	for _, p := range b.params.List() {
		if n, ok := b.nodes[p]; ok {
			ps = append(ps, p)
			ns = append(ns, n)
		}
	}
	return ps, ns
}

// Input is a graph input backed by Data, a row-major slice the caller fills
// before each run.
type Input struct {
	Node  *G.Node
	Data  []float64
	Shape []int
}

// Input adds an input node of the given shape, backed by a new zeroed slice.
func (b *Builder) Input(name string, shape ...int) *Input {
	data := make([]float64, shapeSize(shape))
	t := tensor.New(tensor.WithShape(shape...), tensor.WithBacking(data))
	n := G.NewTensor(b.g, tensor.Float64, len(shape), G.WithShape(shape...), G.WithName(name), G.WithValue(t))
	return &Input{Node: n, Data: data, Shape: append([]int(nil), shape...)}
}

// Tensor adds a constant tensor of the given shape with row-major values;
// name is made unique within the graph.
func (b *Builder) Tensor(name string, shape []int, values []float64) *G.Node {
	b.consts++
	name = fmt.Sprintf("%s_%d", name, b.consts)
	t := tensor.New(tensor.WithShape(shape...), tensor.WithBacking(append([]float64(nil), values...)))
	return G.NewTensor(b.g, tensor.Float64, len(shape), G.WithShape(shape...), G.WithName(name), G.WithValue(t))
}

// MarkLogits records that out = link(logits), so a loss can use logits.
func (b *Builder) MarkLogits(out, logits *G.Node, link Link) {
	b.logits[out] = logitsOf{node: logits, link: link}
}

// Logits returns the logits behind out when out was produced by link.
func (b *Builder) Logits(out *G.Node, link Link) (*G.Node, bool) {
	l, ok := b.logits[out]
	if !ok || l.link != link {
		return nil, false
	}
	return l.node, true
}

// MarkParts records that whole is parts side by side along the last axis
// (a model's outputs joined into one), so a loss can use each part as its
// layer made it (with its logits).
func (b *Builder) MarkParts(whole *G.Node, parts []*G.Node) {
	b.parts[whole] = append([]*G.Node(nil), parts...)
}

// Parts returns the parts behind whole when MarkParts recorded them.
func (b *Builder) Parts(whole *G.Node) ([]*G.Node, bool) {
	p, ok := b.parts[whole]
	return p, ok
}

// Output reads a node's value after each run.
type Output struct {
	Node *G.Node
	v    G.Value
	prog *execBinding // set when the graph runs on golem's executor
}

// Output arranges for n's value to be readable after each run.
func (b *Builder) Output(n *G.Node) *Output {
	o := &Output{Node: n}
	G.Read(n, &o.v)
	b.outputs = append(b.outputs, o)
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

// Scalar is the value of a scalar output from the last run.
func (o *Output) Scalar() float64 {
	d := o.Data()
	if len(d) == 0 {
		return 0
	}
	return d[0]
}

// Gradients differentiates cost with respect to every parameter used in the
// graph and returns the parameters (θ order) with their gradient nodes.
func (b *Builder) Gradients(cost *G.Node) (ps []*Param, grads G.Nodes, err error) {
	ps, ns := b.UsedParams()
	if len(ns) == 0 {
		return nil, nil, fmt.Errorf("graph: the model has no parameters to differentiate")
	}
	err = Catch(func() error {
		var e error
		grads, e = G.Grad(cost, ns...)
		return e
	})
	if err != nil {
		return nil, nil, fmt.Errorf("graph: differentiating the loss: %w", err)
	}
	return ps, grads, nil
}

// Catch runs f and turns a panic inside Gorgonia into an error.
func Catch(f func() error) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("gorgonia: %v", r)
		}
	}()
	return f()
}
