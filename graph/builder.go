package graph

import (
	"fmt"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/golem-ml/golem/internal/graphrt"
)

// Builder assembles one fixed-batch Gorgonia graph for a model. It creates,
// once per graph, the node of each parameter (backed by θ) and the input
// nodes (backed by Go slices the caller fills before each run).
//
// Layers call Param, Affine, State, Random, RowMask and Training while
// they build; what the builder records for the engine that runs the graph
// (Jacobian taps and tiles, training mode, state updates) is internal.
type Builder struct {
	g          *G.ExprGraph
	params     *Params
	batch      int
	consts     int
	stateNodes map[*Param]*G.Node
	st         *graphrt.State[*Param]
}

func init() {
	graphrt.StateOf = func(b any) any { return b.(*Builder).st }
}

// NewBuilder starts a graph for batches of the given number of rows.
// ps must be initialized (θ allocated).
func NewBuilder(ps *Params, batch int) *Builder {
	b := &Builder{
		g:          G.NewGraph(),
		params:     ps,
		batch:      batch,
		stateNodes: map[*Param]*G.Node{},
		st:         graphrt.NewState[*Param](ps),
	}
	b.st.TilesUsedElementwise = b.tilesUsedElementwise
	return b
}

// Graph is the underlying Gorgonia graph.
func (b *Builder) Graph() *G.ExprGraph { return b.g }

// Batch is the graph's fixed number of rows.
func (b *Builder) Batch() int { return b.batch }

// paramNode returns p's node in this graph, creating it on first use. Its
// value is a tensor backed by p's slice of θ.
func (b *Builder) paramNode(p *Param) *G.Node {
	if n, ok := b.st.Nodes[p]; ok {
		return n
	}
	t := tensor.New(tensor.WithShape(p.Shape...), tensor.WithBacking(b.params.View(p)))
	n := G.NewTensor(b.g, tensor.Float64, len(p.Shape), G.WithShape(p.Shape...), G.WithName(p.Name), G.WithValue(t))
	b.st.Nodes[p] = n
	return n
}

// Tensor adds a constant tensor of the given shape with row-major values;
// name is made unique within the graph.
func (b *Builder) Tensor(name string, shape []int, values []float64) *G.Node {
	b.consts++
	name = fmt.Sprintf("%s_%d", name, b.consts)
	t := tensor.New(tensor.WithShape(shape...), tensor.WithBacking(append([]float64(nil), values...)))
	return G.NewTensor(b.g, tensor.Float64, len(shape), G.WithShape(shape...), G.WithName(name), G.WithValue(t))
}

// input adds an input node to the graph; names are made unique by the
// callers.
func (b *Builder) input(name string, shape ...int) *graphrt.Input {
	return graphrt.NewInput(b.g, name, shape...)
}

// output arranges for n's value to be readable after each run, and lists
// it for the machine that binds outputs.
func (b *Builder) output(n *G.Node) *graphrt.Output {
	o := graphrt.NewOutput(n)
	b.st.Outputs = append(b.st.Outputs, o)
	return o
}
