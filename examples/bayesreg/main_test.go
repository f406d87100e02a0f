package main

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/golem-ml/golem/examples/internal/chart"
)

// TestBayesreg: for three seeds BR, without validation data, reaches a test
// error no worse than trainlm with early stopping and well below Adam's
// unregularized fit, with γ far below the 91 parameters; the plots are
// decodable PNGs.
func TestBayesreg(t *testing.T) {
	seeds := []uint64{1, 2, 3}
	if testing.Short() {
		seeds = seeds[:1]
	}
	for _, seed := range seeds {
		res, err := run(context.Background(), config{seed: seed, out: t.TempDir(), adamEpochs: 3000})
		require.NoError(t, err)
		require.Len(t, res.runs, 3)
		br, lm, adam := res.runs[0], res.runs[1], res.runs[2]
		assert.LessOrEqual(t, br.testMSE, lm.testMSE, "seed %d", seed)
		assert.Less(t, br.testMSE, adam.testMSE, "seed %d", seed)
		assert.Less(t, res.gamma, 30.0, "seed %d", seed)
		assert.NoError(t, chart.CheckPNG(res.fitPlot, 400))
	}
}
