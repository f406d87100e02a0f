package linalg

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/blas64"
	"gonum.org/v1/gonum/lapack/lapack64"
)

// sentinel marks entries Cholesky must not touch (strict lower triangle and
// stride padding).
const sentinel = -12345.6789

// randUpper returns an n×n upper triangular U (stride n) with normal random
// entries above the diagonal and diagonal entries in [1, 2).
func randUpper(n int, seed uint64) []float64 {
	rng := rand.New(rand.NewPCG(seed, 3))
	u := make([]float64, n*n)
	for i := range n {
		u[i*n+i] = 1 + rng.Float64()
		for j := i + 1; j < n; j++ {
			u[i*n+j] = rng.NormFloat64() / math.Sqrt(float64(n))
		}
	}
	return u
}

// gram returns UᵀU of the n×n upper triangular u as a Symmetric with stride
// lda, the upper triangle filled and everything else set to sentinel.
func gram(u []float64, n, lda int) blas64.Symmetric {
	a := make([]float64, n*lda)
	for i := range a {
		a[i] = sentinel
	}
	for i := range n {
		for j := i; j < n; j++ {
			var s float64
			for r := 0; r <= i; r++ {
				s += u[r*n+i] * u[r*n+j]
			}
			a[i*lda+j] = s
		}
	}
	return blas64.Symmetric{N: n, Stride: lda, Data: a, Uplo: blas.Upper}
}

// randSPD returns a random SPD matrix of order n with stride lda.
func randSPD(n, lda int, seed uint64) blas64.Symmetric {
	return gram(randUpper(n, seed), n, lda)
}

func clone(a blas64.Symmetric) blas64.Symmetric {
	a.Data = append([]float64(nil), a.Data...)
	return a
}

// maxAbsUpper is max |a[i,j]| over the upper triangle.
func maxAbsUpper(a blas64.Symmetric) float64 {
	var m float64
	for i := range a.N {
		for _, v := range a.Data[i*a.Stride+i : i*a.Stride+a.N] {
			m = max(m, math.Abs(v))
		}
	}
	return m
}

func TestCholeskyMatchesPotrf(t *testing.T) {
	for _, n := range []int{1, 2, 63, 64, 65, 200, 255, 256, 257, 700} {
		for _, pad := range []int{0, 3} {
			t.Run(fmt.Sprintf("n%d/lda%d", n, n+pad), func(t *testing.T) {
				a0 := randSPD(n, n+pad, uint64(n))
				a := clone(a0)
				ok, err := Cholesky(context.Background(), a, 2)
				require.NoError(t, err)
				require.True(t, ok)

				ref := clone(a0)
				_, ok = lapack64.Potrf(ref)
				require.True(t, ok)

				// Outside the upper triangle nothing changed.
				for i := range n {
					for j := 0; j < a.Stride; j++ {
						if j < i || j >= n {
							require.Equal(t, sentinel, a.Data[i*a.Stride+j], "touched (%d, %d)", i, j)
						}
					}
				}
				// The factor matches Potrf's.
				var diff float64
				for i := range n {
					for j := i; j < n; j++ {
						diff = max(diff, math.Abs(a.Data[i*a.Stride+j]-ref.Data[i*a.Stride+j]))
					}
				}
				require.Less(t, diff/maxAbsUpper(ref), 1e-12, "factor differs from Potrf")
				// UᵀU reconstructs A.
				var rec float64
				for i := range n {
					for j := i; j < n; j++ {
						var s float64
						for r := 0; r <= i; r++ {
							s += a.Data[r*a.Stride+i] * a.Data[r*a.Stride+j]
						}
						rec = max(rec, math.Abs(s-a0.Data[i*a.Stride+j]))
					}
				}
				require.Less(t, rec/maxAbsUpper(a0), 1e-12, "UᵀU differs from A")
				// The factor works with Pocon and Trsv as Potrf's does.
				tri := blas64.Triangular{N: n, Stride: a.Stride, Data: a.Data, Uplo: blas.Upper, Diag: blas.NonUnit}
				triRef := blas64.Triangular{N: n, Stride: a.Stride, Data: ref.Data, Uplo: blas.Upper, Diag: blas.NonUnit}
				x := make([]float64, n)
				xr := make([]float64, n)
				for i := range x {
					x[i] = float64(i%7) - 3
					xr[i] = x[i]
				}
				for _, tr := range []blas.Transpose{blas.Trans, blas.NoTrans} {
					blas64.Trsv(tr, tri, blas64.Vector{N: n, Inc: 1, Data: x})
					blas64.Trsv(tr, triRef, blas64.Vector{N: n, Inc: 1, Data: xr})
				}
				for i := range x {
					require.InDelta(t, xr[i], x[i], 1e-10*(1+math.Abs(xr[i])))
				}
				rc := lapack64.Pocon(a, 1, make([]float64, 3*n), make([]int, n))
				rcRef := lapack64.Pocon(ref, 1, make([]float64, 3*n), make([]int, n))
				require.InDelta(t, rcRef, rc, 1e-9*rcRef)
			})
		}
	}
}

