package golem

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/require"
	"gonum.org/v1/gonum/mat"

	"github.com/golem-ml/golem/graph"
	"github.com/golem-ml/golem/layers"
	"github.com/golem-ml/golem/losses"
	"github.com/golem-ml/golem/optim"
)

// randomMatrix fills an r×c matrix from U[lo, hi].
func randomMatrix(rng *rand.Rand, r, c int, lo, hi float64) *mat.Dense {
	m := mat.NewDense(r, c, nil)
	for i := 0; i < r; i++ {
		for j := 0; j < c; j++ {
			m.Set(i, j, lo+(hi-lo)*rng.Float64())
		}
	}
	return m
}

// checkGradient compares the graph's gradient on one batch with central
// finite differences of its forward-only loss, entry by entry (relative
// error ≤ 1e-6).
func checkGradient(t *testing.T, m *Sequential, x, y mat.Matrix, batch int) {
	t.Helper()
	d, err := m.dataset(x, y)
	require.NoError(t, err)
	obj := newBatchObjective(m, batch)
	obj.setBatch(d, nil, 0, min(batch, d.n))

	theta := obj.Params()
	g := make([]float64, len(theta))
	loss, err := obj.Gradient(g)
	require.NoError(t, err)
	l0, err := obj.Loss()
	require.NoError(t, err)
	require.InDelta(t, loss, l0, 1e-12*math.Max(1, math.Abs(loss)), "forward-only and gradient graphs disagree on the loss")

	worst := 0.0
	for i := range theta {
		orig := theta[i]
		h := 1e-5 * math.Max(math.Abs(orig), 1e-2) // relative step: parameters span many scales
		theta[i] = orig + h
		up, err := obj.Loss()
		require.NoError(t, err)
		theta[i] = orig - h
		down, err := obj.Loss()
		require.NoError(t, err)
		theta[i] = orig
		fd := (up - down) / (2 * h)
		rel := math.Abs(g[i]-fd) / math.Max(1e-3, math.Max(math.Abs(fd), math.Abs(g[i])))
		worst = math.Max(worst, rel)
		require.LessOrEqualf(t, rel, 1e-6, "parameter %d: autodiff %g, finite differences %g", i, g[i], fd)
	}
	after, err := obj.Loss()
	require.NoError(t, err)
	require.Equal(t, l0, after, "θ must be restored exactly")
	t.Logf("worst relative error %.2e over %d parameters", worst, len(theta))
}

