package golem

import (
	"context"
	"math"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"gonum.org/v1/gonum/mat"

	"github.com/golem-ml/golem/layers"
	"github.com/golem-ml/golem/losses"
	"github.com/golem-ml/golem/optim"
)

func lmNet(t *testing.T, cfg optim.LMConfig) *Sequential {
	t.Helper()
	m := NewSequential(layers.Dense(10, layers.Tanh, layers.NguyenWidrow(-2, 2)), layers.Dense(1))
	require.NoError(t, m.Compile(Input(1), losses.MSE(), optim.LM(cfg)))
	return m
}

func TestLMThroughFitStopReasons(t *testing.T) {
	x, y := sinData(100, 1)
	ctx := context.Background()

	h, err := lmNet(t, optim.LMConfig{}).Fit(ctx, x, y, FitConfig{Epochs: 100, Goal: 0.05})
	require.NoError(t, err)
	assert.Equal(t, StopGoal, h.Stop)
	assert.LessOrEqual(t, h.FinalLoss(), 0.05)
	assert.Less(t, h.Len(), 100)

	h, err = lmNet(t, optim.LMConfig{MinGrad: 1e-2}).Fit(ctx, x, y, FitConfig{Epochs: 500})
	require.NoError(t, err)
	assert.Equal(t, optim.StopMinGrad, h.Stop)
	assert.Less(t, h.Steps[len(h.Steps)-1].GradNorm, 1e-2)

	// A linear model on exactly linear data: one Gauss–Newton step solves
	// it, and LM says it converged (not mu_max, which means stuck).
	line := NewSequential(layers.Dense(1))
	require.NoError(t, line.Compile(Input(1), losses.MSE(), optim.LM(optim.LMConfig{MinGrad: -1})))
	ly := mat.NewDense(100, 1, nil)
	for i := 0; i < 100; i++ {
		ly.Set(i, 0, 2*x.At(i, 0)+1)
	}
	h, err = line.Fit(ctx, x, ly, FitConfig{Epochs: 500})
	require.NoError(t, err)
	assert.True(t, h.Stop.Converged(), "stop %q", h.Stop)
	assert.Less(t, h.Len(), 10)

	h, err = lmNet(t, optim.LMConfig{}).Fit(ctx, x, y, FitConfig{Epochs: 1 << 30, TimeLimit: 50 * time.Millisecond})
	require.NoError(t, err)
	assert.Equal(t, StopTimeLimit, h.Stop)

	h, err = lmNet(t, optim.LMConfig{}).Fit(ctx, x, y, FitConfig{})
	require.NoError(t, err)
	if h.Stop == StopEpochs {
		assert.Equal(t, 1000, h.Len(), "LM's default is trainlm's 1000 epochs")
	} else {
		assert.Less(t, h.Len(), 1000)
	}
	// Every iteration reports μ, tries and a condition estimate.
	for _, s := range h.Steps {
		assert.Greater(t, s.Tries, 0)
		if s.Accepted {
			assert.Greater(t, s.Cond, 0.0)
			assert.Less(t, s.NewLoss, s.Loss)
		}
	}
}

func TestLMConditionWarning(t *testing.T) {
	x, y := sinData(100, 1)
	h, err := lmNet(t, optim.LMConfig{CondWarn: 10}).Fit(context.Background(), x, y, FitConfig{Epochs: 3})
	require.NoError(t, err)
	assert.Contains(t, h.Steps[0].Warning, "ill-conditioned system")
}

