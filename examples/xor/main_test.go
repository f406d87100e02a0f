package main

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/golem-ml/golem/examples/internal/chart"
)

// TestXOR: momentum training classifies all four inputs correctly, with
// outputs within 0.1 of the targets, from the example's initial weights
// (seed 2) and four others; the plot is a decodable PNG.
func TestXOR(t *testing.T) {
	for _, seed := range []uint64{2, 1, 3, 4, 5} {
		res, err := run(context.Background(), config{epochs: 2000, seed: seed, out: t.TempDir()})
		require.NoError(t, err)
		require.Len(t, res.samples, 4)
		for _, s := range res.samples {
			assert.True(t, s.correct(), "seed %d: XOR(%g, %g) = %g, output %.3f", seed, s.x1, s.x2, s.target, s.output)
			assert.InDelta(t, s.target, s.output, 0.1, "seed %d: XOR(%g, %g)", seed, s.x1, s.x2)
		}
		assert.Less(t, res.loss, 0.05, "seed %d", seed)
		assert.NoError(t, chart.CheckPNG(res.plot, 400))
	}
}
