package jac

import (
	"context"
	"fmt"
	"math"

	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/gonum"

	"github.com/golem-ml/golem/internal/linalg"
)

// Symmetric rank-k update (AᵀA) for the normal equations.
//
// AddGram is linalg.AddATB in its upper-triangle mode: J's rows are packed
// into cache-sized micro-panels and fed to an assembly micro-kernel
// (AVX-512 or AVX2+FMA on amd64, a portable Go kernel elsewhere) that keeps
// a 12×16 (or 6×8) block of C in registers. Every element of C is the plain
// in-order sequence of fused multiply–adds c = fma(a[r,i], a[r,j], c), so
// the result is bit-identical for every workers value, every kernel and
// every split of the rows into calls.

// gramParMinWork is the rows·p² below which one goroutine is used.
const gramParMinWork = 1 << 22

// AddGram adds AᵀA to the upper triangle of c:
//
//	c[i*ldc+j] += Σ_r a[r*lda+i]·a[r*lda+j]   for 0 ≤ i ≤ j < p.
//
// a is rows×p row-major with stride lda (lda ≥ p); c is p×p row-major with
// stride ldc (ldc ≥ p) and must not overlap a. The lower triangle of c is not
// touched. workers ≤ 1 means one goroutine; more split the work over that many
// goroutines (use at most GOMAXPROCS for speed).
//
// Each element is summed over the rows in order, one fused multiply–add per
// row, so results are bit-identical for any workers value, across runs and
// however the rows are split into calls (see linalg.AddATB).
//
// On a 2-core AMD EPYC (Zen 5) it runs at about 50–58 GF/s per core
// counting rows·p² flops, once rows ≥ 128 or so.
func AddGram(c []float64, ldc int, a []float64, rows, p, lda int, workers int) {
	if rows < 0 || p < 0 {
		panic(fmt.Sprintf("jac: AddGram: negative size %d×%d", rows, p))
	}
	if rows == 0 || p == 0 {
		return
	}
	if lda < p || ldc < p {
		panic(fmt.Sprintf("jac: AddGram: lda %d and ldc %d must be ≥ p = %d", lda, ldc, p))
	}
	if len(a) < (rows-1)*lda+p || len(c) < (p-1)*ldc+p {
		panic(fmt.Sprintf("jac: AddGram: short slices: len(a) = %d, len(c) = %d for %d×%d", len(a), len(c), rows, p))
	}
	if p <= gramSmallP {
		addGramSmall(c, ldc, a, rows, p, lda)
		return
	}
	if rows*p*p < gramParMinWork {
		workers = 1
	}
	// Background never cancels, so there is no error to return.
	_ = linalg.AddATB(context.Background(), true, p, p, rows, 1, a, lda, a, lda, c, ldc, workers)
}

// gramSmallP is the largest p that AddGram computes with a plain loop:
// below it, packing panels for the micro-kernel and padding them to its
// 12×16 block cost more than the arithmetic (at p = 4 and 100 rows the
// packed route took ~3 µs and allocated per call, the loop ~0.4 µs).
const gramSmallP = 8

// addGramSmall is AddGram's plain loop: for each row in order,
// c[i,j] = fma(a[r,i], a[r,j], c[i,j]), the sequence linalg.AddATB's
// micro-kernels compute for every element, so the bits are the same.
func addGramSmall(c []float64, ldc int, a []float64, rows, p, lda int) {
	for r := 0; r < rows; r++ {
		row := a[r*lda : r*lda+p]
		for i, ai := range row {
			ci := c[i*ldc+i : i*ldc+p]
			for j, aj := range row[i:] {
				ci[j] = math.FMA(ai, aj, ci[j])
			}
		}
	}
}

// AddWeightedVec adds Aᵀv to dst: dst[j] += Σ_r v[r]·a[r*lda+j] for j < p.
// a is rows×p row-major with stride lda (lda ≥ p). The sum runs over rows in
// order (gonum's GemvT), so the result is deterministic, and independent of
// how the rows are split into calls.
func AddWeightedVec(dst []float64, a []float64, rows, p, lda int, v []float64) {
	if rows == 0 || p == 0 {
		return
	}
	if len(v) < rows || len(dst) < p {
		panic(fmt.Sprintf("jac: AddWeightedVec: len(v) = %d, len(dst) = %d for %d×%d", len(v), len(dst), rows, p))
	}
	gonum.Implementation{}.Dgemv(blas.Trans, rows, p, 1, a, lda, v, 1, 1, dst, 1)
}
