package golem

import (
	"context"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"gonum.org/v1/gonum/mat"
	G "gorgonia.org/gorgonia"

	"github.com/golem-ml/golem/graph"
	"github.com/golem-ml/golem/internal/jac"
	"github.com/golem-ml/golem/layers"
	"github.com/golem-ml/golem/losses"
	"github.com/golem-ml/golem/optim"
)

// flat2 flattens each sample to a vector (a stand-in for layers.Flatten,
// so these tests depend only on the layers they test). Not zero-sized:
// the model tells layer values apart by pointer.
type flat2 struct{ _ byte }

func (*flat2) Kind() string { return "flat" }

func (*flat2) Build(_ *graph.Scope, in layers.Shape) (layers.Shape, error) {
	return layers.Shape{in.Size()}, nil
}

func (*flat2) Forward(b *graph.Builder, x *G.Node) (*G.Node, error) {
	return graph.Reshape(x, b.Batch(), x.Shape().TotalSize()/b.Batch())
}

type normCase struct {
	name   string
	model  func() *Sequential
	in     layers.Shape
	x      func(rng *rand.Rand, n int) *mat.Dense // nil: uniform on [-2, 2]
	prep   func(m *Sequential, rng *rand.Rand)    // after Compile
	routes map[string]jac.Route
}

// offDefaults moves every γ and β, and every state value, away from its
// initial value, so that the Jacobian check exercises them.
func offDefaults(m *Sequential, rng *rand.Rand) {
	ps := m.Params()
	for _, p := range ps.List() {
		if p.Name[len(p.Name)-5:] == "gamma" || p.Name[len(p.Name)-4:] == "beta" {
			for i := range ps.View(p) {
				ps.View(p)[i] += 0.4 * rng.NormFloat64()
			}
		}
	}
	for i := range ps.StateValues() {
		ps.StateValues()[i] += 0.5 * rng.Float64()
	}
}

func indices(vocab, steps int) func(rng *rand.Rand, n int) *mat.Dense {
	return func(rng *rand.Rand, n int) *mat.Dense {
		x := mat.NewDense(n, steps, nil)
		for i := 0; i < n; i++ {
			for j := 0; j < steps; j++ {
				x.Set(i, j, float64(rng.IntN(vocab)))
			}
		}
		return x
	}
}

func normCases() []normCase {
	return []normCase{
		{"layernorm", func() *Sequential {
			return NewSequential(layers.Dense(4, layers.Tanh), layers.LayerNormalization(), layers.Dense(2))
		}, Input(3), nil, offDefaults, map[string]jac.Route{"layernorm_1/gamma": jac.RouteTile, "layernorm_1/beta": jac.RouteTile, "dense_1/W": jac.RouteTap}},
		{"layernorm on (T, C) samples", func() *Sequential {
			return NewSequential(layers.LayerNormalization(layers.Epsilon(1e-5)), &flat2{}, layers.Dense(1))
		}, Input(3, 4), nil, offDefaults, map[string]jac.Route{"layernorm_1/gamma": jac.RouteTile, "layernorm_1/beta": jac.RouteTile}},
		{"batchnorm (inference form)", func() *Sequential {
			return NewSequential(layers.Dense(3, layers.Tanh), layers.BatchNormalization(), layers.Dense(1))
		}, Input(2), nil, offDefaults, map[string]jac.Route{"batchnorm_1/gamma": jac.RouteTile, "batchnorm_1/beta": jac.RouteTile}},
		{"batchnorm on (T, C) samples", func() *Sequential {
			return NewSequential(layers.BatchNormalization(layers.Epsilon(1e-5)), &flat2{}, layers.Dense(2))
		}, Input(2, 3), nil, offDefaults, map[string]jac.Route{"batchnorm_1/gamma": jac.RouteTile}},
		{"dropout (identity)", func() *Sequential {
			return NewSequential(layers.Dense(5, layers.Tanh), layers.Dropout(0.5), layers.Dense(1))
		}, Input(2), nil, nil, map[string]jac.Route{"dense_1/W": jac.RouteTap, "dense_2/W": jac.RouteTap}},
		{"embedding, one index", func() *Sequential {
			return NewSequential(layers.Embedding(6, 3), &flat2{}, layers.Dense(2, layers.Tanh), layers.Dense(1))
		}, Input(1), indices(6, 1), nil, map[string]jac.Route{"embedding_1/E": jac.RouteTap}},
		{"embedding, a sequence", func() *Sequential {
			return NewSequential(layers.Embedding(5, 2, layers.KernelInit(graph.Uniform(-1, 1))), layers.LayerNormalization(), &flat2{}, layers.Dense(1))
		}, Input(4), indices(5, 4), offDefaults, map[string]jac.Route{"embedding_1/E": jac.RouteTap}}, // a grouped tap: T rows per sample
	}
}

