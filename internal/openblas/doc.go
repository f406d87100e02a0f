// Package openblas puts OpenBLAS behind gonum's BLAS when golem is built
// with -tags openblas; in the default build it does nothing.
//
// With the tag, importing it links libopenblas (Debian: libopenblas-dev),
// installs it with blas64.Use, and limits OpenBLAS to one thread: golem
// runs its own goroutines over independent chunks, and OpenBLAS threads on
// top of them would oversubscribe the cores. gonum's LAPACK (LM's Cholesky
// and QR) does its heavy work in BLAS-3 calls, so it speeds up too.
package openblas

// Enabled reports whether this build uses OpenBLAS.
const Enabled = enabled
