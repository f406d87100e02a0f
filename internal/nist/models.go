package nist

import (
	"fmt"
	"math"

	G "gorgonia.org/gorgonia"

	"github.com/golem-ml/golem/graph"
	"github.com/golem-ml/golem/layers"
)

// Model returns problem name's model as a parametric layer starting at
// start. Each is the NIST formula written with graph.Expr.
func Model(name string, start []float64) (*layers.ParametricLayer, error) {
	f, ok := models[name]
	if !ok {
		return nil, fmt.Errorf("nist: no model for %q", name)
	}
	return layers.Parametric(name, f, start...), nil
}

// gaussians is b1·exp(-b2·x) + b3·exp(-(x-b4)²/b5²) + b6·exp(-(x-b7)²/b8²).
func gaussians(e *graph.Expr, x, b []*G.Node) *G.Node {
	bump := func(h, c, w *G.Node) *G.Node {
		return e.Mul(h, e.Exp(e.Neg(e.Square(e.Div(e.Sub(x[0], c), w)))))
	}
	return e.Add(e.Add(e.Mul(b[0], e.Exp(e.Neg(e.Mul(b[1], x[0])))), bump(b[2], b[3], b[4])), bump(b[5], b[6], b[7]))
}

// lanczos is b1·exp(-b2·x) + b3·exp(-b4·x) + b5·exp(-b6·x).
func lanczos(e *graph.Expr, x, b []*G.Node) *G.Node {
	term := func(a, k *G.Node) *G.Node { return e.Mul(a, e.Exp(e.Neg(e.Mul(k, x[0])))) }
	return e.Add(e.Add(term(b[0], b[1]), term(b[2], b[3])), term(b[4], b[5]))
}

// chwirut is exp(-b1·x)/(b2 + b3·x).
func chwirut(e *graph.Expr, x, b []*G.Node) *G.Node {
	return e.Div(e.Exp(e.Neg(e.Mul(b[0], x[0]))), e.Add(b[1], e.Mul(b[2], x[0])))
}

