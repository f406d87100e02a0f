package main

import (
	"bytes"
	"context"
	"image/png"
	"os"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/golem-ml/golem/examples/internal/chart"
)

// TestSinfit runs the example for five seeds: LM must reach train MSE ≤
// 0.045 within 30 iterations and Adam within its epochs, and the plot must
// be a decodable PNG.
func TestSinfit(t *testing.T) {
	seeds := []uint64{1, 2, 3, 4, 5}
	adamEpochs := 4000
	if testing.Short() {
		seeds, adamEpochs = seeds[:1], 1500
	}
	for _, seed := range seeds {
		res, err := run(context.Background(), config{lmIterations: 30, adamEpochs: adamEpochs, seed: seed, out: t.TempDir()})
		require.NoError(t, err)
		assert.LessOrEqual(t, res.lm.iterations, 30)
		assert.LessOrEqual(t, res.lm.mse, 0.045, "LM, seed %d", seed)
		assert.LessOrEqual(t, res.adam.mse, 0.045, "Adam, seed %d", seed)

		f, err := os.Open(res.plot)
		require.NoError(t, err)
		img, err := png.Decode(f)
		f.Close()
		require.NoError(t, err)
		assert.Greater(t, img.Bounds().Dx(), 400)
		require.NoError(t, chart.CheckPNG(res.lossPlot, 400))
	}
}

// TestSinfitWithValidation: the MATLAB-style run stops early, restores the
// best validation epoch, prints one line per epoch, and writes decodable
// performance, training-state, regression and error-histogram plots.
func TestSinfitWithValidation(t *testing.T) {
	var out bytes.Buffer
	res, err := trainWithValidation(context.Background(), 1, t.TempDir(), &out)
	require.NoError(t, err)
	h := res.hist
	assert.Equal(t, "patience", string(h.Stop))
	assert.True(t, h.Restored)
	assert.Equal(t, h.BestEpoch+6, h.Len())
	assert.Equal(t, h.Len()+1, strings.Count(out.String(), "\n"), "one line per epoch and a summary")
	assert.Less(t, res.testMSE, 0.08)
	assert.Greater(t, res.r, 0.95)
	require.Len(t, res.plots, 4)
	for _, path := range res.plots {
		f, err := os.Open(path)
		require.NoError(t, err)
		_, err = png.Decode(f)
		f.Close()
		require.NoError(t, err, path)
	}
}