func TestGradientsMatchFiniteDifferences(t *testing.T) {
	oneHot := func(labels *mat.Dense, k int) *mat.Dense {
		n, _ := labels.Dims()
		o := mat.NewDense(n, k, nil)
		for i := 0; i < n; i++ {
			o.Set(i, int(labels.At(i, 0)), 1)
		}
		return o
	}
	labels := func(rng *rand.Rand, n, k int) *mat.Dense {
		l := mat.NewDense(n, 1, nil)
		for i := 0; i < n; i++ {
			l.Set(i, 0, float64(rng.IntN(k)))
		}
		return l
	}
	binary := func(rng *rand.Rand, n, k int) *mat.Dense {
		b := mat.NewDense(n, k, nil)
		for i := 0; i < n; i++ {
			for j := 0; j < k; j++ {
				b.Set(i, j, float64(rng.IntN(2)))
			}
		}
		return b
	}
	cases := []struct {
		name   string
		layers func() []layers.Layer
		loss   losses.Loss
		in     int
		y      func(rng *rand.Rand, n int) *mat.Dense
	}{
		{"dense linear mse", func() []layers.Layer { return []layers.Layer{layers.Dense(3)} }, losses.MSE(), 2,
			func(rng *rand.Rand, n int) *mat.Dense { return randomMatrix(rng, n, 3, -1, 1) }},
		{"tanh mse", func() []layers.Layer { return []layers.Layer{layers.Dense(5, layers.Tanh), layers.Dense(1)} }, losses.MSE(), 1,
			func(rng *rand.Rand, n int) *mat.Dense { return randomMatrix(rng, n, 1, -1, 1) }},
		{"sigmoid sse", func() []layers.Layer { return []layers.Layer{layers.Dense(4, layers.Sigmoid), layers.Dense(2)} }, losses.SSE(), 3,
			func(rng *rand.Rand, n int) *mat.Dense { return randomMatrix(rng, n, 2, -1, 1) }},
		{"relu mae", func() []layers.Layer { return []layers.Layer{layers.Dense(6, layers.ReLU), layers.Dense(2)} }, losses.MAE(), 2,
			func(rng *rand.Rand, n int) *mat.Dense { return randomMatrix(rng, n, 2, -1, 1) }},
		{"softplus no-bias mse", func() []layers.Layer {
			return []layers.Layer{layers.Dense(4, layers.Softplus, layers.NoBias()), layers.Dense(1)}
		}, losses.MSE(), 2, func(rng *rand.Rand, n int) *mat.Dense { return randomMatrix(rng, n, 1, -1, 1) }},
		{"activation layer", func() []layers.Layer {
			return []layers.Layer{layers.Dense(3), layers.Act(layers.Tanh), layers.Dense(1)}
		}, losses.MSE(), 2,
			func(rng *rand.Rand, n int) *mat.Dense { return randomMatrix(rng, n, 1, -1, 1) }},
		{"bce from sigmoid logits", func() []layers.Layer {
			return []layers.Layer{layers.Dense(4, layers.Tanh), layers.Dense(2, layers.Sigmoid)}
		},
			losses.BinaryCrossEntropy(), 3, func(rng *rand.Rand, n int) *mat.Dense { return binary(rng, n, 2) }},
		{"bce from probabilities", func() []layers.Layer {
			return []layers.Layer{layers.Dense(4, layers.Tanh), layers.Dense(2, layers.Softmax)}
		},
			losses.BinaryCrossEntropy(), 3, func(rng *rand.Rand, n int) *mat.Dense { return binary(rng, n, 2) }},
		{"cce from softmax logits", func() []layers.Layer {
			return []layers.Layer{layers.Dense(5, layers.Tanh), layers.Dense(3, layers.Softmax)}
		},
			losses.CategoricalCrossEntropy(), 2, func(rng *rand.Rand, n int) *mat.Dense { return oneHot(labels(rng, n, 3), 3) }},
		{"cce from probabilities", func() []layers.Layer {
			return []layers.Layer{layers.Dense(5, layers.Tanh), layers.Dense(3, layers.Sigmoid)}
		},
			losses.CategoricalCrossEntropy(), 2, func(rng *rand.Rand, n int) *mat.Dense { return oneHot(labels(rng, n, 3), 3) }},
		{"sparse cce", func() []layers.Layer {
			return []layers.Layer{layers.Dense(5, layers.ReLU), layers.Dense(4, layers.Softmax)}
		},
			losses.SparseCategoricalCrossEntropy(), 3, func(rng *rand.Rand, n int) *mat.Dense { return labels(rng, n, 4) }},
		{"softmax activation layer", func() []layers.Layer { return []layers.Layer{layers.Dense(3), layers.Act(layers.Softmax)} },
			losses.SparseCategoricalCrossEntropy(), 2, func(rng *rand.Rand, n int) *mat.Dense { return labels(rng, n, 3) }},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			rng := rand.New(rand.NewPCG(7, 7))
			const n = 9
			x := randomMatrix(rng, n, c.in, -2, 2)
			y := c.y(rng, n)
			m := NewSequential(c.layers()...)
			require.NoError(t, m.Compile(Input(c.in), c.loss, optim.SGD(optim.SGDConfig{}), WithSeed(3)))
			// Move biases off zero so every parameter is exercised.
			for _, p := range m.Params().List() {
				v := m.Params().View(p)
				for i := range v {
					v[i] += 0.1 * rng.NormFloat64()
				}
			}
			checkGradient(t, m, x, y, n)   // full batch
			checkGradient(t, m, x, y, n+4) // padded batch: padding must not change the gradient
		})
	}
}

