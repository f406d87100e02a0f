package graph

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	G "gorgonia.org/gorgonia"
)

// runWindow applies f to an input x of the given shape and values and
// returns f(x) and the gradient of Σ c⊙f(x) with respect to x.
func runWindow(t *testing.T, shape []int, x []float64, c []float64, f func(x *G.Node) (*G.Node, error)) (out, grad []float64) {
	t.Helper()
	b := NewBuilder(NewParams(), shape[0])
	in := b.input("x", shape...)
	copy(in.Data, x)
	y, err := f(in.Node)
	require.NoError(t, err)
	require.Equal(t, len(c), y.Shape().TotalSize())
	cn := b.Tensor("c", y.Shape().Clone(), c)
	prod, err := G.HadamardProd(y, cn)
	require.NoError(t, err)
	cost, err := G.Sum(prod)
	require.NoError(t, err)
	gs, err := G.Grad(cost, in.Node)
	require.NoError(t, err)
	yo, gi := b.output(y), b.output(gs[0])
	m, err := compile(b)
	require.NoError(t, err)
	require.NoError(t, m.Run())
	return append([]float64(nil), yo.Data()...), append([]float64(nil), gi.Data()...)
}

func TestGatherAndItsScatterAddGradient(t *testing.T) {
	// Two samples of 3 values; indices repeat and pad.
	x := []float64{1, 2, 3, 10, 20, 30}
	idx := []int{2, -1, 0, 2}
	out, grad := runWindow(t, []int{2, 3}, x, []float64{1, 2, 3, 4, 5, 6, 7, 8}, func(x *G.Node) (*G.Node, error) {
		return Gather(x, idx, 4, 2) // (batch·2 × 2): two rows per sample
	})
	assert.Equal(t, []float64{3, 0, 1, 3, 30, 0, 10, 30}, out)
	// ∂/∂x_b[i] = Σ_{j: idx[j]=i} c_b[j]
	assert.Equal(t, []float64{3, 0, 1 + 4, 7, 0, 5 + 8}, grad)
}

func TestWindowSumWeightsAndPadding(t *testing.T) {
	x := []float64{1, 2, 3, 4}
	idx := []int{0, 1, -1, 3, 2, 3}
	w := []float64{0.5, 0.25, 9, 1, 2, -1}
	out, grad := runWindow(t, []int{1, 4}, x, []float64{1, 10}, func(x *G.Node) (*G.Node, error) {
		return WindowSum(x, idx, w, 3, 1, 2)
	})
	assert.Equal(t, []float64{0.5*1 + 0.25*2, 4 + 2*3 - 4}, out)
	assert.Equal(t, []float64{0.5, 0.25, 20, 10 - 10}, grad)
}

func TestWindowMaxIgnoresPaddingAndBreaksTiesToTheFirst(t *testing.T) {
	x := []float64{-5, -2, -2, -7}
	// window 0: padding and -5, -7 → -5 (not the padding's 0);
	// window 1: a tie between x[1] and x[2] → x[1] gets the gradient;
	// window 2: all padding → 0, no gradient.
	idx := []int{-1, 0, 3, 2, 1, 0, -1, -1, -1}
	out, grad := runWindow(t, []int{1, 4}, x, []float64{1, 10, 100}, func(x *G.Node) (*G.Node, error) {
		return WindowMax(x, idx, 3, 1, 3)
	})
	assert.Equal(t, []float64{-5, -2, 0}, out)
	assert.Equal(t, []float64{1, 0, 10, 0}, grad)
}

func TestWindowOpsWithDifferentTablesStayDistinct(t *testing.T) {
	// Gorgonia merges nodes with equal hashes; two tables on one input
	// must give two nodes.
	out, _ := runWindow(t, []int{1, 2}, []float64{1, 2}, []float64{1, 1}, func(x *G.Node) (*G.Node, error) {
		a, err := Gather(x, []int{0}, 1, 1)
		if err != nil {
			return nil, err
		}
		b, err := Gather(x, []int{1}, 1, 1)
		if err != nil {
			return nil, err
		}
		return G.Concat(1, a, b)
	})
	assert.Equal(t, []float64{1, 2}, out)
}

func TestWindowOpErrors(t *testing.T) {
	b := NewBuilder(NewParams(), 2)
	x := b.input("x", 2, 3)
	_, err := Gather(x.Node, []int{0, 3}, 2, 2)
	assert.ErrorContains(t, err, "graph.Gather: index 3 (entry 1) is outside a sample of 3 values (input (2, 3))")
	_, err = Gather(x.Node, []int{0, 1}, 3, 2)
	assert.ErrorContains(t, err, "output shape [3 2] does not hold 2 samples of 2 values")
	_, err = WindowMax(x.Node, []int{0, 1, 2}, 2, 2, 1)
	assert.ErrorContains(t, err, "graph.WindowMax: 3 indices do not make windows of 2")
	_, err = WindowSum(x.Node, []int{0, 1}, []float64{1}, 2, 2, 1)
	assert.ErrorContains(t, err, "1 weights for 2 indices")
}
