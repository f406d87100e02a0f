package golem_test

import (
	"context"
	"math"
	"math/rand/v2"
	"testing"

	"gonum.org/v1/gonum/mat"
	G "gorgonia.org/gorgonia"

	"github.com/golem-ml/golem"
	"github.com/golem-ml/golem/graph"
	"github.com/golem-ml/golem/internal/nist"
	"github.com/golem-ml/golem/layers"
	"github.com/golem-ml/golem/losses"
	"github.com/golem-ml/golem/optim"
)

// The small-problem rows of issue 16: a whole Compile + Fit, fixed costs
// included. examples/lmbench reports the same workloads beside SciPy.

// benchTanhCurve is w2·tanh(w1·x+b1)+b2 (parameters w1, b1, b2, w2).
func benchTanhCurve(e *graph.Expr, x, p []*G.Node) *G.Node {
	return e.Add(e.Mul(p[3], e.Tanh(e.Add(e.Mul(p[0], x[0]), p[1]))), p[2])
}

// tanhData is 100 points of 1.5·sin(πx) + noise on [-2, 2].
func tanhData() (x, y *mat.Dense) {
	rng := rand.New(rand.NewPCG(0, 1))
	x, y = mat.NewDense(100, 1, nil), mat.NewDense(100, 1, nil)
	for i := 0; i < 100; i++ {
		xi := -2 + 4*float64(i)/99
		x.Set(i, 0, xi)
		y.Set(i, 0, 1.5*math.Sin(math.Pi*xi)+0.2*rng.NormFloat64())
	}
	return x, y
}

// BenchmarkTanhCurveWholeFit is the one-unit tanh curve on 100 points
// from (w1, b1, b2, w2) = (1, 0, 0, 1): Compile and Fit with LM's trainlm
// defaults, per operation.
func BenchmarkTanhCurveWholeFit(b *testing.B) {
	x, y := tanhData()
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		m := golem.NewSequential(layers.Parametric("tanh1", benchTanhCurve, 1, 0, 0, 1))
		if err := m.Compile(golem.Input(1), losses.MSE(), optim.LM(optim.LMConfig{})); err != nil {
			b.Fatal(err)
		}
		if _, err := m.Fit(context.Background(), x, y, golem.FitConfig{}); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkNISTWholeFits is the 19 shipped NIST StRD problems from both
// starts, whole Compile + Fit with optim.CurveFit: one operation is all 38
// fits.
func BenchmarkNISTWholeFits(b *testing.B) {
	var probs []*nist.Problem
	for _, name := range nist.Names {
		p, err := nist.Load("internal/nist/testdata", name)
		if err != nil {
			b.Fatal(err)
		}
		probs = append(probs, p)
	}
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		for _, p := range probs {
			for s := 0; s < 2; s++ {
				nistWholeFit(b, p, s)
			}
		}
	}
}

// BenchmarkNISTWholeFitMGH17 is one NIST fit (MGH17 from start 1, the
// longest), for profiling.
func BenchmarkNISTWholeFitMGH17(b *testing.B) {
	p, err := nist.Load("internal/nist/testdata", "MGH17")
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		nistWholeFit(b, p, 0)
	}
}

func nistWholeFit(b *testing.B, p *nist.Problem, s int) {
	layer, err := nist.Model(p.Name, p.Start[s])
	if err != nil {
		b.Fatal(err)
	}
	m := golem.NewSequential(layer)
	_, cols := p.X.Dims()
	if err := m.Compile(golem.Input(cols), losses.SSE(), optim.LM(optim.CurveFit())); err != nil {
		b.Fatal(err)
	}
	if _, err := m.Fit(context.Background(), p.X, p.Y, golem.FitConfig{}); err != nil {
		b.Fatal(err)
	}
}

// BenchmarkTanhCurveRefit is the tanh curve's Fit alone, on a model
// compiled once (its graphs are kept between Fits), from the same start
// every time: the per-iteration cost without the fixed cost of building.
func BenchmarkTanhCurveRefit(b *testing.B) {
	x, y := tanhData()
	m := golem.NewSequential(layers.Parametric("tanh1", benchTanhCurve, 1, 0, 0, 1))
	if err := m.Compile(golem.Input(1), losses.MSE(), optim.LM(optim.LMConfig{})); err != nil {
		b.Fatal(err)
	}
	start := append([]float64(nil), m.Params().Theta()...)
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		copy(m.Params().Theta(), start)
		if _, err := m.Fit(context.Background(), x, y, golem.FitConfig{}); err != nil {
			b.Fatal(err)
		}
	}
}
