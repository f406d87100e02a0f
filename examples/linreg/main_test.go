package main

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/golem-ml/golem/examples/internal/chart"
)

// TestLinreg: full-batch GD, stochastic GD and mini-batch SGD each land
// within 0.1 of the least-squares intercept and slope, and both plots are
// decodable PNGs.
func TestLinreg(t *testing.T) {
	res, err := run(context.Background(), config{epochs: 300, seed: 1, out: t.TempDir()})
	require.NoError(t, err)
	require.Len(t, res.fits, 3)
	for _, f := range res.fits {
		assert.InDelta(t, res.exact.intercept, f.intercept, 0.1, "%s intercept", f.name)
		assert.InDelta(t, res.exact.slope, f.slope, 0.1, "%s slope", f.name)
		assert.InDelta(t, res.exact.loss, f.loss, 1e-3, "%s loss", f.name)
		assert.Len(t, f.epochLoss, 300, f.name)
	}
	assert.Equal(t, []int{300, 30000, 2100}, []int{res.fits[0].steps, res.fits[1].steps, res.fits[2].steps})
	require.Len(t, res.plots, 2)
	for _, path := range res.plots {
		assert.NoError(t, chart.CheckPNG(path, 400))
	}
}
