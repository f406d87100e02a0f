// Package linalg holds pure-Go dense kernels for golem's solvers, built on
// gonum's BLAS and its assembly kernels, parallel over goroutines and
// bit-identical for every worker count.
//
// Cholesky replaces lapack64.Potrf(Uplo Upper) and leaves the same layout,
// so the two triangular solves with the factor stay blas64.Trsv calls
// (Trans, then NoTrans): they are O(n²), about 30 ms together at n = 4800
// against ~1.5 s for the factorization, so they need no blocking, no
// goroutines and no cancellation.
//
// Its callers are optim's Levenberg–Marquardt and BR solvers; Parallel is
// the worker pool the kernels share.
package linalg
