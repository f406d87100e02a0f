package jac

// addGramNaive is a stand-in until AddGram lands.
func addGramNaive(c []float64, ldc int, a []float64, rows, p, lda int) {
	for r := 0; r < rows; r++ {
		row := a[r*lda : r*lda+p]
		for i, ai := range row {
			if ai == 0 {
				continue
			}
			ci := c[i*ldc : i*ldc+p]
			for j := i; j < p; j++ {
				ci[j] += ai * row[j]
			}
		}
	}
}
