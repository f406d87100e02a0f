package golem

import (
	"context"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"gonum.org/v1/gonum/mat"

	"github.com/golem-ml/golem/internal/jac"
	"github.com/golem-ml/golem/layers"
	"github.com/golem-ml/golem/losses"
	"github.com/golem-ml/golem/optim"
)

// The engine's chunks count what its graph holds per row, not only J: a
// convolution on 28×28 images holds thousands of values per row for a
// few hundred parameters, and its chunks must shrink to stay within the
// memory budget; a small dense model keeps the largest chunk.
func TestJacobianChunksCountGraphMemory(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 3))
	for _, tc := range []struct {
		name  string
		m     *Model
		in    layers.Shape
		small bool
	}{
		{"conv on 28×28", NewSequential(layers.Conv2D(8, 3, 3, layers.WithPadding(layers.Same), layers.Tanh), layers.GlobalAvgPool2D(), layers.Dense(1)), Input(28, 28, 1), true},
		{"dense", NewSequential(layers.Dense(10, layers.Tanh), layers.Dense(1)), Input(2), false},
	} {
		require.NoError(t, tc.m.Compile(tc.in, losses.MSE(), optim.LM(optim.LMConfig{})))
		n := 4096
		x := randomMatrix(rng, n, tc.in.Size(), -1, 1)
		y := mat.NewDense(n, 1, nil)
		spec, err := tc.m.jacobianSpec()
		require.NoError(t, err)
		d, err := tc.m.dataset(x, y)
		require.NoError(t, err)
		e, err := jac.New(spec, jac.Config{})
		require.NoError(t, err)
		J := mat.NewDense(3, tc.m.Params().Len(), nil)
		sub := tc.m.jacobianData(d)
		sub.N, sub.X, sub.Y, sub.Weights = 3, sub.X[:3*d.xCols], sub.Y[:3], sub.Weights[:3]
		require.NoError(t, e.Jacobian(context.Background(), sub, J, make([]float64, 3)))
		rows := e.ChunkRows(n)
		t.Logf("%s: %d rows per chunk", tc.name, rows)
		if tc.small {
			assert.Less(t, rows, 1024)
			assert.GreaterOrEqual(t, rows, 256)
		} else {
			assert.Equal(t, 2048, rows)
		}
	}
}
