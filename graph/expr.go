package graph

import (
	G "gorgonia.org/gorgonia"
)

// Expr builds expressions without an error check after every operation:
// each method returns nil once an error has occurred, and Err reports the
// first one. Binary operations broadcast like Add. A curve such as
// b1·(1 - exp(-b2·x)) reads
//
//	e := graph.NewExpr()
//	y := e.Mul(b1, e.Sub(e.Const(1), e.Exp(e.Neg(e.Mul(b2, x)))))
//	return y, e.Err()
type Expr struct{ err error }

// NewExpr returns an expression builder.
func NewExpr() *Expr { return &Expr{} }

// Err is the first error met, or nil.
func (e *Expr) Err() error { return e.err }

func (e *Expr) unary(f func(*G.Node) (*G.Node, error), a *G.Node) *G.Node {
	if e.err != nil || a == nil {
		return nil
	}
	var out *G.Node
	e.err = catch(func() error {
		var err error
		out, err = f(a)
		return err
	})
	return out
}

func (e *Expr) binary(f func(a, b *G.Node) (*G.Node, error), a, b *G.Node) *G.Node {
	if e.err != nil || a == nil || b == nil {
		return nil
	}
	out, err := f(a, b)
	e.err = err
	return out
}

// Const is a float64 constant.
func (e *Expr) Const(v float64) *G.Node { return G.NewConstant(v) }

// Add is a + b.
func (e *Expr) Add(a, b *G.Node) *G.Node { return e.binary(Add, a, b) }

// Sub is a - b.
func (e *Expr) Sub(a, b *G.Node) *G.Node { return e.binary(Sub, a, b) }

// Mul is a ⊙ b.
func (e *Expr) Mul(a, b *G.Node) *G.Node { return e.binary(Mul, a, b) }

// Div is a / b.
func (e *Expr) Div(a, b *G.Node) *G.Node { return e.binary(Div, a, b) }

// Pow is a^b elementwise (a > 0 where b is not an integer).
func (e *Expr) Pow(a, b *G.Node) *G.Node {
	return e.binary(func(a, b *G.Node) (*G.Node, error) {
		return broadcast("Pow", a, b, G.Pow, G.BroadcastPow)
	}, a, b)
}

// Neg is -a.
func (e *Expr) Neg(a *G.Node) *G.Node { return e.unary(G.Neg, a) }

// Exp is e^a.
func (e *Expr) Exp(a *G.Node) *G.Node { return e.unary(G.Exp, a) }

// Log is the natural logarithm.
func (e *Expr) Log(a *G.Node) *G.Node { return e.unary(G.Log, a) }

// Sin is the sine.
func (e *Expr) Sin(a *G.Node) *G.Node { return e.unary(G.Sin, a) }

// Cos is the cosine.
func (e *Expr) Cos(a *G.Node) *G.Node { return e.unary(G.Cos, a) }

// Tanh is the hyperbolic tangent.
func (e *Expr) Tanh(a *G.Node) *G.Node { return e.unary(G.Tanh, a) }

// Sigmoid is 1/(1+e^{-a}).
func (e *Expr) Sigmoid(a *G.Node) *G.Node { return e.unary(G.Sigmoid, a) }

// Square is a².
func (e *Expr) Square(a *G.Node) *G.Node { return e.unary(G.Square, a) }

// Sqrt is √a.
func (e *Expr) Sqrt(a *G.Node) *G.Node { return e.unary(G.Sqrt, a) }

// Atan is the arctangent (see Atan).
func (e *Expr) Atan(a *G.Node) *G.Node { return e.unary(Atan, a) }

// Tan is the tangent, sin(a)/cos(a).
func (e *Expr) Tan(a *G.Node) *G.Node { return e.Div(e.Sin(a), e.Cos(a)) }

// Abs is |a|, with derivative sign(a).
func (e *Expr) Abs(a *G.Node) *G.Node { return e.unary(G.Abs, a) }

// Fail records err as the first error, unless one is already recorded, and
// returns nil: the way for code building with e to report a problem of its
// own (a missing input, say) through Err.
func (e *Expr) Fail(err error) *G.Node {
	if e.err == nil {
		e.err = err
	}
	return nil
}
