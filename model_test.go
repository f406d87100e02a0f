package golem

import (
	"bytes"
	"context"
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"gonum.org/v1/gonum/mat"
	"gorgonia.org/tensor"

	"github.com/golem-ml/golem/graph"
	"github.com/golem-ml/golem/layers"
	"github.com/golem-ml/golem/losses"
	"github.com/golem-ml/golem/optim"
)

// sinData is the seed problem: y = 1.5·sin(πx) + N(0, 0.2²), x ∈ [-2, 2].
func sinData(n int, seed uint64) (x, y *mat.Dense) {
	rng := rand.New(rand.NewPCG(seed, 1))
	x = mat.NewDense(n, 1, nil)
	y = mat.NewDense(n, 1, nil)
	for i := 0; i < n; i++ {
		xi := -2 + 4*rng.Float64()
		x.Set(i, 0, xi)
		y.Set(i, 0, 1.5*math.Sin(math.Pi*xi)+0.2*rng.NormFloat64())
	}
	return x, y
}

func tanhNet(t *testing.T, opt optim.Optimizer, opts ...CompileOption) *Sequential {
	t.Helper()
	m := NewSequential(layers.Dense(10, layers.Tanh), layers.Dense(1))
	require.NoError(t, m.Compile(Input(1), losses.MSE(), opt, opts...))
	return m
}

func TestParameterNamesAndLayout(t *testing.T) {
	m := NewSequential(layers.Dense(4, layers.Tanh), layers.Dense(3, layers.ReLU, layers.NoBias()), layers.Act(layers.Softmax), layers.Dense(2))
	require.NoError(t, m.Compile(Input(5), losses.MSE(), optim.SGD(optim.SGDConfig{})))
	var names []string
	off := 0
	for _, p := range m.Params().List() {
		names = append(names, p.Name)
		assert.Equal(t, off, p.Offset, p.Name)
		off += p.Size()
	}
	assert.Equal(t, []string{"dense_1/W", "dense_1/b", "dense_2/W", "dense_3/W", "dense_3/b"}, names)
	assert.Equal(t, 5*4+4+4*3+3*2+2, m.Params().Len())
	_, lnames := m.Layers()
	assert.Equal(t, []string{"dense_1", "dense_2", "activation_1", "dense_3"}, lnames)
	assert.Contains(t, m.Summary(), "dense_2      Dense(3, relu, no bias)")
}

// TestPredictMatchesHandComputedForward checks Predict against the network
// computed by hand from θ, for N that fit one batch, pad a batch, and span
// several batches.
func TestPredictMatchesHandComputedForward(t *testing.T) {
	m := tanhNet(t, optim.SGD(optim.SGDConfig{}), WithSeed(5))
	ps := m.Params()
	w1, _ := ps.Lookup("dense_1/W")
	b1, _ := ps.Lookup("dense_1/b")
	w2, _ := ps.Lookup("dense_2/W")
	b2, _ := ps.Lookup("dense_2/b")
	rng := rand.New(rand.NewPCG(3, 3))
	for _, v := range [][]float64{ps.View(b1), ps.View(b2)} {
		for i := range v {
			v[i] = rng.NormFloat64()
		}
	}
	forward := func(x float64) float64 {
		out := ps.View(b2)[0]
		for j := 0; j < 10; j++ {
			out += ps.View(w2)[j] * math.Tanh(x*ps.View(w1)[j]+ps.View(b1)[j])
		}
		return out
	}
	for _, n := range []int{1, 7, 1024, 2500} {
		x := randomMatrix(rng, n, 1, -2, 2)
		pred, err := m.Predict(x)
		require.NoError(t, err)
		require.Equal(t, []int{n, 1}, dims(pred))
		for i := 0; i < n; i++ {
			require.InDelta(t, forward(x.At(i, 0)), pred.At(i, 0), 1e-12, "n=%d row %d", n, i)
		}
	}
}

func dims(m mat.Matrix) []int {
	r, c := m.Dims()
	return []int{r, c}
}

