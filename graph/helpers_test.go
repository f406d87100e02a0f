package graph

import (
	"fmt"

	G "gorgonia.org/gorgonia"

	"github.com/golem-ml/golem/internal/graphrt"
)

// The engine's side of a Builder (internal/engine) imports this package, so
// these tests reach the builder's state directly.

func compile(b *Builder) (*graphrt.Machine, error) { return graphrt.Compile(b.g, b.st.Outputs) }

func jacobianMode(b *Builder, loop map[*Param]bool) {
	b.st.Jacobian = true
	b.st.Loop = loop
}

func gradients(b *Builder, cost *G.Node) ([]*Param, G.Nodes, error) {
	var ps []*Param
	var ns G.Nodes
	for _, p := range b.params.List() {
		if n, ok := b.st.Nodes[p]; ok {
			ps = append(ps, p)
			ns = append(ns, n)
		}
	}
	grads, err := G.Grad(cost, ns...)
	return ps, grads, err
}

func applyStateUpdates(ps *Params, us []graphrt.StateUpdate[*Param]) {
	for _, u := range us {
		dst := ps.StateView(u.Param)
		v := u.Value.Data()
		if len(v) != len(dst) {
			panic(fmt.Sprintf("applyStateUpdates: %s has %d values, the update %d", u.Param.Name, len(dst), len(v)))
		}
		for i := range dst {
			dst[i] = u.Momentum*dst[i] + (1-u.Momentum)*v[i]
		}
	}
}
