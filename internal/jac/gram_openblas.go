//go:build openblas

package jac

// With -tags openblas the normal equations use OpenBLAS's symmetric rank-k
// update (see golem/internal/openblas).

import (
	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/blas64"

	_ "github.com/golem-ml/golem/internal/openblas"
)

func init() {
	addGram = func(c []float64, ldc int, a []float64, rows, p, lda int, _ int) {
		if rows == 0 || p == 0 {
			return
		}
		blas64.Syrk(blas.Trans, 1,
			blas64.General{Rows: rows, Cols: p, Data: a, Stride: lda}, 1,
			blas64.Symmetric{Uplo: blas.Upper, N: p, Data: c, Stride: ldc})
	}
}
