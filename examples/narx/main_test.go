package main

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/golem-ml/golem/examples/internal/chart"
)

// TestNARX: on both series the network beats the linear ARX model with the
// same delays, one step ahead and in closed loop; closed-loop training
// helps on the plant; the ntstool plots are PNGs.
func TestNARX(t *testing.T) {
	res, err := run(context.Background(), config{out: t.TempDir(), seed: 1, epochs: 200, closed: 30, horizon: 10})
	require.NoError(t, err)
	require.Len(t, res.series, 2)
	for _, s := range res.series {
		t.Logf("%s: ARX %.4g/%.4g, net %.4g/%.4g, closed-loop trained %.4g/%.4g", s.name, s.arx.open, s.arx.closed, s.net.open, s.net.closed, s.netRetrained.open, s.netRetrained.closed)
		assert.Less(t, s.net.open, s.arx.open, "%s: one step ahead", s.name)
		assert.Less(t, s.net.closed, s.arx.closed, "%s: closed loop", s.name)
		for _, p := range s.plots {
			assert.NoError(t, chart.CheckPNG(p, 300))
		}
	}
	plant := res.series[0]
	assert.Less(t, plant.net.closed, plant.arx.closed/10, "the plant is far from linear")
	assert.Less(t, plant.netRetrained.closed, plant.net.closed, "closed-loop training improves the simulation")
}