func TestCholeskyNotPositiveDefinite(t *testing.T) {
	// A = UᵀU with A[p, p] lowered by U[p, p]² + 1: the leading p×p block is
	// positive definite and pivot p is exactly −1.
	for _, c := range []struct{ n, p int }{{1, 0}, {5, 0}, {5, 4}, {300, 10}, {300, 255}, {300, 256}, {600, 511}, {600, 599}} {
		t.Run(fmt.Sprintf("n%d/p%d", c.n, c.p), func(t *testing.T) {
			u := randUpper(c.n, 9)
			a := gram(u, c.n, c.n)
			a.Data[c.p*c.n+c.p] -= u[c.p*c.n+c.p]*u[c.p*c.n+c.p] + 1
			_, okRef := lapack64.Potrf(clone(a))
			require.False(t, okRef)
			for _, w := range []int{1, 2} {
				b := clone(a)
				ok, err := Cholesky(context.Background(), b, w)
				require.NoError(t, err)
				require.False(t, ok)
				// Rows before the failing block row hold the factor.
				k0 := c.p / cholBlock * cholBlock
				for i := 0; i < k0; i++ {
					for j := i; j < c.n; j++ {
						require.InDelta(t, u[i*c.n+j], b.Data[i*c.n+j], 1e-12*(1+math.Abs(u[i*c.n+j])))
					}
				}
			}
		})
	}
	t.Run("NaN", func(t *testing.T) {
		a := randSPD(300, 300, 4)
		a.Data[280*300+290] = math.NaN()
		ok, err := Cholesky(context.Background(), a, 2)
		require.NoError(t, err)
		require.False(t, ok)
	})
}

func TestCholeskyBitIdenticalAcrossWorkers(t *testing.T) {
	for _, n := range []int{300, 777} {
		a0 := randSPD(n, n+1, 5)
		var want []float64
		for _, w := range []int{1, 2, 3, 8, 0} {
			a := clone(a0)
			ok, err := Cholesky(context.Background(), a, w)
			require.NoError(t, err)
			require.True(t, ok)
			if want == nil {
				want = a.Data
				continue
			}
			for i := range want {
				if math.Float64bits(want[i]) != math.Float64bits(a.Data[i]) {
					t.Fatalf("n = %d, workers = %d: element %d is %v, workers = 1 gave %v", n, w, i, a.Data[i], want[i])
				}
			}
		}
	}
}

func TestCholeskyInvalid(t *testing.T) {
	ctx := context.Background()
	good := randSPD(4, 4, 1)
	for name, c := range map[string]struct {
		a       blas64.Symmetric
		workers int
	}{
		"lower":          {blas64.Symmetric{N: 4, Stride: 4, Data: good.Data, Uplo: blas.Lower}, 1},
		"negative order": {blas64.Symmetric{N: -1, Stride: 4, Data: good.Data, Uplo: blas.Upper}, 1},
		"short stride":   {blas64.Symmetric{N: 4, Stride: 3, Data: good.Data, Uplo: blas.Upper}, 1},
		"short data":     {blas64.Symmetric{N: 4, Stride: 4, Data: good.Data[:15], Uplo: blas.Upper}, 1},
		"workers":        {good, -1},
	} {
		t.Run(name, func(t *testing.T) {
			before := append([]float64(nil), good.Data...)
			ok, err := Cholesky(ctx, c.a, c.workers)
			require.Error(t, err)
			require.False(t, ok)
			require.Equal(t, before, good.Data)
		})
	}
	ok, err := Cholesky(ctx, blas64.Symmetric{Uplo: blas.Upper}, 0)
	require.NoError(t, err)
	require.True(t, ok)
	cancelled, cancel := context.WithCancel(ctx)
	cancel()
	ok, err = Cholesky(cancelled, blas64.Symmetric{Uplo: blas.Upper}, 0)
	require.ErrorIs(t, err, context.Canceled)
	require.False(t, ok)
}

// diagDominant returns a symmetric matrix with entries in [-1, 1] off the
// diagonal and n on it: positive definite by Gershgorin, and O(n²) to build.
func diagDominant(n int, seed uint64) blas64.Symmetric {
	rng := rand.New(rand.NewPCG(seed, 5))
	a := make([]float64, n*n)
	for i := range n {
		a[i*n+i] = float64(n)
		for j := i + 1; j < n; j++ {
			a[i*n+j] = 2*rng.Float64() - 1
		}
	}
	return blas64.Symmetric{N: n, Stride: n, Data: a, Uplo: blas.Upper}
}

func TestCholeskyCancel(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	a := randSPD(300, 300, 2)
	before := append([]float64(nil), a.Data...)
	ok, err := Cholesky(ctx, a, 2)
	require.ErrorIs(t, err, context.Canceled)
	require.False(t, ok)
	require.Equal(t, before, a.Data, "a cancelled-before-start call must not touch a")

	// Cancelled while factoring n = 4800 (seconds of work): returns fast.
	a = diagDominant(4800, 1)
	ctx, cancel = context.WithCancel(context.Background())
	defer cancel()
	cancelled := make(chan time.Time, 1)
	go func() {
		time.Sleep(50 * time.Millisecond)
		cancelled <- time.Now()
		cancel()
	}()
	ok, err = Cholesky(ctx, a, 0)
	returned := time.Now()
	require.ErrorIs(t, err, context.Canceled)
	require.False(t, ok)
	latency := returned.Sub(<-cancelled)
	t.Logf("returned %v after the cancel", latency)
	require.Less(t, latency, 500*time.Millisecond)
}
