package main

import (
	"context"
	"math"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/golem-ml/golem/examples/internal/chart"
	"github.com/golem-ml/golem/fit"
)

// TestCurvefit: from both NIST starting points the default fit recovers
// Misra1a's certified values (LRE ≥ 7), standard errors and residual
// standard deviation (LRE ≥ 4); the bounded fit ends on its bound; soft_l1
// stays within 2 standard errors of the truth where least squares does
// not; and the plots are decodable PNGs.
func TestCurvefit(t *testing.T) {
	res, err := run(context.Background(), config{out: t.TempDir()})
	require.NoError(t, err)
	require.Len(t, res.misra, 2)
	for s, r := range res.misra {
		assert.True(t, r.Converged, "start %d: %s", s+1, r.Stop)
		for i, p := range r.Params {
			assert.GreaterOrEqual(t, lre(p.Value, certified[i]), 7.0, "start %d, %s", s+1, p.Name)
			assert.GreaterOrEqual(t, lre(p.StdErr, certifiedSE[i]), 4.0, "start %d, %s", s+1, p.Name)
		}
		assert.GreaterOrEqual(t, lre(r.ResidualSD, certifiedRSD), 4.0)
	}
	assert.Equal(t, fit.AtUpper, res.bounded.Params[0].Status)
	assert.Equal(t, 230.0, math.Round(res.bounded.Value("b1")*1e6)/1e6)
	off := func(r *fit.Result) float64 {
		var worst float64
		for i, p := range r.Params {
			worst = math.Max(worst, math.Abs(p.Value-truth[i])/p.StdErr)
		}
		return worst
	}
	assert.Less(t, off(res.robust), 2.0)
	assert.Greater(t, off(res.leastSquares), 2.0)
	for _, path := range []string{res.fitPlot, res.residualPlot, res.robustPlot} {
		assert.NoError(t, chart.CheckPNG(path, 400))
	}
}
