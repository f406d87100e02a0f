//go:build openblas

package linalg

// With -tags openblas, blas64 (and so BenchmarkPotrf and BenchmarkGemmPeak's
// blas64 case) runs on OpenBLAS, one thread per call.
import _ "github.com/golem-ml/golem/internal/openblas"
