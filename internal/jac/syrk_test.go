package jac

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/require"
	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/blas64"
)

// syrkSentinel marks entries of c that AddGram must not touch.
const syrkSentinel = -12345.6789

// syrkRand returns n normal random numbers from a fixed seed.
func syrkRand(n int, seed uint64) []float64 {
	rng := rand.New(rand.NewPCG(seed, 7))
	x := make([]float64, n)
	for i := range x {
		x[i] = rng.NormFloat64()
	}
	return x
}

// syrkC returns a p×p matrix with stride ldc: random upper triangle, sentinel
// everywhere else (lower triangle and padding).
func syrkC(p, ldc int, seed uint64) []float64 {
	c := syrkRand(p*ldc, seed)
	for i := 0; i < p; i++ {
		for j := 0; j < ldc; j++ {
			if j < i || j >= p {
				c[i*ldc+j] = syrkSentinel
			}
		}
	}
	return c
}

func TestAddGramMatchesNaive(t *testing.T) {
	for _, rows := range []int{1, 7, 300, 1000} {
		for _, p := range []int{1, 3, 31, 200, 257} {
			for _, pad := range []int{0, 5} {
				testAddGramShape(t, rows, p, p+pad, p+2*pad, 2)
			}
		}
	}
	// Around the switch between the paths, and several packed row blocks.
	testAddGramShape(t, 15, 300, 300, 300, 2)
	testAddGramShape(t, 16, 128, 130, 128, 2)
	testAddGramShape(t, 1000, 127, 127, 127, 2)
	testAddGramShape(t, 2500, 150, 150, 151, 3)
}

func testAddGramShape(t *testing.T, rows, p, lda, ldc, workers int) {
	t.Run(fmt.Sprintf("%dx%d/lda%d/ldc%d", rows, p, lda, ldc), func(t *testing.T) {
		a := syrkRand(rows*lda, 1)
		c := syrkC(p, ldc, 2)
		c0 := append([]float64(nil), c...)
		AddGram(c, ldc, a, rows, p, lda, workers)

		for i := 0; i < p; i++ {
			for j := 0; j < ldc; j++ {
				got := c[i*ldc+j]
				if j < i || j >= p {
					require.Equal(t, syrkSentinel, got, "c[%d,%d] outside the upper triangle changed", i, j)
					continue
				}
				want, scale := c0[i*ldc+j], math.Abs(c0[i*ldc+j])
				for r := 0; r < rows; r++ {
					prod := a[r*lda+i] * a[r*lda+j]
					want += prod
					scale += math.Abs(prod)
				}
				require.LessOrEqual(t, math.Abs(got-want), 1e-12*scale, "c[%d,%d] = %v, want %v", i, j, got, want)
			}
		}
	})
}

func TestAddGramDeterministic(t *testing.T) {
	shapes := []struct{ rows, p int }{
		{500, 120},  // row-sequential path, four tiles
		{300, 200},  // packed path
		{1000, 257}, // packed path
		{2100, 300}, // packed path, three row blocks
	}
	for _, s := range shapes {
		t.Run(fmt.Sprintf("%dx%d", s.rows, s.p), func(t *testing.T) {
			lda := s.p + 1
			a := syrkRand(s.rows*lda, 3)
			run := func(workers int) []float64 {
				c := syrkC(s.p, s.p, 4)
				AddGram(c, s.p, a, s.rows, s.p, lda, workers)
				return c
			}
			ref := run(1)
			for _, w := range []int{1, 2, 3, 8, 2} {
				require.True(t, syrkSameBits(ref, run(w)), "workers=%d differs from workers=1", w)
			}
		})
	}
}

// Every element is summed in row order, so splitting the rows over several
// calls changes nothing, small p or large.
func TestAddGramRowSplitInvariant(t *testing.T) {
	for _, p := range []int{100, 301} {
		testAddGramRowSplit(t, p)
	}
}

func testAddGramRowSplit(t *testing.T, p int) {
	const rows = 300
	a := syrkRand(rows*p, 5)
	whole := syrkC(p, p, 6)
	AddGram(whole, p, a, rows, p, p, 2)
	split := syrkC(p, p, 6)
	for _, r := range [][2]int{{0, 1}, {1, 130}, {130, 300}} {
		AddGram(split, p, a[r[0]*p:], r[1]-r[0], p, p, 2)
	}
	require.True(t, syrkSameBits(whole, split))
}

