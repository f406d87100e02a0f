package golem

import (
	"context"
	"math"
	"math/rand/v2"
	"testing"

	"gonum.org/v1/gonum/mat"
	G "gorgonia.org/gorgonia"

	"github.com/golem-ml/golem/graph"
	"github.com/golem-ml/golem/internal/jac"
	"github.com/golem-ml/golem/layers"
	"github.com/golem-ml/golem/losses"
	"github.com/golem-ml/golem/optim"
)

// w3Data is issue 4's workload W3: y = Σⱼ sin(xⱼ·j/2) + x₁·x₂, x ~ U[-1,1]^8.
func w3Data(n int) (x, y *mat.Dense) {
	rng := rand.New(rand.NewPCG(3, 3))
	x = randomMatrix(rng, n, 8, -1, 1)
	y = mat.NewDense(n, 1, nil)
	for i := 0; i < n; i++ {
		v := x.At(i, 0) * x.At(i, 1)
		for j := 0; j < 8; j++ {
			v += math.Sin(x.At(i, j) * float64(j+1) / 2)
		}
		y.Set(i, 0, v)
	}
	return x, y
}

func w3Model(b *testing.B) *Sequential {
	m := NewSequential(layers.Dense(32, layers.Tanh), layers.Dense(32, layers.Tanh), layers.Dense(1))
	if err := m.Compile(Input(8), losses.MSE(), optim.SGD(optim.SGDConfig{})); err != nil {
		b.Fatal(err)
	}
	return m
}

func engineFor(b *testing.B, m *Sequential, x, y mat.Matrix) (*jac.Engine, jac.Data) {
	spec, err := m.jacobianSpec()
	if err != nil {
		b.Fatal(err)
	}
	d, err := m.dataset(x, y)
	if err != nil {
		b.Fatal(err)
	}
	e, err := jac.New(spec, jac.Config{})
	if err != nil {
		b.Fatal(err)
	}
	return e, m.jacobianData(d)
}

// BenchmarkJacobian8x32x32x1N2000 computes the full 2000×1377 J; compare
// with BenchmarkLossGradient8x32x32x1N2000 (the bound is 2×).
func BenchmarkJacobian8x32x32x1N2000(b *testing.B) {
	m := w3Model(b)
	x, y := w3Data(2000)
	e, d := engineFor(b, m, x, y)
	J := mat.NewDense(2000, m.Params().Len(), nil)
	r := make([]float64, 2000)
	ctx := context.Background()
	if err := e.Jacobian(ctx, d, J, r); err != nil { // build graphs, verify routes
		b.Fatal(err)
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if err := e.Jacobian(ctx, d, J, r); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkLossGradient8x32x32x1N2000 is one batched loss gradient over the
// same 2000 samples.
func BenchmarkLossGradient8x32x32x1N2000(b *testing.B) {
	m := w3Model(b)
	x, y := w3Data(2000)
	d, err := m.dataset(x, y)
	if err != nil {
		b.Fatal(err)
	}
	obj := newBatchObjective(m, 2000)
	obj.setBatch(d, nil, 0, 2000)
	g := make([]float64, m.Params().Len())
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := obj.Gradient(g); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkNormalEquations8x32x32x1N10000: JᵀJ (1377×1377) and Jᵀr over
// 10,000 samples, streamed (the bound is 1.0 s on 2 cores).
func BenchmarkNormalEquations8x32x32x1N10000(b *testing.B) {
	m := w3Model(b)
	x, y := w3Data(10000)
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

// gauss1 is NIST's Gauss1 model, a custom layer with 8 scalar parameters:
// b1·exp(-b2·x) + b3·exp(-(x-b4)²/b5²) + b6·exp(-(x-b7)²/b8²).
type gauss1 struct{ b [8]*graph.Param }

func (l *gauss1) Kind() string { return "gauss1" }

func (l *gauss1) Build(s *graph.Scope, in layers.Shape) (layers.Shape, error) {
	start := []float64{97, 0.009, 100, 65, 20, 70, 178, 16.5}
	for i := range l.b {
		var err error
		if l.b[i], err = s.Param(string(rune('1'+i)), []int{1}, graph.Constant(start[i]), 0, 0); err != nil {
			return nil, err
		}
	}
	return layers.Shape{1}, nil
}

func (l *gauss1) Forward(b *graph.Builder, x *G.Node) (*G.Node, error) {
	p := func(i int) *G.Node { return b.Param(l.b[i-1]) }
	bump := func(height, center, width *G.Node) (*G.Node, error) {
		d, err := graph.Sub(x, center)
		if err != nil {
			return nil, err
		}
		if d, err = graph.Div(d, width); err != nil {
			return nil, err
		}
		if d, err = G.Square(d); err != nil {
			return nil, err
		}
		if d, err = G.Neg(d); err != nil {
			return nil, err
		}
		if d, err = G.Exp(d); err != nil {
			return nil, err
		}
		return graph.Mul(d, height)
	}
	decay, err := graph.Mul(x, p(2))
	if err != nil {
		return nil, err
	}
	if decay, err = G.Neg(decay); err != nil {
		return nil, err
	}
	if decay, err = G.Exp(decay); err != nil {
		return nil, err
	}
	if decay, err = graph.Mul(decay, p(1)); err != nil {
		return nil, err
	}
	g1, err := bump(p(3), p(4), p(5))
	if err != nil {
		return nil, err
	}
	g2, err := bump(p(6), p(7), p(8))
	if err != nil {
		return nil, err
	}
	sum, err := G.Add(decay, g1)
	if err != nil {
		return nil, err
	}
	return G.Add(sum, g2)
}

// BenchmarkJacobianGauss1N250: J of a custom scalar-parameter layer, N=250,
// P=8 (the bound is 1 ms).
func BenchmarkJacobianGauss1N250(b *testing.B) {
	m := NewSequential(&gauss1{})
	if err := m.Compile(Input(1), losses.SSE(), optim.SGD(optim.SGDConfig{})); err != nil {
		b.Fatal(err)
	}
	x := mat.NewDense(250, 1, nil)
	y := mat.NewDense(250, 1, nil)
	for i := 0; i < 250; i++ {
		x.Set(i, 0, float64(i+1))
		y.Set(i, 0, 100*math.Exp(-0.01*float64(i+1)))
	}
	e, d := engineFor(b, m, x, y)
	J := mat.NewDense(250, 8, nil)
	r := make([]float64, 250)
	ctx := context.Background()
	if err := e.Jacobian(ctx, d, J, r); err != nil {
		b.Fatal(err)
	}
	if routes := e.Routes(); routes["gauss1_1/1"] != jac.RouteTile {
		b.Fatalf("routes %v", routes)
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if err := e.Jacobian(ctx, d, J, r); err != nil {
			b.Fatal(err)
		}
	}
}
