package graph

import (
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/assert"
	"gonum.org/v1/gonum/mat"
)

// TestOrthogonal: wide matrices get orthonormal rows, tall and square ones
// orthonormal columns; the same seed gives the same matrix, another seed
// another one.
func TestOrthogonal(t *testing.T) {
	for _, c := range []struct{ fanIn, fanOut, n, rows int }{
		{4, 16, 64, 4}, // recurrent kernel (units × 4·units)
		{6, 2, 12, 6},  // tall
		{5, 5, 25, 5},  // square
		{0, 3, 12, 4},  // fanIn unknown: (n/fanOut × fanOut)
		{0, 0, 5, 1},   // one row
	} {
		dst := make([]float64, c.n)
		Orthogonal().Fill(rand.New(rand.NewPCG(1, 2)), c.fanIn, c.fanOut, dst)
		cols := c.n / c.rows
		m := mat.NewDense(c.rows, cols, dst)
		var g mat.Dense
		k := min(c.rows, cols)
		if c.rows <= cols {
			g.Mul(m, m.T())
		} else {
			g.Mul(m.T(), m)
		}
		eye := mat.NewDiagDense(k, nil)
		for i := 0; i < k; i++ {
			eye.SetDiag(i, 1)
		}
		assert.True(t, mat.EqualApprox(&g, eye, 1e-12), "%+v: %v", c, mat.Formatted(&g))

		again := make([]float64, c.n)
		Orthogonal().Fill(rand.New(rand.NewPCG(1, 2)), c.fanIn, c.fanOut, again)
		assert.Equal(t, dst, again)
		other := make([]float64, c.n)
		Orthogonal().Fill(rand.New(rand.NewPCG(3, 2)), c.fanIn, c.fanOut, other)
		assert.NotEqual(t, dst, other)
	}
}
