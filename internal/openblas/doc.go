// Package openblas puts OpenBLAS behind gonum's BLAS when golem is built
// with -tags openblas; in the default build it does nothing.
//
// With the tag, importing it links libopenblas (Debian: libopenblas-dev;
// cgo), installs it with blas64.Use, and limits OpenBLAS to one thread:
// golem runs its own goroutines over independent chunks, and OpenBLAS
// threads on top of them would oversubscribe the cores.
//
// What the tag changes:
//
//   - the normal equations' JᵀJ is OpenBLAS's Dsyrk (internal/jac's
//     gram_openblas.go) instead of golem's AddGram;
//   - everything golem leaves to gonum's BLAS and LAPACK — the QR solver,
//     first-order optimizers' vector work, blas64.Gemm in user code — runs
//     on OpenBLAS.
//
// LM's Cholesky factorization stays golem's own (internal/linalg) in both
// builds: it runs on two goroutines, polls its context between blocks and
// gives the same bits for any GOMAXPROCS, which a single-threaded Dpotrf
// would not improve on.
//
// The pure-Go default is no longer far behind. golem's AVX-512 and AVX2
// micro-kernels (Go assembly, no cgo) reach 100 GF/s per core in cache and
// 60–80 GF/s per core on JᵀJ on the 2-core AMD EPYC (Zen 5) used for
// issue 16, where blas64.Gemm on OpenBLAS 0.3.21 measured 87 GF/s on two
// cores (OPENBLAS_CORETYPE=Haswell, AVX2 kernels) and golem's own GEMM
// 131–135 GF/s in the same run. The tag is the way past pure Go where
// OpenBLAS has kernels tuned for the core (let it detect the CPU: leave
// OPENBLAS_CORETYPE unset; its Cooperlake/SkylakeX kernels ran Dsyrk at up
// to ~78 GF/s per core here, against golem's ~50–80 in the same noisy
// runs), on CPUs where golem falls back to its portable Go kernel (no
// AVX2: arm64, older x86), and for the QR solver, which golem does not
// reimplement. Measure both with examples/lmbench (-workloads kern,w3,p48).
package openblas

// Enabled reports whether this build uses OpenBLAS.
const Enabled = enabled
