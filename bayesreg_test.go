package golem

import (
	"bytes"
	"context"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"gonum.org/v1/gonum/mat"

	"github.com/golem-ml/golem/layers"
	"github.com/golem-ml/golem/losses"
	"github.com/golem-ml/golem/optim"
)

// noisySine is n samples of y = sin(2x) + 0.5·x + N(0, σ²) on [-3, 3], and
// 400 noise-free test points.
func noisySine(seed uint64, n int, sigma float64) (x, y, xt, yt *mat.Dense) {
	rng := rand.New(rand.NewPCG(seed, 99))
	f := func(v float64) float64 { return math.Sin(2*v) + 0.5*v }
	x, y = mat.NewDense(n, 1, nil), mat.NewDense(n, 1, nil)
	for i := 0; i < n; i++ {
		v := -3 + 6*rng.Float64()
		x.Set(i, 0, v)
		y.Set(i, 0, f(v)+sigma*rng.NormFloat64())
	}
	xt, yt = mat.NewDense(400, 1, nil), mat.NewDense(400, 1, nil)
	for i := 0; i < 400; i++ {
		v := -3 + 6*float64(i)/399
		xt.Set(i, 0, v)
		yt.Set(i, 0, f(v))
	}
	return x, y, xt, yt
}

func testMSE(t *testing.T, m *Sequential, x, y *mat.Dense) float64 {
	p, err := m.Predict(x)
	require.NoError(t, err)
	n, _ := y.Dims()
	var s float64
	for i := 0; i < n; i++ {
		d := p.At(i, 0) - y.At(i, 0)
		s += d * d
	}
	return s / float64(n)
}

// TestBayesianRegularizationBeatsEarlyStopping: on small noisy data (three
// seeds, 150 samples) an oversized 1-30-1 network (P = 91) trained by BR
// with its defaults and no validation data reaches a test error no worse
// than trainlm with MATLAB's early stopping (70/15/15 division), and its γ
// lands well below P. History records γ, E_W, α and β every epoch.
func TestBayesianRegularizationBeatsEarlyStopping(t *testing.T) {
	for seed := uint64(1); seed <= 3; seed++ {
		x, y, xt, yt := noisySine(seed, 150, 0.3)
		br := NewSequential(layers.Dense(30, layers.Tanh), layers.Dense(1))
		require.NoError(t, br.Compile(Input(1), losses.SSE(), optim.BR(optim.BRConfig{}), WithSeed(seed)))
		h, err := br.Fit(context.Background(), x, y, FitConfig{})
		require.NoError(t, err)
		require.Len(t, h.Gamma, h.Len())
		require.Len(t, h.SSW, h.Len())
		require.Len(t, h.Alpha, h.Len())
		require.Len(t, h.Beta, h.Len())
		gamma := h.Gamma[h.Len()-1]
		assert.Less(t, gamma, 91.0/3, "seed %d: γ", seed)
		assert.Greater(t, gamma, 3.0, "seed %d: γ", seed)

		lm := NewSequential(layers.Dense(30, layers.Tanh), layers.Dense(1))
		require.NoError(t, lm.Compile(Input(1), losses.MSE(), optim.LM(optim.LMConfig{}), WithSeed(seed),
			ScaleInputs(MinMax), ScaleTargets(MinMax)))
		_, err = lm.Fit(context.Background(), x, y, FitConfig{Division: RandomDivision(), Seed: seed})
		require.NoError(t, err)
		brErr, lmErr := testMSE(t, br, xt, yt), testMSE(t, lm, xt, yt)
		t.Logf("seed %d: BR test MSE %.4f (γ %.1f of 91, %d epochs, %s), trainlm + early stopping %.4f", seed, brErr, gamma, h.Len(), h.Stop, lmErr)
		assert.LessOrEqual(t, brErr, lmErr, "seed %d", seed)
	}
}

// TestBayesianRegularizationSetup: BR scales inputs and targets onto
// [-1, 1] unless told otherwise (the same bits as asking for MinMax; an
// explicit NoScaling wins), refuses layer penalties, and shows γ and the
// sum of squared weights in the progress lines and the training-state
// plot.
func TestBayesianRegularizationSetup(t *testing.T) {
	x, y, xt, _ := noisySine(4, 60, 0.2)
	fit := func(opts ...CompileOption) (*Sequential, *History) {
		m := NewSequential(layers.Dense(8, layers.Tanh), layers.Dense(1))
		require.NoError(t, m.Compile(Input(1), losses.SSE(), optim.BR(optim.BRConfig{}), opts...))
		h, err := m.Fit(context.Background(), x, y, FitConfig{Epochs: 30})
		require.NoError(t, err)
		return m, h
	}
	def, hd := fit()
	minmax, _ := fit(ScaleInputs(MinMax), ScaleTargets(MinMax))
	raw, _ := fit(ScaleInputs(NoScaling), ScaleTargets(NoScaling))
	pd, err := def.Predict(xt)
	require.NoError(t, err)
	pm, err := minmax.Predict(xt)
	require.NoError(t, err)
	pr, err := raw.Predict(xt)
	require.NoError(t, err)
	assert.Equal(t, pm.RawMatrix().Data, pd.RawMatrix().Data)
	assert.NotEqual(t, pm.RawMatrix().Data, pr.RawMatrix().Data)

	assert.Len(t, hd.Gamma, 30)

	pen := NewSequential(layers.Dense(8, layers.Tanh, layers.KernelRegularizer(layers.L2(0.1))), layers.Dense(1))
	err = pen.Compile(Input(1), losses.SSE(), optim.BR(optim.BRConfig{}))
	require.Error(t, err)
	assert.Contains(t, err.Error(), "sets its own weight penalty")

	var out bytes.Buffer
	m := NewSequential(layers.Dense(8, layers.Tanh), layers.Dense(1))
	require.NoError(t, m.Compile(Input(1), losses.SSE(), optim.BR(optim.BRConfig{})))
	h, err := m.Fit(context.Background(), x, y, FitConfig{Epochs: 3, Verbose: 2, Output: &out})
	require.NoError(t, err)
	assert.Contains(t, out.String(), " - gamma: ")
	assert.Contains(t, out.String(), " - ssw: ")
	assert.Len(t, h.Gamma, 3) // what plots.TrainingState draws (tested in plots/)
	assert.Len(t, h.SSW, 3)
}

// TestBayesianRegularizationSampleWeights: BR honours sample weights, and
// uniform weights change nothing (β scales inversely): weights of 3 give
// the unweighted weights; weights that drop half the samples give another
// fit.
func TestBayesianRegularizationSampleWeights(t *testing.T) {
	x, y, xt, _ := noisySine(5, 80, 0.2)
	fit := func(w []float64) []float64 {
		m := NewSequential(layers.Dense(10, layers.Tanh), layers.Dense(1))
		require.NoError(t, m.Compile(Input(1), losses.SSE(), optim.BR(optim.BRConfig{})))
		_, err := m.Fit(context.Background(), x, y, FitConfig{Epochs: 40, SampleWeight: w})
		require.NoError(t, err)
		p, err := m.Predict(xt)
		require.NoError(t, err)
		return p.RawMatrix().Data
	}
	plain := fit(nil)
	three, half := make([]float64, 80), make([]float64, 80)
	for i := range three {
		three[i] = 3
		half[i] = float64(i % 2)
	}
	for i, v := range fit(three) {
		assert.InDelta(t, plain[i], v, 1e-7)
	}
	assert.NotEqual(t, plain, fit(half))
}
