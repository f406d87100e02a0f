package linalg

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"runtime"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/gonum"
)

// normals returns n normal random numbers from a fixed seed.
func normals(n int, seed uint64) []float64 {
	rng := rand.New(rand.NewPCG(seed, 11))
	x := make([]float64, n)
	for i := range x {
		x[i] = rng.NormFloat64()
	}
	return x
}

// withKernel runs f with kernel k in place of the machine's choice.
func withKernel(k microKernel, f func()) {
	saved := kernel
	kernel = k
	defer func() { kernel = saved }()
	f()
}

// fmaLoop is AddATB's documented rounding: c = fma(α·a[r,i], b[r,j], c) for
// r in order.
func fmaLoop(upper bool, m, n, k int, alpha float64, a []float64, lda int, b []float64, ldb int, c []float64, ldc int) {
	for i := range m {
		for j := range n {
			if upper && j < i {
				continue
			}
			s := c[i*ldc+j]
			for r := range k {
				s = math.FMA(alpha*a[r*lda+i], b[r*ldb+j], s)
			}
			c[i*ldc+j] = s
		}
	}
}

// Every kernel on this machine gives exactly the plain fused loop, for odd
// sizes, strides above the minimum, several row blocks and both modes, and
// touches nothing outside its part of c.
func TestAddATBBitExact(t *testing.T) {
	shapes := []struct{ m, n, k int }{
		{1, 1, 1}, {2, 3, 1}, {3, 2, 5}, {5, 7, 3}, {13, 17, 300}, {16, 16, 256},
		{64, 50, 257}, {121, 121, 40}, {130, 300, 513}, {257, 257, 70},
	}
	for _, kern := range kernels {
		for _, s := range shapes {
			for _, upper := range []bool{false, true} {
				if upper && s.m != s.n {
					continue
				}
				for _, alpha := range []float64{1, -1, 0.3} {
					name := fmt.Sprintf("%s/%dx%dx%d/upper=%v/alpha=%v", kern.name, s.m, s.n, s.k, upper, alpha)
					t.Run(name, func(t *testing.T) {
						lda, ldb, ldc := s.m+3, s.n+1, s.n+5
						a, b := normals(s.k*lda, 1), normals(s.k*ldb, 2)
						if upper {
							b, ldb = a, lda
						}
						c := normals(s.m*ldc, 3)
						want := append([]float64(nil), c...)
						fmaLoop(upper, s.m, s.n, s.k, alpha, a, lda, b, ldb, want, ldc)
						withKernel(kern, func() {
							require.NoError(t, AddATB(context.Background(), upper, s.m, s.n, s.k, alpha, a, lda, b, ldb, c, ldc, 2))
						})
						for i := range c {
							if c[i] != want[i] {
								t.Fatalf("c[%d,%d] = %v, want %v", i/ldc, i%ldc, c[i], want[i])
							}
						}
					})
				}
			}
		}
	}
}

// AddATB matches gonum's Dsyrk and Dgemm to 1e-12 relative to the sum of
// the terms' magnitudes, independently of the fused rounding.
func TestAddATBMatchesGonum(t *testing.T) {
	var impl gonum.Implementation
	for _, s := range []struct{ n, k int }{{1, 1}, {3, 2}, {200, 333}, {611, 1000}} {
		t.Run(fmt.Sprintf("syrk%dx%d", s.k, s.n), func(t *testing.T) {
			lda, ldc := s.n+2, s.n+1
			a := normals(s.k*lda, 4)
			c := normals(s.n*ldc, 5)
			for i := range s.n { // lower triangle: must stay as it is
				for j := range i {
					c[i*ldc+j] = math.Pi
				}
			}
			want := append([]float64(nil), c...)
			impl.Dsyrk(blas.Upper, blas.Trans, s.n, s.k, -1, a, lda, 1, want, ldc)
			require.NoError(t, AddATB(context.Background(), true, s.n, s.n, s.k, -1, a, lda, a, lda, c, ldc, 2))
			for i := range s.n {
				for j := range s.n {
					got := c[i*ldc+j]
					if j < i {
						require.Equal(t, math.Pi, got)
						continue
					}
					scale := math.Abs(want[i*ldc+j])
					for r := range s.k {
						scale += math.Abs(a[r*lda+i] * a[r*lda+j])
					}
					require.LessOrEqual(t, math.Abs(got-want[i*ldc+j]), 1e-12*scale, "c[%d,%d]", i, j)
				}
			}
		})
	}
	const m, n, k = 150, 290, 700
	a, b, c := normals(k*m, 6), normals(k*n, 7), normals(m*n, 8)
	want := append([]float64(nil), c...)
	impl.Dgemm(blas.Trans, blas.NoTrans, m, n, k, 0.5, a, m, b, n, 1, want, n)
	require.NoError(t, AddATB(context.Background(), false, m, n, k, 0.5, a, m, b, n, c, n, 2))
	for i := range c {
		require.InDelta(t, want[i], c[i], 1e-12*float64(k)*4)
	}
}