func TestAddGramEmpty(t *testing.T) {
	c := []float64{1}
	AddGram(c, 1, nil, 0, 1, 1, 2)
	AddGram(nil, 0, nil, 5, 0, 0, 2)
	require.Equal(t, []float64{1}, c)
	require.Panics(t, func() { AddGram(make([]float64, 4), 2, make([]float64, 3), 2, 2, 2, 1) })
}

func TestAddWeightedVec(t *testing.T) {
	for _, s := range []struct{ rows, p, lda int }{{1, 1, 1}, {7, 3, 5}, {300, 31, 31}, {1000, 257, 260}} {
		t.Run(fmt.Sprintf("%dx%d", s.rows, s.p), func(t *testing.T) {
			a := syrkRand(s.rows*s.lda, 8)
			v := syrkRand(s.rows, 9)
			dst := syrkRand(s.p, 10)
			want := append([]float64(nil), dst...)
			scale := make([]float64, s.p)
			for r := 0; r < s.rows; r++ {
				for j := 0; j < s.p; j++ {
					prod := v[r] * a[r*s.lda+j]
					want[j] += prod
					scale[j] += math.Abs(prod)
				}
			}
			AddWeightedVec(dst, a, s.rows, s.p, s.lda, v)
			for j := range dst {
				require.LessOrEqual(t, math.Abs(dst[j]-want[j]), 1e-12*(scale[j]+math.Abs(want[j])), "dst[%d]", j)
			}

			// Split over two calls: the same bits.
			split := syrkRand(s.p, 10)
			h := s.rows / 2
			AddWeightedVec(split, a, h, s.p, s.lda, v)
			AddWeightedVec(split, a[h*s.lda:], s.rows-h, s.p, s.lda, v[h:])
			require.True(t, syrkSameBits(dst, split))
		})
	}
}

func syrkSameBits(x, y []float64) bool {
	if len(x) != len(y) {
		return false
	}
	for i := range x {
		if math.Float64bits(x[i]) != math.Float64bits(y[i]) {
			return false
		}
	}
	return true
}

// BenchmarkAddGram10000x1377 accumulates a 10000×1377 matrix in chunks of
// 1000 rows, as the normal equations of a full Jacobian would. One op is the
// whole accumulation; GF/s counts rows·p² flops.
func BenchmarkAddGram10000x1377(b *testing.B) {
	const rows, p, chunk = 10000, 1377, 1000
	a := syrkRand(rows*p, 11)
	c := make([]float64, p*p)
	for _, workers := range []int{1, 2} {
		b.Run(fmt.Sprintf("workers=%d", workers), func(b *testing.B) {
			for b.Loop() {
				for r := 0; r < rows; r += chunk {
					AddGram(c, p, a[r*p:], chunk, p, p, workers)
				}
			}
			syrkReportGFs(b, rows, p)
		})
	}
}

// BenchmarkAddGramBaselineSyrk2000x1377 is the reference point: one plain
// gonum blas64.Syrk call (Aᵀ·A, upper) on a 2000×1377 matrix.
func BenchmarkAddGramBaselineSyrk2000x1377(b *testing.B) {
	const rows, p = 2000, 1377
	a := blas64.General{Rows: rows, Cols: p, Stride: p, Data: syrkRand(rows*p, 12)}
	c := blas64.Symmetric{N: p, Stride: p, Uplo: blas.Upper, Data: make([]float64, p*p)}
	for b.Loop() {
		blas64.Syrk(blas.Trans, 1, a, 1, c)
	}
	syrkReportGFs(b, rows, p)
}

func syrkReportGFs(b *testing.B, rows, p int) {
	b.ReportMetric(float64(b.N)*float64(rows)*float64(p)*float64(p)/1e9/b.Elapsed().Seconds(), "GF/s")
}

// BenchmarkNormalEquationsGram is the rank-k update the normal equations
// use in this build (AddGram, or OpenBLAS's Dsyrk with -tags openblas) on
// chunks as the engine cuts them (one goroutine each, as two workers run
// them), at W3's and P48's P.
func BenchmarkNormalEquationsGram(b *testing.B) {
	for _, s := range []struct{ rows, p, chunk int }{{10000, 1377, 1667}, {2000, 4801, 186}} {
		b.Run(fmt.Sprintf("%dx%d/chunk%d", s.rows, s.p, s.chunk), func(b *testing.B) {
			a := syrkRand(s.chunk*s.p, 13)
			c := make([]float64, s.p*s.p)
			for b.Loop() {
				for r := 0; r < s.rows; r += s.chunk {
					addGram(c, s.p, a, min(s.chunk, s.rows-r), s.p, s.p, 1)
				}
			}
			syrkReportGFs(b, s.rows, s.p)
		})
	}
}
