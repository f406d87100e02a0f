package layers

import (
	"math"
	"math/rand/v2"

	"github.com/golem-ml/golem/graph"
)

// NguyenWidrow initializes W and b by the Nguyen–Widrow rule (MATLAB's
// initnw, the default for networks trained by trainlm), for inputs that
// range over [lo, hi]: each unit gets a random direction scaled to
// β = 0.7·units^(1/in), and biases spread the units' active regions evenly
// across the input range. It suits tanh and sigmoid layers and makes
// Levenberg–Marquardt start from a network that already covers the data.
func NguyenWidrow(lo, hi float64) Option {
	return option("NguyenWidrow", func(c *config) {
		nw := &nguyenWidrow{lo: lo, hi: hi}
		c.kernelInit = graph.InitFunc(nw.fillW)
		c.biasInit = graph.InitFunc(nw.fillB)
	})
}

// nguyenWidrow draws W and b together when W is filled (W is declared, and
// so initialized, before b) and hands b its share afterwards.
type nguyenWidrow struct {
	lo, hi float64
	bias   []float64
}

func (nw *nguyenWidrow) fillW(rng *rand.Rand, in, units int, w []float64) {
	beta := 0.7 * math.Pow(float64(units), 1/float64(in))
	nw.bias = make([]float64, units)
	// Scale from [lo, hi] to [-1, 1]: x' = scale·x + shift.
	scale, shift := 1.0, 0.0
	if nw.hi > nw.lo {
		scale = 2 / (nw.hi - nw.lo)
		shift = 1 - nw.hi*scale
	}
	dir := make([]float64, in)
	for j := 0; j < units; j++ {
		var norm float64
		for i := range dir {
			dir[i] = 2*rng.Float64() - 1
			norm += dir[i] * dir[i]
		}
		norm = math.Sqrt(norm)
		if norm == 0 {
			dir[0], norm = 1, 1
		}
		b := 0.0
		if units > 1 {
			b = beta * (2*float64(j)/float64(units-1) - 1)
			if dir[0] < 0 {
				b = -b
			}
		}
		for i := range dir {
			wij := beta * dir[i] / norm
			b += wij * shift
			w[i*units+j] = wij * scale // W is (in × units), row-major
		}
		nw.bias[j] = b
	}
}

func (nw *nguyenWidrow) fillB(_ *rand.Rand, _, _ int, b []float64) {
	if len(nw.bias) == len(b) {
		copy(b, nw.bias)
	}
}
