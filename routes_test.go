package golem

import (
	"context"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/golem-ml/golem/layers"
	"github.com/golem-ml/golem/losses"
	"github.com/golem-ml/golem/optim"
)

// The public route report names each parameter's route, and the check's
// text names the parameters on the slow route.
func TestJacobianRoutesArePublic(t *testing.T) {
	m := NewSequential(layers.Dense(3, layers.Tanh), &gain{}, &rawLinear{units: 1})
	require.NoError(t, m.Compile(Input(2), losses.MSE(), optim.LM(optim.LMConfig{})))
	rng := rand.New(rand.NewPCG(4, 4))
	x := randomMatrix(rng, 6, 2, -1, 1)
	y := randomMatrix(rng, 6, 1, -1, 1)
	want := []JacobianRoute{
		{"dense_1/W", RouteTap}, {"dense_1/b", RouteTap},
		{"gain_1/g", RouteTile}, {"rawlinear_1/W", RouteLoop},
	}
	rs, err := m.JacobianRoutes(context.Background(), x, y)
	require.NoError(t, err)
	assert.Equal(t, want, rs)
	c, err := m.CheckJacobian(context.Background(), x, y)
	require.NoError(t, err)
	assert.Equal(t, want, c.Routes)
	assert.Less(t, c.MaxRelError, 1e-6)
	assert.Contains(t, c.String(), "slow (loop) route: rawlinear_1/W")
	assert.Equal(t, []string{"rawlinear_1/W"}, SlowRoutes(rs))
}