var models = map[string]layers.CurveFunc{
	"Misra1a": func(e *graph.Expr, x, b []*G.Node) *G.Node {
		return e.Mul(b[0], e.Sub(e.Const(1), e.Exp(e.Neg(e.Mul(b[1], x[0])))))
	},
	"Misra1b": func(e *graph.Expr, x, b []*G.Node) *G.Node { // b1·(1 - (1 + b2·x/2)^-2)
		base := e.Add(e.Const(1), e.Mul(e.Mul(b[1], x[0]), e.Const(0.5)))
		return e.Mul(b[0], e.Sub(e.Const(1), e.Div(e.Const(1), e.Square(base))))
	},
	"Misra1c": func(e *graph.Expr, x, b []*G.Node) *G.Node { // b1·(1 - (1 + 2·b2·x)^-0.5)
		base := e.Add(e.Const(1), e.Mul(e.Mul(b[1], x[0]), e.Const(2)))
		return e.Mul(b[0], e.Sub(e.Const(1), e.Div(e.Const(1), e.Sqrt(base))))
	},
	"Misra1d": func(e *graph.Expr, x, b []*G.Node) *G.Node { // b1·b2·x/(1 + b2·x)
		bx := e.Mul(b[1], x[0])
		return e.Div(e.Mul(b[0], bx), e.Add(e.Const(1), bx))
	},
	"Chwirut1": chwirut,
	"Chwirut2": chwirut,
	"DanWood": func(e *graph.Expr, x, b []*G.Node) *G.Node { // b1·x^b2
		return e.Mul(b[0], e.Pow(x[0], b[1]))
	},
	"Gauss1": gaussians, "Gauss2": gaussians, "Gauss3": gaussians,
	"Lanczos1": lanczos, "Lanczos2": lanczos, "Lanczos3": lanczos,
	"Kirby2": func(e *graph.Expr, x, b []*G.Node) *G.Node { // (b1 + b2x + b3x²)/(1 + b4x + b5x²)
		x2 := e.Square(x[0])
		num := e.Add(e.Add(b[0], e.Mul(b[1], x[0])), e.Mul(b[2], x2))
		den := e.Add(e.Add(e.Const(1), e.Mul(b[3], x[0])), e.Mul(b[4], x2))
		return e.Div(num, den)
	},
	"Hahn1": func(e *graph.Expr, x, b []*G.Node) *G.Node { // cubic/cubic
		x2 := e.Square(x[0])
		x3 := e.Mul(x2, x[0])
		num := e.Add(e.Add(e.Add(b[0], e.Mul(b[1], x[0])), e.Mul(b[2], x2)), e.Mul(b[3], x3))
		den := e.Add(e.Add(e.Add(e.Const(1), e.Mul(b[4], x[0])), e.Mul(b[5], x2)), e.Mul(b[6], x3))
		return e.Div(num, den)
	},
	"Nelson": func(e *graph.Expr, x, b []*G.Node) *G.Node { // log y = b1 - b2·x1·exp(-b3·x2)
		return e.Sub(b[0], e.Mul(e.Mul(b[1], x[0]), e.Exp(e.Neg(e.Mul(b[2], x[1])))))
	},
	"MGH17": func(e *graph.Expr, x, b []*G.Node) *G.Node { // b1 + b2·exp(-x·b4) + b3·exp(-x·b5)
		return e.Add(e.Add(b[0], e.Mul(b[1], e.Exp(e.Neg(e.Mul(x[0], b[3]))))), e.Mul(b[2], e.Exp(e.Neg(e.Mul(x[0], b[4])))))
	},
	"Roszman1": func(e *graph.Expr, x, b []*G.Node) *G.Node { // b1 - b2·x - arctan(b3/(x - b4))/π
		return e.Sub(e.Sub(b[0], e.Mul(b[1], x[0])), e.Mul(e.Atan(e.Div(b[2], e.Sub(x[0], b[3]))), e.Const(1/math.Pi)))
	},
	// The higher-difficulty problems.
	"MGH09": func(e *graph.Expr, x, b []*G.Node) *G.Node { // b1·(x² + x·b2)/(x² + x·b3 + b4)
		x2 := e.Square(x[0])
		num := e.Add(x2, e.Mul(x[0], b[1]))
		den := e.Add(e.Add(x2, e.Mul(x[0], b[2])), b[3])
		return e.Div(e.Mul(b[0], num), den)
	},
	"Thurber": func(e *graph.Expr, x, b []*G.Node) *G.Node { // cubic/cubic, as Hahn1
		x2 := e.Square(x[0])
		x3 := e.Mul(x2, x[0])
		num := e.Add(e.Add(e.Add(b[0], e.Mul(b[1], x[0])), e.Mul(b[2], x2)), e.Mul(b[3], x3))
		den := e.Add(e.Add(e.Add(e.Const(1), e.Mul(b[4], x[0])), e.Mul(b[5], x2)), e.Mul(b[6], x3))
		return e.Div(num, den)
	},
	"BoxBOD": func(e *graph.Expr, x, b []*G.Node) *G.Node { // b1·(1 - exp(-b2·x))
		return e.Mul(b[0], e.Sub(e.Const(1), e.Exp(e.Neg(e.Mul(b[1], x[0])))))
	},
	"Rat42": func(e *graph.Expr, x, b []*G.Node) *G.Node { // b1/(1 + exp(b2 - b3·x))
		return e.Div(b[0], e.Add(e.Const(1), e.Exp(e.Sub(b[1], e.Mul(b[2], x[0])))))
	},
	"MGH10": func(e *graph.Expr, x, b []*G.Node) *G.Node { // b1·exp(b2/(x + b3))
		return e.Mul(b[0], e.Exp(e.Div(b[1], e.Add(x[0], b[2]))))
	},
	"Eckerle4": func(e *graph.Expr, x, b []*G.Node) *G.Node { // (b1/b2)·exp(-((x - b3)/b2)²/2)
		z := e.Div(e.Sub(x[0], b[2]), b[1])
		return e.Mul(e.Div(b[0], b[1]), e.Exp(e.Mul(e.Square(z), e.Const(-0.5))))
	},
	"Rat43": func(e *graph.Expr, x, b []*G.Node) *G.Node { // b1/(1 + exp(b2 - b3·x))^(1/b4)
		base := e.Add(e.Const(1), e.Exp(e.Sub(b[1], e.Mul(b[2], x[0]))))
		return e.Div(b[0], e.Pow(base, e.Div(e.Const(1), b[3])))
	},
	"Bennett5": func(e *graph.Expr, x, b []*G.Node) *G.Node { // b1·(b2 + x)^(-1/b3)
		return e.Mul(b[0], e.Pow(e.Add(b[1], x[0]), e.Div(e.Const(-1), b[2])))
	},
	"ENSO": func(e *graph.Expr, x, b []*G.Node) *G.Node {
		// b1 + b2·cos(2πx/12) + b3·sin(2πx/12) + b5·cos(2πx/b4) + b6·sin(2πx/b4)
		//    + b8·cos(2πx/b7) + b9·sin(2πx/b7)
		w := e.Mul(x[0], e.Const(2*math.Pi))
		annual := e.Mul(w, e.Const(1.0/12))
		p4 := e.Div(w, b[3])
		p7 := e.Div(w, b[6])
		sum := e.Add(b[0], e.Add(e.Mul(b[1], e.Cos(annual)), e.Mul(b[2], e.Sin(annual))))
		sum = e.Add(sum, e.Add(e.Mul(b[4], e.Cos(p4)), e.Mul(b[5], e.Sin(p4))))
		return e.Add(sum, e.Add(e.Mul(b[7], e.Cos(p7)), e.Mul(b[8], e.Sin(p7))))
	},
}
