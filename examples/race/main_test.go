package main

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/golem-ml/golem/examples/internal/chart"
)

// TestRace runs the race at a fifth of the epochs: all ten optimizers
// finish, each lowers the training loss, Levenberg–Marquardt crosses the
// line (MSE ≤ 0.045), and both plots are decodable PNGs.
func TestRace(t *testing.T) {
	res, err := run(context.Background(), config{epochScale: 0.2, seed: 1, out: t.TempDir()})
	require.NoError(t, err)

	names := []string{"GD (full batch)", "SGD (batch 1)", "SGD (batch 16)", "Momentum", "Nesterov",
		"Adagrad", "Adadelta", "RMSprop", "Adam", "Levenberg–Marquardt"}
	require.Len(t, res.entrants, len(names))
	for i, e := range res.entrants {
		assert.Equal(t, names[i], e.name)
		h := e.hist
		require.NotZero(t, h.Len(), e.name)
		assert.Len(t, h.Time, h.Len(), e.name)
		assert.Less(t, h.FinalLoss(), h.Loss[0], e.name)
		assert.Less(t, e.mse, h.Loss[0], e.name)
	}

	lm := res.entrants[len(res.entrants)-1]
	assert.Equal(t, 10, lm.hist.Len())
	assert.LessOrEqual(t, lm.mse, goal)
	assert.Positive(t, lm.reached, "LM never reached MSE ≤ %g", goal)

	require.Len(t, res.plots, 2)
	for _, path := range res.plots {
		assert.NoError(t, chart.CheckPNG(path, 400))
	}
}
