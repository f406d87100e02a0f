package jac

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"gonum.org/v1/gonum/mat"
	G "gorgonia.org/gorgonia"

	"github.com/golem-ml/golem/graph"
	"github.com/golem-ml/golem/internal/engine"
	"github.com/golem-ml/golem/internal/graphrt"
)

// curveSpec is r = b1·exp(−b2·x) + b3·tanh(x) − y with scalar parameters
// (tiled, used elementwise); with matrix, r also has x·W for a 1×1
// parameter W used through graph.MatMul (tiled, not elementwise).
func curveSpec(t *testing.T, matrix bool) Spec {
	ps := graph.NewParams()
	var p []*graph.Param
	for i, v := range []float64{1.5, 0.7, -0.3} {
		q, err := ps.Declare(fmt.Sprintf("b%d", i+1), []int{1}, graph.Constant(v), 0, 0)
		require.NoError(t, err)
		p = append(p, q)
	}
	var w *graph.Param
	if matrix {
		var err error
		w, err = ps.Declare("w", []int{1, 1}, graph.Constant(0.25), 0, 0)
		require.NoError(t, err)
	}
	ps.Init(0)
	build := func(b *graph.Builder, x, y *G.Node) (*G.Node, error) {
		engine.BeginLayer(b)
		e := graph.NewExpr()
		n := []*G.Node{b.Param(p[0]), b.Param(p[1]), b.Param(p[2])}
		f := e.Add(e.Mul(n[0], e.Exp(e.Neg(e.Mul(n[1], x)))), e.Mul(n[2], e.Tanh(x)))
		if err := e.Err(); err != nil {
			return nil, err
		}
		if matrix {
			xw, err := graph.MatMul(x, b.Param(w))
			if err != nil {
				return nil, err
			}
			if f, err = graph.Add(f, xw); err != nil {
				return nil, err
			}
		}
		return graph.Sub(f, y)
	}
	return Spec{Params: ps, Inputs: 1, Targets: 1, Residuals: 1, Build: build}
}

func curveData(n int) Data {
	rng := rand.New(rand.NewPCG(1, 9))
	d := Data{N: n, X: make([]float64, n), Y: make([]float64, n), Weight: 0.5}
	for i := range d.X {
		d.X[i] = 4*rng.Float64() - 2
		d.Y[i] = math.Sin(d.X[i]) + 0.1*rng.NormFloat64()
	}
	return d
}

// TestSumSquaresFromTheChunkGraph: on one small chunk whose tiled
// parameters are used elementwise, SumSquares runs the residual part of
// the Jacobian graph instead of building a forward graph, with the same
// bits; a parameter used through a matrix product keeps the forward graph.
func TestSumSquaresFromTheChunkGraph(t *testing.T) {
	for _, matrix := range []bool{false, true} {
		graphrt.SetExecutor(true)
		e, err := New(curveSpec(t, matrix), Config{})
		require.NoError(t, err)
		d := curveData(60)
		P := e.spec.Params.Len()
		_, err = e.NormalEquations(context.Background(), d, mat.NewSymDense(P, nil), make([]float64, P))
		require.NoError(t, err)
		theta := e.spec.Params.Theta()
		for step := 0; step < 3; step++ {
			theta[0] += 0.1 * float64(step)
			fast, err := e.SumSquares(context.Background(), d)
			require.NoError(t, err)
			f := e.workers[d.N][0].fast
			assert.Equal(t, !matrix, f.partial != nil, "matrix %v: the chunk graph's residual part", matrix)
			assert.Equal(t, matrix, len(e.forward) > 0, "matrix %v: a forward graph", matrix)
			// The forward graph's value, from another engine.
			ref, err := New(curveSpec(t, matrix), Config{})
			require.NoError(t, err)
			copy(ref.spec.Params.Theta(), theta)
			want, err := ref.SumSquares(context.Background(), d)
			require.NoError(t, err)
			assert.Equal(t, math.Float64bits(want), math.Float64bits(fast), "matrix %v step %d", matrix, step)
		}
	}
}
