package nist

import (
	"context"
	"math"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/golem-ml/golem"
	"github.com/golem-ml/golem/losses"
	"github.com/golem-ml/golem/optim"
)

// Fit fits problem p from start with the CurveFit preset and returns the
// fitted parameters and the History.
func Fit(ctx context.Context, p *Problem, start []float64) ([]float64, *golem.History, error) {
	return FitWith(ctx, p, start, optim.CurveFit(), golem.FitConfig{})
}

// FitWith fits problem p from start with LM configured by cfg.
func FitWith(ctx context.Context, p *Problem, start []float64, cfg optim.LMConfig, fit golem.FitConfig) ([]float64, *golem.History, error) {
	layer, err := Model(p.Name, start)
	if err != nil {
		return nil, nil, err
	}
	m := golem.NewSequential(layer)
	_, cols := p.X.Dims()
	if err := m.Compile(golem.Input(cols), losses.SSE(), optim.LM(cfg)); err != nil {
		return nil, nil, err
	}
	h, err := m.Fit(ctx, p.X, p.Y, fit)
	if err != nil {
		return nil, h, err
	}
	b := make([]float64, len(start))
	for i, q := range layer.Params() {
		b[i] = m.Params().View(q)[0]
	}
	return b, h, nil
}

// fitAll fits all 19 problems from both starts with cfg, requires LRE ≥
// minLRE on every parameter and, when converged, a converged stop; it logs
// the table of LREs, iterations and stops (see fitNames).
func fitAll(t *testing.T, cfg optim.LMConfig, minLRE float64, converged bool) {
	fitNames(t, Names, cfg, golem.FitConfig{}, minLRE, converged)
}

// TestNISTCertifiedValues fits all 19 problems from both starting points
// with one configuration (optim.CurveFit) and requires LRE ≥ 7 on every
// parameter and a converged stop (ftol, xtol or gtol) for every fit; it
// logs the table (go test -v -run NIST).
func TestNISTCertifiedValues(t *testing.T) {
	fitAll(t, optim.CurveFit(), 7, true)
}

// TestNISTGeodesic: CurveFit with geodesic acceleration reaches LRE ≥ 6 on
// every problem from both starts (it used to end at LRE ≈ 0 on Kirby2 from
// start 1 and on Hahn1, its acceptance test rejecting every μ, and on
// MGH17 from start 1, where an accelerated first step jumped onto the
// plateau of dead exponentials).
func TestNISTGeodesic(t *testing.T) {
	cfg := optim.CurveFit()
	cfg.Geodesic = true
	fitAll(t, cfg, 6, false)
}

// TestNISTStallIsNotConverged: fits cut short never say they converged —
// two epochs end "epochs", and a damping cap that stops the fit early
// ends "mu_max" (stuck) far from the certified values.
func TestNISTStallIsNotConverged(t *testing.T) {
	for _, name := range []string{"MGH17", "Lanczos3", "ENSO"} {
		p, err := Load(dataDir, name)
		require.NoError(t, err)
		_, h, err := FitWith(context.Background(), p, p.Start[0], optim.CurveFit(), golem.FitConfig{Epochs: 2})
		require.NoError(t, err)
		assert.Equal(t, golem.StopEpochs, h.Stop, name)
		assert.False(t, h.Stop.Converged(), name)
	}
	p, err := Load(dataDir, "MGH17")
	require.NoError(t, err)
	cfg := optim.CurveFit()
	cfg.MuMax = 1e-2
	b, h, err := FitWith(context.Background(), p, p.Start[0], cfg, golem.FitConfig{})
	require.NoError(t, err)
	lre := 11.0
	for i, v := range b {
		lre = math.Min(lre, LRE(v, p.Certified[i]))
	}
	t.Logf("MGH17 with MuMax 1e-2: LRE %.1f after %d iterations, stop %s", lre, len(h.Steps), h.Stop)
	assert.Less(t, lre, 3.0)
	assert.Equal(t, optim.StopMuMax, h.Stop)
	assert.False(t, h.Stop.Converged())
}
