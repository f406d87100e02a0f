package graph

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	G "gorgonia.org/gorgonia"

	"github.com/golem-ml/golem/internal/graphrt"
)

// TestTileMatchesBroadcastAdd: the tile op gives the values and the
// gradients (with respect to the zero input and to the parameter) of the
// broadcasting Add it replaces, bit for bit, on the tape and on the
// executor.
func TestTileMatchesBroadcastAdd(t *testing.T) {
	for _, shape := range [][]int{{1}, {3}, {2, 3}} {
		for _, exec := range []bool{false, true} {
			run := func(tiled bool) []float64 {
				defer graphrt.SetExecutor(graphrt.SetExecutor(exec))
				ps := NewParams()
				p, err := ps.Declare("p", shape, GlorotUniform(), 3, 2)
				require.NoError(t, err)
				ps.Init(11)
				b := NewBuilder(ps, 4)
				zero := b.input("t", append([]int{4}, shape...)...)
				for i := range zero.Data {
					zero.Data[i] = float64(i%3) * 0.25 // any values: the op adds them
				}
				pn := b.paramNode(p)
				var n *G.Node
				if tiled {
					n, err = tileParam(zero.Node, pn)
				} else {
					n, err = Add(zero.Node, pn)
				}
				require.NoError(t, err)
				h, err := G.Tanh(n)
				require.NoError(t, err)
				cost, err := G.Sum(h)
				require.NoError(t, err)
				grads, err := G.Grad(cost, zero.Node, pn)
				require.NoError(t, err)
				outs := []*graphrt.Output{b.output(n), b.output(grads[0]), b.output(grads[1])}
				m, err := compile(b)
				require.NoError(t, err)
				require.NoError(t, m.Run())
				var all []float64
				for _, o := range outs {
					all = append(all, o.Data()...)
				}
				return all
			}
			assert.Equal(t, run(false), run(true), "shape %v, executor %v", shape, exec)
		}
	}
}
