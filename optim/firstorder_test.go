package optim

import (
	"context"
	"errors"
	"math"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// allFirstOrder builds a fresh instance of every first-order optimizer.
func allFirstOrder() map[string]func() Optimizer {
	return map[string]func() Optimizer{
		"sgd":      func() Optimizer { return SGD(SGDConfig{LearningRate: 0.05}) },
		"momentum": func() Optimizer { return Momentum(MomentumConfig{LearningRate: 0.02}) },
		"nesterov": func() Optimizer { return Nesterov(MomentumConfig{LearningRate: 0.02}) },
		"adagrad":  func() Optimizer { return Adagrad(AdagradConfig{LearningRate: 0.1}) },
		"adadelta": func() Optimizer { return Adadelta(AdadeltaConfig{LearningRate: 1}) },
		"rmsprop":  func() Optimizer { return RMSprop(RMSpropConfig{LearningRate: 0.01, Centered: true, Momentum: 0.5}) },
		"adam":     func() Optimizer { return Adam(AdamConfig{LearningRate: 0.05, AMSGrad: true}) },
		"adamw":    func() Optimizer { return AdamW(AdamWConfig{AdamConfig: AdamConfig{LearningRate: 0.05}}) },
	}
}

func TestEveryOptimizerMovesEveryParameter(t *testing.T) {
	for name, mk := range allFirstOrder() {
		q := newQuadratic()
		before := append([]float64(nil), q.theta...)
		_, err := mk().Step(context.Background(), q)
		require.NoError(t, err, name)
		for i := range before {
			assert.NotEqual(t, before[i], q.theta[i], "%s: parameter %d did not move", name, i)
		}
	}
}

// TestOptimizerStateIsPerModel: two problems stepped alternately, each with
// its own optimizer, end exactly where each ends when stepped alone; one
// optimizer refuses a second parameter vector.
func TestOptimizerStateIsPerModel(t *testing.T) {
	for name, mk := range allFirstOrder() {
		a, b := newQuadratic(), newQuadratic()
		b.target = []float64{-3, 2, 0.5}
		oa, ob := mk(), mk()
		for i := 0; i < 10; i++ {
			_, err := oa.Step(context.Background(), a)
			require.NoError(t, err)
			_, err = ob.Step(context.Background(), b)
			require.NoError(t, err)
		}
		alone := newQuadratic()
		solo := mk()
		for i := 0; i < 10; i++ {
			_, err := solo.Step(context.Background(), alone)
			require.NoError(t, err)
		}
		assert.Equal(t, alone.theta, a.theta, "%s: cross-talk between optimizers", name)
		_, err := oa.Step(context.Background(), b)
		assert.True(t, errors.Is(err, ErrForeignParams), name)
	}
}

// TestEpsilonPlacementByHand replays Keras's formulas with ε ≠ 0, the part
// the torch fixtures cannot check: inside the root for Adagrad, RMSprop and
// Adadelta.
func TestEpsilonPlacementByHand(t *testing.T) {
	g := func(q *quadratic) []float64 {
		out := make([]float64, 3)
		for i, v := range q.theta {
			out[i] = 2 * q.c[i] * (v - q.target[i])
		}
		return out
	}
	t.Run("adagrad", func(t *testing.T) {
		q, want := newQuadratic(), newQuadratic()
		opt := Adagrad(AdagradConfig{LearningRate: 0.1, Epsilon: 0.5})
		acc := []float64{0.1, 0.1, 0.1}
		for s := 0; s < 3; s++ {
			gr := g(want)
			for i := range acc {
				acc[i] += gr[i] * gr[i]
				want.theta[i] -= 0.1 * gr[i] / math.Sqrt(acc[i]+0.5)
			}
			_, err := opt.Step(context.Background(), q)
			require.NoError(t, err)
			assert.InDeltaSlice(t, want.theta, q.theta, 1e-14)
		}
	})
	t.Run("rmsprop", func(t *testing.T) {
		q, want := newQuadratic(), newQuadratic()
		opt := RMSprop(RMSpropConfig{LearningRate: 0.01, Epsilon: 0.5})
		s2 := make([]float64, 3)
		for s := 0; s < 3; s++ {
			gr := g(want)
			for i := range s2 {
				s2[i] = 0.9*s2[i] + 0.1*gr[i]*gr[i]
				want.theta[i] -= 0.01 * gr[i] / math.Sqrt(s2[i]+0.5)
			}
			_, err := opt.Step(context.Background(), q)
			require.NoError(t, err)
			assert.InDeltaSlice(t, want.theta, q.theta, 1e-14)
		}
	})
	t.Run("adadelta", func(t *testing.T) {
		q, want := newQuadratic(), newQuadratic()
		opt := Adadelta(AdadeltaConfig{LearningRate: 1, Epsilon: 0.5})
		eg, ed := make([]float64, 3), make([]float64, 3)
		for s := 0; s < 3; s++ {
			gr := g(want)
			for i := range eg {
				eg[i] = 0.95*eg[i] + 0.05*gr[i]*gr[i]
				d := math.Sqrt(ed[i]+0.5) / math.Sqrt(eg[i]+0.5) * gr[i]
				ed[i] = 0.95*ed[i] + 0.05*d*d
				want.theta[i] -= d
			}
			_, err := opt.Step(context.Background(), q)
			require.NoError(t, err)
			assert.InDeltaSlice(t, want.theta, q.theta, 1e-14)
		}
	})
}

func TestClipping(t *testing.T) {
	g := []float64{3, -4, 0.5}
	Clipping{Value: 1}.apply(g)
	assert.Equal(t, []float64{1, -1, 0.5}, g)
	g = []float64{3, -4, 0}
	Clipping{Norm: 1}.apply(g)
	assert.InDeltaSlice(t, []float64{0.6, -0.8, 0}, g, 1e-15)
	g = []float64{0.3, -0.4}
	Clipping{Norm: 1}.apply(g)
	assert.Equal(t, []float64{0.3, -0.4}, g, "a gradient within the norm is untouched")

	// Through an optimizer: SGD with clipped gradients moves by at most η·Norm.
	q := newQuadratic()
	before := append([]float64(nil), q.theta...)
	_, err := SGD(SGDConfig{LearningRate: 1, Clip: Clipping{Norm: 0.5}}).Step(context.Background(), q)
	require.NoError(t, err)
	var moved float64
	for i := range before {
		moved += (q.theta[i] - before[i]) * (q.theta[i] - before[i])
	}
	assert.InDelta(t, 0.5, math.Sqrt(moved), 1e-12)
}

func TestSchedules(t *testing.T) {
	assert.Equal(t, 1.0, StepDecay{Every: 10, Factor: 0.5}.Rate(1, 9))
	assert.Equal(t, 0.5, StepDecay{Every: 10, Factor: 0.5}.Rate(1, 10))
	assert.Equal(t, 0.25, StepDecay{Every: 10, Factor: 0.5}.Rate(1, 25))
	assert.InDelta(t, math.Pow(0.96, 0.5), ExponentialDecay{Decay: 0.96, Steps: 100}.Rate(1, 50), 1e-15)
	assert.Equal(t, 1.0, ExponentialDecay{Decay: 0.96, Steps: 100, Staircase: true}.Rate(1, 50))
	assert.InDelta(t, 2.0, CosineDecay{Steps: 100}.Rate(2, 0), 1e-15)
	assert.InDelta(t, 1.0, CosineDecay{Steps: 100}.Rate(2, 50), 1e-15)
	assert.InDelta(t, 0.2, CosineDecay{Steps: 100, Alpha: 0.1}.Rate(2, 100), 1e-15)
	assert.InDelta(t, 0.2, CosineDecay{Steps: 100, Alpha: 0.1}.Rate(2, 500), 1e-15)

	// A schedule drives the optimizer: the second SGD step uses the decayed rate.
	q := newQuadratic()
	opt := SGD(SGDConfig{LearningRate: 0.1, Schedule: StepDecay{Every: 1, Factor: 0.5}})
	_, err := opt.Step(context.Background(), q)
	require.NoError(t, err)
	before := q.theta[0]
	grad := 2 * q.c[0] * (before - q.target[0])
	_, err = opt.Step(context.Background(), q)
	require.NoError(t, err)
	assert.InDelta(t, before-0.05*grad, q.theta[0], 1e-15)
}

func TestPlateau(t *testing.T) {
	p := NewPlateau(PlateauConfig{Patience: 2, Factor: 0.5, Cooldown: 1, MinRate: 0.1})
	losses := []float64{1, 0.9, 0.9, 0.9, 0.9, 0.9, 0.9, 0.9}
	var scales []float64
	for _, l := range losses {
		p.EndEpoch(l)
		scales = append(scales, p.Scale())
	}
	// Keras's ReduceLROnPlateau: improves twice, then 2 flat epochs → ×0.5.
	// A cooldown epoch counts down first and then already counts as flat,
	// so with Cooldown 1 the rate halves every second epoch from there.
	assert.Equal(t, []float64{1, 1, 1, 0.5, 0.5, 0.25, 0.25, 0.125}, scales)
	assert.Equal(t, 0.125, p.Rate(1, 0))
	assert.Equal(t, 0.1, p.Rate(0.2, 0), "never below MinRate")

	// Through an optimizer: EndEpoch reaches the schedule.
	opt := Adam(AdamConfig{Schedule: NewPlateau(PlateauConfig{Patience: 1})})
	opt.EndEpoch(1)
	opt.EndEpoch(1)
	assert.InDelta(t, 0.1, opt.schedule.(*Plateau).Scale(), 1e-15)
}
