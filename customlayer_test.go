package golem

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/require"
	"gonum.org/v1/gonum/mat"
	G "gorgonia.org/gorgonia"

	"github.com/golem-ml/golem/graph"
	"github.com/golem-ml/golem/layers"
	"github.com/golem-ml/golem/losses"
	"github.com/golem-ml/golem/optim"
)

// scale is the README's custom layer: a learned per-feature gain.
type scale struct{ g *graph.Param }

func (l *scale) Kind() string { return "scale" }

func (l *scale) Build(s *graph.Scope, in layers.Shape) (layers.Shape, error) {
	var err error
	l.g, err = s.Param("g", []int{in[0]}, graph.Constant(1), in[0], in[0])
	return in, err
}

func (l *scale) Forward(b *graph.Builder, x *G.Node) (*G.Node, error) {
	return graph.Mul(x, b.Param(l.g))
}

// exponentialRise is b1·(1 - exp(-b2·x)), NIST's Misra1a model, written with
// scalar parameters and the broadcasting helpers.
type exponentialRise struct{ b1, b2 *graph.Param }

func (l *exponentialRise) Kind() string { return "misra1a" }

func (l *exponentialRise) Build(s *graph.Scope, in layers.Shape) (layers.Shape, error) {
	var err error
	if l.b1, err = s.Param("b1", []int{1}, graph.Constant(500), 0, 0); err != nil {
		return nil, err
	}
	l.b2, err = s.Param("b2", []int{1}, graph.Constant(1e-4), 0, 0)
	return layers.Shape{1}, err
}

func (l *exponentialRise) Forward(b *graph.Builder, x *G.Node) (*G.Node, error) {
	bx, err := graph.Mul(x, b.Param(l.b2))
	if err != nil {
		return nil, err
	}
	neg, err := G.Neg(bx)
	if err != nil {
		return nil, err
	}
	e, err := G.Exp(neg)
	if err != nil {
		return nil, err
	}
	one, err := graph.Sub(G.NewConstant(1.0), e)
	if err != nil {
		return nil, err
	}
	return graph.Mul(one, b.Param(l.b1))
}

func TestCustomLayersGetCorrectGradients(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 5))
	t.Run("scale between dense layers", func(t *testing.T) {
		m := NewSequential(layers.Dense(4, layers.Tanh), &scale{}, layers.Dense(1))
		require.NoError(t, m.Compile(Input(2), losses.MSE(), optim.SGD(optim.SGDConfig{})))
		g, _ := m.Params().Lookup("scale_1/g")
		copy(m.Params().View(g), []float64{0.5, -1, 2, 1.5})
		checkGradient(t, m, randomMatrix(rng, 8, 2, -1, 1), randomMatrix(rng, 8, 1, -1, 1), 11)
	})
	t.Run("scalar-parameter curve", func(t *testing.T) {
		m := NewSequential(&exponentialRise{})
		require.NoError(t, m.Compile(Input(1), losses.SSE(), optim.SGD(optim.SGDConfig{})))
		x := randomMatrix(rng, 14, 1, 70, 800)
		y := mat.NewDense(14, 1, nil)
		for i := 0; i < 14; i++ {
			y.Set(i, 0, 240*(1-math.Exp(-5.5e-4*x.At(i, 0))))
		}
		checkGradient(t, m, x, y, 16)
	})
}
