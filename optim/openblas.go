package optim

// With -tags openblas, the BLAS and LAPACK calls LM leaves to gonum (the QR
// solver, the normal equations' JᵀJ) run on OpenBLAS; see internal/openblas.
import _ "github.com/golem-ml/golem/internal/openblas"
