package golem

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"gonum.org/v1/gonum/mat"

	"github.com/golem-ml/golem/layers"
	"github.com/golem-ml/golem/losses"
	"github.com/golem-ml/golem/optim"
)

// overfitter is a network far too large for 20 noisy samples: LM drives its
// training loss down while the validation loss turns up.
func overfitter(t *testing.T) *Sequential {
	m := NewSequential(layers.Dense(30, layers.Tanh, layers.NguyenWidrow(-2, 2)), layers.Dense(1))
	require.NoError(t, m.Compile(Input(1), losses.MSE(), optim.LM(optim.LMConfig{}), WithMetrics(losses.RMSE())))
	return m
}

func TestEarlyStoppingRestoresBestValidationWeights(t *testing.T) {
	x, y := sinData(20, 6)
	vx, vy := sinData(200, 7)
	m := overfitter(t)
	h, err := m.Fit(context.Background(), x, y, FitConfig{Epochs: 200, ValidationX: vx, ValidationY: vy})
	require.NoError(t, err)
	require.Equal(t, StopPatience, h.Stop)
	assert.Equal(t, h.BestEpoch+6, h.Len(), "trainlm's max_fail: 6 epochs without improvement")
	assert.True(t, h.Restored)
	require.Len(t, h.ValLoss, h.Len())
	for i, v := range h.ValLoss {
		assert.GreaterOrEqual(t, v, h.ValLoss[h.BestEpoch-1], "epoch %d beat the best epoch", i+1)
	}
	ev, err := m.Evaluate(vx, vy)
	require.NoError(t, err)
	assert.Equal(t, h.ValLoss[h.BestEpoch-1], ev.Loss, "the model holds the best epoch's weights")
	assert.Len(t, h.Metrics["val_rmse"], h.Len())

	// KeepLastWeights keeps the final ones.
	m = overfitter(t)
	h, err = m.Fit(context.Background(), x, y, FitConfig{Epochs: 200, ValidationX: vx, ValidationY: vy, KeepLastWeights: true})
	require.NoError(t, err)
	assert.False(t, h.Restored)
	ev, err = m.Evaluate(vx, vy)
	require.NoError(t, err)
	assert.Equal(t, h.ValLoss[len(h.ValLoss)-1], ev.Loss)

	// Negative patience never stops early.
	m = overfitter(t)
	h, err = m.Fit(context.Background(), x, y, FitConfig{Epochs: 30, ValidationX: vx, ValidationY: vy, Patience: -1})
	require.NoError(t, err)
	assert.NotEqual(t, StopPatience, h.Stop)
}

func TestValidationSplitHoldsOutTheLastSamples(t *testing.T) {
	x, y := sinData(100, 8)
	m := overfitter(t)
	h, err := m.Fit(context.Background(), x, y, FitConfig{Epochs: 5, ValidationSplit: 0.25, KeepLastWeights: true, Patience: -1})
	require.NoError(t, err)
	last := mat.DenseCopyOf(x.Slice(75, 100, 0, 1))
	lastY := mat.DenseCopyOf(y.Slice(75, 100, 0, 1))
	ev, err := m.Evaluate(last, lastY)
	require.NoError(t, err)
	assert.Equal(t, h.ValLoss[len(h.ValLoss)-1], ev.Loss)

	_, err = m.Fit(context.Background(), x, y, FitConfig{ValidationSplit: 1.5})
	assert.ErrorContains(t, err, "ValidationSplit is 1.5")
	_, err = m.Fit(context.Background(), x, y, FitConfig{ValidationSplit: 0.2, ValidationX: x, ValidationY: y})
	assert.ErrorContains(t, err, "not several")
	_, err = m.Fit(context.Background(), x, y, FitConfig{ValidationX: x})
	assert.ErrorContains(t, err, "needs ValidationY")
	_, err = m.Fit(context.Background(), x, y, FitConfig{ValidationX: mat.NewDense(3, 2, nil), ValidationY: mat.NewDense(3, 1, nil)})
	assert.ErrorContains(t, err, "validation data: golem: x has 2 columns")
}

// epochRecorder is an optimizer that records what Fit reports after each
// epoch (the hook a Plateau schedule listens on).
type epochRecorder struct {
	optim.Optimizer
	seen []float64
}

func (r *epochRecorder) EndEpoch(monitored float64) { r.seen = append(r.seen, monitored) }

func TestFitReportsEachEpochToTheOptimizer(t *testing.T) {
	x, y := sinData(60, 9)
	vx, vy := sinData(30, 10)
	rec := &epochRecorder{Optimizer: optim.Adam(optim.AdamConfig{})}
	m := NewSequential(layers.Dense(4, layers.Tanh), layers.Dense(1))
	require.NoError(t, m.Compile(Input(1), losses.MSE(), rec))
	h, err := m.Fit(context.Background(), x, y, FitConfig{Epochs: 4, ValidationX: vx, ValidationY: vy, Patience: -1})
	require.NoError(t, err)
	assert.Equal(t, h.ValLoss, rec.seen, "the validation loss is monitored when there is one")
	rec.seen = nil
	h, err = m.Fit(context.Background(), x, y, FitConfig{Epochs: 3})
	require.NoError(t, err)
	assert.Equal(t, h.Loss, rec.seen, "otherwise the training loss")
}
