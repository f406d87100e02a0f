package graph

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/require"
	G "gorgonia.org/gorgonia"
)

// refNegLogSoftmax is -log softmax(z)_c: log1p(Σ_{k≠c} e^{z_k - z_c}) by
// its series where that sum is below 1e-8, else the plain log-sum-exp
// about the maximum (then ℓ ≥ 1e-8 and cancellation costs at most a few
// digits, hence the tolerances below).
func refNegLogSoftmax(z []float64, c int) float64 {
	var s float64
	top := true
	for k, v := range z {
		if k != c {
			s += math.Exp(v - z[c])
			top = top && v <= z[c]
		}
	}
	if top && s < 1e-8 {
		return s - s*s/2
	}
	m := math.Inf(-1)
	for _, v := range z {
		m = math.Max(m, v)
	}
	var e float64
	for _, v := range z {
		e += math.Exp(v - m)
	}
	return m - z[c] + math.Log(e)
}

// TestNegLogSoftmaxKeepsRelativeAccuracy: ℓ_c = -log softmax(z)_c matches
// the reference where it is ~1e-17 (the dominant class, whose loss
// z - logsumexp(z) rounds to 0), at underflow and with ties; its
// vector–Jacobian product matches central differences of the op for random
// upstream gradients, including where p_c - 1 would round to 0.
func TestNegLogSoftmaxKeepsRelativeAccuracy(t *testing.T) {
	rows := [][]float64{
		{0, -40, -50}, {40, 0, 0}, {0, 0, 0}, {100, -100, 0}, {800, 0, -800},
		{0, 17, 16.9}, {1000, 1000, 0}, {-5, 3, 36}, {1, 2, 3}, {-760, 0, -1000},
	}
	const k = 3
	var z []float64
	for _, r := range rows {
		z = append(z, r...)
	}
	rng := rand.New(rand.NewPCG(3, 3))
	upstream := make([]float64, len(z))
	for i := range upstream {
		upstream[i] = rng.Float64()
	}
	upstream[0], upstream[1], upstream[2] = 1, 0, 0 // one-hot: the dominant class alone
	val, grad := run(t, []int{len(rows), k}, z, func(b *Builder, x *G.Node) (*G.Node, error) {
		l, err := NegLogSoftmax(x)
		if err != nil {
			return nil, err
		}
		return G.HadamardProd(l, b.Tensor("g", []int{len(rows), k}, upstream))
	})
	l := make([]float64, k)
	for i, r := range rows {
		negLogSoftmaxRow(r, l)
		for c := 0; c < k; c++ {
			want := refNegLogSoftmax(r, c)
			relClose(t, want, l[c], 1e-13, "row %v class %d", r, c)
			relClose(t, want*upstream[i*k+c], val[i*k+c], 1e-13, "row %v class %d through the graph", r, c)
		}
		// Σ_c g_c ℓ_c differentiated by central differences of the op.
		cost := func(zr []float64) float64 {
			negLogSoftmaxRow(zr, l)
			var s float64
			for c := range l {
				s += upstream[i*k+c] * l[c]
			}
			return s
		}
		scale := 0.0
		for c := 0; c < k; c++ {
			scale = math.Max(scale, math.Abs(grad[i*k+c]))
		}
		for c := 0; c < k; c++ {
			h := 1e-3
			zr := append([]float64(nil), r...)
			zr[c] = r[c] + h
			up := cost(zr)
			zr[c] = r[c] - h
			down := cost(zr)
			fd := (up - down) / (2 * h)
			require.LessOrEqualf(t, math.Abs(grad[i*k+c]-fd), 1e-6*scale+1e-300, "row %v: ∂/∂z_%d = %g, finite differences %g", r, c, grad[i*k+c], fd)
		}
	}
	// The first row, seeded on its dominant class: ∂ℓ_0/∂z = (p_0 - 1, p_1, p_2)
	// with p_0 - 1 = -(e^-40 + e^-50)/(1 + …), not 0.
	relClose(t, -(math.Exp(-40) + math.Exp(-50)), grad[0], 1e-15, "∂ℓ_0/∂z_0")
	relClose(t, math.Exp(-40), grad[1], 1e-15, "∂ℓ_0/∂z_1")

	// One class: ℓ = 0 and no gradient.
	val, grad = run(t, []int{2, 1}, []float64{3, -800}, func(_ *Builder, x *G.Node) (*G.Node, error) { return NegLogSoftmax(x) })
	require.Equal(t, []float64{0, 0}, val)
	require.Equal(t, []float64{0, 0}, grad)

	_, err := NegLogSoftmax(G.NewConstant(1.0))
	require.ErrorContains(t, err, "needs a (batch × k) node")
}
