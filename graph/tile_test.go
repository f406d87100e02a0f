package graph

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	G "gorgonia.org/gorgonia"
)

// TestTileMatchesBroadcastAdd: the tile op gives the values and the
// gradients (with respect to the zero input and to the parameter) of the
// broadcasting Add it replaces, bit for bit, on the tape and on the
// executor.
func TestTileMatchesBroadcastAdd(t *testing.T) {
	for _, shape := range [][]int{{1}, {3}, {2, 3}} {
		for _, exec := range []bool{false, true} {
			run := func(tiled bool) []float64 {
				defer SetExecutor(SetExecutor(exec))
				ps := NewParams()
				p, err := ps.Declare("p", shape, GlorotUniform(), 3, 2)
				require.NoError(t, err)
				ps.Init(11)
				b := NewBuilder(ps, 4)
				zero := b.Input("t", append([]int{4}, shape...)...)
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
				outs := []*Output{b.Output(n), b.Output(grads[0]), b.Output(grads[1])}
				m, err := Compile(b)
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
