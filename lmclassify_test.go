package golem

import (
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

// twoMoons returns n points (n even) of the two interleaving half circles,
// with Gaussian noise of the given standard deviation, and their 0/1 labels.
func twoMoons(n int, noise float64, seed uint64) (x, y *mat.Dense) {
	rng := rand.New(rand.NewPCG(seed, 1))
	x, y = mat.NewDense(n, 2, nil), mat.NewDense(n, 1, nil)
	half := n / 2
	for i := 0; i < n; i++ {
		t := math.Pi * float64(i%half) / float64(half-1)
		a, b, label := math.Cos(t), math.Sin(t), 0.0
		if i >= half {
			a, b, label = 1-math.Cos(t), 0.5-math.Sin(t), 1
		}
		x.Set(i, 0, a+noise*rng.NormFloat64())
		x.Set(i, 1, b+noise*rng.NormFloat64())
		y.Set(i, 0, label)
	}
	return x, y
}

// threeSpirals returns n points (a multiple of 3) on three interleaved
// spiral arms, each turning half a revolution from radius 0.15 to 1, with
// Gaussian noise of the given standard deviation, and integer labels 0..2.
func threeSpirals(n int, noise float64, seed uint64) (x, labels *mat.Dense) {
	rng := rand.New(rand.NewPCG(seed, 3))
	x, labels = mat.NewDense(n, 2, nil), mat.NewDense(n, 1, nil)
	per := n / 3
	for i := 0; i < n; i++ {
		c := i % 3
		r := 0.15 + 0.85*float64(i/3)/float64(per-1)
		a := 2*math.Pi*float64(c)/3 + math.Pi*r
		x.Set(i, 0, r*math.Cos(a)+noise*rng.NormFloat64())
		x.Set(i, 1, r*math.Sin(a)+noise*rng.NormFloat64())
		labels.Set(i, 0, float64(c))
	}
	return x, labels
}

// accuracy is the fraction of rows whose predicted class (p > 0.5 for one
// output, the arg-max otherwise) equals the label column.
func accuracy(t *testing.T, m *Sequential, x, labels mat.Matrix) float64 {
	t.Helper()
	p, err := m.Predict(x)
	require.NoError(t, err)
	n, k := p.Dims()
	right := 0
	for i := 0; i < n; i++ {
		class := 0
		if k == 1 {
			if p.At(i, 0) > 0.5 {
				class = 1
			}
		} else {
			for c := 1; c < k; c++ {
				if p.At(i, c) > p.At(i, class) {
					class = c
				}
			}
		}
		if float64(class) == labels.At(i, 0) {
			right++
		}
	}
	return float64(right) / float64(n)
}

// trainLMClassifier fits m with LM (trainlm defaults) and checks the
// outcome issue 10 item 5 asks for: ≥ 99% training accuracy, a stop that
// is not mu_max, and a per-sample Jacobian at the final weights that agrees
// with finite differences (no huge or NaN entries from √ℓ where ℓ
// underflowed). Before the cross-entropies kept relative accuracy, both
// problems below ended mu_max with J entries of -8.7e142 (two moons) and
// -4.8e131 (spirals) where finite differences gave 0.
func trainLMClassifier(t *testing.T, m *Sequential, x, y, labels mat.Matrix) {
	t.Helper()
	ctx := context.Background()
	h, err := m.Fit(ctx, x, y, FitConfig{Epochs: 300})
	require.NoError(t, err)
	acc := accuracy(t, m, x, labels)
	last := h.Steps[len(h.Steps)-1]
	t.Logf("stop %s after %d epochs: loss %.3g, accuracy %.4f, μ %.3g, ‖∇‖ %.3g, warning %q",
		h.Stop, h.Len(), h.FinalLoss(), acc, last.Mu, last.GradNorm, last.Warning)
	assert.GreaterOrEqual(t, acc, 0.99)

	c, err := m.CheckJacobian(ctx, x, y)
	require.NoError(t, err)
	t.Logf("Jacobian check: %v", c)
	assert.False(t, math.IsNaN(c.MaxRelError))
	assert.Less(t, c.MaxRelError, 1e-5, "%v", c)

	assert.NotEqual(t, optim.StopMuMax, h.Stop, "LM stopped on μ growth after %d epochs", h.Len())
}

func TestLMTrainsTwoMoonsWithBinaryCrossEntropy(t *testing.T) {
	x, y := twoMoons(200, 0.05, 1)
	m := NewSequential(layers.Dense(10, layers.Tanh), layers.Dense(1, layers.Sigmoid))
	require.NoError(t, m.Compile(Input(2), losses.BinaryCrossEntropy(), optim.LM(optim.LMConfig{}), WithSeed(1)))
	trainLMClassifier(t, m, x, y, y)
}

func TestLMTrainsThreeSpiralsWithSoftmax(t *testing.T) {
	x, labels := threeSpirals(150, 0.02, 2)
	oneHot := mat.NewDense(150, 3, nil)
	for i := 0; i < 150; i++ {
		oneHot.Set(i, int(labels.At(i, 0)), 1)
	}
	for _, c := range []struct {
		name string
		loss losses.Loss
		y    mat.Matrix
	}{
		{"sparse", losses.SparseCategoricalCrossEntropy(), labels},
		{"categorical", losses.CategoricalCrossEntropy(), oneHot},
	} {
		t.Run(c.name, func(t *testing.T) {
			m := NewSequential(layers.Dense(10, layers.Tanh), layers.Dense(3, layers.Softmax))
			require.NoError(t, m.Compile(Input(2), c.loss, optim.LM(optim.LMConfig{}), WithSeed(2)))
			trainLMClassifier(t, m, x, c.y, labels)
		})
	}
}

// TestLMSoftTargetsReachTheEntropyFloor: with label-smoothed targets
// (0.05/0.95) the loss cannot fall below the targets' entropy H, and at a
// sample's optimum the gradient of √ℓ vanishes, so with one residual per
// output LM's Gauss–Newton model degenerates and it crawls (measured: 6e-3
// to 1.3e-2 above H after 200 epochs). SoftTargets' two residuals per output
// keep the model positive: within 2e-4 of H in the same 200 epochs.
func TestLMSoftTargetsReachTheEntropyFloor(t *testing.T) {
	x, labels := twoMoons(200, 0.05, 1)
	const smooth = 0.1
	y := mat.NewDense(200, 1, nil)
	for i := 0; i < 200; i++ {
		y.Set(i, 0, smooth/2+(1-smooth)*labels.At(i, 0))
	}
	q := smooth / 2
	floor := -(q*math.Log(q) + (1-q)*math.Log(1-q))
	ctx := context.Background()
	excess := map[string]float64{}
	for _, c := range []struct {
		name string
		loss losses.Loss
	}{
		{"default", losses.BinaryCrossEntropy()},
		{"soft targets", losses.BinaryCrossEntropy(losses.SoftTargets())},
	} {
		m := NewSequential(layers.Dense(10, layers.Tanh), layers.Dense(1, layers.Sigmoid))
		require.NoError(t, m.Compile(Input(2), c.loss, optim.LM(optim.LMConfig{}), WithSeed(1)))
		h, err := m.Fit(ctx, x, y, FitConfig{Epochs: 200})
		require.NoError(t, err)
		ev, err := m.Evaluate(x, y)
		require.NoError(t, err)
		excess[c.name] = ev.Loss - floor
		t.Logf("%s: stop %s after %d epochs, loss %.10g, %.3g above the entropy %.10g", c.name, h.Stop, h.Len(), ev.Loss, excess[c.name], floor)
		assert.GreaterOrEqual(t, accuracy(t, m, x, labels), 0.99)
		check, err := m.CheckJacobian(ctx, x, y)
		require.NoError(t, err)
		assert.Less(t, check.MaxRelError, 1e-5, "%v", check)
	}
	assert.Less(t, excess["soft targets"], 2e-4)
}
