package graph

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	G "gorgonia.org/gorgonia"

	"github.com/golem-ml/golem/internal/graphrt"
)

// TestColumnsAndConcatColumns: values and gradients of Columns and
// ConcatColumns, including one-row, one-column blocks (where Gorgonia's
// Slice returns a scalar).
func TestColumnsAndConcatColumns(t *testing.T) {
	for _, rows := range []int{1, 2} {
		ps := NewParams()
		x0, err := ps.Declare("x", []int{rows, 5}, Zeros(), 0, 0)
		require.NoError(t, err)
		ps.Init(1)
		for i := range ps.View(x0) {
			ps.View(x0)[i] = float64(i + 1)
		}
		b := NewBuilder(ps, rows)
		x := b.Param(x0)
		c3, err := Columns(x, 3, 4) // one column
		require.NoError(t, err)
		c01, err := Columns(x, 0, 2)
		require.NoError(t, err)
		y, err := ConcatColumns(c3, c01, c3)
		require.NoError(t, err)
		require.Equal(t, []int{rows, 4}, []int(y.Shape()))
		k := make([]float64, rows*4)
		for i := range k {
			k[i] = float64(10 * (i + 1))
		}
		cost, err := G.HadamardProd(y, b.Tensor("k", []int{rows, 4}, k))
		require.NoError(t, err)
		cost, err = G.Sum(cost)
		require.NoError(t, err)
		_, grads, err := gradients(b, cost)
		require.NoError(t, err)
		out, g := b.output(y), b.output(grads[0])
		m, err := compile(b)
		require.NoError(t, err)
		require.NoError(t, m.Run())

		wantY := make([]float64, 0, rows*4)
		wantG := make([]float64, rows*5)
		for r := 0; r < rows; r++ {
			xr := func(c int) float64 { return float64(r*5 + c + 1) }
			wantY = append(wantY, xr(3), xr(0), xr(1), xr(3))
			kr := k[r*4 : r*4+4]
			wantG[r*5+3] = kr[0] + kr[3]
			wantG[r*5+0] = kr[1]
			wantG[r*5+1] = kr[2]
		}
		assert.Equal(t, wantY, out.Data(), "rows %d", rows)
		assert.Equal(t, wantG, g.Data(), "rows %d", rows)
	}

	x := NewBuilder(NewParams(), 2).input("x", 2, 3).Node
	_, err := Columns(x, 2, 4)
	assert.ErrorContains(t, err, "cannot take columns [2, 4) of (2, 3)")
	y := NewBuilder(NewParams(), 3).input("y", 3, 3).Node
	_, err = ConcatColumns(x, y)
	assert.ErrorContains(t, err, "node 1 has shape (3, 3), want (2, n)")
}

// TestGorgoniaSliceOneElementIsScalar pins the Gorgonia behaviour Columns
// exists for: slicing one element out of a (1 × n) matrix gives a scalar,
// not a (1 × 1) matrix, at run time (the node's shape says otherwise).
func TestGorgoniaSliceOneElementIsScalar(t *testing.T) {
	defer graphrt.SetExecutor(graphrt.SetExecutor(false)) // the tape machine's values
	b := NewBuilder(NewParams(), 1)
	x := b.input("x", 1, 3)
	copy(x.Data, []float64{1, 2, 3})
	s, err := G.Slice(x.Node, nil, G.S(1, 2))
	require.NoError(t, err)
	c, err := Columns(x.Node, 1, 2)
	require.NoError(t, err)
	so, co := b.output(s), b.output(c)
	m, err := compile(b)
	require.NoError(t, err)
	require.NoError(t, m.Run())
	_, scalar := so.Value().Data().(float64)
	assert.True(t, scalar, "gorgonia.Slice gave %T", so.Value().Data())
	assert.Equal(t, []int{1, 1}, []int(co.Value().Shape()))
	assert.Equal(t, []float64{2}, co.Data())
}