// TestEvaluateMatchesDirectLoss: the batched, padded loss equals the mean
// over all samples computed from the predictions.
func TestEvaluateMatchesDirectLoss(t *testing.T) {
	m := tanhNet(t, optim.SGD(optim.SGDConfig{}), WithMetrics(losses.RMSE(), losses.R2(), losses.MAEMetric()))
	x, y := sinData(1500, 2) // two inference batches, the second padded
	ev, err := m.Evaluate(x, y)
	require.NoError(t, err)
	pred, err := m.Predict(x)
	require.NoError(t, err)
	var sse float64
	for i := 0; i < 1500; i++ {
		d := pred.At(i, 0) - y.At(i, 0)
		sse += d * d
	}
	assert.InDelta(t, sse/1500, ev.Loss, 1e-12)
	assert.InDelta(t, math.Sqrt(sse/1500), ev.Metrics["rmse"], 1e-12)
	assert.Len(t, ev.Metrics, 3)
}

func TestSaveLoadRoundTripIsBitIdentical(t *testing.T) {
	x, y := sinData(100, 1)
	m := tanhNet(t, optim.Adam(optim.AdamConfig{LearningRate: 0.01}))
	_, err := m.Fit(context.Background(), x, y, FitConfig{Epochs: 20, BatchSize: 16})
	require.NoError(t, err)
	before, err := m.Predict(x)
	require.NoError(t, err)
	var buf bytes.Buffer
	require.NoError(t, m.Save(&buf))
	saved := buf.Bytes()

	// Into a fresh, differently seeded model of the same architecture.
	other := tanhNet(t, optim.SGD(optim.SGDConfig{}), WithSeed(99))
	require.NoError(t, other.Load(bytes.NewReader(saved)))
	after, err := other.Predict(x)
	require.NoError(t, err)
	assert.Equal(t, before.RawMatrix().Data, after.RawMatrix().Data)
	assert.Equal(t, m.Params().Theta(), other.Params().Theta())

	// Into a model that was never compiled: it is built from the file.
	bare := NewSequential(layers.Dense(10, layers.Tanh), layers.Dense(1))
	require.NoError(t, bare.Load(bytes.NewReader(saved)))
	after, err = bare.Predict(x)
	require.NoError(t, err)
	assert.Equal(t, before.RawMatrix().Data, after.RawMatrix().Data)
	// Compiling afterwards keeps the loaded weights.
	require.NoError(t, bare.Compile(Input(1), losses.MSE(), optim.SGD(optim.SGDConfig{})))
	assert.Equal(t, m.Params().Theta(), bare.Params().Theta())
}

func TestLoadRejectsMismatchesAndCorruption(t *testing.T) {
	m := tanhNet(t, optim.SGD(optim.SGDConfig{}))
	var buf bytes.Buffer
	require.NoError(t, m.Save(&buf))
	good := buf.Bytes()

	corrupt := append([]byte(nil), good...)
	corrupt[len(corrupt)-20] ^= 0x40
	cases := []struct {
		name  string
		model func() *Sequential
		data  []byte
		want  string
	}{
		{"more units", func() *Sequential { return NewSequential(layers.Dense(11, layers.Tanh), layers.Dense(1)) }, good, "dense_1"},
		{"other activation", func() *Sequential { return NewSequential(layers.Dense(10, layers.ReLU), layers.Dense(1)) }, good, "Dense(10, tanh)"},
		{"extra layer", func() *Sequential {
			return NewSequential(layers.Dense(10, layers.Tanh), layers.Dense(10), layers.Dense(1))
		}, good, "3 in the model"},
		{"truncated", func() *Sequential { return NewSequential(layers.Dense(10, layers.Tanh), layers.Dense(1)) }, good[:len(good)-30], "reading"},
		{"flipped bit", func() *Sequential { return NewSequential(layers.Dense(10, layers.Tanh), layers.Dense(1)) }, corrupt, "checksum"},
		{"not a weights file", func() *Sequential { return NewSequential(layers.Dense(1)) }, []byte("hello\n"), "not a golem weights file"},
		{"future version", func() *Sequential { return NewSequential(layers.Dense(1)) }, []byte("golem-weights 7\n{}\n"), "version 7"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			target := c.model()
			// Compiled models must keep their weights on failure.
			require.NoError(t, target.Compile(Input(1), losses.MSE(), optim.SGD(optim.SGDConfig{}), WithSeed(42)))
			before := append([]float64(nil), target.Params().Theta()...)
			err := target.Load(bytes.NewReader(c.data))
			require.Error(t, err)
			assert.Contains(t, err.Error(), c.want)
			assert.Equal(t, before, target.Params().Theta(), "weights must be unchanged after a failed Load")
		})
	}
	// A failed Load leaves an uncompiled model uncompiled.
	bare := NewSequential(layers.Dense(3))
	require.Error(t, bare.Load(bytes.NewReader(good)))
	assert.Nil(t, bare.Params())
	_, err := bare.Predict(mat.NewDense(1, 1, nil))
	assert.ErrorIs(t, err, ErrNotCompiled)

	// A different input width is caught too.
	wide := NewSequential(layers.Dense(10, layers.Tanh), layers.Dense(1))
	require.NoError(t, wide.Compile(Input(3), losses.MSE(), optim.SGD(optim.SGDConfig{})))
	err = wide.Load(bytes.NewReader(good))
	require.ErrorContains(t, err, "input shape [1] in the file, [3] in the model")
}

