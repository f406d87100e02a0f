package golem

import (
	"context"
	"runtime"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"gonum.org/v1/gonum/mat"

	"github.com/golem-ml/golem/internal/jac"
	"github.com/golem-ml/golem/layers"
	"github.com/golem-ml/golem/losses"
	"github.com/golem-ml/golem/optim"
)

// runBits is what must be bit-identical between two runs: the History
// without wall times, and the final weights.
type runBits struct {
	Loss, Mu, GradNorm []float64
	Steps              []optim.StepInfo
	Stop               optim.Stop
	Theta              []float64
}

func fitBits(t *testing.T, opt optim.Optimizer, cfg FitConfig) runBits {
	t.Helper()
	x, y := sinData(600, 4)
	m := NewSequential(layers.Dense(12, layers.Tanh, layers.NguyenWidrow(-2, 2)), layers.Dense(1))
	require.NoError(t, m.Compile(Input(1), losses.MSE(), opt, WithSeed(3)))
	h, err := m.Fit(context.Background(), x, y, cfg)
	require.NoError(t, err)
	for i := range h.Steps {
		h.Steps[i].Time = 0
	}
	return runBits{Loss: h.Loss, Mu: h.Mu, GradNorm: h.GradNorm, Steps: h.Steps, Stop: h.Stop,
		Theta: append([]float64(nil), m.Params().Theta()...)}
}

// TestFitBitsIndependentOfGOMAXPROCS: the same LM Fit (full batch and
// mini-batch) and the same Adam Fit give bit-identical History and weights
// under GOMAXPROCS 1, 2 and 8 (the Jacobian engine's worker count, and so
// its chunk plan and reduction order, used to follow GOMAXPROCS).
func TestFitBitsIndependentOfGOMAXPROCS(t *testing.T) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(0))
	runs := []struct {
		name string
		opt  func() optim.Optimizer
		cfg  FitConfig
	}{
		{"lm", func() optim.Optimizer { return optim.LM(optim.LMConfig{}) }, FitConfig{Epochs: 8}},
		{"lm-minibatch", func() optim.Optimizer { return optim.LM(optim.LMConfig{}) }, FitConfig{Epochs: 2, BatchSize: 256, Seed: 5, MiniBatch: true}},
		{"adam", func() optim.Optimizer { return optim.Adam(optim.AdamConfig{LearningRate: 0.01}) }, FitConfig{Epochs: 5, BatchSize: 64, Seed: 5}},
	}
	for _, r := range runs {
		t.Run(r.name, func(t *testing.T) {
			var ref runBits
			for i, procs := range []int{1, 2, 8} {
				runtime.GOMAXPROCS(procs)
				got := fitBits(t, r.opt(), r.cfg)
				if i == 0 {
					ref = got
					require.NotEmpty(t, ref.Steps)
					continue
				}
				assert.Equal(t, ref, got, "GOMAXPROCS %d differs from GOMAXPROCS 1", procs)
			}
		})
	}
}

// TestLMBaselineIsTheLastTrialLoss: LM's baseline loss and its trial
// losses come from one computation (LeastSquares.SumSquares), so an
// accepted step's new loss is bit-identical to the next step's baseline at
// the same weights, and every accepted step really lowered it.
func TestLMBaselineIsTheLastTrialLoss(t *testing.T) {
	x, y := sinData(300, 2)
	m := lmNet(t, optim.LMConfig{})
	h, err := m.Fit(context.Background(), x, y, FitConfig{Epochs: 40})
	require.NoError(t, err)
	require.Greater(t, len(h.Steps), 5)
	for k := 0; k+1 < len(h.Steps); k++ {
		s := h.Steps[k]
		if s.Accepted {
			assert.Equal(t, s.NewLoss, h.Steps[k+1].Loss, "step %d", k)
			assert.Less(t, s.NewLoss, s.Loss, "step %d", k)
		} else {
			assert.Equal(t, s.Loss, h.Steps[k+1].Loss, "step %d", k)
		}
	}
}

// TestSumSquaresStreamsInChunks: the Jacobian engine's residual-only loss
// over 5,000 samples (two chunks of 4,096 rows, the last one partial and
// padded by repeating a real row) equals Σ r² from the normal equations and
// from the full residual vector, and gives the same bits on every call.
func TestSumSquaresStreamsInChunks(t *testing.T) {
	x, y := sinData(5000, 6)
	m := lmNet(t, optim.LMConfig{})
	e, err := m.jacobianEngine()
	require.NoError(t, err)
	d := jac.Data{N: 5000, X: x.RawMatrix().Data, Y: y.RawMatrix().Data, Weight: 0.5}
	ctx := context.Background()
	s1, err := e.SumSquares(ctx, d)
	require.NoError(t, err)
	s2, err := e.SumSquares(ctx, d)
	require.NoError(t, err)
	assert.Equal(t, s1, s2)

	P := m.Params().Len()
	ne, err := e.NormalEquations(ctx, d, mat.NewSymDense(P, nil), make([]float64, P))
	require.NoError(t, err)
	assert.InDelta(t, ne, s1, 1e-12*ne)
	r := make([]float64, 5000)
	require.NoError(t, e.Residuals(ctx, d, r))
	var direct float64
	for _, v := range r {
		direct += 0.5 * v * v
	}
	assert.InDelta(t, direct, s1, 1e-12*direct)
	assert.Greater(t, s1, 0.0)
}

// The new layers keep the promise: a CNN with BatchNormalization and
// Dropout trained by Adam, and a GRU trained by LM, give the same bits
// under GOMAXPROCS 1 and 2.
func TestConvAndRecurrentBitsIndependentOfGOMAXPROCS(t *testing.T) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(0))
	x := mat.NewDense(64, 6*6+5*2, nil)
	y := mat.NewDense(64, 1, nil)
	for i := 0; i < 64; i++ {
		for j := 0; j < 46; j++ {
			x.Set(i, j, float64((i*7+j*13)%17)/8-1)
		}
		y.Set(i, 0, x.At(i, 3)*x.At(i, 40))
	}
	build := func() *Model {
		img, seq := NewInput(6, 6, 1), NewInput(5, 2)
		h := Call(layers.Conv2D(3, 3, 3, layers.Tanh), img)
		h = Call(layers.BatchNormalization(), h)
		h = Call(layers.Dropout(0.3), Call(layers.Flatten(), Call(layers.MaxPool2D(2, 2), h)))
		s := Call(layers.GRU(3), seq)
		return NewModel([]*Node{img, seq}, Call(layers.Dense(1), Call(layers.Concatenate(), h, s)))
	}
	for _, r := range []struct {
		name string
		opt  func() optim.Optimizer
		cfg  FitConfig
	}{
		{"adam", func() optim.Optimizer { return optim.Adam(optim.AdamConfig{LearningRate: 0.01}) }, FitConfig{Epochs: 3, BatchSize: 16, Seed: 2}},
		{"lm", func() optim.Optimizer { return optim.LM(optim.LMConfig{}) }, FitConfig{Epochs: 4}},
	} {
		t.Run(r.name, func(t *testing.T) {
			var ref []float64
			for _, procs := range []int{1, 2} {
				runtime.GOMAXPROCS(procs)
				m := build()
				require.NoError(t, m.Compile(nil, losses.MSE(), r.opt()))
				_, err := m.Fit(context.Background(), x, y, r.cfg)
				require.NoError(t, err)
				got := m.appendWeights(nil)
				if ref == nil {
					ref = got
					continue
				}
				assert.Equal(t, ref, got)
			}
		})
	}
}