// The result does not depend on the workers or on splitting the rows.
func TestAddATBWorkersAndSplits(t *testing.T) {
	const n, k = 700, 900
	a := normals(k*n, 9)
	run := func(workers int, splits []int) []float64 {
		c := normals(n*n, 10)
		r0 := 0
		for _, r1 := range append(splits, k) {
			require.NoError(t, AddATB(context.Background(), true, n, n, r1-r0, 1, a[r0*n:], n, a[r0*n:], n, c, n, workers))
			r0 = r1
		}
		return c
	}
	ref := run(1, nil)
	for _, w := range []int{2, 3, 8} {
		require.Equal(t, ref, run(w, nil), "workers=%d", w)
	}
	require.Equal(t, ref, run(2, []int{1, 300, 301, 600}))
}

func TestAddATBCancel(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	c := make([]float64, 500*500)
	a := normals(500*500, 1)
	require.ErrorIs(t, AddATB(ctx, true, 500, 500, 500, 1, a, 500, a, 500, c, 500, 2), context.Canceled)
	for _, v := range c {
		require.Zero(t, v)
	}
}

// A cancel during a long product stops it within about one task.
func TestAddATBCancelMidway(t *testing.T) {
	const n = 3000 // 27·10⁹ multiply–adds: seconds of work
	a := normals(n*n, 2)
	c := make([]float64, n*n)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	cancelled := make(chan time.Time, 1)
	go func() {
		time.Sleep(30 * time.Millisecond)
		cancelled <- time.Now()
		cancel()
	}()
	err := AddATB(ctx, false, n, n, n, 1, a, n, a, n, c, n, 2)
	returned := time.Now()
	require.ErrorIs(t, err, context.Canceled)
	latency := returned.Sub(<-cancelled)
	t.Logf("returned %v after the cancel", latency)
	require.Less(t, latency, 500*time.Millisecond)
}

// Cholesky and AddATB give the same bits under GOMAXPROCS 1 and 2, with
// workers fixed and with workers = 0 (GOMAXPROCS goroutines).
func TestSameBitsAcrossGOMAXPROCS(t *testing.T) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(0))
	a0 := randSPD(600, 601, 31)
	j := normals(500*400, 32)
	run := func(procs, workers int) ([]float64, []float64) {
		runtime.GOMAXPROCS(procs)
		a := clone(a0)
		ok, err := Cholesky(context.Background(), a, workers)
		require.NoError(t, err)
		require.True(t, ok)
		c := make([]float64, 400*400)
		require.NoError(t, AddATB(context.Background(), true, 400, 400, 500, 1, j, 400, j, 400, c, 400, workers))
		return a.Data, c
	}
	for _, workers := range []int{2, 0} {
		f1, c1 := run(1, workers)
		f2, c2 := run(2, workers)
		require.Equal(t, f1, f2, "factor, workers=%d", workers)
		require.Equal(t, c1, c2, "AᵀA, workers=%d", workers)
	}
}