// TestLossValues checks each loss's value against a direct computation.
func TestLossValues(t *testing.T) {
	rng := rand.New(rand.NewPCG(11, 0))
	const n = 13
	x := randomMatrix(rng, n, 2, -2, 2)
	sigmoid := func(z float64) float64 { return 1 / (1 + math.Exp(-z)) }
	type direct func(out, y []float64) float64
	cases := []struct {
		name   string
		act    layers.Activation
		loss   losses.Loss
		k      int
		y      func(i, k int) []float64
		sample direct // per-sample loss from the raw linear outputs z
		sum    bool
	}{
		{"mse", layers.Linear, losses.MSE(), 2, func(i, k int) []float64 { return []float64{float64(i) / n, -1} },
			func(z, y []float64) float64 { return ((z[0]-y[0])*(z[0]-y[0]) + (z[1]-y[1])*(z[1]-y[1])) / 2 }, false},
		{"sse", layers.Linear, losses.SSE(), 2, func(i, k int) []float64 { return []float64{float64(i) / n, -1} },
			func(z, y []float64) float64 { return (z[0]-y[0])*(z[0]-y[0]) + (z[1]-y[1])*(z[1]-y[1]) }, true},
		{"mae", layers.Linear, losses.MAE(), 2, func(i, k int) []float64 { return []float64{float64(i) / n, -1} },
			func(z, y []float64) float64 { return (math.Abs(z[0]-y[0]) + math.Abs(z[1]-y[1])) / 2 }, false},
		{"bce", layers.Sigmoid, losses.BinaryCrossEntropy(), 1, func(i, k int) []float64 { return []float64{float64(i % 2)} },
			func(z, y []float64) float64 {
				p := sigmoid(z[0])
				return -(y[0]*math.Log(p) + (1-y[0])*math.Log(1-p))
			}, false},
		{"sparse cce", layers.Softmax, losses.SparseCategoricalCrossEntropy(), 3, func(i, k int) []float64 { return []float64{float64(i % 3)} },
			func(z, y []float64) float64 {
				lse := math.Log(math.Exp(z[0]) + math.Exp(z[1]) + math.Exp(z[2]))
				return lse - z[int(y[0])]
			}, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			lin := NewSequential(layers.Dense(c.k))
			require.NoError(t, lin.Compile(Input(2), losses.MSE(), optim.SGD(optim.SGDConfig{})))
			m := NewSequential(layers.Dense(c.k, c.act))
			require.NoError(t, m.Compile(Input(2), c.loss, optim.SGD(optim.SGDConfig{})))
			copy(lin.Params().Theta(), m.Params().Theta())
			z, err := lin.Predict(x)
			require.NoError(t, err)
			y := mat.NewDense(n, len(c.y(0, c.k)), nil)
			var want float64
			for i := 0; i < n; i++ {
				y.SetRow(i, c.y(i, c.k))
				want += c.sample(z.RawRowView(i), y.RawRowView(i))
			}
			if !c.sum {
				want /= n
			}
			ev, err := m.Evaluate(x, y)
			require.NoError(t, err)
			require.InDelta(t, want, ev.Loss, 1e-12*math.Max(1, want))
		})
	}
}

// TestCrossEntropyFromLogitsIsStable: logits in the hundreds (probabilities
// that round to exactly 0 or 1) still give finite losses and gradients,
// because the losses work from the logits.
func TestCrossEntropyFromLogitsIsStable(t *testing.T) {
	x := mat.NewDense(2, 1, []float64{1, -1})
	cases := []struct {
		name  string
		model *Sequential
		loss  losses.Loss
		y     *mat.Dense
		want  float64
	}{
		// z = 800x, targets opposite to the sign of z: ℓ = 800 for both rows.
		{"binary", NewSequential(layers.Dense(1, layers.Sigmoid, layers.KernelInit(graph.Constant(800)))),
			losses.BinaryCrossEntropy(), mat.NewDense(2, 1, []float64{0, 1}), 800},
		// z = (600x, -600x); labels 1 then 1: ℓ = 1200 for x=1, ≈0 for x=-1.
		{"categorical", NewSequential(layers.Dense(2, layers.Softmax, layers.KernelInit(graph.Values(600, -600)))),
			losses.SparseCategoricalCrossEntropy(), mat.NewDense(2, 1, []float64{1, 1}), 600},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			require.NoError(t, c.model.Compile(Input(1), c.loss, optim.SGD(optim.SGDConfig{})))
			ev, err := c.model.Evaluate(x, c.y)
			require.NoError(t, err)
			require.InDelta(t, c.want, ev.Loss, 1e-9*c.want)
			d, err := c.model.dataset(x, c.y)
			require.NoError(t, err)
			obj := newBatchObjective(c.model, 2)
			obj.setBatch(d, nil, 0, 2)
			g := make([]float64, c.model.Params().Len())
			_, err = obj.Gradient(g)
			require.NoError(t, err)
			for i, v := range g {
				require.Falsef(t, math.IsNaN(v) || math.IsInf(v, 0), "gradient %d is %v", i, v)
			}
		})
	}
}