// TestNormLayersJacobians: the per-sample Jacobian Levenberg–Marquardt uses
// matches finite differences for each new layer, and takes the fast routes.
func TestNormLayersJacobians(t *testing.T) {
	for _, c := range normCases() {
		t.Run(c.name, func(t *testing.T) {
			rng := rand.New(rand.NewPCG(12, 3))
			m := c.model()
			require.NoError(t, m.Compile(c.in, losses.MSE(), optim.LM(optim.LMConfig{}), WithSeed(4)))
			if c.prep != nil {
				c.prep(m, rng)
			}
			n := 9
			var x *mat.Dense
			if c.x != nil {
				x = c.x(rng, n)
			} else {
				x = randomMatrix(rng, n, c.in.Size(), -2, 2)
			}
			y := randomMatrix(rng, n, m.Outputs(), -1, 1)
			res, err := m.CheckJacobian(context.Background(), x, y)
			require.NoError(t, err)
			t.Log(res)
			assert.LessOrEqual(t, res.MaxRelError, 1e-6, res.String())

			spec, err := m.jacobianSpec()
			require.NoError(t, err)
			e, err := jac.New(spec, jac.Config{})
			require.NoError(t, err)
			d, err := m.dataset(x, y)
			require.NoError(t, err)
			J := mat.NewDense(e.Rows(n), m.Params().Len(), nil)
			require.NoError(t, e.Jacobian(context.Background(), m.jacobianData(d), J, make([]float64, e.Rows(n))))
			routes := e.Routes()
			t.Log(routes)
			for name, want := range c.routes {
				assert.Equal(t, want, routes[name], name)
			}
		})
	}
}

// TestLMKeepsBatchNormStatistics: Levenberg–Marquardt trains γ and β of a
// BatchNormalization with its moving statistics fixed: they are not in θ
// and no graph LM runs updates them.
func TestLMKeepsBatchNormStatistics(t *testing.T) {
	rng := rand.New(rand.NewPCG(2, 9))
	m := NewSequential(layers.Dense(4, layers.Tanh), layers.BatchNormalization(), layers.Dense(1))
	require.NoError(t, m.Compile(Input(2), losses.MSE(), optim.LM(optim.LMConfig{}), WithSeed(1)))
	offDefaults(m, rng)
	assert.Equal(t, 4*2+4+4+4+4+1, m.Params().Len(), "γ and β are in θ, the moving statistics are not")
	state := append([]float64(nil), m.Params().StateValues()...)
	x := randomMatrix(rng, 40, 2, -1, 1)
	y := mat.NewDense(40, 1, nil)
	for i := 0; i < 40; i++ {
		y.Set(i, 0, x.At(i, 0)*x.At(i, 1))
	}
	before, err := m.Evaluate(x, y)
	require.NoError(t, err)
	_, err = m.Fit(context.Background(), x, y, FitConfig{Epochs: 10, BatchSize: -1})
	require.NoError(t, err)
	after, err := m.Evaluate(x, y)
	require.NoError(t, err)
	assert.Less(t, after.Loss, before.Loss/2)
	assert.Equal(t, state, m.Params().StateValues())
}

// TestEmbeddingBadIndexIsAnError: an index outside the vocabulary, or not
// an integer, fails Predict with an error naming it.
func TestEmbeddingBadIndexIsAnError(t *testing.T) {
	m := NewSequential(layers.Embedding(4, 2), &flat2{}, layers.Dense(1))
	require.NoError(t, m.Compile(Input(3), losses.MSE(), optim.SGD(optim.SGDConfig{})))
	_, err := m.Predict(mat.NewDense(2, 3, []float64{0, 1, 2, 3, 2, 1}))
	require.NoError(t, err)
	for _, bad := range []float64{4, -1, 0.5} {
		_, err = m.Predict(mat.NewDense(2, 3, []float64{0, 1, 2, 3, bad, 1}))
		require.Error(t, err)
		assert.Contains(t, err.Error(), "is not an integer in [0, 4)")
		t.Log(err)
	}
}

// A model with an Embedding keeps its indices unscaled: BR, which scales
// inputs by default, leaves them alone, and asking for input scaling is an
// error that says why.
func TestEmbeddingInputsAreNeverScaled(t *testing.T) {
	x := mat.NewDense(30, 3, nil)
	y := mat.NewDense(30, 1, nil)
	for i := 0; i < 30; i++ {
		for j := 0; j < 3; j++ {
			x.Set(i, j, float64((i+j)%5))
		}
		y.Set(i, 0, x.At(i, 0)-x.At(i, 2))
	}
	model := func() *Model {
		return NewSequential(layers.Embedding(5, 2), layers.Flatten(), layers.Dense(1))
	}
	m := model()
	require.NoError(t, m.Compile(Input(3), losses.MSE(), optim.BR(optim.BRConfig{})))
	_, err := m.Fit(context.Background(), x, y, FitConfig{Epochs: 3})
	require.NoError(t, err, "indices reach the Embedding unscaled")
	err = model().Compile(Input(3), losses.MSE(), optim.LM(optim.LMConfig{}), ScaleInputs(MinMax))
	require.Error(t, err)
	assert.Contains(t, err.Error(), "indices")
}
