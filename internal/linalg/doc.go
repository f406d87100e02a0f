// Package linalg holds dense kernels for golem's solvers, in Go and Go
// assembly (no cgo): a packed matrix product AᵀB on register-blocked
// micro-kernels (AVX-512 or AVX2+FMA on amd64, portable Go elsewhere), and
// a blocked Cholesky factorization on it, parallel over goroutines and
// bit-identical for every worker count.
//
// Cholesky replaces lapack64.Potrf(Uplo Upper) and leaves the same layout,
// so the two triangular solves with the factor stay blas64.Trsv calls
// (Trans, then NoTrans): they are O(n²), 20–40 ms together at n = 4800
// against ~0.5 s for the factorization on two cores, so they need no
// blocking, no goroutines and no cancellation.
//
// Its callers are optim's Levenberg–Marquardt and BR solvers and
// internal/jac's normal equations; Parallel is the worker pool the kernels
// share.
package linalg
