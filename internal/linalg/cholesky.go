// Package linalg holds pure-Go dense kernels for golem's solvers, built on
// gonum's BLAS and its assembly kernels, parallel over goroutines and
// bit-identical for every worker count.
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
// For each block row k of width kb (at most cholBlock):
//
//  1. factor the diagonal block A11 = U11ᵀU11 (unblocked, one goroutine);
//  2. solve U11ᵀ·U12 = A12 for the block row's right part. It is solved in
//     transposed form, X·U11 = A12ᵀ with X = U12ᵀ (m×kb, contiguous rows),
//     in independent tiles of X rows: pack A12ᵀ into X, then for each column
//     j, X[:, j] = (X[:, j] − X[:, :j]·U11[:j, j]) / U11[j, j] with gonum's
//     assembly GemvN, then write Xᵀ back into A12;
//  3. update the trailing matrix A22 −= U12ᵀU12, i.e. A22[i, j] −= X[i, :]·X[j, :]
//     for i ≤ j, cut into tiles of a few rows × one column panel, each row of
//     a tile one GemvN call (four dot products at a time over contiguous X
//     rows, the panel's X rows staying in L2).
//
// Pure Go issues no SIMD instructions, so gonum's SSE2 matrix–vector kernels
// (16–19 GF/s per core here) beat any register-blocked Go loop (~8 GF/s).
//
// Determinism: the block size and every tile grid depend only on n, never on
// workers. Each tile is one fixed sequence of gonum calls, run by whichever
// goroutine takes it, and tiles write disjoint memory, so every element of
// the factor is computed by the same operations for any workers value. The
// BLAS calls go to gonum.Implementation directly, so a blas64.Use elsewhere
// in the program cannot swap the kernels (and their rounding) underneath.

// Tuning, measured on a 2-core AMD EPYC (Zen 5) VM.
const (
	cholBlock      = 256 // rows per block step
	syrkPanel      = 64  // trailing-update tile width: X[panel, kb] is 128 KiB at kb = 256, in L2
	syrkTileRows   = 32  // trailing-update tile height: small, for load balance
	solveTileRows  = 64  // X rows per panel-solve task
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
// ctx is polled before each block step and before each tile of work (a tile
// is at most 32×64 elements of one trailing update, or 64 rows of one panel
// solve: well under a millisecond), so a cancel returns within about one tile's
// time with ok = false and err = ctx.Err(). a is then partly factored and
// partly updated — neither the input nor a valid factor — and must be
// rebuilt before reuse.
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
	case n == 0:
		return true, ctx.Err()
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
	c := &cholesky{n: n, lda: lda, a: a.Data, workers: workers}
	nb := min(cholBlock, n)
	if n > nb {
		c.x = make([]float64, (n-nb)*nb)
		c.l = make([]float64, nb*nb)
	}
	for k0 := 0; k0 < n; k0 += nb {
		if err := ctx.Err(); err != nil {
			return false, err
		}
		kb := min(nb, n-k0)
		if !potf2(kb, c.a[k0*lda+k0:], lda) {
			return false, nil
		}
		if k0+kb == n {
			break
		}
		c.step(ctx, k0, kb)
		if err := ctx.Err(); err != nil {
			return false, err
		}
	}
	return true, nil
}

// cholesky is the state of one factorization.
type cholesky struct {
	n, lda  int
	a       []float64 // the matrix, row-major with stride lda
	workers int
	x       []float64 // X = U12ᵀ, (n-k0-kb)×kb with stride kb
	l       []float64 // L11 = U11ᵀ, kb×kb row-major (lower triangle used)
}