func TestSameSeedSameHistoryAndWeights(t *testing.T) {
	x, y := sinData(100, 1)
	run := func(seed uint64) (*History, []float64) {
		m := tanhNet(t, optim.Adam(optim.AdamConfig{LearningRate: 0.01}), WithSeed(seed), WithMetrics(losses.RMSE()))
		h, err := m.Fit(context.Background(), x, y, FitConfig{Epochs: 30, BatchSize: 32, Seed: seed})
		require.NoError(t, err)
		return h, append([]float64(nil), m.Params().Theta()...)
	}
	h1, w1 := run(7)
	h2, w2 := run(7)
	assert.True(t, assert.ObjectsAreEqual(withoutTimes(h1), withoutTimes(h2)), "same seed, different History")
	assert.Equal(t, w1, w2)
	h3, _ := run(8)
	assert.NotEqual(t, h1.Loss, h3.Loss, "a different seed must give a different run")
	assert.Len(t, h1.Steps, 30*4)
	assert.Equal(t, StopEpochs, h1.Stop)
	assert.Len(t, h1.Metrics["rmse"], 30)
}

// withoutTimes copies h with its wall times cleared: everything
// else in a History is reproducible.
func withoutTimes(h *History) History {
	c := *h
	c.Steps = append([]optim.StepInfo(nil), h.Steps...)
	for i := range c.Steps {
		c.Steps[i].Time = 0
	}
	c.Time = nil
	return c
}

// gradientRecorder is an Optimizer that records gradients without moving θ.
type gradientRecorder struct{ grads [][]float64 }

func (r *gradientRecorder) Step(_ context.Context, obj optim.Objective) (optim.StepInfo, error) {
	g := make([]float64, len(obj.Params()))
	loss, err := obj.Gradient(g)
	r.grads = append(r.grads, g)
	return optim.StepInfo{Loss: loss}, err
}

// TestEverySampleOncePerEpoch: with a batch size that does not divide N,
// every sample enters the epoch's gradients exactly once. The model is
// ŷ = w·x + b at w = b = 0 with y = 1, so a batch's gradient is
// ∂/∂w = -2·mean(x), ∂/∂b = -2. With xᵢ = 4^i, Σ over batches of
// -½·size·∂/∂w = Σ xᵢ reveals, digit by base-4 digit, how often each
// sample was used; padding rows must add nothing and every ∂/∂b must be -2.
func TestEverySampleOncePerEpoch(t *testing.T) {
	const n, batch = 10, 3
	x := mat.NewDense(n, 1, nil)
	y := mat.NewDense(n, 1, nil)
	var want float64
	for i := 0; i < n; i++ {
		x.Set(i, 0, math.Pow(4, float64(i)))
		y.Set(i, 0, 1)
		want += math.Pow(4, float64(i))
	}
	rec := &gradientRecorder{}
	m := NewSequential(layers.Dense(1))
	require.NoError(t, m.Compile(Input(1), losses.MSE(), rec))
	clear(m.Params().Theta())
	for _, shuffle := range []bool{false, true} {
		rec.grads = nil
		_, err := m.Fit(context.Background(), x, y, FitConfig{Epochs: 2, BatchSize: batch, NoShuffle: !shuffle, Seed: 3})
		require.NoError(t, err)
		require.Len(t, rec.grads, 2*4, "⌈10/3⌉ = 4 steps per epoch")
		for epoch := 0; epoch < 2; epoch++ {
			var sum float64
			for k := 0; k < 4; k++ {
				g := rec.grads[epoch*4+k]
				size := float64(batch)
				if k == 3 {
					size = n % batch
				}
				sum += -0.5 * size * g[0]
				require.InDelta(t, -2, g[1], 1e-12, "padding must carry no weight (epoch %d, batch %d)", epoch, k)
			}
			// Batch means carry rounding of order 1e-10; the base-4 digits
			// survive any error below 0.5.
			require.InDelta(t, want, sum, 1e-6)
			require.Equal(t, want, math.Round(sum), "each sample exactly once in epoch %d (shuffle=%v)", epoch, shuffle)
		}
	}
}