// TestMiniBatchLMIsExplicit: a BatchSize below the training set with LM or
// BR (a BatchSize copied from an Adam configuration) is refused, naming
// MiniBatch, and leaves the model as it was; BatchSize 0, -1 or ≥ N stays
// full batch (one step per epoch, on every sample); a first-order
// optimizer takes the BatchSize without MiniBatch.
func TestMiniBatchLMIsExplicit(t *testing.T) {
	x, y := sinData(100, 3)
	ctx := context.Background()
	for _, opt := range []func() optim.Optimizer{
		func() optim.Optimizer { return optim.LM(optim.LMConfig{}) },
		func() optim.Optimizer { return optim.BR(optim.BRConfig{}) },
	} {
		m := NewSequential(layers.Dense(4, layers.Tanh), layers.Dense(1))
		require.NoError(t, m.Compile(Input(1), losses.MSE(), opt()))
		theta := append([]float64(nil), m.Params().Theta()...)
		for run := 0; run < 2; run++ { // refused twice, nothing changes
			_, err := m.Fit(ctx, x, y, FitConfig{Epochs: 2, BatchSize: 32})
			require.ErrorContains(t, err, "BatchSize 32 is below the 100 training samples")
			assert.ErrorContains(t, err, "FitConfig.MiniBatch")
			assert.Equal(t, theta, m.Params().Theta())
		}
		// The training set after a division is what counts: 70 samples.
		_, err := m.Fit(ctx, x, y, FitConfig{Epochs: 1, BatchSize: 80, Division: RandomDivision()})
		require.NoError(t, err, "a BatchSize above the 70 training samples is full batch")
		_, err = m.Fit(ctx, x, y, FitConfig{Epochs: 1, BatchSize: 60, Division: RandomDivision()})
		require.ErrorContains(t, err, "BatchSize 60 is below the 70 training samples")
		for _, batch := range []int{0, -1, 100, 500} {
			h, err := m.Fit(ctx, x, y, FitConfig{Epochs: 3, BatchSize: batch, MinGrad: 0})
			require.NoError(t, err, "BatchSize %d", batch)
			assert.Len(t, h.Steps, h.Len(), "BatchSize %d: one step per epoch", batch)
		}
		h, err := m.Fit(ctx, x, y, FitConfig{Epochs: 2, BatchSize: 32, MiniBatch: true})
		require.NoError(t, err)
		assert.Len(t, h.Steps, 2*4, "MiniBatch: four steps per epoch")
	}
	adam := NewSequential(layers.Dense(4, layers.Tanh), layers.Dense(1))
	require.NoError(t, adam.Compile(Input(1), losses.MSE(), optim.Adam(optim.AdamConfig{})))
	h, err := adam.Fit(ctx, x, y, FitConfig{Epochs: 1, BatchSize: 32})
	require.NoError(t, err)
	assert.Len(t, h.Steps, 4)
}

func TestCompileRejectsLMWithoutResidualForm(t *testing.T) {
	m := NewSequential(layers.Dense(1))
	err := m.Compile(Input(1), losses.MAE(), optim.LM(optim.LMConfig{}))
	require.ErrorContains(t, err, "needs a loss with a residual (least-squares) form, and mae has none")
}

// TestMiniBatchLM: with BatchSize < N and MiniBatch chosen, each LM
// iteration linearizes one batch; training still lowers the full loss.
func TestMiniBatchLM(t *testing.T) {
	x, y := sinData(200, 3)
	m := lmNet(t, optim.LMConfig{})
	before, err := m.Evaluate(x, y)
	require.NoError(t, err)
	h, err := m.Fit(context.Background(), x, y, FitConfig{Epochs: 10, BatchSize: 64, Seed: 2, MiniBatch: true})
	require.NoError(t, err)
	assert.Len(t, h.Steps, 10*4)
	after, err := m.Evaluate(x, y)
	require.NoError(t, err)
	assert.Less(t, after.Loss, 0.5*before.Loss)
}

