package golem

import (
	"context"
	"math/rand/v2"
	"testing"

	"gonum.org/v1/gonum/mat"

	"github.com/golem-ml/golem/internal/jac"
	"github.com/golem-ml/golem/layers"
	"github.com/golem-ml/golem/losses"
	"github.com/golem-ml/golem/optim"
)

// digitsCNN is a digits-like CNN on 8×8×1 inputs: Conv2D(8, 3×3, same,
// tanh) → MaxPool2D(2×2) → Flatten → Dense(10, softmax), with categorical
// cross-entropy (one residual per sample), 1370 parameters.
func digitsCNN(b *testing.B, n int) (*Sequential, *mat.Dense, *mat.Dense) {
	m := NewSequential(
		layers.Conv2D(8, 3, 3, layers.Tanh, layers.WithPadding(layers.Same)),
		layers.MaxPool2D(2, 2), layers.Flatten(), layers.Dense(10, layers.Softmax))
	if err := m.Compile(Input(8, 8, 1), losses.CategoricalCrossEntropy(), optim.LM(optim.LMConfig{}), WithSeed(1)); err != nil {
		b.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(8, 8))
	x := randomMatrix(rng, n, 64, 0, 16)
	y := mat.NewDense(n, 10, nil)
	for i := 0; i < n; i++ {
		y.Set(i, rng.IntN(10), 1)
	}
	return m, x, y
}

// BenchmarkJacobianDigitsCNNN1000 computes the full 1000×1370 J of the
// digits CNN; compare with BenchmarkLossGradientDigitsCNNN1000 (the
// issue's target is 3×).
func BenchmarkJacobianDigitsCNNN1000(b *testing.B) {
	m, x, y := digitsCNN(b, 1000)
	e, d := engineFor(b, m, x, y)
	J := mat.NewDense(e.Rows(1000), m.Params().Len(), nil)
	r := make([]float64, e.Rows(1000))
	ctx := context.Background()
	if err := e.Jacobian(ctx, d, J, r); err != nil { // build graphs, verify routes
		b.Fatal(err)
	}
	if routes := e.Routes(); routes["conv2d_1/W"] != jac.RouteTap || routes["dense_1/W"] != jac.RouteTap {
		b.Fatalf("routes %v", routes)
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if err := e.Jacobian(ctx, d, J, r); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkJacobianDigitsCNNN1000OneWorker is BenchmarkJacobianDigitsCNNN1000
// on one goroutine, as the batched gradient runs.
func BenchmarkJacobianDigitsCNNN1000OneWorker(b *testing.B) {
	m, x, y := digitsCNN(b, 1000)
	spec, err := m.jacobianSpec()
	if err != nil {
		b.Fatal(err)
	}
	d, err := m.dataset(x, y)
	if err != nil {
		b.Fatal(err)
	}
	e, err := jac.New(spec, jac.Config{Workers: 1})
	if err != nil {
		b.Fatal(err)
	}
	data := m.jacobianData(d)
	J := mat.NewDense(e.Rows(1000), m.Params().Len(), nil)
	r := make([]float64, e.Rows(1000))
	ctx := context.Background()
	if err := e.Jacobian(ctx, data, J, r); err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if err := e.Jacobian(ctx, data, J, r); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkNormalEquationsDigitsCNNN1000: JᵀJ (1370×1370) and Jᵀr of the
// digits CNN over 1000 samples, streamed.
func BenchmarkNormalEquationsDigitsCNNN1000(b *testing.B) {
	m, x, y := digitsCNN(b, 1000)
	e, d := engineFor(b, m, x, y)
	P := m.Params().Len()
	jtj := mat.NewSymDense(P, nil)
	jtr := make([]float64, P)
	ctx := context.Background()
	if _, err := e.NormalEquations(ctx, d, jtj, jtr); err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := e.NormalEquations(ctx, d, jtj, jtr); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkLossGradientDigitsCNNN1000 is one batched loss gradient of the
// digits CNN over the same 1000 samples.
func BenchmarkLossGradientDigitsCNNN1000(b *testing.B) {
	m, x, y := digitsCNN(b, 1000)
	d, err := m.dataset(x, y)
	if err != nil {
		b.Fatal(err)
	}
	obj := newBatchObjective(m, 1000)
	obj.setBatch(d, nil, 0, 1000)
	g := make([]float64, m.Params().Len())
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := obj.Gradient(g); err != nil {
			b.Fatal(err)
		}
	}
}