func TestBadInputsReturnNamedErrors(t *testing.T) {
	m := tanhNet(t, optim.SGD(optim.SGDConfig{}))
	x, y := sinData(5, 1)
	nanX := mat.DenseCopyOf(x)
	nanX.Set(3, 0, math.NaN())
	infY := mat.DenseCopyOf(y)
	infY.Set(2, 0, math.Inf(1))
	ctx := context.Background()
	cases := []struct {
		name string
		run  func() error
		want string
	}{
		{"NaN in x", func() error { _, err := m.Fit(ctx, nanX, y, FitConfig{}); return err }, "x row 3, column 0 is NaN"},
		{"Inf in y", func() error { _, err := m.Evaluate(x, infY); return err }, "y row 2, column 0 is +Inf"},
		{"wrong column count", func() error { _, err := m.Predict(mat.NewDense(5, 2, nil)); return err }, "x has 2 columns, the model's input has 1 features"},
		{"empty data", func() error { _, err := m.Fit(ctx, &mat.Dense{}, y, FitConfig{}); return err }, "x has no rows"},
		{"y rows", func() error { _, err := m.Fit(ctx, x, mat.NewDense(4, 1, nil), FitConfig{}); return err }, "y has 4 rows, x has 5"},
		{"y columns", func() error { _, err := m.Fit(ctx, x, mat.NewDense(5, 2, nil), FitConfig{}); return err }, "y has 2 columns, the loss mse needs 1"},
		{"nil y", func() error { _, err := m.Fit(ctx, x, nil, FitConfig{}); return err }, "Fit needs targets y"},
		{"negative epochs", func() error { _, err := m.Fit(ctx, x, y, FitConfig{Epochs: -1}); return err }, "Epochs is -1"},
		{"bad batch size", func() error { _, err := m.Fit(ctx, x, y, FitConfig{BatchSize: -5}); return err }, "BatchSize is -5"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			before := append([]float64(nil), m.Params().Theta()...)
			err := c.run()
			require.Error(t, err)
			assert.Contains(t, err.Error(), c.want)
			assert.Equal(t, before, m.Params().Theta())
		})
	}

	cls := NewSequential(layers.Dense(3, layers.Softmax))
	require.NoError(t, cls.Compile(Input(1), losses.SparseCategoricalCrossEntropy(), optim.SGD(optim.SGDConfig{})))
	_, err := cls.Evaluate(mat.NewDense(2, 1, nil), mat.NewDense(2, 1, []float64{1, 3}))
	require.ErrorContains(t, err, "y row 1: label 3 is not a class index in 0..2")
	bce := NewSequential(layers.Dense(1, layers.Sigmoid))
	require.NoError(t, bce.Compile(Input(1), losses.BinaryCrossEntropy(), optim.SGD(optim.SGDConfig{})))
	_, err = bce.Evaluate(mat.NewDense(2, 1, nil), mat.NewDense(2, 1, []float64{1, 2}))
	require.ErrorContains(t, err, "y row 1: column 0 is 2, outside [0, 1]")
}

func TestCompileErrors(t *testing.T) {
	sgd := optim.SGD(optim.SGDConfig{})
	cases := []struct {
		name  string
		model *Sequential
		in    layers.Shape
		loss  losses.Loss
		opt   optim.Optimizer
		want  string
	}{
		{"no layers", NewSequential(), Input(1), losses.MSE(), sgd, "no layers"},
		{"zero units", NewSequential(layers.Dense(4), layers.Dense(0)), Input(1), losses.MSE(), sgd, "building layer dense_2 (Dense(0, linear)) on input (batch, 4)"},
		{"image output of Dense", NewSequential(layers.Dense(4)), Input(2, 3), losses.MSE(), sgd, "the model's output must be a vector per sample, got (batch, 2, 4); end with layers.Flatten"},
		{"bad input shape", NewSequential(layers.Dense(4)), Input(0), losses.MSE(), sgd, "invalid input shape"},
		{"nil loss", NewSequential(layers.Dense(1)), Input(1), nil, sgd, "needs a loss"},
		{"nil optimizer", NewSequential(layers.Dense(1)), Input(1), losses.MSE(), nil, "needs an optimizer"},
		{"invalid optimizer", NewSequential(layers.Dense(1)), Input(1), losses.MSE(), optim.Adam(optim.AdamConfig{Beta1: 1.5}), "β₁ = 1.5"},
		{"wrong initial values", NewSequential(layers.Dense(2, layers.KernelInit(graph.Values(1, 2, 3)))), Input(1), losses.MSE(), sgd, "initializing the weights: graph: Values initializer has the wrong number of values"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			err := c.model.Compile(c.in, c.loss, c.opt)
			require.Error(t, err)
			assert.Contains(t, err.Error(), c.want)
		})
	}
	_, err := NewSequential(layers.Dense(1)).Fit(context.Background(), mat.NewDense(1, 1, nil), mat.NewDense(1, 1, nil), FitConfig{})
	assert.ErrorIs(t, err, ErrNotCompiled)
}

