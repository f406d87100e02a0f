package graph

import (
	"fmt"
	"math"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	G "gorgonia.org/gorgonia"
)

// Gorgonia's broadcast ops differentiate wrongly at rank 4 and above; the
// helpers fold such broadcasts to rank ≤ 3. Every helper, at ranks 2 to 5,
// with a parameter of shape (C) and a per-row one (batch, 1, ..., C), must
// match finite differences.
func TestBroadcastGradientsAtHighRank(t *testing.T) {
	ops := []struct {
		name string
		f    func(a, b *G.Node) (*G.Node, error)
	}{{"Add", Add}, {"Sub", Sub}, {"Mul", Mul}, {"Div", Div}}
	for _, shape := range [][]int{{2, 2}, {2, 3, 2}, {2, 3, 3, 2}, {2, 2, 3, 3, 2}} {
		for _, perRow := range []bool{false, true} {
			pshape := []int{2}
			if perRow {
				pshape = make([]int, len(shape))
				for i := range pshape {
					pshape[i] = 1
				}
				pshape[0], pshape[len(shape)-1] = shape[0], 2
			}
			for _, op := range ops {
				t.Run(fmt.Sprintf("%s%v_by_%v", op.name, shape, pshape), func(t *testing.T) {
					ps := NewParams()
					n := 1
					for _, d := range pshape {
						n *= d
					}
					vals := make([]float64, n)
					for i := range vals {
						vals[i] = 1.3 + 0.4*float64(i%3) - 0.2*float64(i)
					}
					p, err := ps.Declare("g", pshape, Values(vals...), 0, 0)
					require.NoError(t, err)
					ps.Init(1)
					b := NewBuilder(ps, shape[0])
					x := b.input("x", shape...)
					for i := range x.Data {
						x.Data[i] = float64(i%7) - 2.5 + 0.1*float64(i%3)
					}
					out, err := op.f(x.Node, b.Param(p))
					require.NoError(t, err)
					assert.Equal(t, shape, []int(out.Shape()))
					sq, err := G.Square(out)
					require.NoError(t, err)
					cost, err := G.Sum(sq)
					require.NoError(t, err)
					_, grads, err := gradients(b, cost)
					require.NoError(t, err)
					gout, co := b.output(grads[0]), b.output(cost)
					m, err := compile(b)
					require.NoError(t, err)
					require.NoError(t, m.Run())
					g := append([]float64(nil), gout.Data()...)
					th := ps.Theta()
					for k := range th {
						orig, h := th[k], 1e-6
						th[k] = orig + h
						require.NoError(t, m.Run())
						up := co.Scalar()
						th[k] = orig - h
						require.NoError(t, m.Run())
						down := co.Scalar()
						th[k] = orig
						fd := (up - down) / (2 * h)
						assert.InDelta(t, fd, g[k], 1e-5*math.Max(1, math.Abs(fd)), "entry %d", k)
					}
				})
			}
		}
	}
}
