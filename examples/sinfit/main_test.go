package main

import (
	"context"
	"image/png"
	"os"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestSinfitReachesTargetMSE runs the example for five seeds: each must
// reach train MSE ≤ 0.045 and write a decodable PNG.
func TestSinfitReachesTargetMSE(t *testing.T) {
	seeds := []uint64{1, 2, 3, 4, 5}
	if testing.Short() {
		seeds = seeds[:1]
	}
	for _, seed := range seeds {
		dir := t.TempDir()
		res, err := run(context.Background(), config{epochs: 4000, lr: 0.01, seed: seed, out: dir})
		require.NoError(t, err)
		assert.LessOrEqual(t, res.mse, 0.045, "seed %d", seed)
		assert.Equal(t, 4000, res.epochs)

		f, err := os.Open(res.plot)
		require.NoError(t, err)
		img, err := png.Decode(f)
		f.Close()
		require.NoError(t, err)
		assert.Greater(t, img.Bounds().Dx(), 400)
	}
}
