package fit

import (
	"context"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// outlierData is y = 3·exp(−0.4x) + 1 + N(0, 0.1²) at 100 points on
// [0, 10], with 10 % gross outliers: ten points of the tail x > 5 shifted
// up by 3 to 6 (a detector that saturates now and then).
func outlierData(seed uint64) (x, y []float64) {
	rng := rand.New(rand.NewPCG(seed, 1))
	x, y = make([]float64, 100), make([]float64, 100)
	for i := range x {
		x[i] = 10 * float64(i) / 99
		y[i] = 3*math.Exp(-0.4*x[i]) + 1 + 0.1*rng.NormFloat64()
	}
	for _, i := range rng.Perm(50)[:10] {
		y[50+i] += 3 + 3*rng.Float64()
	}
	return x, y
}

// TestSoftL1RecoversTruth: on every one of five data sets with 10 % gross
// outliers, soft_l1 (f_scale 0.1, the inliers' noise) lands within 2
// standard errors of the true parameters in every parameter, and least
// squares does not.
func TestSoftL1RecoversTruth(t *testing.T) {
	truth := []float64{3, 0.4, 1}
	within := func(r *Result) bool {
		for i, p := range r.Params {
			if !(math.Abs(p.Value-truth[i]) < 2*p.StdErr) {
				return false
			}
		}
		return true
	}
	for seed := uint64(1); seed <= 5; seed++ {
		x, y := outlierData(seed)
		ls, err := Curve(context.Background(), decay, column(x), y, Options{Params: Start(decay, 1, 0.1, 0)})
		require.NoError(t, err)
		robust, err := Curve(context.Background(), decay, column(x), y, Options{Params: Start(decay, 1, 0.1, 0), Loss: SoftL1, FScale: 0.1})
		require.NoError(t, err)
		require.True(t, robust.Converged, robust.Stop)
		assert.True(t, within(robust), "seed %d: soft_l1 %v ± %v", seed, robust.Values(), stdErrs(robust))
		assert.False(t, within(ls), "seed %d: least squares %v ± %v", seed, ls.Values(), stdErrs(ls))
		t.Logf("seed %d: least squares %.4v ± %.2v; soft_l1 %.4v ± %.2v", seed, ls.Values(), stdErrs(ls), robust.Values(), stdErrs(robust))
	}
}

func stdErrs(r *Result) []float64 {
	s := make([]float64, len(r.Params))
	for i, p := range r.Params {
		s[i] = p.StdErr
	}
	return s
}
