package linalg

import (
	"math"

	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/blas64"
	blasgonum "gonum.org/v1/gonum/blas/gonum"
	lapackgonum "gonum.org/v1/gonum/lapack/gonum"
	"gonum.org/v1/gonum/lapack/lapack64"
)

// Pocon estimates the reciprocal condition number in the 1-norm of the
// SPD matrix A whose Cholesky factor U (a.Uplo == blas.Upper, as Cholesky
// and lapack64.Potrf leave it) is in a, given anorm = ‖A‖₁. It is
// lapack64.Pocon's algorithm (Hager–Higham estimation with LAPACK's
// Dlacn2) with the two triangular solves per step done by row-oriented
// Dtrsv calls that read U contiguously, instead of Dlatrs, which in
// gonum reads it column by column with a stride of a row (3–5× slower at
// n in the thousands). Dlatrs exists to rescale against overflow; when a
// solve here leaves a non-finite value, Pocon starts over with
// lapack64.Pocon, so the answer never loses that protection.
//
// The estimate can differ from lapack64.Pocon's in the last bits (the
// solves sum in another order). a.N == 0 gives 1, anorm == 0 gives 0.
// It panics, as a programmer error, if a.Uplo is not blas.Upper or anorm
// is negative.
func Pocon(a blas64.Symmetric, anorm float64) float64 {
	if a.Uplo != blas.Upper || anorm < 0 {
		panic("linalg: Pocon: want an upper factor and anorm ≥ 0")
	}
	n := a.N
	if n == 0 {
		return 1
	}
	if anorm == 0 {
		return 0
	}
	var (
		lapack lapackgonum.Implementation
		bl     blasgonum.Implementation
		work   = make([]float64, 2*n)
		isgn   = make([]int, n)
		isave  [3]int
		ainvnm float64
		kase   int
	)
	x, v := work[:n], work[n:]
	for {
		ainvnm, kase = lapack.Dlacn2(n, v, x, isgn, ainvnm, kase, &isave)
		if kase == 0 {
			if ainvnm == 0 {
				return 0
			}
			return 1 / ainvnm / anorm
		}
		bl.Dtrsv(blas.Upper, blas.Trans, blas.NonUnit, n, a.Data, a.Stride, x, 1)   // Uᵀy = x
		bl.Dtrsv(blas.Upper, blas.NoTrans, blas.NonUnit, n, a.Data, a.Stride, x, 1) // Uz = y
		for _, xi := range x {
			if math.IsNaN(xi) || math.IsInf(xi, 0) {
				return lapack64.Pocon(a, anorm, make([]float64, 3*n), make([]int, n))
			}
		}
	}
}
