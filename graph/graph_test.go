package graph

import (
	"math"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	G "gorgonia.org/gorgonia"

	"github.com/golem-ml/golem/internal/graphrt"
)

func declareNet(t *testing.T) *Params {
	ps := NewParams()
	s := NewScope(ps, "dense_1")
	_, err := s.Param("W", []int{3, 4}, GlorotUniform(), 3, 4)
	require.NoError(t, err)
	_, err = s.Param("b", []int{4}, Zeros(), 3, 4)
	require.NoError(t, err)
	_, err = NewScope(ps, "dense_2").Param("W", []int{4, 2}, HeNormal(), 4, 2)
	require.NoError(t, err)
	return ps
}

func TestSeededInitializersAreReproducible(t *testing.T) {
	a, b, c := declareNet(t), declareNet(t), declareNet(t)
	a.Init(1)
	b.Init(1)
	c.Init(2)
	assert.Equal(t, a.Theta(), b.Theta())
	assert.NotEqual(t, a.Theta(), c.Theta())
	assert.Equal(t, 12+4+8, a.Len())

	w, ok := a.Lookup("dense_1/W")
	require.True(t, ok)
	limit := math.Sqrt(6.0 / 7)
	for _, v := range a.View(w) {
		assert.LessOrEqual(t, math.Abs(v), limit)
	}
	bias, _ := a.Lookup("dense_1/b")
	assert.Equal(t, []float64{0, 0, 0, 0}, a.View(bias))
	assert.Equal(t, 12, bias.Offset)
}

func TestDeclareErrors(t *testing.T) {
	ps := NewParams()
	_, err := ps.Declare("w", []int{2}, nil, 0, 0)
	require.NoError(t, err)
	_, err = ps.Declare("w", []int{2}, nil, 0, 0)
	assert.ErrorContains(t, err, `duplicate parameter name "w"`)
	_, err = ps.Declare("v", []int{2, 0}, nil, 0, 0)
	assert.ErrorContains(t, err, "invalid shape [2 0]")
	ps.Init(0)
	_, err = ps.Declare("late", []int{1}, nil, 0, 0)
	assert.ErrorContains(t, err, "already initialized")
}

func TestVarianceScalingInitializersHaveTheirVariance(t *testing.T) {
	ps := NewParams()
	glorot, _ := ps.Declare("g", []int{200, 300}, GlorotNormal(), 200, 300)
	he, _ := ps.Declare("h", []int{200, 300}, HeUniform(), 200, 300)
	ps.Init(4)
	variance := func(v []float64) float64 {
		var s float64
		for _, x := range v {
			s += x * x
		}
		return s / float64(len(v))
	}
	assert.InDelta(t, 2.0/500, variance(ps.View(glorot)), 0.05*2.0/500)
	assert.InDelta(t, 2.0/200, variance(ps.View(he)), 0.05*2.0/200)
}

// run builds f on a graph with input x, and returns the value and the
// gradient of Σ f(x) with respect to x.
func run(t *testing.T, xShape []int, x []float64, f func(b *Builder, x *G.Node) (*G.Node, error)) (val, grad []float64) {
	t.Helper()
	b := NewBuilder(NewParams(), xShape[0])
	in := b.input("x", xShape...)
	copy(in.Data, x)
	out, err := f(b, in.Node)
	require.NoError(t, err)
	cost, err := G.Sum(out)
	require.NoError(t, err)
	gs, err := G.Grad(cost, in.Node)
	require.NoError(t, err)
	o, g := b.output(out), b.output(gs[0])
	m, err := compile(b)
	require.NoError(t, err)
	require.NoError(t, m.Run())
	return append([]float64(nil), o.Data()...), append([]float64(nil), g.Data()...)
}

