package linalg

import (
	"context"
	"fmt"
	"sync"
)

// Packed matrix product C += α·AᵀB, the one kernel under Cholesky's
// trailing update and panel solve and under the normal equations' JᵀJ.
//
// A (k×m) and B (k×n) are row-major with k the summation index, the layout
// of a Jacobian chunk and of a block row of a factor. For each block of kc
// rows (see gemmKCBytes), A's columns are packed into micro-panels of mr
// columns (panel q holds, row after row, α·A[r, q·mr : q·mr+mr],
// zero-padded) and B's into micro-panels of nr columns; then every mr×nr
// block of C is one micro-kernel call over the rows of the block. C is cut
// into tasks of gemmMC×gemmNC, which the workers take from a shared
// counter. Within a task each A micro-panel stays in L1 while the task's
// B micro-panels (kc×gemmNC, in L2) stream past it, so C is swept along
// its rows, mr rows at a time, which the hardware prefetchers follow; the
// kernels also prefetch the next C block.
//
// Rounding: the micro-kernels add the terms to C one fused multiply–add at
// a time, in row order, starting from C itself. So every element is
//
//	c = fma(α·a[k-1,i], b[k-1,j], … fma(α·a[0,i], b[0,j], c))
//
// whatever the blocking, the tiling, the kernel, the number of workers or
// the split of the rows into calls: the result is bit-identical across
// all of them, and equal to that plain loop.

// Blocking, in elements; the micro-kernel's mr and nr round MC and NC.
const (
	// gemmKCBytes bounds one A micro-panel, which stays in L1 (48 KiB
	// here) while the task's B micro-panels stream past it from L2; the
	// rows are cut into equal blocks of at most that many (256 for the
	// 12×16 kernel).
	gemmKCBytes = 24 << 10
	gemmMC      = 120 // C rows per task: the A block (120×256) is at most 240 KiB, in L2
	gemmNC      = 256 // C columns per task

	// gemmParMin is the m·n·k below which one goroutine is used: about
	// 0.1 ms of work, far more than starting goroutines costs.
	gemmParMin = 1 << 22
)

// gemmBufs holds packing buffers between calls.
var gemmBufs sync.Pool

// AddATB adds α·AᵀB to the m×n matrix c (stride ldc): for i < m, j < n,
//
//	c[i*ldc+j] += α·Σ_r a[r*lda+i]·b[r*ldb+j],   r = 0, …, k-1,
//
// where a is k×m (stride lda ≥ m) and b is k×n (stride ldb ≥ n), both
// row-major. With upper, only the elements with j ≥ i are computed and no
// other element of c is touched (the upper triangle of a symmetric
// product, when b is a: a symmetric rank-k update). c must not overlap a
// or b.
//
// Each element is the sequence of fused multiply–adds
// c = fma(α·a[r,i], b[r,j], c) for r = 0, 1, …, k-1 (α·a[r,i] is exact for
// α = ±1), so the result is bit-identical for any workers value, across
// runs, and whether the rows come in one call or several.
//
// The work runs on up to workers goroutines (≤ 1: the calling one; small
// products always use one). ctx is polled before each task (at most
// gemmMC×gemmNC elements of one block of at most 256 rows: under a
// millisecond here); once it is done no further task starts and AddATB returns
// ctx.Err(), with c partly updated.
//
// It panics, as a programmer error, on negative sizes, short strides or
// short slices.
func AddATB(ctx context.Context, upper bool, m, n, k int, alpha float64, a []float64, lda int, b []float64, ldb int, c []float64, ldc int, workers int) error {
	if m < 0 || n < 0 || k < 0 {
		panic(fmt.Sprintf("linalg: AddATB: negative size m=%d n=%d k=%d", m, n, k))
	}
	if m == 0 || n == 0 || k == 0 {
		return ctx.Err()
	}
	if lda < m || ldb < n || ldc < n {
		panic(fmt.Sprintf("linalg: AddATB: strides lda=%d ldb=%d ldc=%d too short for m=%d n=%d", lda, ldb, ldc, m, n))
	}
	if len(a) < (k-1)*lda+m || len(b) < (k-1)*ldb+n || len(c) < (m-1)*ldc+n {
		panic(fmt.Sprintf("linalg: AddATB: short slices len(a)=%d len(b)=%d len(c)=%d for m=%d n=%d k=%d", len(a), len(b), len(c), m, n, k))
	}
	if m*n*k < gemmParMin {
		workers = 1
	}
	g := gemm{kern: kernel, upper: upper, m: m, n: n, alpha: alpha, c: c, ldc: ldc}
	mr, nr := g.kern.mr, g.kern.nr
	g.mc = (gemmMC + mr - 1) / mr * mr
	g.nc = (gemmNC + nr - 1) / nr * nr
	g.pa, g.pb = (m+mr-1)/mr, (n+nr-1)/nr
	maxKC := max(gemmKCBytes/(8*mr), 16)
	nblk := (k + maxKC - 1) / maxKC
	kc := (k + nblk - 1) / nblk
	buf, _ := gemmBufs.Get().(*[]float64)
	need := kc * (g.pa*mr + g.pb*nr)
	if buf == nil || cap(*buf) < need {
		s := make([]float64, need)
		buf = &s
	}
	defer gemmBufs.Put(buf)
	g.packA = (*buf)[:kc*g.pa*mr]
	g.packB = (*buf)[kc*g.pa*mr : need]
	g.tiles = g.taskList()

	for r0 := 0; r0 < k; r0 += kc {
		g.kc = min(kc, k-r0)
		ab, bb := a[r0*lda:], b[r0*ldb:]
		// Pack: A's micro-panels, then B's, as tasks of a few panels each.
		const perTask = 8
		na, nb := (g.pa+perTask-1)/perTask, (g.pb+perTask-1)/perTask
		Parallel(ctx, workers, na+nb, func(t int) {
			if t < na {
				for q := t * perTask; q < min(g.pa, (t+1)*perTask); q++ {
					pack(g.packA[q*g.kc*mr:(q+1)*g.kc*mr], ab, lda, g.kc, m, q*mr, mr, alpha)
				}
				return
			}
			t -= na
			for q := t * perTask; q < min(g.pb, (t+1)*perTask); q++ {
				pack(g.packB[q*g.kc*nr:(q+1)*g.kc*nr], bb, ldb, g.kc, n, q*nr, nr, 1)
			}
		})
		Parallel(ctx, workers, len(g.tiles), func(t int) { g.task(g.tiles[t]) })
		if err := ctx.Err(); err != nil {
			return err
		}
	}
	return nil
}

