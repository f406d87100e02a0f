package optim

// With -tags openblas, LM's factorizations run on OpenBLAS.
import _ "github.com/golem-ml/golem/internal/openblas"
