package golem_test

import (
	"math"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/golem-ml/golem"
	"github.com/golem-ml/golem/optim"
)

// TestMinimizeReusesAnOptimizer: every Minimize call is a new run, so one
// optimizer value minimizing twice from the same start gives the same path
// bit for bit (it used to fail with ErrForeignParams), and minimizes
// another function afterwards.
func TestMinimizeReusesAnOptimizer(t *testing.T) {
	opt := optim.Adam(optim.AdamConfig{LearningRate: 0.05, Schedule: optim.NewPlateau(optim.PlateauConfig{})})
	first, err := golem.Minimize(ctx, rosenbrock, []float64{-1, 1}, opt, golem.MinimizeConfig{Steps: 50})
	require.NoError(t, err)
	opt.ScaleRate(0.1) // state a new run must not inherit
	second, err := golem.Minimize(ctx, rosenbrock, []float64{-1, 1}, opt, golem.MinimizeConfig{Steps: 50})
	require.NoError(t, err)
	assert.Equal(t, first, second)
	_, err = golem.Minimize(ctx, bowl, []float64{1, 1, 1}, opt, golem.MinimizeConfig{Steps: 5})
	assert.NoError(t, err)
}

func TestMinimizeRefusesANonFiniteConfig(t *testing.T) {
	_, err := golem.Minimize(ctx, bowl, []float64{1, 1}, optim.SGD(optim.SGDConfig{LearningRate: math.NaN()}), golem.MinimizeConfig{Steps: 1})
	assert.ErrorContains(t, err, "learning rate NaN")
}