func TestFitStopsWhenContextIsCancelled(t *testing.T) {
	x, y := sinData(100, 1)
	m := tanhNet(t, optim.Adam(optim.AdamConfig{}))
	ctx, cancel := context.WithCancel(context.Background())
	stopAfter := &cancellingOptimizer{inner: optim.Adam(optim.AdamConfig{}), after: 5, cancel: cancel}
	require.NoError(t, m.Compile(Input(1), losses.MSE(), stopAfter))
	h, err := m.Fit(ctx, x, y, FitConfig{Epochs: 1000, BatchSize: 10})
	require.ErrorIs(t, err, context.Canceled)
	assert.Len(t, h.Steps, 5, "no step after cancellation")
	assert.Equal(t, StopCancelled, h.Stop)
	assert.Equal(t, 0, h.Len(), "the interrupted epoch is not recorded")
	for _, v := range m.Params().Theta() {
		require.False(t, math.IsNaN(v))
	}
}

type cancellingOptimizer struct {
	inner  optim.Optimizer
	after  int
	steps  int
	cancel func()
}

func (c *cancellingOptimizer) Step(ctx context.Context, obj optim.Objective) (optim.StepInfo, error) {
	c.steps++
	if c.steps == c.after {
		c.cancel()
	}
	return c.inner.Step(context.Background(), obj)
}

func TestOneOptimizerPerModel(t *testing.T) {
	x, y := sinData(10, 1)
	opt := optim.Adam(optim.AdamConfig{})
	a := tanhNet(t, opt)
	b := NewSequential(layers.Dense(10, layers.Tanh), layers.Dense(1))
	err := b.Compile(Input(1), losses.MSE(), opt)
	require.ErrorContains(t, err, "optimizer is already used by another model")
	_, err = a.Fit(context.Background(), x, y, FitConfig{})
	require.NoError(t, err, "the first model keeps its optimizer")
	require.NoError(t, b.Compile(Input(1), losses.MSE(), optim.Adam(optim.AdamConfig{})))
}

func TestFromRowsAndFromTensor(t *testing.T) {
	m, err := FromRows([][]float64{{1, 2}, {3, 4}, {5, 6}})
	require.NoError(t, err)
	assert.Equal(t, []float64{1, 2, 3, 4, 5, 6}, m.RawMatrix().Data)
	_, err = FromRows([][]float64{{1, 2}, {3}})
	require.ErrorContains(t, err, "row 1 has 1 values, row 0 has 2")
	_, err = FromRows(nil)
	require.Error(t, err)
	assert.True(t, strings.Contains(err.Error(), "at least one"))

	mt, err := FromTensor(tensor.New(tensor.WithShape(2, 3), tensor.WithBacking([]float64{1, 2, 3, 4, 5, 6})))
	require.NoError(t, err)
	assert.Equal(t, []int{2, 3}, dims(mt))
	assert.Equal(t, 6.0, mt.At(1, 2))
	col, err := FromTensor(tensor.New(tensor.WithShape(3), tensor.WithBacking([]float64{7, 8, 9})))
	require.NoError(t, err)
	assert.Equal(t, []int{3, 1}, dims(col))
	assert.Equal(t, 8.0, col.At(1, 0))
	_, err = FromTensor(tensor.New(tensor.WithShape(2), tensor.WithBacking([]float32{1, 2})))
	assert.ErrorContains(t, err, "want float64")
	_, err = FromTensor(tensor.New(tensor.WithShape(1, 2, 2), tensor.WithBacking([]float64{1, 2, 3, 4})))
	assert.ErrorContains(t, err, "want (N) or (N × d)")
}
