package linalg

import (
	"context"
	"fmt"
	"testing"

	"gonum.org/v1/gonum/lapack/lapack64"
)

// benchSizes are the parameter counts of issue 16's workloads.
var benchSizes = []int{1377, 2000, 4800}

// BenchmarkCholesky factors a diagonally dominant SPD matrix of each size on
// GOMAXPROCS goroutines and reports GF/s counting n³/3 flops (-cpu 1 gives
// the one-core rate).
func BenchmarkCholesky(b *testing.B) {
	for _, n := range benchSizes {
		b.Run(fmt.Sprintf("n%d", n), func(b *testing.B) {
			a0 := diagDominant(n, 1)
			a := clone(a0)
			b.ResetTimer()
			for range b.N {
				b.StopTimer()
				copy(a.Data, a0.Data)
				b.StartTimer()
				if ok, err := Cholesky(context.Background(), a, 0); !ok || err != nil {
					b.Fatal(ok, err)
				}
			}
			reportGFlops(b, n)
		})
	}
}

// BenchmarkPotrf is gonum's lapack64.Potrf on the same matrices, for
// comparison.
func BenchmarkPotrf(b *testing.B) {
	for _, n := range benchSizes {
		b.Run(fmt.Sprintf("n%d", n), func(b *testing.B) {
			a0 := diagDominant(n, 1)
			a := clone(a0)
			b.ResetTimer()
			for range b.N {
				b.StopTimer()
				copy(a.Data, a0.Data)
				b.StartTimer()
				if _, ok := lapack64.Potrf(a); !ok {
					b.Fatal("not positive definite")
				}
			}
			reportGFlops(b, n)
		})
	}
}

func reportGFlops(b *testing.B, n int) {
	f := float64(n)
	b.ReportMetric(f*f*f/3*float64(b.N)/b.Elapsed().Seconds()/1e9, "GF/s")
}
