package linalg

import (
	"context"
	"fmt"
	"testing"

	"gonum.org/v1/gonum/lapack/lapack64"
)

// benchSizes are the parameter counts of issue 16's workloads.
var benchSizes = []int{241, 1377, 2000, 4801}

// BenchmarkCholesky factors a diagonally dominant SPD matrix of each size on
// GOMAXPROCS goroutines and reports GF/s counting n³/3 flops (-cpu 1 gives
// the one-core rate). Each op includes restoring the matrix (a copy, O(n²)).
func BenchmarkCholesky(b *testing.B) {
	for _, n := range benchSizes {
		b.Run(fmt.Sprintf("n%d", n), func(b *testing.B) {
			a0 := diagDominant(n, 1)
			a := clone(a0)
			r := startRate(b)
			for range b.N {
				copy(a.Data, a0.Data)
				if ok, err := Cholesky(context.Background(), a, 0); !ok || err != nil {
					b.Fatal(ok, err)
				}
			}
			f := float64(n)
			r.report(b, f*f*f/3)
		})
	}
}

// BenchmarkPotrf is gonum's lapack64.Potrf on the same matrices, for
// comparison.
func BenchmarkPotrf(b *testing.B) {
	for _, n := range benchSizes[:1] {
		b.Run(fmt.Sprintf("n%d", n), func(b *testing.B) {
			a0 := diagDominant(n, 1)
			a := clone(a0)
			r := startRate(b)
			for range b.N {
				copy(a.Data, a0.Data)
				if _, ok := lapack64.Potrf(a); !ok {
					b.Fatal("not positive definite")
				}
			}
			f := float64(n)
			r.report(b, f*f*f/3)
		})
	}
}