// gemm is one AddATB call's state.
type gemm struct {
	kern         microKernel
	upper        bool
	m, n, kc     int
	alpha        float64
	c            []float64
	ldc          int
	mc, nc       int // task size, multiples of mr and nr
	pa, pb       int // micro-panels of A and of B
	packA, packB []float64
	tiles        []gemmTask
}

// gemmTask is the block of C with rows [i0, i1) and columns [j0, j1).
type gemmTask struct{ i0, i1, j0, j1 int }

// taskList cuts C into tasks, leaving out those wholly below the diagonal
// when g.upper.
func (g *gemm) taskList() []gemmTask {
	var ts []gemmTask
	for i0 := 0; i0 < g.m; i0 += g.mc {
		for j0 := 0; j0 < g.n; j0 += g.nc {
			j1 := min(g.n, j0+g.nc)
			if g.upper && j1 <= i0 {
				continue
			}
			ts = append(ts, gemmTask{i0, min(g.m, i0+g.mc), j0, j1})
		}
	}
	return ts
}

// task runs the micro-kernel over one task's mr×nr blocks, B micro-panel
// by B micro-panel.
func (g *gemm) task(t gemmTask) {
	mr, nr, kc := g.kern.mr, g.kern.nr, g.kc
	var tmp [16 * 16]float64 // an edge or diagonal block, stride nr
	for i0 := t.i0; i0 < t.i1; i0 += mr {
		ap := g.packA[(i0/mr)*kc*mr : (i0/mr+1)*kc*mr]
		for j0 := t.j0; j0 < t.j1; j0 += nr {
			if g.upper && j0+nr <= i0 {
				continue // wholly below the diagonal
			}
			bp := g.packB[(j0/nr)*kc*nr : (j0/nr+1)*kc*nr]
			full := i0+mr <= g.m && j0+nr <= g.n && (!g.upper || j0 >= i0+mr-1)
			if full {
				g.kern.fn(kc, ap, bp, g.c[i0*g.ldc+j0:], g.ldc)
				continue
			}
			// Copy the block's elements in range to tmp, run the kernel
			// there, and copy them back.
			rows, cols := min(mr, g.m-i0), min(nr, g.n-j0)
			for i := range rows {
				lo := 0
				if g.upper {
					lo = max(0, i0+i-j0)
				}
				crow := g.c[(i0+i)*g.ldc+j0:]
				for j := lo; j < cols; j++ {
					tmp[i*nr+j] = crow[j]
				}
			}
			g.kern.fn(kc, ap, bp, tmp[:], nr)
			for i := range rows {
				lo := 0
				if g.upper {
					lo = max(0, i0+i-j0)
				}
				crow := g.c[(i0+i)*g.ldc+j0:]
				for j := lo; j < cols; j++ {
					crow[j] = tmp[i*nr+j]
				}
			}
		}
	}
}

// pack writes columns [c0, c0+w) of the rows×cols matrix src (stride lds),
// times alpha, as the micro-panel dst: dst[r*w+t] = alpha·src[r*lds+c0+t],
// zero where c0+t ≥ cols.
func pack(dst, src []float64, lds, rows, cols, c0, w int, alpha float64) {
	valid := min(w, cols-c0)
	for r := range rows {
		d := dst[r*w : r*w+w]
		s := src[r*lds+c0 : r*lds+c0+valid]
		if alpha == 1 {
			copy(d, s)
		} else {
			for t, v := range s {
				d[t] = alpha * v
			}
		}
		clear(d[valid:])
	}
}
