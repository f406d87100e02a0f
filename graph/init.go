package graph

import (
	"math"
	"math/rand/v2"

	"gonum.org/v1/gonum/mat"
)

// Initializer fills a parameter's initial values. fanIn and fanOut are the
// layer's input and output widths (0 where meaningless).
type Initializer interface {
	Fill(rng *rand.Rand, fanIn, fanOut int, dst []float64)
}

// InitFunc adapts a function to the Initializer interface.
type InitFunc func(rng *rand.Rand, fanIn, fanOut int, dst []float64)

// Fill calls f.
func (f InitFunc) Fill(rng *rand.Rand, fanIn, fanOut int, dst []float64) { f(rng, fanIn, fanOut, dst) }

// Zeros fills with 0.
func Zeros() Initializer { return Constant(0) }

// Constant fills with v.
func Constant(v float64) Initializer {
	return InitFunc(func(_ *rand.Rand, _, _ int, dst []float64) {
		for i := range dst {
			dst[i] = v
		}
	})
}

// Values copies vals (which must have the parameter's size) into the
// parameter; a length mismatch panics, as it is a programmer error.
func Values(vals ...float64) Initializer {
	return InitFunc(func(_ *rand.Rand, _, _ int, dst []float64) {
		if len(vals) != len(dst) {
			panic("graph: Values initializer has the wrong number of values")
		}
		copy(dst, vals)
	})
}

// GlorotUniform draws from U[-l, l] with l = √(6/(fanIn+fanOut)) — Keras's
// default for Dense kernels.
func GlorotUniform() Initializer {
	return InitFunc(func(rng *rand.Rand, fanIn, fanOut int, dst []float64) {
		uniform(rng, math.Sqrt(6/float64(max(fanIn+fanOut, 1))), dst)
	})
}

// GlorotNormal draws from N(0, 2/(fanIn+fanOut)).
func GlorotNormal() Initializer {
	return InitFunc(func(rng *rand.Rand, fanIn, fanOut int, dst []float64) {
		normal(rng, math.Sqrt(2/float64(max(fanIn+fanOut, 1))), dst)
	})
}

// HeUniform draws from U[-l, l] with l = √(6/fanIn), for ReLU layers.
func HeUniform() Initializer {
	return InitFunc(func(rng *rand.Rand, fanIn, _ int, dst []float64) {
		uniform(rng, math.Sqrt(6/float64(max(fanIn, 1))), dst)
	})
}

// HeNormal draws from N(0, 2/fanIn), for ReLU layers.
func HeNormal() Initializer {
	return InitFunc(func(rng *rand.Rand, fanIn, _ int, dst []float64) {
		normal(rng, math.Sqrt(2/float64(max(fanIn, 1))), dst)
	})
}

// Orthogonal fills a matrix with orthonormal rows or columns (Saxe et al.,
// 2014; Keras's and PyTorch's orthogonal initializer, gain 1): the Q factor
// of the QR decomposition of a standard Gaussian matrix, with each column
// multiplied by the sign of R's diagonal so that Q is uniformly (Haar)
// distributed. It is the default for recurrent kernels.
//
// The parameter is taken as a (fanIn × n/fanIn) matrix, n its size, which
// is a recurrent kernel's (units × k·units) and a Dense kernel's (in × out);
// when fanIn does not divide n it is taken as a (n/fanOut × fanOut) matrix
// if fanOut does, else as one row. A wide matrix (rows < cols) gets
// orthonormal rows, a tall one orthonormal columns.
func Orthogonal() Initializer {
	return InitFunc(func(rng *rand.Rand, fanIn, fanOut int, dst []float64) {
		n := len(dst)
		if n == 0 {
			return
		}
		rows := 1
		switch {
		case fanIn > 0 && n%fanIn == 0:
			rows = fanIn
		case fanOut > 0 && n%fanOut == 0:
			rows = n / fanOut
		}
		cols := n / rows
		tall, short := max(rows, cols), min(rows, cols)
		a := mat.NewDense(tall, short, nil)
		normal(rng, 1, a.RawMatrix().Data)
		var qr mat.QR
		qr.Factorize(a)
		var q, r mat.Dense
		qr.QTo(&q)
		qr.RTo(&r)
		for j := 0; j < short; j++ {
			sign := 1.0
			if r.At(j, j) < 0 {
				sign = -1
			}
			for i := 0; i < tall; i++ {
				v := sign * q.At(i, j)
				if rows >= cols {
					dst[i*cols+j] = v // Q: rows × cols
				} else {
					dst[j*cols+i] = v // Qᵀ
				}
			}
		}
	})
}

// Uniform draws from U[lo, hi].
func Uniform(lo, hi float64) Initializer {
	return InitFunc(func(rng *rand.Rand, _, _ int, dst []float64) {
		for i := range dst {
			dst[i] = lo + (hi-lo)*rng.Float64()
		}
	})
}

// Normal draws from N(mean, std²).
func Normal(mean, std float64) Initializer {
	return InitFunc(func(rng *rand.Rand, _, _ int, dst []float64) {
		for i := range dst {
			dst[i] = mean + std*rng.NormFloat64()
		}
	})
}

func uniform(rng *rand.Rand, limit float64, dst []float64) {
	for i := range dst {
		dst[i] = limit * (2*rng.Float64() - 1)
	}
}

func normal(rng *rand.Rand, std float64, dst []float64) {
	for i := range dst {
		dst[i] = std * rng.NormFloat64()
	}
}
