package optim

// With -tags openblas, LM's factorizations run on OpenBLAS.
import _ "golem/internal/openblas"
