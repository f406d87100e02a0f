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
//     right-looking potf2 on diagBlock×diagBlock blocks;
//  2. solve U11ᵀ·U12 = A12 in place, in independent tiles of solveTileRows
//     columns, by forward substitution over the rows of the tile, each row
//     one GemvT call (A12[r, :] −= U12[:r, :]ᵀ·U11[:r, r], then divided by
//     U11[r, r]); each tile then copies its columns into rows of the packed
//     buffer X = U12ᵀ (m×kb, contiguous rows);
//  3. update A22 −= U12ᵀU12, i.e. A22[i, j] −= X[i, :]·X[j, :] for i ≤ j,
//     cut into tiles of syrkTileRows rows × one syrkPanel-column panel, each
//     row of a tile one GemvN call (four dot products of length kb at a time
//     over contiguous X rows; the panel's X rows stay in L2).
//
// Nearly all flops are in gonum's SSE2 assembly matrix–vector kernels
// (GemvN, GemvT), which pure Go cannot beat: it issues no SIMD instructions
// and a register-blocked Go loop tops out near 8 GF/s per core here.
//
// Determinism: the block sizes and every tile grid depend only on n, never
// on workers. Each tile is one fixed sequence of gonum calls, run by
// whichever goroutine takes it, and tiles of one phase write disjoint
// memory, so every element of the factor is computed by the same operations
// for any workers value. The BLAS calls go to gonum.Implementation directly,
// so a blas64.Use elsewhere in the program cannot swap the kernels (and
// their rounding) underneath.

// Tuning, measured on a 2-core AMD EPYC (Zen 5) VM.
const (
	cholBlock      = 256 // rows per block step
	diagBlock      = 64  // rows per block step inside a diagonal block
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
// ctx is polled before each block step and, on every goroutine, before each
// tile of work (at most 32×64 elements of one trailing update or 64 columns
// of one panel solve, each ~0.5–2 M multiply–adds: well under a millisecond
// here), so a cancel returns within about one tile's time, whatever n, with
// ok = false and err = ctx.Err(). a is then partly factored and partly
// updated — neither the input nor a valid factor — and must be rebuilt
// (e.g. copied back from the unfactored matrix) before reuse.
//
// Besides a, it allocates about (n−256)·256 float64s of workspace.
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
	x, l    [2][]float64 // per level: X = U12ᵀ and L11 = U11ᵀ
}

// factor factors the n×n matrix at a (stride c.lda) in blocks of nb rows,
// each diagonal block by factor again with diagBlock rows (level+1), or by
// potf2 once it has at most diagBlock rows. It returns false when the matrix
// is not positive definite or ctx is done before the factor is complete.
func (c *cholesky) factor(ctx context.Context, a []float64, n, nb, level int) bool {
	lda := c.lda
	nb = min(nb, n)
	if n > nb && len(c.x[level]) < (n-nb)*nb {
		c.x[level] = make([]float64, (n-nb)*nb)
		c.l[level] = make([]float64, nb*nb)
	}
	for k0 := 0; k0 < n; k0 += nb {
		if ctx.Err() != nil { // also catches a cancel that cut the last step short
			return false
		}
		kb := min(nb, n-k0)
		diag := a[k0*lda+k0:]
		if kb > diagBlock && level+1 < len(c.x) {
			if !c.factor(ctx, diag, kb, diagBlock, level+1) {
				return false
			}
		} else if !potf2(kb, diag, lda) {
			return false
		}
		if k0+kb == n {
			break
		}
		c.step(ctx, a[k0*lda+k0:], n-k0-kb, kb, c.x[level], c.l[level])
	}
	return true
}

// step computes U12 and updates A22 for the block row of kb rows at a (stride
// c.lda), whose diagonal block already holds U11 and which has m columns
// right of it; x and l are workspace.
func (c *cholesky) step(ctx context.Context, a []float64, m, kb int, x, l []float64) {
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
	x = x[:m*kb]
	a12 := a[kb:] // kb×m, stride lda

	// Panel solve, in tiles of X rows.
	nt := (m + solveTileRows - 1) / solveTileRows
	Parallel(ctx, workers, nt, func(t int) {
		i0 := t * solveTileRows
		i1 := min(m, i0+solveTileRows)
		solveTile(x, a12, lda, u11, l, kb, i0, i1)
	})
	if ctx.Err() != nil {
		return
	}

	// Trailing update, in tiles of the upper triangle of A22.
	a22 := a[kb*lda+kb:]
	tiles := upperTiles(m, syrkPanel, syrkTileRows)
	Parallel(ctx, workers, len(tiles), func(k int) {
		syrkTile(a22, lda, x, kb, tiles[k])
	})
}

// solveTile solves U11ᵀ·U12 = A12 in place for columns [i0, i1) of A12 by
// forward substitution over its rows, row r being
// A12[r, :] = (A12[r, :] − U12[:r, :]ᵀ·U11[:r, r]) / U11[r, r] (one GemvT),
// and then copies those columns into rows [i0, i1) of X = U12ᵀ.
func solveTile(x, a12 []float64, lda int, u11, l []float64, kb, i0, i1 int) {
	var impl gonum.Implementation
	w := i1 - i0
	for r := range kb {
		row := a12[r*lda+i0 : r*lda+i1]
		if r > 0 {
			impl.Dgemv(blas.Trans, r, w, -1, a12[i0:], lda, l[r*kb:r*kb+r], 1, 1, row, 1)
		}
		d := u11[r*lda+r]
		for i := range row {
			row[i] /= d
		}
	}
	transpose(x[i0*kb:i1*kb], kb, a12[i0:], lda, kb, w)
}

// transpose writes the rows×cols matrix a (stride lda) as the cols×rows
// matrix dst (stride ldd): dst[c*ldd+r] = a[r*lda+c]. Four rows at a time,
// so each write is a 32-byte run.
func transpose(dst []float64, ldd int, a []float64, lda, rows, cols int) {
	r := 0
	for ; r+4 <= rows; r += 4 {
		a0 := a[r*lda : r*lda+cols]
		a1 := a[(r+1)*lda : (r+1)*lda+cols][:len(a0)]
		a2 := a[(r+2)*lda : (r+2)*lda+cols][:len(a0)]
		a3 := a[(r+3)*lda : (r+3)*lda+cols][:len(a0)]
		for c := range a0 {
			d := dst[c*ldd+r : c*ldd+r+4]
			d[0], d[1], d[2], d[3] = a0[c], a1[c], a2[c], a3[c]
		}
	}
	for ; r < rows; r++ {
		for c, v := range a[r*lda : r*lda+cols] {
			dst[c*ldd+r] = v
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
