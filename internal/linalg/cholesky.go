package linalg

import (
	"context"
	"errors"
	"fmt"
	"math"
	"runtime"

	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/blas64"
	"gonum.org/v1/gonum/blas/gonum"
)

// Blocked right-looking Cholesky factorization A = UᵀU, row-major upper.
//
// For each block row of kb ≤ cholBlock rows (U11 its diagonal block, A12
// the kb×m part right of it, A22 the m×m trailing matrix):
//
//  1. factor the diagonal block A11 = U11ᵀU11: by the same blocked
//     algorithm with diagBlock rows per step, down to an unblocked
//     left-looking potf2 (one GemvT per row) on diagBlock×diagBlock blocks;
//  2. solve U11ᵀ·U12 = A12 in place, in independent tiles of solveTileCols
//     columns; within a tile, rows are taken in blocks of solveBlock: the
//     block first gets the product of everything solved above it
//     (A12[blk, :] −= U11[:r0, blk]ᵀ·U12[:r0, :], one AddATB), then is
//     finished by forward substitution, one GemvT per row;
//  3. update A22 −= U12ᵀU12 in its upper triangle: AddATB with upper set,
//     straight from U12's rows (it packs them itself).
//
// Nearly all flops are in AddATB's micro-kernels (AVX-512 or AVX2+FMA
// assembly on amd64, see kernel.go): the trailing update in full and most
// of the panel solve.
//
// Determinism: the block sizes and every tile grid depend only on n, never
// on workers. Each tile is one fixed sequence of calls, run by whichever
// goroutine takes it, and tiles of one phase write disjoint memory; the
// trailing update is AddATB, whose bits do not depend on workers. So every
// element of the factor is computed by the same operations for any workers
// value. The BLAS calls go to gonum.Implementation directly, so a
// blas64.Use elsewhere in the program cannot swap the kernels (and their
// rounding) underneath.

// Tuning, measured on a 2-core AMD EPYC (Zen 5) VM.
const (
	cholBlock      = 256 // rows per block step
	diagBlock      = 64  // rows per block step inside a diagonal block
	solveTileCols  = 128 // A12 columns per panel-solve task
	solveBlock     = 48  // rows per block of the panel solve
	parallelMinMAC = 1 << 21
)

// Cholesky factors the symmetric positive definite matrix held in the upper
// triangle of a as UᵀU, in place, exactly as lapack64.Potrf does for
// Uplo == blas.Upper: on success the upper triangle holds U (row-major, the
// diagonal positive) and the strict lower triangle is not touched, so
// lapack64.Pocon and blas64.Trsv work on the result. a.Uplo must be
// blas.Upper.
//
// ok is false with a nil error when a is not positive definite (a pivot ≤ 0
// or NaN, as Potrf reports it); a is then partly overwritten.
//
// workers is the number of goroutines the panel solves and trailing updates
// run on; 0 means runtime.GOMAXPROCS(0). Small matrices use one goroutine.
// The result is bit-identical for every workers value (see the file
// comment), though it can differ in the last bits from Potrf's.
//
// ctx is polled before each block step and, on every goroutine, before each
// task of work (at most 120×256 elements of one trailing update, ~8 M
// multiply–adds, or 128 columns of one panel solve, ~4 M: well under a
// millisecond here), so a cancel returns within about one tile's time, whatever n, with
// ok = false and err = ctx.Err(). a is then partly factored and partly
// updated — neither the input nor a valid factor — and must be rebuilt
// (e.g. copied back from the unfactored matrix) before reuse.
//
// Besides a, it uses about 256·(n+256) float64s of workspace (AddATB's
// packing buffers, pooled between calls).
//
// err is also set, with ok = false and a untouched, when a's shape, stride,
// data length or Uplo are invalid or workers is negative.
func Cholesky(ctx context.Context, a blas64.Symmetric, workers int) (ok bool, err error) {
	n, lda := a.N, a.Stride
	switch {
	case a.Uplo != blas.Upper:
		return false, errors.New("linalg: Cholesky: a.Uplo must be blas.Upper")
	case n < 0:
		return false, fmt.Errorf("linalg: Cholesky: negative order %d", n)
	case workers < 0:
		return false, fmt.Errorf("linalg: Cholesky: negative workers %d", workers)
	case lda < n:
		return false, fmt.Errorf("linalg: Cholesky: stride %d < order %d", lda, n)
	case len(a.Data) < (n-1)*lda+n:
		return false, fmt.Errorf("linalg: Cholesky: %d data elements, want at least %d for order %d, stride %d", len(a.Data), (n-1)*lda+n, n, lda)
	}
	if workers == 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	if err := ctx.Err(); err != nil {
		return false, err
	}
	if n == 0 {
		return true, nil
	}
	c := &cholesky{lda: lda, workers: workers}
	if !c.factor(ctx, a.Data, n, cholBlock, 0) {
		return false, ctx.Err()
	}
	return true, nil
}

