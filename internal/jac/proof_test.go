package jac

import (
	"context"
	"math"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"gonum.org/v1/gonum/mat"
	G "gorgonia.org/gorgonia"

	"github.com/golem-ml/golem/graph"
	"github.com/golem-ml/golem/internal/engine"
	"github.com/golem-ml/golem/internal/graphrt"
)

// scalarSpec is r = f(b, x) − y for two scalar parameters b1, b2 and a
// model f given by the case.
func scalarSpec(t *testing.T, f func(b *graph.Builder, x *G.Node, p []*G.Node) (*G.Node, error)) Spec {
	ps := graph.NewParams()
	var p []*graph.Param
	for i, v := range []float64{0.8, -0.4} {
		q, err := ps.Declare([]string{"b1", "b2"}[i], []int{1}, graph.Constant(v), 0, 0)
		require.NoError(t, err)
		p = append(p, q)
	}
	ps.Init(0)
	build := func(b *graph.Builder, x, y *G.Node) (*G.Node, error) {
		engine.BeginLayer(b)
		out, err := f(b, x, []*G.Node{b.Param(p[0]), b.Param(p[1])})
		if err != nil {
			return nil, err
		}
		return graph.Sub(out, y)
	}
	return Spec{Params: ps, Inputs: 1, Targets: 1, Residuals: 1, Build: build}
}

// TestRoutesProvenByConstruction: a model of scalar parameters used
// elementwise is proven row by row, and the route check then builds no
// loop-route reference, with J equal to the checked route's bit for bit
// (the proof only skips the comparison). Models that mix rows, or read a
// constant that may differ between rows, or sum a tiled parameter, are not
// proven: the check compares with the loop route as before, and a tiled
// parameter whose route is wrong goes to the loop route.
func TestRoutesProvenByConstruction(t *testing.T) {
	graphrt.SetExecutor(true)
	curve := func(b *graph.Builder, x *G.Node, p []*G.Node) (*G.Node, error) {
		e := graph.NewExpr()
		out := e.Add(e.Mul(p[1], e.Tanh(e.Add(e.Mul(p[0], x), p[1]))), e.Div(p[0], e.Add(e.Mul(x, x), e.Const(1))))
		return out, e.Err()
	}
	cases := []struct {
		name   string
		f      func(b *graph.Builder, x *G.Node, p []*G.Node) (*G.Node, error)
		proven bool
		routes map[string]Route
	}{
		{"elementwise curve", curve, true, map[string]Route{"b1": RouteTile, "b2": RouteTile}},
		{"a column slice", func(b *graph.Builder, x *G.Node, p []*G.Node) (*G.Node, error) {
			c, err := G.Slice(x, nil, G.S(0, 1))
			if err != nil {
				return nil, err
			}
			c, err = graph.Reshape(c, x.Shape()[0], 1)
			if err != nil {
				return nil, err
			}
			return curve(b, c, p)
		}, true, map[string]Route{"b1": RouteTile, "b2": RouteTile}},
		{"the first row", func(b *graph.Builder, x *G.Node, p []*G.Node) (*G.Node, error) {
			c, err := G.Slice(x, G.S(0, 1))
			if err != nil {
				return nil, err
			}
			e := graph.NewExpr()
			out := e.Add(e.Mul(p[0], x), e.Mul(p[1], c))
			return out, e.Err()
		}, false, nil},
		{"sum of a tiled parameter", func(b *graph.Builder, x *G.Node, p []*G.Node) (*G.Node, error) {
			s, err := G.Sum(p[0])
			if err != nil {
				return nil, err
			}
			e := graph.NewExpr()
			out := e.Add(e.Mul(x, s), p[1])
			return out, e.Err()
		}, false, map[string]Route{"b1": RouteLoop, "b2": RouteLoop}},
		{"mean over the rows", func(b *graph.Builder, x *G.Node, p []*G.Node) (*G.Node, error) {
			m, err := G.Mean(x)
			if err != nil {
				return nil, err
			}
			e := graph.NewExpr()
			out := e.Add(e.Mul(p[0], e.Sub(x, m)), p[1])
			return out, e.Err()
		}, false, nil},
		{"a row-shaped constant", func(b *graph.Builder, x *G.Node, p []*G.Node) (*G.Node, error) {
			rows := x.Shape()[0]
			v := make([]float64, rows)
			for i := range v {
				v[i] = float64(i)
			}
			c := b.Tensor("index", []int{rows, 1}, v)
			e := graph.NewExpr()
			out := e.Add(e.Mul(p[0], x), e.Mul(p[1], c))
			return out, e.Err()
		}, false, nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			for _, n := range []int{2, 40} { // the probe's own graph, a graph of 3 probe samples
				e, err := New(scalarSpec(t, c.f), Config{})
				require.NoError(t, err)
				d := curveData(n)
				J := mat.NewDense(e.Rows(n), e.p, nil)
				require.NoError(t, e.Jacobian(context.Background(), d, J, make([]float64, n)))
				assert.Equal(t, c.proven, e.references == 0, "n %d: proven", n)
				got := e.Routes()
				for name, r := range c.routes {
					assert.Equal(t, r, got[name], "n %d: route of %s", n, name)
				}
				if !c.proven {
					continue
				}
				// The same J when the proof is not used.
				ref, err := New(scalarSpec(t, c.f), Config{})
				require.NoError(t, err)
				ref.noProof = true
				want := mat.NewDense(e.Rows(n), e.p, nil)
				require.NoError(t, ref.Jacobian(context.Background(), d, want, make([]float64, n)))
				assert.Equal(t, 1, ref.references)
				assert.Equal(t, e.Routes(), ref.Routes())
				for i, v := range want.RawMatrix().Data {
					require.Equal(t, math.Float64bits(v), math.Float64bits(J.RawMatrix().Data[i]), "n %d: J entry %d", n, i)
				}
			}
		})
	}
}
