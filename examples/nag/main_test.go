package main

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/golem-ml/golem/examples/internal/chart"
)

// TestNAG: Nesterov's loss falls below half its start, ends lower than
// classical momentum's and gradient descent's with the same learning rate,
// and classifies ≥ 95% of the samples; the plot is a decodable PNG.
func TestNAG(t *testing.T) {
	res, err := run(context.Background(), config{epochs: 100, out: t.TempDir()})
	require.NoError(t, err)
	require.Len(t, res.runs, 3)
	nag, mom, gd := res.runs[0], res.runs[1], res.runs[2]
	require.Len(t, nag.loss, 100)
	assert.Less(t, nag.final, 0.5*nag.loss[0])
	assert.GreaterOrEqual(t, nag.accuracy, 0.95)
	assert.Less(t, nag.final, mom.final)
	assert.Less(t, mom.final, gd.final)
	// All three start from the same weights.
	assert.Equal(t, nag.loss[0], mom.loss[0])
	assert.Equal(t, nag.loss[0], gd.loss[0])
	assert.NoError(t, chart.CheckPNG(res.plot, 400))
}
