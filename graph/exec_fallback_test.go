package graph

import (
	"errors"
	"fmt"
	"hash"
	"testing"

	"github.com/chewxy/hm"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/golem-ml/golem/internal/graphrt"
)

// flakyOp doubles its input, but its Do fails the first *failures times:
// an op that the executor's run cannot evaluate while the tape can.
type flakyOp struct{ failures *int }

func (flakyOp) Arity() int { return 1 }
func (flakyOp) Type() hm.Type {
	a := hm.TypeVariable('a')
	return hm.NewFnType(a, a)
}
func (flakyOp) InferShape(in ...G.DimSizer) (tensor.Shape, error) {
	return in[0].(tensor.Shape).Clone(), nil
}
func (op flakyOp) Do(vals ...G.Value) (G.Value, error) {
	if *op.failures > 0 {
		*op.failures--
		return nil, errors.New("flaky")
	}
	src := vals[0].Data().([]float64)
	out := make([]float64, len(src))
	for i, v := range src {
		out[i] = 2 * v
	}
	return tensor.New(tensor.WithShape(vals[0].Shape().Clone()...), tensor.WithBacking(out)), nil
}
func (flakyOp) ReturnsPtr() bool         { return false }
func (flakyOp) CallsExtern() bool        { return false }
func (flakyOp) OverwritesInput() int     { return -1 }
func (op flakyOp) WriteHash(h hash.Hash) { fmt.Fprintf(h, "flaky%p", op.failures) }
func (op flakyOp) Hashcode() uint32      { return 7 }
func (flakyOp) String() string           { return "flaky" }

// TestExecutorFailureMovesTheGraphToTheTape: when an op fails on the
// executor, Run answers with the tape machine's run, and the graph stays
// on the tape.
func TestExecutorFailureMovesTheGraphToTheTape(t *testing.T) {
	defer graphrt.SetExecutor(graphrt.SetExecutor(true))
	failures := 1
	b := NewBuilder(NewParams(), 3)
	x := b.input("x", 3)
	copy(x.Data, []float64{1, -2, 3})
	y, err := G.ApplyOp(flakyOp{&failures}, x.Node)
	require.NoError(t, err)
	z, err := G.Square(y)
	require.NoError(t, err)
	out := b.output(z)
	m, err := compile(b)
	require.NoError(t, err)
	require.True(t, m.OnExecutor(), "a small float64 graph compiles for the executor")
	_, tape0 := graphrt.MachineCounts()
	require.NoError(t, m.Run())
	assert.False(t, m.OnExecutor(), "the failed graph moved to the tape")
	_, tape1 := graphrt.MachineCounts()
	assert.Equal(t, tape0+1, tape1)
	assert.Equal(t, []float64{4, 16, 36}, out.Data())
	copy(x.Data, []float64{0.5, 1, 2})
	require.NoError(t, m.Run())
	assert.Equal(t, []float64{1, 4, 16}, out.Data())
}

// TestExecutorAndTapeFailTheSameWay: an op that always fails is an error
// on either path, never a value.
func TestExecutorAndTapeFailTheSameWay(t *testing.T) {
	for _, on := range []bool{true, false} {
		func() {
			defer graphrt.SetExecutor(graphrt.SetExecutor(on))
			failures := 1 << 30
			b := NewBuilder(NewParams(), 2)
			x := b.input("x", 2)
			y, err := G.ApplyOp(flakyOp{&failures}, x.Node)
			require.NoError(t, err)
			b.output(y)
			m, err := compile(b)
			require.NoError(t, err)
			assert.ErrorContains(t, m.Run(), "flaky", "executor %v", on)
		}()
	}
}

// TestExecutorIsUsedAndCanBeTurnedOff: SetExecutor decides where graphs
// compiled afterwards run, and Output reads the same values either way.
func TestExecutorIsUsedAndCanBeTurnedOff(t *testing.T) {
	run := func(on bool) (bool, []float64) {
		defer graphrt.SetExecutor(graphrt.SetExecutor(on))
		ps := NewParams()
		w, err := ps.Declare("w", []int{2, 2}, GlorotUniform(), 2, 2)
		require.NoError(t, err)
		ps.Init(3)
		b := NewBuilder(ps, 3)
		x := b.input("x", 3, 2)
		copy(x.Data, []float64{1, 2, 3, 4, 5, 6})
		z, err := b.Affine(x.Node, w, nil)
		require.NoError(t, err)
		h, err := G.Tanh(z)
		require.NoError(t, err)
		cost, err := G.Sum(h)
		require.NoError(t, err)
		_, grads, err := gradients(b, cost)
		require.NoError(t, err)
		c, g, xo := b.output(cost), b.output(grads[0]), b.output(x.Node)
		m, err := compile(b)
		require.NoError(t, err)
		require.NoError(t, m.Run())
		return m.OnExecutor(), append(append([]float64{c.Scalar()}, g.Data()...), xo.Data()...)
	}
	onExec, fast := run(true)
	onTape, slow := run(false)
	assert.True(t, onExec)
	assert.False(t, onTape)
	assert.Equal(t, slow, fast)
}
