package linalg

import (
	"context"
	"fmt"
	"testing"

	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/blas64"
	"gonum.org/v1/gonum/blas/gonum"
)

// gramShapes are issue 16's JᵀJ shapes: rows × P.
var gramShapes = [][2]int{{10000, 1377}, {2000, 4801}}

// BenchmarkSyrk is AddATB's symmetric rank-k update (upper triangle of JᵀJ)
// on GOMAXPROCS goroutines, in GF/s counting rows·P² flops (-cpu 1 gives the
// one-core rate).
func BenchmarkSyrk(b *testing.B) {
	for _, s := range gramShapes {
		rows, p := s[0], s[1]
		b.Run(fmt.Sprintf("%dx%d/%s", rows, p, KernelName()), func(b *testing.B) {
			a := normals(rows*p, 1)
			c := make([]float64, p*p)
			r := startRate(b)
			for range b.N {
				if err := AddATB(context.Background(), true, p, p, rows, 1, a, p, a, p, c, p, 0); err != nil {
					b.Fatal(err)
				}
			}
			r.report(b, float64(rows)*float64(p)*float64(p))
		})
	}
}

// BenchmarkGemmPeak is the machine's float64 GEMM rate in pure Go: gonum's
// Dgemm (blas64.Gemm, its own goroutines) and AddATB on square n×n
// products, 2n³ flops each.
func BenchmarkGemmPeak(b *testing.B) {
	const n = 2000
	x, y := normals(n*n, 1), normals(n*n, 2)
	z := make([]float64, n*n)
	b.Run("gonum", func(b *testing.B) {
		r := startRate(b)
		for range b.N {
			gonum.Implementation{}.Dgemm(blas.NoTrans, blas.NoTrans, n, n, n, 1, x, n, y, n, 0, z, n)
		}
		r.report(b, 2*n*n*n)
	})
	b.Run("blas64", func(b *testing.B) { // gonum unless a build installs another BLAS
		g := func(d []float64) blas64.General { return blas64.General{Rows: n, Cols: n, Stride: n, Data: d} }
		r := startRate(b)
		for range b.N {
			blas64.Gemm(blas.NoTrans, blas.NoTrans, 1, g(x), g(y), 0, g(z))
		}
		r.report(b, 2*n*n*n)
	})
	b.Run("AddATB/"+KernelName(), func(b *testing.B) {
		r := startRate(b)
		for range b.N {
			if err := AddATB(context.Background(), false, n, n, n, 1, x, n, y, n, z, n, 0); err != nil {
				b.Fatal(err)
			}
		}
		r.report(b, 2*n*n*n)
	})
}