// TestSampleWeights: weights of 2 everywhere reach the same minimum as no
// weights (the loss doubles, its minimizer does not); a zero weight removes
// a sample, for first-order training and for LM alike.
func TestSampleWeights(t *testing.T) {
	x, y := sinData(40, 4)
	twos := make([]float64, 40)
	for i := range twos {
		twos[i] = 2
	}
	fit := func(w []float64) []float64 {
		m := NewSequential(layers.Dense(3, layers.Tanh, layers.NguyenWidrow(-2, 2)), layers.Dense(1))
		require.NoError(t, m.Compile(Input(1), losses.MSE(), optim.LM(optim.LMConfig{MinGrad: -1})))
		_, err := m.Fit(context.Background(), x, y, FitConfig{Epochs: 300, SampleWeight: w})
		require.NoError(t, err)
		return append([]float64(nil), m.Params().Theta()...)
	}
	assert.InDeltaSlice(t, fit(nil), fit(twos), 1e-6)

	// A zero-weight sample with an absurd target changes nothing.
	yBad := mat.DenseCopyOf(y)
	yBad.Set(7, 0, 1e6)
	w := make([]float64, 40)
	for i := range w {
		w[i] = 1
	}
	w[7] = 0
	for _, opt := range []func() optim.Optimizer{
		func() optim.Optimizer { return optim.LM(optim.LMConfig{}) },
		func() optim.Optimizer { return optim.SGD(optim.SGDConfig{LearningRate: 0.05}) },
	} {
		run := func(y mat.Matrix, w []float64) []float64 {
			m := NewSequential(layers.Dense(3, layers.Tanh), layers.Dense(1))
			require.NoError(t, m.Compile(Input(1), losses.MSE(), opt()))
			_, err := m.Fit(context.Background(), x, y, FitConfig{Epochs: 5, BatchSize: -1, SampleWeight: w})
			require.NoError(t, err)
			return append([]float64(nil), m.Params().Theta()...)
		}
		clean := run(y, w)
		assert.InDeltaSlice(t, clean, run(yBad, w), 1e-12)
		for _, v := range clean {
			assert.False(t, math.IsNaN(v))
		}
	}

	m := lmNet(t, optim.LMConfig{})
	_, err := m.Fit(context.Background(), x, y, FitConfig{SampleWeight: []float64{1}})
	require.ErrorContains(t, err, "1 sample weights for 40 samples")
	bad := append([]float64(nil), w...)
	bad[3] = math.NaN()
	_, err = m.Fit(context.Background(), x, y, FitConfig{SampleWeight: bad})
	require.ErrorContains(t, err, "sample weight 3 is NaN")
}

// TestLMStrategiesOnTwoOutputNet: every damping scaling, μ update and
// solver (and geodesic acceleration) trains a 2-output network.
func TestLMStrategiesOnTwoOutputNet(t *testing.T) {
	x, y1 := sinData(80, 5)
	y := mat.NewDense(80, 2, nil)
	for i := 0; i < 80; i++ {
		y.Set(i, 0, y1.At(i, 0))
		y.Set(i, 1, math.Cos(x.At(i, 0)))
	}
	for _, damping := range []optim.Damping{optim.DampingIdentity, optim.DampingMarquardt} {
		for _, update := range []optim.Update{optim.UpdateTrainlm, optim.UpdateNielsen} {
			for _, solver := range []optim.Solver{optim.SolverCholesky, optim.SolverQR} {
				for _, geodesic := range []bool{false, true} {
					cfg := optim.LMConfig{Damping: damping, Update: update, Solver: solver, Geodesic: geodesic}
					m := NewSequential(layers.Dense(8, layers.Tanh, layers.NguyenWidrow(-2, 2)), layers.Dense(2))
					require.NoError(t, m.Compile(Input(1), losses.MSE(), optim.LM(cfg)))
					before, err := m.Evaluate(x, y)
					require.NoError(t, err)
					_, err = m.Fit(context.Background(), x, y, FitConfig{Epochs: 40})
					require.NoError(t, err)
					after, err := m.Evaluate(x, y)
					require.NoError(t, err)
					assert.Less(t, after.Loss, 0.05*before.Loss, "%v/%v/%v/geodesic=%v", damping, update, solver, geodesic)
				}
			}
		}
	}
}

// TestLMIsDeterministicWithWorkers: on enough samples for the Jacobian to
// be computed in several chunks by two goroutines, two runs give
// bit-identical weights and History.
func TestLMIsDeterministicWithWorkers(t *testing.T) {
	x, y := sinData(1500, 12)
	run := func() ([]float64, History) {
		m := NewSequential(layers.Dense(12, layers.Tanh, layers.NguyenWidrow(-2, 2)), layers.Dense(1))
		require.NoError(t, m.Compile(Input(1), losses.MSE(), optim.LM(optim.LMConfig{})))
		h, err := m.Fit(context.Background(), x, y, FitConfig{Epochs: 8})
		require.NoError(t, err)
		return append([]float64(nil), m.Params().Theta()...), withoutTimes(h)
	}
	w1, h1 := run()
	w2, h2 := run()
	assert.Equal(t, w1, w2)
	assert.True(t, assert.ObjectsAreEqual(h1, h2))
}
