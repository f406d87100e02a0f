package jac

import (
	"context"
	"fmt"
	"sync"

	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/gonum"

	"github.com/golem-ml/golem/internal/linalg"
)

// Symmetric rank-k update (AᵀA) for the normal equations.
//
// Pure Go cannot issue SIMD instructions, so a hand-written register-blocked
// kernel tops out at about 8 GF/s per core here, while gonum's SSE2 assembly
// matrix–vector kernels (f64.GemvT and f64.GemvN, reached through Dgemv) run
// at 16–19 GF/s. AddGram therefore tiles the upper triangle of C and feeds
// each tile row to Dgemv, in one of two ways:
//
//   - row-sequential (p < 128): C[i, J] += A[:, J]ᵀ·A[:, i] with GemvT
//     straight on A. GemvT adds the rows' products into each output one row
//     at a time, in row order, so every C element is the plain sequence
//     c += a[r,i]·a[r,j], r = 0, 1, …, however the work is tiled.
//   - packed dot (p ≥ 128, rows ≥ 16): A is transposed into a contiguous p×k
//     buffer and C[i, J] += Aᵀ[J]·Aᵀ[i] with GemvN, i.e. four dot products at
//     a time over contiguous memory: 10–20% faster than GemvT once p ≥ 128,
//     but it needs the buffer, and its summation order depends on the
//     call's shape, which is why the tiles below are fixed.
//
// Determinism: the tile grid, the row blocking and the path depend only on
// (rows, p), never on workers. Each tile is computed by exactly one goroutine
// with the same Dgemv calls whatever goroutine that is, and tiles write
// disjoint parts of C, so the result is bit-identical for every workers value
// and across runs. Workers only pick tiles off a shared counter.
//
// The Dgemv calls use gonum.Implementation directly rather than blas64, so a
// blas64.Use elsewhere in the program cannot swap the kernels (and their
// rounding) underneath.

// Tuning, measured on a 2-core AMD EPYC (Zen 5) VM.
const (
	// The packed dot path is taken from p = gramDotMinP and rows =
	// gramDotMinRows up; smaller problems do not repay the transpose.
	gramDotMinP    = 128
	gramDotMinRows = 16

	gramDotMaxK     = 1024 // most rows packed at once: the x vector stays in L1
	gramDotPanel    = 64   // columns per tile: a 64×1024 packed panel is 512 KiB, in L2
	gramDotTileRows = 32   // C rows per tile: small, for load balance

	gramSeqPanel    = 256 // columns per tile on the row-sequential path
	gramSeqTileRows = 32  // C rows per tile
	gramSeqRowBlock = 64  // A rows per GemvT call: A[64, 256] is 128 KiB

	// gramParMinWork is the rows·p² below which one goroutine is used:
	// about 100 µs of work, far more than starting goroutines costs.
	gramParMinWork = 1 << 21
)

// AddGram adds AᵀA to the upper triangle of c:
//
//	c[i*ldc+j] += Σ_r a[r*lda+i]·a[r*lda+j]   for 0 ≤ i ≤ j < p.
//
// a is rows×p row-major with stride lda (lda ≥ p); c is p×p row-major with
// stride ldc (ldc ≥ p) and must not overlap a. The lower triangle of c is not
// touched. workers ≤ 1 means one goroutine; more split the work over that many
// goroutines (use at most GOMAXPROCS for speed).
//
// Results are bit-identical for any workers value and across runs. They can
// differ in the last bits from a naive triple loop and, for p ≥ 128, between
// different splits of the same rows into calls.
//
// On a 2-core AMD EPYC (Zen 5) it runs at 16–19 GF/s per core counting
// rows·p² flops, using gonum's assembly Dgemv kernels.
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
	if rows*p*p < gramParMinWork {
		workers = 1
	}
	if p >= gramDotMinP && rows >= gramDotMinRows {
		gramDot(c, ldc, a, rows, p, lda, workers)
		return
	}
	gramSeq(c, ldc, a, rows, p, lda, workers)
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

