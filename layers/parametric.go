package layers

import (
	"fmt"

	G "gorgonia.org/gorgonia"

	"github.com/golem-ml/golem/graph"
)

// CurveFunc computes a parametric model's output (batch × 1) from the input
// columns x[j] (each batch × 1) and the scalar parameters p[i], with the
// broadcasting operations of graph.Expr (or graph.Add and friends).
type CurveFunc func(e *graph.Expr, x, p []*G.Node) *G.Node

// ParametricLayer is a model y = f(x; b1, ..., bk) with scalar parameters,
// such as the NIST curve fits. Its parameters are named b1, b2, ...
type ParametricLayer struct {
	kind   string
	start  []float64
	f      CurveFunc
	params []*graph.Param
}

// Parametric returns a layer computing f with len(start) scalar parameters
// initialized to start. kind names it in summaries and weight files. The
// framework derives its Jacobian; nothing else is needed for
// Levenberg–Marquardt.
func Parametric(kind string, f CurveFunc, start ...float64) *ParametricLayer {
	return &ParametricLayer{kind: kind, f: f, start: append([]float64(nil), start...)}
}

// Kind is the name given to Parametric.
func (l *ParametricLayer) Kind() string { return l.kind }

// String describes the layer.
func (l *ParametricLayer) String() string {
	return fmt.Sprintf("Parametric(%s, %d parameters)", l.kind, len(l.start))
}

// Params returns the parameters b1, b2, ... once built.
func (l *ParametricLayer) Params() []*graph.Param { return l.params }

// Build declares b1..bk and returns one output.
func (l *ParametricLayer) Build(s *graph.Scope, in Shape) (Shape, error) {
	if len(in) != 1 {
		return nil, fmt.Errorf("Parametric needs vector samples, got input shape %v", in)
	}
	if len(l.start) == 0 || l.f == nil {
		return nil, fmt.Errorf("Parametric %s needs a function and at least one parameter", l.kind)
	}
	l.params = l.params[:0]
	for i, v := range l.start {
		p, err := s.Param(fmt.Sprintf("b%d", i+1), []int{1}, graph.Constant(v), 0, 0)
		if err != nil {
			return nil, err
		}
		l.params = append(l.params, p)
	}
	return Shape{1}, nil
}

// Forward splits x into columns and applies f.
func (l *ParametricLayer) Forward(b *graph.Builder, x *G.Node) (*G.Node, error) {
	cols := x.Shape()[1]
	xs := make([]*G.Node, cols)
	if cols == 1 {
		xs[0] = x
	} else {
		for j := range xs {
			c, err := G.Slice(x, nil, G.S(j, j+1))
			if err != nil {
				return nil, err
			}
			// A copy in (batch × 1): slices are views, see graph.Reshape.
			if xs[j], err = graph.Reshape(c, x.Shape()[0], 1); err != nil {
				return nil, err
			}
		}
	}
	ps := make([]*G.Node, len(l.params))
	for i, p := range l.params {
		ps[i] = b.Param(p)
	}
	e := graph.NewExpr()
	out := l.f(e, xs, ps)
	if err := e.Err(); err != nil {
		return nil, err
	}
	if out == nil {
		return nil, fmt.Errorf("Parametric %s: the function returned no node", l.kind)
	}
	if out.Dims() == 1 {
		return graph.Reshape(out, out.Shape()[0], 1)
	}
	return out, nil
}
