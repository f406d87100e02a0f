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
	for _, n := range []int{1, 2, 3, 47, 48, 49, 63, 64, 65, 200, 255, 256, 257, 700} {
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

// illConditioned returns Q·diag(λ)·Qᵀ (stride lda, upper triangle, sentinel
// elsewhere) with λ geometric from 1 down to 1/cond and Q a product of
// random Householder reflections, then scaled by D·A·D with D spanning
// 10^±scale: condition numbers far beyond what LM's equilibration leaves.
func illConditioned(n, lda int, cond, scale float64, seed uint64) blas64.Symmetric {
	rng := rand.New(rand.NewPCG(seed, 13))
	a := make([]float64, n*n)
	for i := range n {
		a[i*n+i] = math.Pow(cond, -float64(i)/float64(max(n-1, 1)))
	}
	v := make([]float64, n)
	for range 3 { // A ← H·A·H, H = I − 2vvᵀ/vᵀv
		var vv float64
		for i := range v {
			v[i] = rng.NormFloat64()
			vv += v[i] * v[i]
		}
		w := make([]float64, n) // A·v
		for i := range n {
			for j := range n {
				w[i] += a[i*n+j] * v[j]
			}
		}
		var vAv float64
		for i := range n {
			vAv += v[i] * w[i]
		}
		f := 2 / vv
		for i := range n {
			for j := range n {
				a[i*n+j] += -f*(v[i]*w[j]+w[i]*v[j]) + f*f*vAv*v[i]*v[j]
			}
		}
	}
	d := make([]float64, n)
	for i := range d {
		d[i] = math.Pow(10, scale*(2*rng.Float64()-1))
	}
	out := make([]float64, n*lda)
	for i := range out {
		out[i] = sentinel
	}
	for i := range n {
		for j := i; j < n; j++ {
			out[i*lda+j] = d[i] * d[j] * (a[i*n+j] + a[j*n+i]) / 2
		}
	}
	return blas64.Symmetric{N: n, Stride: lda, Data: out, Uplo: blas.Upper}
}

// On ill-conditioned matrices (condition 10⁸ and 10¹², badly scaled) the
// factor is as accurate as Potrf's: UᵀU reproduces A to 1e-12 relative to
// |U|ᵀ|U| elementwise (Cholesky's backward error bound), and its distance
// from a double-double factor is within a small factor of Potrf's. Odd
// sizes and lda ≠ n.
func TestCholeskyIllConditioned(t *testing.T) {
	for _, c := range []struct {
		n, pad      int
		cond, scale float64
	}{{3, 2, 1e8, 3}, {47, 1, 1e12, 0}, {129, 5, 1e12, 2}, {301, 0, 1e8, 4}, {513, 3, 1e12, 3}} {
		t.Run(fmt.Sprintf("n%d/cond%.0e/scale%v", c.n, c.cond, c.scale), func(t *testing.T) {
			a0 := illConditioned(c.n, c.n+c.pad, c.cond, c.scale, uint64(c.n))
			a, ref := clone(a0), clone(a0)
			_, okRef := lapack64.Potrf(ref)
			require.True(t, okRef)
			ok, err := Cholesky(context.Background(), a, 2)
			require.NoError(t, err)
			require.True(t, ok)
			n, lda := c.n, a.Stride
			for i := range n {
				for j := i; j < n; j++ {
					var s, mag float64
					for r := 0; r <= i; r++ {
						s += a.Data[r*lda+i] * a.Data[r*lda+j]
						mag += math.Abs(a.Data[r*lda+i] * a.Data[r*lda+j])
					}
					require.LessOrEqual(t, math.Abs(s-a0.Data[i*lda+j]), 1e-12*mag, "(UᵀU)[%d,%d]", i, j)
				}
				for j := 0; j < lda; j++ {
					if j < i || j >= n {
						require.Equal(t, sentinel, a.Data[i*lda+j], "touched (%d, %d)", i, j)
					}
				}
			}
			// Forward error: against a factor computed in double-double
			// arithmetic (about 32 digits), ours is within 4× Potrf's
			// error (or 1e-12), row by row relative to the row's largest
			// element (rows scale with D).
			exact := ddCholesky(a0)
			rowErr := func(x blas64.Symmetric) float64 {
				var worst float64
				for i := range n {
					var big, diff float64
					for j := i; j < n; j++ {
						big = max(big, math.Abs(exact[i*n+j]))
						diff = max(diff, math.Abs(x.Data[i*lda+j]-exact[i*n+j]))
					}
					worst = max(worst, diff/big)
				}
				return worst
			}
			ours, theirs := rowErr(a), rowErr(ref)
			t.Logf("row-relative error of the factor: ours %.2g, Potrf's %.2g", ours, theirs)
			require.LessOrEqual(t, ours, max(4*theirs, 1e-12))
		})
	}
}

// Every micro-kernel this machine can run (the portable Go one included)
// gives the very same factor: they all round as one fused multiply–add per
// term, in order.
func TestCholeskySameBitsEveryKernel(t *testing.T) {
	a0 := randSPD(700, 701, 21)
	var want []float64
	for _, k := range kernels {
		a := clone(a0)
		withKernel(k, func() {
			ok, err := Cholesky(context.Background(), a, 2)
			require.NoError(t, err)
			require.True(t, ok)
		})
		if want == nil {
			want = a.Data
			continue
		}
		for i := range want {
			if math.Float64bits(want[i]) != math.Float64bits(a.Data[i]) {
				t.Fatalf("kernel %s: element %d is %v, kernel %s gave %v", k.name, i, a.Data[i], kernels[0].name, want[i])
			}
		}
	}
}

// ddCholesky factors a (upper triangle, as in Cholesky) in double-double
// arithmetic, right-looking and unblocked, and rounds the factor to float64
// (stride n).
func ddCholesky(a blas64.Symmetric) []float64 {
	n := a.N
	hi, lo := make([]float64, n*n), make([]float64, n*n)
	for i := range n {
		for j := i; j < n; j++ {
			hi[i*n+j] = a.Data[i*a.Stride+j]
		}
	}
	for k := range n {
		// u_kk = √a_kk, by one Newton step on the float64 root.
		dh, dl := hi[k*n+k], lo[k*n+k]
		r := math.Sqrt(dh)
		ph, pl := twoProd(r, r)
		eh, el := ddAdd(dh, dl, -ph, -pl)
		rh, rl := ddAdd(r, 0, (eh+el)/(2*r), 0)
		hi[k*n+k], lo[k*n+k] = rh, rl
		for j := k + 1; j < n; j++ {
			hi[k*n+j], lo[k*n+j] = ddDiv(hi[k*n+j], lo[k*n+j], rh, rl)
		}
		for i := k + 1; i < n; i++ {
			uh, ul := hi[k*n+i], lo[k*n+i]
			for j := i; j < n; j++ {
				ph, pl := ddMul(uh, ul, hi[k*n+j], lo[k*n+j])
				hi[i*n+j], lo[i*n+j] = ddAdd(hi[i*n+j], lo[i*n+j], -ph, -pl)
			}
		}
	}
	for i := range hi {
		hi[i] += lo[i]
	}
	return hi
}

func twoSum(a, b float64) (float64, float64) {
	s := a + b
	v := s - a
	return s, (a - (s - v)) + (b - v)
}

func twoProd(a, b float64) (float64, float64) {
	p := a * b
	return p, math.FMA(a, b, -p)
}

func ddAdd(ah, al, bh, bl float64) (float64, float64) {
	s, e := twoSum(ah, bh)
	e += al + bl
	return twoSum(s, e)
}

func ddMul(ah, al, bh, bl float64) (float64, float64) {
	p, e := twoProd(ah, bh)
	e += ah*bl + al*bh
	return twoSum(p, e)
}

func ddDiv(ah, al, bh, bl float64) (float64, float64) {
	q := ah / bh
	ph, pl := ddMul(q, 0, bh, bl)
	rh, rl := ddAdd(ah, al, -ph, -pl)
	return ddAdd(q, 0, (rh+rl)/bh, 0)
}
