package golem_test

import (
	"context"
	"math"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"gonum.org/v1/gonum/mat"

	"github.com/golem-ml/golem"
	"github.com/golem-ml/golem/layers"
	"github.com/golem-ml/golem/losses"
	"github.com/golem-ml/golem/optim"
)

// TestLossesAsMetrics: losses.MSE, SSE and MAE passed to WithMetrics are
// recorded in History (training and validation) and Evaluate under their
// names, and Evaluate's "mse" metric is its MSE loss (no scaling, no
// weights). Two metrics of one name are refused at Compile.
func TestLossesAsMetrics(t *testing.T) {
	n := 40
	x, y := mat.NewDense(n, 1, nil), mat.NewDense(n, 1, nil)
	for i := 0; i < n; i++ {
		v := float64(i)/float64(n)*2 - 1
		x.Set(i, 0, v)
		y.Set(i, 0, math.Sin(3*v))
	}
	m := golem.NewSequential(layers.Dense(5, layers.Tanh), layers.Dense(1))
	require.NoError(t, m.Compile(golem.Input(1), losses.MSE(), optim.LM(optim.LMConfig{}),
		golem.WithMetrics(losses.MSE(), losses.SSE(), losses.MAE())))
	hist, err := m.Fit(context.Background(), x, y, golem.FitConfig{Epochs: 3, ValidationSplit: 0.25})
	require.NoError(t, err)
	for _, k := range []string{"mse", "sse", "mae", "val_mse", "val_sse", "val_mae"} {
		assert.Len(t, hist.Metrics[k], hist.Len(), k)
	}
	for run := 0; run < 2; run++ { // Evaluate is stateless: twice, the same bits
		ev, err := m.Evaluate(x, y)
		require.NoError(t, err)
		assert.InDelta(t, ev.Loss, ev.Metrics["mse"], 1e-14*ev.Loss)
		assert.InDelta(t, float64(n)*ev.Loss, ev.Metrics["sse"], 1e-12*ev.Metrics["sse"])
		pred, err := m.Predict(x)
		require.NoError(t, err)
		var mae float64
		for i := 0; i < n; i++ {
			mae += math.Abs(pred.At(i, 0) - y.At(i, 0))
		}
		assert.InDelta(t, mae/float64(n), ev.Metrics["mae"], 1e-15)
	}

	dup := golem.NewSequential(layers.Dense(1))
	err = dup.Compile(golem.Input(1), losses.MSE(), optim.Adam(optim.AdamConfig{}), golem.WithMetrics(losses.MAE(), losses.MAEMetric()))
	assert.ErrorContains(t, err, `metrics 1 and 2 are both named "mae"`)
}
