package graph

import (
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	G "gorgonia.org/gorgonia"

	"github.com/golem-ml/golem/internal/graphrt"
)

// TestStateIsOutsideTheta: state is declared into its own list and values,
// with its own offsets; θ is the same with or without it (state is filled
// after θ from the same stream); names are unique across both.
func TestStateIsOutsideTheta(t *testing.T) {
	plain := declareNet(t)
	plain.Init(5)

	ps := declareNet(t)
	s := NewScope(ps, "bn")
	mean, err := s.State("moving_mean", []int{3}, nil)
	require.NoError(t, err)
	noise, err := s.State("noise", []int{2, 2}, Uniform(-1, 1))
	require.NoError(t, err)
	_, err = s.State("moving_mean", []int{3}, nil)
	assert.ErrorContains(t, err, `duplicate parameter name "bn/moving_mean"`)
	_, err = ps.Declare("bn/noise", []int{1}, nil, 0, 0)
	assert.ErrorContains(t, err, `duplicate parameter name "bn/noise"`)
	_, err = s.State("bad", []int{0}, nil)
	assert.ErrorContains(t, err, "invalid shape")
	ps.Init(5)

	assert.Equal(t, plain.Theta(), ps.Theta(), "state changes no weight")
	assert.Equal(t, 24, ps.Len())
	assert.Equal(t, 7, ps.StateLen())
	assert.Equal(t, []*Param{mean, noise}, ps.State())
	assert.Equal(t, 0, mean.Offset)
	assert.Equal(t, 3, noise.Offset)
	assert.True(t, noise.IsState())
	assert.Len(t, ps.List(), 3, "state is not in List")
	assert.Equal(t, []float64{0, 0, 0}, ps.StateView(mean))
	for _, v := range ps.StateView(noise) {
		assert.True(t, v >= -1 && v <= 1 && v != 0)
	}
	got, ok := ps.LookupState("bn/noise")
	assert.True(t, ok)
	assert.Same(t, noise, got)
	_, ok = ps.Lookup("bn/noise")
	assert.False(t, ok)

	again := declareNet(t)
	_, _ = NewScope(again, "bn").State("moving_mean", []int{3}, nil)
	_, _ = NewScope(again, "bn").State("noise", []int{2, 2}, Uniform(-1, 1))
	again.Init(5)
	assert.Equal(t, ps.StateValues(), again.StateValues(), "seeded")

	_, err = s.State("late", []int{1}, nil)
	assert.ErrorContains(t, err, "already initialized")
	assert.Panics(t, func() { ps.View(mean) })
	w, _ := ps.Lookup("dense_1/W")
	assert.Panics(t, func() { ps.StateView(w) })
}

// TestStateNodesAndUpdates: a state node reads the state values at every
// run (an update is seen without recompiling), takes no gradient, and
// ApplyStateUpdates applies p ← m·p + (1−m)·value.
func TestStateNodesAndUpdates(t *testing.T) {
	ps := NewParams()
	w, err := ps.Declare("w", []int{2}, Constant(2), 0, 0)
	require.NoError(t, err)
	st, err := NewScope(ps, "").State("s", []int{2}, Constant(1))
	require.NoError(t, err)
	ps.Init(1)

	b := NewBuilder(ps, 3)
	x := b.input("x", 3, 2)
	copy(x.Data, []float64{1, 2, 3, 4, 5, 6})
	sn := b.State(st)
	assert.Same(t, sn, b.State(st))
	y, err := Add(x.Node, sn)
	require.NoError(t, err)
	y, err = Mul(y, b.Param(w))
	require.NoError(t, err)
	cost, err := G.Sum(y)
	require.NoError(t, err)
	used, grads, err := gradients(b, cost)
	require.NoError(t, err)
	assert.Equal(t, []*Param{w}, used, "state is not differentiated")
	colMean, err := G.Sum(x.Node, 0)
	require.NoError(t, err)
	b.UpdateState(st, colMean, 0.75)
	require.Len(t, b.st.Updates, 1)
	out, g := b.output(y), b.output(grads[0])
	m, err := compile(b)
	require.NoError(t, err)

	require.NoError(t, m.Run())
	assert.Equal(t, []float64{4, 6, 8, 10, 12, 14}, out.Data())
	assert.Equal(t, []float64{1 + 3 + 5 + 3, 2 + 4 + 6 + 3}, g.Data())
	applyStateUpdates(ps, b.st.Updates)
	// s ← 0.75·1 + 0.25·(9, 12)
	assert.Equal(t, []float64{0.75 + 0.25*9, 0.75 + 0.25*12}, ps.StateView(st))
	require.NoError(t, m.Run())
	assert.InDeltaSlice(t, []float64{2 * (1 + 3), 2 * (2 + 3.75)}, out.Data()[:2], 1e-15)

	assert.Panics(t, func() { b.UpdateState(st, x.Node, 0.5) }, "wrong size")
	assert.Panics(t, func() { b.UpdateState(st, colMean, 1.5) }, "momentum")
	assert.Panics(t, func() { b.UpdateState(w, colMean, 0.5) }, "not state")
	assert.Panics(t, func() { b.State(w) })
}

func TestModesRandomInputsAndRowMask(t *testing.T) {
	b := NewBuilder(NewParams(), 4)
	assert.False(t, b.Training(), "graphs are not in training mode by default")
	b.st.Training = true
	assert.True(t, b.Training())
	assert.Nil(t, b.st.RowMask)
	mask := b.RowMask()
	assert.Same(t, mask, b.RowMask())
	require.NotNil(t, b.st.RowMask)
	assert.Equal(t, []float64{1, 1, 1, 1}, b.st.RowMask.Data)

	r1 := b.Random("drop", 4, 3)
	r2 := b.Random("drop", 4, 3)
	assert.NotEqual(t, r1.Name(), r2.Name())
	ins := b.st.Randoms
	require.Len(t, ins, 2)
	assert.Same(t, r1, ins[0].Node)
	s, err := Sub(r1, r2)
	require.NoError(t, err)
	diff := b.output(s)
	m, err := compile(b)
	require.NoError(t, err)

	graphrt.FillRandom(ins, rand.New(rand.NewPCG(8, 8)))
	first := append(append([]float64(nil), ins[0].Data...), ins[1].Data...)
	for _, v := range first {
		assert.True(t, v >= 0 && v < 1)
	}
	require.NoError(t, m.Run())
	assert.NotEqual(t, make([]float64, 12), diff.Data(), "two independent inputs")
	ref := rand.New(rand.NewPCG(8, 8))
	for i, v := range first {
		assert.Equal(t, ref.Float64(), v, "in order, entry %d", i)
	}
	graphrt.FillRandom(ins, rand.New(rand.NewPCG(9, 8)))
	assert.NotEqual(t, first[:12], ins[0].Data)
}