// step computes U12 and updates A22 for the block row [k0, k0+kb), whose
// diagonal block already holds U11.
func (c *cholesky) step(ctx context.Context, k0, kb int) {
	lda := c.lda
	m := c.n - k0 - kb
	workers := c.workers
	if m*m*kb < parallelMinMAC {
		workers = 1
	}
	// L11[j, r] = U11[r, j]: the columns of U11 as contiguous rows.
	u11 := c.a[k0*lda+k0:]
	l := c.l[:kb*kb]
	for r := range kb {
		for j := r; j < kb; j++ {
			l[j*kb+r] = u11[r*lda+j]
		}
	}
	x := c.x[:m*kb]
	a12 := c.a[k0*lda+k0+kb:] // kb×m, stride lda

	// Panel solve, in tiles of X rows.
	nt := (m + solveTileRows - 1) / solveTileRows
	parallelTasks(ctx, workers, nt, func(t int) {
		i0 := t * solveTileRows
		i1 := min(m, i0+solveTileRows)
		solveTile(x, a12, lda, u11, l, kb, i0, i1)
	})
	if ctx.Err() != nil {
		return
	}

	// Trailing update, in tiles of the upper triangle of A22.
	a22 := c.a[(k0+kb)*lda+k0+kb:]
	tiles := upperTiles(m, syrkPanel, syrkTileRows)
	parallelTasks(ctx, workers, len(tiles), func(k int) {
		syrkTile(a22, lda, x, kb, tiles[k])
	})
}

// solveTile computes rows [i0, i1) of X = U12ᵀ: X[i, r] = A12[r, i], then
// X·U11 = X, then A12[r, i] = X[i, r].
func solveTile(x, a12 []float64, lda int, u11, l []float64, kb, i0, i1 int) {
	var impl gonum.Implementation
	rows := i1 - i0
	xt := x[i0*kb : i1*kb]
	for r := range kb {
		for i, v := range a12[r*lda+i0 : r*lda+i1] {
			xt[i*kb+r] = v
		}
	}
	for j := range kb {
		if j > 0 {
			impl.Dgemv(blas.NoTrans, rows, j, -1, xt, kb, l[j*kb:j*kb+j], 1, 1, xt[j:], kb)
		}
		d := u11[j*lda+j]
		for i := range rows {
			xt[i*kb+j] /= d
		}
	}
	for r := range kb {
		dst := a12[r*lda+i0 : r*lda+i1]
		for i := range dst {
			dst[i] = xt[i*kb+r]
		}
	}
}

// syrkTile subtracts X[i, :]·X[j, :] from c[i, j] over tile t (c has stride
// ldc; X has stride kb).
func syrkTile(c []float64, ldc int, x []float64, kb int, t tile) {
	var impl gonum.Implementation
	for i := t.i0; i < t.i1; i++ {
		j0 := max(i, t.j0)
		impl.Dgemv(blas.NoTrans, t.j1-j0, kb, -1, x[j0*kb:], kb, x[i*kb:i*kb+kb], 1, 1, c[i*ldc+j0:i*ldc+t.j1], 1)
	}
}

// potf2 factors the n×n upper triangle of a (stride lda) in place as UᵀU,
// unblocked and right-looking: after row k is scaled, the remaining rows are
// updated with one axpy each. It reports false at the first pivot ≤ 0 or NaN.
func potf2(n int, a []float64, lda int) bool {
	var impl gonum.Implementation
	for k := range n {
		akk := a[k*lda+k]
		if akk <= 0 || math.IsNaN(akk) {
			return false
		}
		akk = math.Sqrt(akk)
		a[k*lda+k] = akk
		row := a[k*lda+k+1 : k*lda+n]
		for j := range row {
			row[j] /= akk
		}
		for i := k + 1; i < n; i++ {
			impl.Daxpy(n-i, -row[i-k-1], row[i-k-1:], 1, a[i*lda+i:i*lda+n], 1)
		}
	}
	return true
}

// tile is the part of an upper triangle with rows [i0, i1) and, in row i,
// columns [max(i, j0), j1).
type tile struct{ i0, i1, j0, j1 int }

// upperTiles cuts the upper triangle of an m×m matrix into column panels of
// width panel, each split into tiles of at most rows rows.
func upperTiles(m, panel, rows int) []tile {
	var tiles []tile
	for j0 := 0; j0 < m; j0 += panel {
		j1 := min(m, j0+panel)
		for i0 := 0; i0 < j1; i0 += rows {
			tiles = append(tiles, tile{i0, min(i0+rows, j1), j0, j1})
		}
	}
	return tiles
}
