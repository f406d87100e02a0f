package optim

import (
	"context"
	"errors"
	"math"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// quadratic is L(θ) = Σ cᵢ(θᵢ - tᵢ)², with gradient 2cᵢ(θᵢ - tᵢ).
type quadratic struct {
	theta, c, target []float64
	poison           bool // return a NaN gradient
}

func (q *quadratic) Params() []float64 { return q.theta }

func (q *quadratic) Loss() (float64, error) {
	var s float64
	for i, v := range q.theta {
		d := v - q.target[i]
		s += q.c[i] * d * d
	}
	return s, nil
}

func (q *quadratic) Gradient(g []float64) (float64, error) {
	for i, v := range q.theta {
		g[i] = 2 * q.c[i] * (v - q.target[i])
	}
	if q.poison {
		g[1] = math.NaN()
	}
	return q.Loss()
}

func newQuadratic() *quadratic {
	return &quadratic{theta: []float64{1, -2, 0.5}, c: []float64{1, 3, 0.5}, target: []float64{0, 1, 2}}
}

func TestSGDStepIsExact(t *testing.T) {
	q := newQuadratic()
	opt := SGD(SGDConfig{LearningRate: 0.1})
	info, err := opt.Step(context.Background(), q)
	require.NoError(t, err)
	// g = (2, -18, -1.5)
	assert.InDeltaSlice(t, []float64{1 - 0.2, -2 + 1.8, 0.5 + 0.15}, q.theta, 1e-15)
	assert.InDelta(t, 1+27+1.125, info.Loss, 1e-15)
	assert.InDelta(t, math.Sqrt(4+324+2.25), info.GradNorm, 1e-12)
	assert.Equal(t, 0.01, SGD(SGDConfig{}).Config().LearningRate)
}

// TestAdamFirstStepsByHand replays Keras's Adam formula independently.
func TestAdamFirstStepsByHand(t *testing.T) {
	q := newQuadratic()
	opt := Adam(AdamConfig{LearningRate: 0.05})
	theta := append([]float64(nil), q.theta...)
	m := make([]float64, 3)
	v := make([]float64, 3)
	for step := 1; step <= 5; step++ {
		_, err := opt.Step(context.Background(), q)
		require.NoError(t, err)
		alpha := 0.05 * math.Sqrt(1-math.Pow(0.999, float64(step))) / (1 - math.Pow(0.9, float64(step)))
		for i := range theta {
			g := 2 * q.c[i] * (theta[i] - q.target[i])
			m[i] = 0.9*m[i] + 0.1*g
			v[i] = 0.999*v[i] + 0.001*g*g
			theta[i] -= alpha * m[i] / (math.Sqrt(v[i]) + 1e-7)
		}
		assert.InDeltaSlice(t, theta, q.theta, 1e-15, "step %d", step)
	}
	assert.Equal(t, AdamConfig{LearningRate: 0.001, Beta1: 0.9, Beta2: 0.999, Epsilon: 1e-7}, Adam(AdamConfig{}).Config())
}

func TestOptimizersConverge(t *testing.T) {
	for name, opt := range map[string]Optimizer{
		"sgd":  SGD(SGDConfig{LearningRate: 0.05}),
		"adam": Adam(AdamConfig{LearningRate: 0.05}),
	} {
		q := newQuadratic()
		for i := 0; i < 2000; i++ {
			_, err := opt.Step(context.Background(), q)
			require.NoError(t, err)
		}
		assert.InDeltaSlice(t, q.target, q.theta, 1e-6, name)
	}
}

func TestNonFiniteGradientLeavesWeightsUnchanged(t *testing.T) {
	for name, opt := range map[string]Optimizer{"sgd": SGD(SGDConfig{}), "adam": Adam(AdamConfig{})} {
		q := newQuadratic()
		q.poison = true
		before := append([]float64(nil), q.theta...)
		_, err := opt.Step(context.Background(), q)
		require.ErrorContains(t, err, "gradient of parameter 1 is NaN", name)
		assert.Equal(t, before, q.theta, name)
	}
}

func TestStateIsBoundToOneParameterVector(t *testing.T) {
	for name, opt := range map[string]Optimizer{"sgd": SGD(SGDConfig{}), "adam": Adam(AdamConfig{})} {
		a, b := newQuadratic(), newQuadratic()
		_, err := opt.Step(context.Background(), a)
		require.NoError(t, err)
		before := append([]float64(nil), b.theta...)
		_, err = opt.Step(context.Background(), b)
		assert.True(t, errors.Is(err, ErrForeignParams), name)
		assert.Equal(t, before, b.theta, name)
	}
}

func TestCancelledContextStopsBeforeWork(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	q := newQuadratic()
	before := append([]float64(nil), q.theta...)
	_, err := Adam(AdamConfig{}).Step(ctx, q)
	assert.ErrorIs(t, err, context.Canceled)
	assert.Equal(t, before, q.theta)
}

func TestValidate(t *testing.T) {
	assert.ErrorContains(t, SGD(SGDConfig{LearningRate: -1}).Validate(), "negative")
	assert.ErrorContains(t, Adam(AdamConfig{Beta2: 1}).Validate(), "β₂ = 1")
	// Negative means exactly 0 where 0 is a meaningful value.
	assert.Equal(t, 0.0, Adam(AdamConfig{Epsilon: -1}).Config().Epsilon)
	assert.Equal(t, 0.0, Adam(AdamConfig{Beta1: -1}).Config().Beta1)
	assert.Equal(t, 0.0, Adagrad(AdagradConfig{InitialAccumulator: -1}).Config().InitialAccumulator)
	assert.Equal(t, 0.0, Momentum(MomentumConfig{Momentum: -1}).Config().Momentum)
	assert.ErrorContains(t, SGD(SGDConfig{Clip: Clipping{Norm: -1}}).Validate(), "clipping bounds")
	assert.ErrorContains(t, RMSprop(RMSpropConfig{Rho: 1}).Validate(), "ρ = 1")
	assert.NoError(t, Adam(AdamConfig{}).Validate())
}