// gramSeq is the row-sequential path: for each tile and each block of rows,
// C[i, J] += A[rows, J]ᵀ·A[rows, i] for every C row i of the tile.
func gramSeq(c []float64, ldc int, a []float64, rows, p, lda, workers int) {
	var impl gonum.Implementation
	tiles := gramTiles(p, gramSeqPanel, gramSeqTileRows)
	linalg.Parallel(context.Background(), workers, len(tiles), func(k int) {
		t := tiles[k]
		// Blocks of rows in order, so each element still sees the rows in order.
		for r0 := 0; r0 < rows; r0 += gramSeqRowBlock {
			m := min(gramSeqRowBlock, rows-r0)
			ab := a[r0*lda:]
			for i := t.i0; i < t.i1; i++ {
				j0 := max(i, t.j0)
				impl.Dgemv(blas.Trans, m, t.j1-j0, 1, ab[j0:], lda, ab[i:], lda, 1, c[i*ldc+j0:i*ldc+t.j1], 1)
			}
		}
	})
}

// gramPacked holds transpose buffers for gramDot between calls.
var gramPacked sync.Pool

// gramDot is the packed dot path: rows are taken in equal blocks of at most
// gramDotMaxK; each block is transposed into at (p×k) and then, for each tile
// and C row i, C[i, J] += Aᵀ[J, :]·Aᵀ[i, :].
func gramDot(c []float64, ldc int, a []float64, rows, p, lda, workers int) {
	var impl gonum.Implementation
	nb := (rows + gramDotMaxK - 1) / gramDotMaxK
	kb := (rows + nb - 1) / nb // block length: depends on rows only

	buf, _ := gramPacked.Get().(*[]float64)
	if buf == nil || cap(*buf) < kb*p {
		s := make([]float64, kb*p)
		buf = &s
	}
	defer gramPacked.Put(buf)

	tiles := gramTiles(p, gramDotPanel, gramDotTileRows)
	const trCols = 64 // columns per transpose task
	for r0 := 0; r0 < rows; r0 += kb {
		k := min(kb, rows-r0)
		at := (*buf)[:k*p]
		ab := a[r0*lda:]
		linalg.Parallel(context.Background(), workers, (p+trCols-1)/trCols, func(t int) {
			gramTranspose(at, ab, k, lda, t*trCols, min(p, (t+1)*trCols))
		})
		linalg.Parallel(context.Background(), workers, len(tiles), func(n int) {
			t := tiles[n]
			for i := t.i0; i < t.i1; i++ {
				j0 := max(i, t.j0)
				impl.Dgemv(blas.NoTrans, t.j1-j0, k, 1, at[j0*k:], k, at[i*k:i*k+k], 1, 1, c[i*ldc+j0:i*ldc+t.j1], 1)
			}
		})
	}
}

// gramTranspose writes columns [c0, c1) of the rows×· matrix a (stride lda)
// as rows of at (stride rows): at[c*rows+r] = a[r*lda+c]. Four rows at a
// time, so each write is a 32-byte run.
func gramTranspose(at, a []float64, rows, lda, c0, c1 int) {
	r := 0
	for ; r+4 <= rows; r += 4 {
		a0 := a[r*lda+c0 : r*lda+c1]
		a1 := a[(r+1)*lda+c0 : (r+1)*lda+c1][:len(a0)]
		a2 := a[(r+2)*lda+c0 : (r+2)*lda+c1][:len(a0)]
		a3 := a[(r+3)*lda+c0 : (r+3)*lda+c1][:len(a0)]
		for j := range a0 {
			d := at[(c0+j)*rows+r : (c0+j)*rows+r+4]
			d[0], d[1], d[2], d[3] = a0[j], a1[j], a2[j], a3[j]
		}
	}
	for ; r < rows; r++ {
		for j, v := range a[r*lda+c0 : r*lda+c1] {
			at[(c0+j)*rows+r] = v
		}
	}
}

// gramTile is the part of C's upper triangle with rows [i0, i1) and columns
// [max(i, j0), j1) for each row i.
type gramTile struct{ i0, i1, j0, j1 int }

// gramTiles cuts the upper triangle of a p×p matrix into column panels of
// width panel, each split into tiles of at most tileRows rows.
func gramTiles(p, panel, tileRows int) []gramTile {
	var tiles []gramTile
	for j0 := 0; j0 < p; j0 += panel {
		j1 := min(p, j0+panel)
		for i0 := 0; i0 < j1; i0 += tileRows {
			tiles = append(tiles, gramTile{i0, min(i0+tileRows, j1), j0, j1})
		}
	}
	return tiles
}
