package linalg

import (
	"context"
	"fmt"
	"math"
	"testing"

	"github.com/stretchr/testify/require"
	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/blas64"
	"gonum.org/v1/gonum/lapack"
	"gonum.org/v1/gonum/lapack/lapack64"
)

// Pocon agrees with lapack64.Pocon on well- and ill-conditioned factors,
// odd sizes and lda ≠ n, and returns their edge values.
func TestPoconMatchesLapack(t *testing.T) {
	cases := []struct {
		n, pad      int
		cond, scale float64
	}{{1, 0, 1, 0}, {2, 1, 10, 0}, {3, 2, 1e8, 3}, {64, 0, 1e3, 1}, {301, 5, 1e12, 2}}
	for _, c := range cases {
		t.Run(fmt.Sprintf("n%d/cond%.0e", c.n, c.cond), func(t *testing.T) {
			a := illConditioned(c.n, c.n+c.pad, c.cond, c.scale, 3)
			anorm := lapack64.Lansy(lapack.MaxColumnSum, a, make([]float64, c.n))
			ok, err := Cholesky(context.Background(), a, 2)
			require.NoError(t, err)
			require.True(t, ok)
			want := lapack64.Pocon(a, anorm, make([]float64, 3*c.n), make([]int, c.n))
			got := Pocon(a, anorm)
			require.InDelta(t, want, got, 1e-10*want, "rcond")
		})
	}
	require.Equal(t, 1.0, Pocon(blas64.Symmetric{Uplo: blas.Upper}, 1))
	require.Equal(t, 0.0, Pocon(blas64.Symmetric{N: 1, Stride: 1, Data: []float64{2}, Uplo: blas.Upper}, 0))
	// A factor whose inverse overflows: Pocon falls back to lapack64.Pocon.
	tiny := blas64.Symmetric{N: 2, Stride: 2, Data: []float64{1e-200, 0, 0, 1e-200}, Uplo: blas.Upper}
	want := lapack64.Pocon(tiny, 1e-300, make([]float64, 6), make([]int, 2))
	got := Pocon(tiny, 1e-300)
	require.False(t, math.IsNaN(got))
	require.Equal(t, want, got)
	require.Panics(t, func() { Pocon(blas64.Symmetric{N: 1, Stride: 1, Data: []float64{1}, Uplo: blas.Lower}, 1) })
}
