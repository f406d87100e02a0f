package main

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/golem-ml/golem/examples/internal/chart"
)

// TestLogreg: mini-batch SGD separates the blobs with training accuracy
// ≥ 0.97 for three seeds, the boundary runs between the blob centres, and
// the plot is a decodable PNG.
func TestLogreg(t *testing.T) {
	for _, seed := range []uint64{1, 2, 3} {
		res, err := run(context.Background(), config{epochs: 30, seed: seed, out: t.TempDir()})
		require.NoError(t, err)
		assert.Equal(t, 400, res.samples)
		assert.GreaterOrEqual(t, res.accuracy, 0.97, "seed %d", seed)
		assert.Less(t, res.loss, 0.1, "seed %d", seed)
		// The logit is negative at the class-0 centre, positive at class 1's.
		assert.Less(t, -2*res.w1-1*res.w2+res.b, 0.0, "seed %d", seed)
		assert.Greater(t, 1.5*res.w1+2*res.w2+res.b, 0.0, "seed %d", seed)
		assert.NoError(t, chart.CheckPNG(res.plot, 400))
	}
}
