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

// A first-order Fit moves BatchNormalization's moving statistics once per
// step, from the real rows of each batch only: a padded last batch must
// not count its padding.
func TestFitUpdatesBatchNormStatisticsFromRealRows(t *testing.T) {
	rng := rand.New(rand.NewPCG(8, 8))
	x := randomMatrix(rng, 10, 2, 0, 4)
	y := randomMatrix(rng, 10, 1, -1, 1)
	m := NewSequential(layers.BatchNormalization(), layers.Dense(1))
	require.NoError(t, m.Compile(Input(2), losses.MSE(), optim.Adam(optim.AdamConfig{})))
	_, err := m.Fit(context.Background(), x, y, FitConfig{Epochs: 1, BatchSize: 8, NoShuffle: true})
	require.NoError(t, err)

	mean, variance := make([]float64, 2), []float64{1, 1}
	for _, rows := range [][2]int{{0, 8}, {8, 10}} {
		for j := 0; j < 2; j++ {
			var mu, v float64
			n := float64(rows[1] - rows[0])
			for i := rows[0]; i < rows[1]; i++ {
				mu += x.At(i, j) / n
			}
			for i := rows[0]; i < rows[1]; i++ {
				v += (x.At(i, j) - mu) * (x.At(i, j) - mu) / n
			}
			mean[j] = 0.99*mean[j] + 0.01*mu
			variance[j] = 0.99*variance[j] + 0.01*v
		}
	}
	mm, ok := m.Params().LookupState("batchnorm_1/moving_mean")
	require.True(t, ok)
	mv, ok := m.Params().LookupState("batchnorm_1/moving_variance")
	require.True(t, ok)
	assert.InDeltaSlice(t, mean, m.Params().StateView(mm), 1e-14)
	assert.InDeltaSlice(t, variance, m.Params().StateView(mv), 1e-14)

	// Save and Load carry the statistics: the loaded model predicts the same.
	var buf bytes.Buffer
	require.NoError(t, m.Save(&buf))
	want, err := m.Predict(x)
	require.NoError(t, err)
	fresh := NewSequential(layers.BatchNormalization(), layers.Dense(1))
	require.NoError(t, fresh.Load(&buf))
	got, err := fresh.Predict(x)
	require.NoError(t, err)
	assert.True(t, mat.Equal(want, got))
	assert.Equal(t, m.Params().StateValues(), fresh.Params().StateValues())
}

// Dropout is on in first-order training and off in inference; the same
// seed gives the same masks, another seed others.
func TestDropoutTrainsAndIsSeeded(t *testing.T) {
	rng := rand.New(rand.NewPCG(9, 9))
	x := randomMatrix(rng, 64, 3, -1, 1)
	y := randomMatrix(rng, 64, 1, -1, 1)
	fit := func(seed uint64, rate float64) []float64 {
		m := NewSequential(layers.Dense(16, layers.Tanh), layers.Dropout(rate), layers.Dense(1))
		require.NoError(t, m.Compile(Input(3), losses.MSE(), optim.Adam(optim.AdamConfig{}), WithSeed(1)))
		_, err := m.Fit(context.Background(), x, y, FitConfig{Epochs: 3, BatchSize: 16, Seed: seed})
		require.NoError(t, err)
		// Inference is deterministic: no mask.
		p1, err := m.Predict(x)
		require.NoError(t, err)
		p2, err := m.Predict(x)
		require.NoError(t, err)
		require.True(t, mat.Equal(p1, p2))
		return append([]float64(nil), m.Params().Theta()...)
	}
	a, b, c := fit(1, 0.5), fit(1, 0.5), fit(2, 0.5)
	assert.Equal(t, a, b, "same seed, same bits")
	assert.NotEqual(t, a, c, "another seed draws other masks")
	// Dropout at rate 0.5 trains differently from no dropout.
	none := fit(1, 0)
	diff := 0.0
	for i := range a {
		diff = math.Max(diff, math.Abs(a[i]-none[i]))
	}
	assert.Greater(t, diff, 1e-3)
}

// Early stopping restores the best epoch's statistics with its weights.
func TestEarlyStoppingRestoresBatchNormState(t *testing.T) {
	rng := rand.New(rand.NewPCG(10, 10))
	x := randomMatrix(rng, 80, 2, 0, 4)
	y := randomMatrix(rng, 80, 1, -1, 1) // noise: validation gets worse soon
	xv := randomMatrix(rng, 40, 2, 0, 4)
	yv := randomMatrix(rng, 40, 1, -1, 1)
	m := NewSequential(layers.BatchNormalization(), layers.Dense(32, layers.Tanh), layers.Dense(1))
	require.NoError(t, m.Compile(Input(2), losses.MSE(), optim.Adam(optim.AdamConfig{LearningRate: 0.05})))
	h, err := m.Fit(context.Background(), x, y, FitConfig{Epochs: 40, BatchSize: 16, ValidationX: xv, ValidationY: yv, Patience: 5})
	require.NoError(t, err)
	require.Less(t, h.BestEpoch, len(h.Loss), "the test needs training past the best epoch")
	ev, err := m.Evaluate(xv, yv)
	require.NoError(t, err)
	assert.InDelta(t, h.ValLoss[h.BestEpoch-1], ev.Loss, 1e-12, "the restored model is the best epoch's, statistics included")
}
