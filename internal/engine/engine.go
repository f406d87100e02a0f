// Package engine is the engine's side of a graph.Builder: what the code
// that compiles and runs golem's graphs (the model, the Jacobian engine,
// losses that use logits) needs from a builder and a layer author does not.
// It reaches the state the builder records (internal/graphrt.State) with
// *graph.Param filled in.
package engine

import (
	"fmt"

	G "gorgonia.org/gorgonia"

	"github.com/golem-ml/golem/graph"
	"github.com/golem-ml/golem/internal/graphrt"
)

// Tap, Tile and StateUpdate are graphrt's records for golem's parameters.
type (
	Tap         = graphrt.Tap[*graph.Param]
	Tile        = graphrt.Tile[*graph.Param]
	StateUpdate = graphrt.StateUpdate[*graph.Param]
)

// Of returns the state b records for the engine.
func Of(b *graph.Builder) *graphrt.State[*graph.Param] {
	return graphrt.StateOf(b).(*graphrt.State[*graph.Param])
}

// Input adds an input node to b's graph, backed by a new zeroed slice the
// caller fills before each run.
func Input(b *graph.Builder, name string, shape ...int) *graphrt.Input {
	return graphrt.NewInput(b.Graph(), name, shape...)
}

// Output arranges for n's value, a node of b's graph, to be readable after
// each run. Call it before Compile.
func Output(b *graph.Builder, n *G.Node) *graphrt.Output {
	o := graphrt.NewOutput(n)
	st := Of(b)
	st.Outputs = append(st.Outputs, o)
	return o
}

// Compile turns b's graph into a machine that binds every Output made so
// far.
func Compile(b *graph.Builder) (*graphrt.Machine, error) {
	return graphrt.Compile(b.Graph(), Of(b).Outputs)
}

// JacobianMode turns b into a Jacobian-graph builder: Affine taps and Param
// tiles, except for the parameters in loop, which are used as they are.
// Call it before any layer builds.
func JacobianMode(b *graph.Builder, loop map[*graph.Param]bool) {
	st := Of(b)
	st.Jacobian = true
	st.Loop = loop
}

// Taps returns the taps b's Affine calls added so far.
func Taps(b *graph.Builder) []*Tap { return Of(b).Taps }

// Tiles returns the parameters b tiled.
func Tiles(b *graph.Builder) []*Tile { return Of(b).Tiles }

// BeginLayer marks the start of a layer's Forward, so that LayerParams can
// tell which parameters the layer used.
func BeginLayer(b *graph.Builder) { Of(b).Accessed = nil }

// LayerParams lists the parameters used since the last BeginLayer.
func LayerParams(b *graph.Builder) []*graph.Param { return Of(b).Accessed }

// SetTraining puts b's graph in training mode (on) or not. Call it before
// any layer builds: layers read the mode when their Forward runs.
func SetTraining(b *graph.Builder, on bool) { Of(b).Training = on }

// RandomInputs lists the inputs b.Random added, in order; fill them before
// each run with graphrt.FillRandom.
func RandomInputs(b *graph.Builder) []*graphrt.Input { return Of(b).Randoms }

// RowMaskInput returns the row mask input, or nil if no layer asked for it.
// Its owner sets 0 for padding rows before each run.
func RowMaskInput(b *graph.Builder) *graphrt.Input { return Of(b).RowMask }

// StateUpdates returns the updates b.UpdateState recorded, in order.
func StateUpdates(b *graph.Builder) []StateUpdate { return Of(b).Updates }

// ApplyStateUpdates applies us to the state values of ps, in order, reading
// each Value from the run that just finished. Calling it before the graph
// has run panics (a programmer error).
func ApplyStateUpdates(ps *graph.Params, us []StateUpdate) {
	for _, u := range us {
		dst := ps.StateView(u.Param)
		v := u.Value.Data()
		if len(v) != len(dst) {
			panic(fmt.Sprintf("engine: ApplyStateUpdates: %s has %d values, the update %d (has the graph run?)", u.Param.Name, len(dst), len(v)))
		}
		m := u.Momentum
		for i := range dst {
			dst[i] = m*dst[i] + (1-m)*v[i]
		}
	}
}

// MarkLogits records that out = link(logits), so a loss can use logits.
func MarkLogits(b *graph.Builder, out, logits *G.Node, link graphrt.Link) {
	Of(b).Logits[out] = graphrt.Logits{Node: logits, Link: link}
}

// Logits returns the logits behind out when out was produced by link.
func Logits(b *graph.Builder, out *G.Node, link graphrt.Link) (*G.Node, bool) {
	l, ok := Of(b).Logits[out]
	if !ok || l.Link != link {
		return nil, false
	}
	return l.Node, true
}

// MarkParts records that whole is parts side by side along the last axis
// (a model's outputs joined into one), so a loss can use each part as its
// layer made it (with its logits).
func MarkParts(b *graph.Builder, whole *G.Node, parts []*G.Node) {
	Of(b).Parts[whole] = append([]*G.Node(nil), parts...)
}

// Parts returns the parts behind whole when MarkParts recorded them.
func Parts(b *graph.Builder, whole *G.Node) ([]*G.Node, bool) {
	p, ok := Of(b).Parts[whole]
	return p, ok
}

// UsedParams returns the parameters b's graph uses, in θ order, with their
// nodes.
func UsedParams(b *graph.Builder) ([]*graph.Param, G.Nodes) {
	st := Of(b)
	var ps []*graph.Param
	var ns G.Nodes
	for _, p := range st.Params.(*graph.Params).List() {
		if n, ok := st.Nodes[p]; ok {
			ps = append(ps, p)
			ns = append(ns, n)
		}
	}
	return ps, ns
}

// Gradients differentiates cost with respect to every parameter used in
// b's graph and returns the parameters (θ order) with their gradient nodes.
func Gradients(b *graph.Builder, cost *G.Node) (ps []*graph.Param, grads G.Nodes, err error) {
	ps, ns := UsedParams(b)
	if len(ns) == 0 {
		return nil, nil, fmt.Errorf("graph: the model has no parameters to differentiate")
	}
	err = graphrt.Catch(func() error {
		var e error
		grads, e = G.Grad(cost, ns...)
		return e
	})
	if err != nil {
		return nil, nil, fmt.Errorf("graph: differentiating the loss: %w", err)
	}
	return ps, grads, nil
}