// TestReshapeDoesNotCorruptGradients reproduces the Gorgonia v0.9.18 trap
// Reshape works around: tanh → reshape → square → ×w. With gorgonia.Reshape
// the gradient comes out wrong; with graph.Reshape it matches the analytic
// derivative 2·w·tanh(x)·(1 - tanh²(x)).
func TestReshapeDoesNotCorruptGradients(t *testing.T) {
	defer graphrt.SetExecutor(graphrt.SetExecutor(false)) // the tape machine's trap
	x := []float64{0.3, -1.2, 2.0}
	chain := func(reshape func(n *G.Node) (*G.Node, error)) func(b *Builder, x *G.Node) (*G.Node, error) {
		return func(b *Builder, x *G.Node) (*G.Node, error) {
			h, err := G.Tanh(x)
			if err != nil {
				return nil, err
			}
			if h, err = reshape(h); err != nil {
				return nil, err
			}
			if h, err = G.Square(h); err != nil {
				return nil, err
			}
			return G.HadamardProd(h, G.NewConstant(0.5))
		}
	}
	want := make([]float64, len(x))
	for i, v := range x {
		th := math.Tanh(v)
		want[i] = 2 * 0.5 * th * (1 - th*th)
	}
	_, got := run(t, []int{3}, x, chain(func(n *G.Node) (*G.Node, error) { return Reshape(n, 3, 1) }))
	assert.InDeltaSlice(t, want, got, 1e-14)

	_, broken := run(t, []int{3}, x, chain(func(n *G.Node) (*G.Node, error) { return G.Reshape(n, []int{3, 1}) }))
	assert.NotEqual(t, want, broken, "gorgonia.Reshape is fixed upstream? then graph.Reshape can go")
}

func TestBroadcastingArithmetic(t *testing.T) {
	x := []float64{1, 2, 3, 4, 5, 6} // 2 × 3
	cases := []struct {
		name string
		op   func(a, b *G.Node) (*G.Node, error)
		rhs  func(b *Builder) *G.Node
		want []float64
	}{
		{"add row", Add, func(b *Builder) *G.Node { return b.Tensor("r", []int{3}, []float64{10, 20, 30}) }, []float64{11, 22, 33, 14, 25, 36}},
		{"mul (1) scalar param", Mul, func(b *Builder) *G.Node { return b.Tensor("s", []int{1}, []float64{2}) }, []float64{2, 4, 6, 8, 10, 12}},
		{"sub column", Sub, func(b *Builder) *G.Node { return b.Tensor("c", []int{2, 1}, []float64{1, 2}) }, []float64{0, 1, 2, 2, 3, 4}},
		{"div scalar", Div, func(b *Builder) *G.Node { return G.NewConstant(2.0) }, []float64{0.5, 1, 1.5, 2, 2.5, 3}},
		{"same shape", Mul, func(b *Builder) *G.Node { return b.Tensor("m", []int{2, 3}, x) }, []float64{1, 4, 9, 16, 25, 36}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			val, _ := run(t, []int{2, 3}, x, func(b *Builder, x *G.Node) (*G.Node, error) { return c.op(x, c.rhs(b)) })
			assert.Equal(t, c.want, val)
		})
	}
	b := NewBuilder(NewParams(), 2)
	_, err := Add(b.input("x", 2, 3).Node, b.Tensor("bad", []int{2}, []float64{1, 2}))
	assert.ErrorContains(t, err, "do not broadcast")
}

func TestLogSoftmaxIsStable(t *testing.T) {
	z := []float64{1000, 0, -1000, 1, 2, 3}
	val, grad := run(t, []int{2, 3}, z, func(b *Builder, x *G.Node) (*G.Node, error) { return LogSoftmax(x) })
	assert.InDelta(t, 0, val[0], 1e-12)
	assert.InDelta(t, -1000, val[1], 1e-9)
	lse := math.Log(math.Exp(1) + math.Exp(2) + math.Exp(3))
	assert.InDeltaSlice(t, []float64{1 - lse, 2 - lse, 3 - lse}, val[3:], 1e-12)
	// d/dz Σ_k log softmax(z)_k = 1 - K·softmax(z)
	assert.InDelta(t, 1-3, grad[0], 1e-12)
	for _, g := range grad {
		assert.False(t, math.IsNaN(g))
	}
}

func TestCompileAndRunRecoverGorgoniaPanics(t *testing.T) {
	err := catch(func() error { panic("deep inside") })
	assert.EqualError(t, err, "gorgonia: deep inside")
}