// cholesky holds what one factorization shares between its block levels.
type cholesky struct {
	lda     int
	workers int
	l       [2][]float64 // per level: L11 = U11ᵀ
}

// factor factors the n×n matrix at a (stride c.lda) in blocks of nb rows,
// each diagonal block by factor again with diagBlock rows (level+1), or by
// potf2 once it has at most diagBlock rows. It returns false when the matrix
// is not positive definite or ctx is done before the factor is complete.
func (c *cholesky) factor(ctx context.Context, a []float64, n, nb, level int) bool {
	lda := c.lda
	nb = min(nb, n)
	if n > nb && len(c.l[level]) < nb*nb {
		c.l[level] = make([]float64, nb*nb)
	}
	for k0 := 0; k0 < n; k0 += nb {
		if ctx.Err() != nil { // also catches a cancel that cut the last step short
			return false
		}
		kb := min(nb, n-k0)
		diag := a[k0*lda+k0:]
		if kb > diagBlock && level+1 < len(c.l) {
			if !c.factor(ctx, diag, kb, diagBlock, level+1) {
				return false
			}
		} else if !potf2(kb, diag, lda) {
			return false
		}
		if k0+kb == n {
			break
		}
		c.step(ctx, a[k0*lda+k0:], n-k0-kb, kb, c.l[level])
	}
	return true
}

// step computes U12 and updates A22 for the block row of kb rows at a (stride
// c.lda), whose diagonal block already holds U11 and which has m columns
// right of it; l is workspace.
func (c *cholesky) step(ctx context.Context, a []float64, m, kb int, l []float64) {
	lda := c.lda
	workers := c.workers
	if m*m*kb < parallelMinMAC {
		workers = 1
	}
	// L11[j, r] = U11[r, j]: the columns of U11 as contiguous rows.
	u11 := a
	l = l[:kb*kb]
	for r := range kb {
		for j := r; j < kb; j++ {
			l[j*kb+r] = u11[r*lda+j]
		}
	}
	a12 := a[kb:] // kb×m, stride lda

	// Panel solve, in tiles of columns.
	nt := (m + solveTileCols - 1) / solveTileCols
	Parallel(ctx, workers, nt, func(t int) {
		i0 := t * solveTileCols
		solveTile(a12, lda, u11, l, kb, i0, min(m, i0+solveTileCols))
	})
	if ctx.Err() != nil {
		return
	}
	// Trailing update of the upper triangle; AddATB polls ctx per task.
	_ = AddATB(ctx, true, m, m, kb, -1, a12, lda, a12, lda, a[kb*lda+kb:], lda, workers)
}

// solveTile solves U11ᵀ·U12 = A12 in place for columns [i0, i1) of A12, in
// blocks of solveBlock rows: block [r0, r1) first gets
// A12[r0:r1, :] −= U11[:r0, r0:r1]ᵀ·U12[:r0, :] (AddATB), then row r of it
// A12[r, :] = (A12[r, :] − U12[r0:r, :]ᵀ·U11[r0:r, r]) / U11[r, r] (GemvT).
func solveTile(a12 []float64, lda int, u11, l []float64, kb, i0, i1 int) {
	var impl gonum.Implementation
	w := i1 - i0
	for r0 := 0; r0 < kb; r0 += solveBlock {
		r1 := min(kb, r0+solveBlock)
		if r0 > 0 {
			_ = AddATB(context.Background(), false, r1-r0, w, r0, -1, u11[r0:], lda, a12[i0:], lda, a12[r0*lda+i0:], lda, 1)
		}
		for r := r0; r < r1; r++ {
			row := a12[r*lda+i0 : r*lda+i1]
			if r > r0 {
				impl.Dgemv(blas.Trans, r-r0, w, -1, a12[r0*lda+i0:], lda, l[r*kb+r0:r*kb+r], 1, 1, row, 1)
			}
			d := u11[r*lda+r]
			for i := range row {
				row[i] /= d
			}
		}
	}
}

// potf2 factors the n×n upper triangle of a (stride lda) in place as UᵀU,
// unblocked and left-looking: row k first gets the products of the rows
// above it, A[k, k:] −= U[:k, k:]ᵀ·U[:k, k] (one GemvT, so n calls in all
// rather than n²/2 short axpys), then is divided by its pivot's root. It
// reports false at the first pivot ≤ 0 or NaN.
func potf2(n int, a []float64, lda int) bool {
	var impl gonum.Implementation
	for k := range n {
		row := a[k*lda+k : k*lda+n]
		if k > 0 {
			impl.Dgemv(blas.Trans, k, n-k, -1, a[k:], lda, a[k:], lda, 1, row, 1)
		}
		akk := row[0]
		if akk <= 0 || math.IsNaN(akk) {
			return false
		}
		akk = math.Sqrt(akk)
		row[0] = akk
		for j := 1; j < len(row); j++ {
			row[j] /= akk
		}
	}
	return true
}
