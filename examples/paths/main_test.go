package main

import (
	"context"
	"math"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/golem-ml/golem/examples/internal/chart"
)

// TestPaths runs the example at half the step counts: AdaGrad's f falls at
// every step on the bowl, RMSprop ends near Himmelblau's minimum (3, 2),
// Adam reaches the quadratic's minimum (-0.3, 2.5), every optimizer of the
// comparison lowers f on Rosenbrock, and every plot is a decodable PNG.
func TestPaths(t *testing.T) {
	res, err := run(context.Background(), config{stepScale: 0.5, out: t.TempDir()})
	require.NoError(t, err)
	require.Len(t, res.runs, 4)

	adagrad, rmsprop, adam := res.runs[0], res.runs[2], res.runs[3]
	assert.Equal(t, "AdaGrad", adagrad.name)
	require.Len(t, adagrad.path.Loss, 101)
	for k := 1; k < len(adagrad.path.Loss); k++ {
		require.Less(t, adagrad.path.Loss[k], adagrad.path.Loss[k-1], "AdaGrad, step %d", k)
	}
	assert.Equal(t, "RMSprop", rmsprop.name)
	assert.InDeltaSlice(t, []float64{3, 2}, rmsprop.path.Last(), 1e-2)
	assert.Equal(t, "Adam", adam.name)
	assert.InDeltaSlice(t, []float64{-0.3, 2.5}, adam.path.Last(), 1e-3)
	assert.InDelta(t, -8.95, adam.finalF(), 1e-5)

	require.Len(t, res.comparison, 9)
	for _, r := range res.comparison {
		assert.Less(t, r.finalF(), r.path.Loss[0], r.name)
		assert.False(t, math.IsNaN(r.finalF()), r.name)
		assert.Less(t, r.distance(), math.Hypot(-1.5-1, 1.5-1), r.name)
	}

	require.Len(t, res.plots, 6)
	for _, path := range res.plots {
		assert.NoError(t, chart.CheckPNG(path, 400))
	}
}
