package main

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/golem-ml/golem/examples/internal/chart"
)

// TestCustomLayer: the RBF layer's Jacobian matches finite differences, LM
// fits the noisy sinc down to the noise level on training and validation
// data, and the plot is a decodable PNG.
func TestCustomLayer(t *testing.T) {
	for _, seed := range []uint64{1, 2, 3} {
		res, err := run(context.Background(), config{units: 12, train: 150, val: 50, seed: seed, out: t.TempDir()})
		require.NoError(t, err)
		assert.Less(t, res.check.MaxRelError, 1e-6, "seed %d: %v", seed, res.check)
		assert.Equal(t, 12*2+12+1, res.params)
		variance := noise * noise
		assert.InDelta(t, variance, res.trainMSE, 0.5*variance, "seed %d: training MSE", seed)
		assert.Less(t, res.valMSE, 2*variance, "seed %d: validation MSE", seed)
		assert.NoError(t, chart.CheckPNG(res.plot, 400))
	}
}
