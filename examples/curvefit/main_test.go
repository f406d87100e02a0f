package main

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"golem/examples/internal/plots"
)

// TestCurvefit: from both NIST starting points LM recovers b1 and b2 to at
// least 6 significant digits and the certified residual sum of squares,
// and both plots are decodable PNGs.
func TestCurvefit(t *testing.T) {
	res, err := run(context.Background(), config{out: t.TempDir()})
	require.NoError(t, err)
	require.Len(t, res.fits, 2)
	for _, f := range res.fits {
		require.Len(t, f.b, 2)
		for i, l := range f.lre {
			assert.GreaterOrEqual(t, l, 6.0, "start %d, b%d = %v (certified %v)", f.start, i+1, f.b[i], certified[i])
		}
		assert.InEpsilon(t, certifiedSSE, f.sse, 1e-6, "start %d", f.start)
		assert.Greater(t, f.iterations, 0)
		assert.Len(t, f.sseTrace, f.iterations+1)
	}
	for _, path := range []string{res.fitPlot, res.ssePlot} {
		assert.NoError(t, plots.CheckPNG(path, 400))
	}
}
