package graph

import (
	"fmt"

	G "gorgonia.org/gorgonia"
)

// LogSoftmax returns z - logsumexp(z) along the last axis of a (batch × k)
// node, computed as d - log Σ exp(d) with d = z - max(z), so it never
// overflows.
func LogSoftmax(z *G.Node) (out *G.Node, err error) {
	if z.Dims() != 2 {
		return nil, fmt.Errorf("graph.LogSoftmax: needs a (batch × k) node, got shape %v", z.Shape())
	}
	rows := z.Shape()[0]
	err = catch(func() error {
		m, err := G.Max(z, 1)
		if err != nil {
			return err
		}
		if m, err = Reshape(m, rows, 1); err != nil {
			return err
		}
		d, err := Sub(z, m)
		if err != nil {
			return err
		}
		e, err := G.Exp(d)
		if err != nil {
			return err
		}
		s, err := G.Sum(e, 1)
		if err != nil {
			return err
		}
		ls, err := G.Log(s)
		if err != nil {
			return err
		}
		if ls, err = Reshape(ls, rows, 1); err != nil {
			return err
		}
		out, err = Sub(d, ls)
		return err
	})
	return out, err
}
