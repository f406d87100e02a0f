package fit

import (
	"errors"
	"fmt"
	"go/token"
	"math"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/golem-ml/golem/graph"
	"github.com/golem-ml/golem/internal/graphrt"
)

// ExprError is a problem with a formula given to Expr. Col is the 1-based
// column, counted in characters, at which the problem was found; 0 means it
// concerns the formula as a whole or the input names.
type ExprError struct {
	Col int
	Msg string
}

// Error reads "fit: expression column 7: unknown function "expo"".
func (e *ExprError) Error() string {
	if e.Col > 0 {
		return fmt.Sprintf("fit: expression column %d: %s", e.Col, e.Msg)
	}
	return "fit: expression: " + e.Msg
}

// exprMaxDepth bounds the nesting of parentheses, signs and powers.
const exprMaxDepth = 200

// exprMaxIntPow is the largest |k| for which a**k with an integer literal k
// is built from multiplications (so that negative a work).
const exprMaxIntPow = 1024

// Expr returns the model computed by the formula src, with inputs named
// inputs (default one input, "x"). Every other name in src that is not a
// function or the constant pi is a parameter; Params lists them in the
// order of their first appearance. Name is the formula.
//
// The grammar, loosest-binding first:
//
//	expr    = term { ("+" | "-") term }
//	term    = unary { ("*" | "/") unary }
//	unary   = ("-" | "+") unary | power
//	power   = primary [ ("**" | "^") unary ]
//	primary = number | name | name "(" expr { "," expr } ")" | "(" expr ")"
//
// so power binds tighter than unary minus and is right-associative:
// -x**2 is -(x**2), 2**3**2 is 2**9, and x**-2 is allowed. Numbers are
// decimal, as 3, 2.5, .5, 5. or 1e-3; there is no implicit multiplication
// (write 2*x, not 2x). Names are letters, digits and underscores, not
// starting with a digit, and not a Go keyword; the function names and pi
// (the constant π) are reserved.
//
// Functions: exp, log (natural), log10, sqrt, pow(a, b) (the same as
// a**b), sin, cos, tan, atan (also arctan), tanh, sinh, cosh and abs.
//
// A power whose exponent is a constant integer (after folding, |k| ≤ 1024)
// is built from multiplications and a reciprocal, so it holds for negative
// bases: x**2, x**3 and x**-2 work for every x ≠ 0 (x**2 and x**3 also
// at 0). An exponent of ±0.5 uses sqrt. Any other power (x**1.5, x**b,
// 2**b) is a general power, whose value and derivative a^b·log a need a
// positive base.
//
// Constant subexpressions are folded; one that is not a finite number
// (1/0, log(-1)) is an error. Errors are *ExprError, naming the column:
// a syntax error, an unknown function, a wrong number of arguments, a
// formula with no parameters, or an input name that is not an identifier,
// is reserved (a function or pi) or is repeated.
func Expr(src string, inputs ...string) (*Model, error) {
	t, err := exprParse(src, inputs)
	if err != nil {
		return nil, err
	}
	return &Model{
		Name:   strings.TrimSpace(src),
		Params: append([]string(nil), t.params...),
		Inputs: append([]string(nil), t.inputs...),
		F:      t.curve,
	}, nil
}

// exprTree is a parsed formula.
type exprTree struct {
	root   *exprNode
	params []string
	inputs []string
}

// curve builds the formula's graph; the result has the shape of the first
// input column even where the formula uses no input.
func (t *exprTree) curve(e *graph.Expr, x, p []*G.Node) *G.Node {
	if len(x) != len(t.inputs) {
		return e.Fail(fmt.Errorf("fit: expression %s: want %d input columns, got %d", t.inputs, len(t.inputs), len(x)))
	}
	if len(p) != len(t.params) {
		return e.Fail(fmt.Errorf("fit: expression with parameters %s: want %d parameters, got %d", t.params, len(t.params), len(p)))
	}
	for _, ns := range [][]*G.Node{x, p} {
		for _, n := range ns {
			if n == nil {
				return e.Fail(errors.New("fit: expression: a nil input or parameter node"))
			}
		}
	}
	y := t.root.build(e, x, p)
	if y == nil || e.Err() != nil {
		return nil
	}
	if s := x[0].Shape(); !graphrt.SameShape(y.Shape(), s) {
		// The formula does not involve the batch (say "a" or "a + b"):
		// broadcast it over the rows.
		zeros := tensor.New(tensor.WithShape(s.Clone()...), tensor.WithBacking(make([]float64, s.TotalSize())))
		y = e.Add(G.NewTensor(x[0].Graph(), tensor.Float64, s.Dims(), G.WithShape(s.Clone()...), G.WithName("fit.expr.zeros"), G.WithValue(zeros)), y)
	}
	return y
}

// exprKind is the kind of an exprNode.
type exprKind uint8

const (
	exprConst exprKind = iota
	exprParam
	exprInput
	exprNeg
	exprAdd
	exprSub
	exprMul
	exprDiv
	exprPow
	exprCall
)

// exprNode is a node of a parsed formula.
type exprNode struct {
	kind exprKind
	val  float64 // exprConst
	idx  int     // exprParam, exprInput: index in p or x
	fn   *exprFunc
	args []*exprNode // operands
	col  int
}

// exprFunc is a function a formula may call.
type exprFunc struct {
	name  string
	arity int
	eval  func(a []float64) float64
	build func(e *graph.Expr, a []*G.Node) *G.Node
}

// exprFuncs are the functions by name; pow is parsed as a power.
var exprFuncs = map[string]*exprFunc{}

func init() {
	one := func(name string, f func(float64) float64, b func(e *graph.Expr, a *G.Node) *G.Node) {
		exprFuncs[name] = &exprFunc{name: name, arity: 1,
			eval:  func(a []float64) float64 { return f(a[0]) },
			build: func(e *graph.Expr, a []*G.Node) *G.Node { return b(e, a[0]) }}
	}
	one("exp", math.Exp, (*graph.Expr).Exp)
	one("log", math.Log, (*graph.Expr).Log)
	one("log10", math.Log10, func(e *graph.Expr, a *G.Node) *G.Node { return e.Mul(e.Log(a), e.Const(1/math.Ln10)) })
	one("sqrt", math.Sqrt, (*graph.Expr).Sqrt)
	one("sin", math.Sin, (*graph.Expr).Sin)
	one("cos", math.Cos, (*graph.Expr).Cos)
	one("tan", math.Tan, (*graph.Expr).Tan)
	one("atan", math.Atan, (*graph.Expr).Atan)
	one("arctan", math.Atan, (*graph.Expr).Atan)
	one("tanh", math.Tanh, (*graph.Expr).Tanh)
	one("abs", math.Abs, (*graph.Expr).Abs)
	one("sinh", math.Sinh, func(e *graph.Expr, a *G.Node) *G.Node {
		return e.Mul(e.Sub(e.Exp(a), e.Exp(e.Neg(a))), e.Const(0.5))
	})
	one("cosh", math.Cosh, func(e *graph.Expr, a *G.Node) *G.Node {
		return e.Mul(e.Add(e.Exp(a), e.Exp(e.Neg(a))), e.Const(0.5))
	})
	exprFuncs["pow"] = &exprFunc{name: "pow", arity: 2,
		eval: func(a []float64) float64 { return math.Pow(a[0], a[1]) }}
}

// exprReserved reports whether name is a function or a constant.
func exprReserved(name string) bool {
	_, fn := exprFuncs[name]
	return fn || name == "pi"
}

// eval is the formula's value at inputs x and parameters p, in float64.
func (n *exprNode) eval(x, p []float64) float64 {
	switch n.kind {
	case exprConst:
		return n.val
	case exprParam:
		return p[n.idx]
	case exprInput:
		return x[n.idx]
	case exprNeg:
		return -n.args[0].eval(x, p)
	}
	a := make([]float64, len(n.args))
	for i, m := range n.args {
		a[i] = m.eval(x, p)
	}
	switch n.kind {
	case exprAdd:
		return a[0] + a[1]
	case exprSub:
		return a[0] - a[1]
	case exprMul:
		return a[0] * a[1]
	case exprDiv:
		return a[0] / a[1]
	case exprPow:
		return math.Pow(a[0], a[1])
	case exprCall:
		return n.fn.eval(a)
	}
	return math.NaN()
}

// build adds the formula to the graph.
func (n *exprNode) build(e *graph.Expr, x, p []*G.Node) *G.Node {
	switch n.kind {
	case exprConst:
		return e.Const(n.val)
	case exprParam:
		return p[n.idx]
	case exprInput:
		return x[n.idx]
	case exprNeg:
		return e.Neg(n.args[0].build(e, x, p))
	case exprPow:
		return exprBuildPow(e, n.args[0].build(e, x, p), n.args[1], x, p)
	}
	a := make([]*G.Node, len(n.args))
	for i, m := range n.args {
		if a[i] = m.build(e, x, p); a[i] == nil {
			return nil
		}
	}
	switch n.kind {
	case exprAdd:
		return e.Add(a[0], a[1])
	case exprSub:
		return e.Sub(a[0], a[1])
	case exprMul:
		return e.Mul(a[0], a[1])
	case exprDiv:
		return e.Div(a[0], a[1])
	case exprCall:
		return n.fn.build(e, a)
	}
	return e.Fail(fmt.Errorf("fit: expression: unknown node kind %d", n.kind))
}

// exprBuildPow is a**b: by multiplication for an integer constant b, by
// sqrt for b = ±0.5, otherwise by Pow (a > 0).
func exprBuildPow(e *graph.Expr, a *G.Node, b *exprNode, x, p []*G.Node) *G.Node {
	if a == nil {
		return nil
	}
	if b.kind == exprConst {
		k := b.val
		switch {
		case k == 0.5:
			return e.Sqrt(a)
		case k == -0.5:
			return e.Div(e.Const(1), e.Sqrt(a))
		case k == math.Trunc(k) && math.Abs(k) <= exprMaxIntPow:
			return exprIntPow(e, a, int(k))
		}
	}
	return e.Pow(a, b.build(e, x, p))
}

// exprIntPow is a**k by repeated squaring, with a reciprocal for k < 0.
// a**0 is 0·a + 1, so that a stays in the graph.
func exprIntPow(e *graph.Expr, a *G.Node, k int) *G.Node {
	if k == 0 {
		return e.Add(e.Mul(a, e.Const(0)), e.Const(1))
	}
	neg := k < 0
	if neg {
		k = -k
	}
	var r *G.Node
	for sq := a; ; {
		if k&1 == 1 {
			if r == nil {
				r = sq
			} else {
				r = e.Mul(r, sq)
			}
		}
		if k >>= 1; k == 0 {
			break
		}
		sq = e.Square(sq)
	}
	if neg {
		return e.Div(e.Const(1), r)
	}
	return r
}

// exprTokKind is the kind of a token.
type exprTokKind uint8

const (
	exprTokEOF exprTokKind = iota
	exprTokNum
	exprTokName
	exprTokOp // + - * / ** ^ ( ) ,
)

// exprTok is a token of a formula.
type exprTok struct {
	kind exprTokKind
	text string
	val  float64
	col  int
}

// describe names the token in an error message.
func (t exprTok) describe() string {
	if t.kind == exprTokEOF {
		return "the end of the expression"
	}
	return strconv.Quote(t.text)
}

// exprLex splits src into tokens, ending with an exprTokEOF.
func exprLex(src string) ([]exprTok, error) {
	var toks []exprTok
	rs := make([]rune, 0, len(src))
	for i := 0; i < len(src); {
		r, size := utf8.DecodeRuneInString(src[i:])
		if r == utf8.RuneError && size == 1 {
			return nil, &ExprError{Col: len(rs) + 1, Msg: "invalid UTF-8"}
		}
		rs = append(rs, r)
		i += size
	}
	isDigit := func(i int) bool { return i < len(rs) && rs[i] >= '0' && rs[i] <= '9' }
	isNameRune := func(r rune) bool { return r == '_' || unicode.IsLetter(r) || unicode.IsDigit(r) }
	for i := 0; i < len(rs); {
		r, col := rs[i], i+1
		switch {
		case unicode.IsSpace(r):
			i++
		case isDigit(i) || r == '.' && isDigit(i+1):
			j := i
			for isDigit(j) {
				j++
			}
			if j < len(rs) && rs[j] == '.' {
				j++
				for isDigit(j) {
					j++
				}
			}
			if j < len(rs) && (rs[j] == 'e' || rs[j] == 'E') {
				k := j + 1
				if k < len(rs) && (rs[k] == '+' || rs[k] == '-') {
					k++
				}
				if !isDigit(k) {
					return nil, &ExprError{Col: j + 1, Msg: fmt.Sprintf("malformed exponent in number %q", string(rs[i:k]))}
				}
				for j = k; isDigit(j); j++ {
				}
			}
			text := string(rs[i:j])
			if j < len(rs) && (rs[j] == '.' || isNameRune(rs[j])) {
				if rs[j] == '.' || unicode.IsDigit(rs[j]) {
					return nil, &ExprError{Col: j + 1, Msg: fmt.Sprintf("malformed number %q", string(rs[i:j+1]))}
				}
				k := j
				for k < len(rs) && isNameRune(rs[k]) {
					k++
				}
				return nil, &ExprError{Col: j + 1, Msg: fmt.Sprintf("missing operator between %s and %s (write %s*%s)", text, string(rs[j:k]), text, string(rs[j:k]))}
			}
			v, err := strconv.ParseFloat(text, 64)
			if err != nil || math.IsInf(v, 0) {
				return nil, &ExprError{Col: col, Msg: fmt.Sprintf("number %s is out of range", text)}
			}
			toks = append(toks, exprTok{kind: exprTokNum, text: text, val: v, col: col})
			i = j
		case r == '_' || unicode.IsLetter(r):
			j := i + 1
			for j < len(rs) && isNameRune(rs[j]) {
				j++
			}
			toks = append(toks, exprTok{kind: exprTokName, text: string(rs[i:j]), col: col})
			i = j
		case r == '*' && i+1 < len(rs) && rs[i+1] == '*':
			toks = append(toks, exprTok{kind: exprTokOp, text: "**", col: col})
			i += 2
		case strings.ContainsRune("+-*/^(),", r):
			toks = append(toks, exprTok{kind: exprTokOp, text: string(r), col: col})
			i++
		default:
			return nil, &ExprError{Col: col, Msg: fmt.Sprintf("unexpected character %q", r)}
		}
	}
	return append(toks, exprTok{kind: exprTokEOF, col: len(rs) + 1}), nil
}

// exprParser is a recursive-descent parser over the tokens of a formula.
type exprParser struct {
	toks   []exprTok
	pos    int
	depth  int
	inputs map[string]int
	params map[string]int
	names  []string // parameters in order of first appearance
}

// exprParse parses src with the given input names (default "x").
func exprParse(src string, inputs []string) (*exprTree, error) {
	if len(inputs) == 0 {
		inputs = []string{"x"}
	}
	p := &exprParser{inputs: map[string]int{}, params: map[string]int{}}
	for i, in := range inputs {
		switch {
		case !token.IsIdentifier(in):
			return nil, &ExprError{Msg: fmt.Sprintf("input name %q is not an identifier", in)}
		case exprReserved(in):
			return nil, &ExprError{Msg: fmt.Sprintf("input name %q is reserved (a function or constant)", in)}
		}
		if _, dup := p.inputs[in]; dup {
			return nil, &ExprError{Msg: fmt.Sprintf("input name %q is repeated", in)}
		}
		p.inputs[in] = i
	}
	toks, err := exprLex(src)
	if err != nil {
		return nil, err
	}
	p.toks = toks
	if toks[0].kind == exprTokEOF {
		return nil, &ExprError{Col: 1, Msg: "empty expression"}
	}
	root, err := p.expr()
	if err != nil {
		return nil, err
	}
	if t := p.peek(); t.kind != exprTokEOF {
		return nil, &ExprError{Col: t.col, Msg: fmt.Sprintf("unexpected %s after a complete expression", t.describe())}
	}
	if len(p.names) == 0 {
		return nil, &ExprError{Msg: fmt.Sprintf("%q has no parameters to fit (inputs are %s)", strings.TrimSpace(src), strings.Join(inputs, ", "))}
	}
	return &exprTree{root: root, params: p.names, inputs: append([]string(nil), inputs...)}, nil
}

func (p *exprParser) peek() exprTok { return p.toks[p.pos] }

func (p *exprParser) next() exprTok {
	t := p.toks[p.pos]
	if t.kind != exprTokEOF {
		p.pos++
	}
	return t
}

// isOp reports whether the next token is one of the operators ops.
func (p *exprParser) isOp(ops ...string) bool {
	t := p.peek()
	if t.kind != exprTokOp {
		return false
	}
	for _, op := range ops {
		if t.text == op {
			return true
		}
	}
	return false
}

// enter counts one level of nesting; leave undoes it.
func (p *exprParser) enter() error {
	if p.depth++; p.depth > exprMaxDepth {
		return &ExprError{Col: p.peek().col, Msg: fmt.Sprintf("expression nested more than %d deep", exprMaxDepth)}
	}
	return nil
}

func (p *exprParser) leave() { p.depth-- }

// expr = term { ("+" | "-") term }
func (p *exprParser) expr() (*exprNode, error) {
	a, err := p.term()
	for err == nil && p.isOp("+", "-") {
		op := p.next()
		var b *exprNode
		if b, err = p.term(); err == nil {
			kind := exprAdd
			if op.text == "-" {
				kind = exprSub
			}
			a, err = exprFold(&exprNode{kind: kind, args: []*exprNode{a, b}, col: op.col})
		}
	}
	return a, err
}

// term = unary { ("*" | "/") unary }
func (p *exprParser) term() (*exprNode, error) {
	a, err := p.unary()
	for err == nil && p.isOp("*", "/") {
		op := p.next()
		var b *exprNode
		if b, err = p.unary(); err == nil {
			kind := exprMul
			if op.text == "/" {
				kind = exprDiv
			}
			a, err = exprFold(&exprNode{kind: kind, args: []*exprNode{a, b}, col: op.col})
		}
	}
	return a, err
}

// unary = ("-" | "+") unary | power
func (p *exprParser) unary() (*exprNode, error) {
	if err := p.enter(); err != nil {
		return nil, err
	}
	defer p.leave()
	if !p.isOp("-", "+") {
		return p.power()
	}
	op := p.next()
	a, err := p.unary()
	if err != nil || op.text == "+" {
		return a, err
	}
	return exprFold(&exprNode{kind: exprNeg, args: []*exprNode{a}, col: op.col})
}

// power = primary [ ("**" | "^") unary ]
func (p *exprParser) power() (*exprNode, error) {
	a, err := p.primary()
	if err != nil || !p.isOp("**", "^") {
		return a, err
	}
	op := p.next()
	b, err := p.unary()
	if err != nil {
		return nil, err
	}
	return exprFold(&exprNode{kind: exprPow, args: []*exprNode{a, b}, col: op.col})
}

// primary = number | name | name "(" expr { "," expr } ")" | "(" expr ")"
func (p *exprParser) primary() (*exprNode, error) {
	t := p.next()
	switch {
	case t.kind == exprTokNum:
		return &exprNode{kind: exprConst, val: t.val, col: t.col}, nil
	case t.kind == exprTokName && p.isOp("("):
		return p.call(t)
	case t.kind == exprTokName:
		return p.name(t)
	case t.kind == exprTokOp && t.text == "(":
		if err := p.enter(); err != nil {
			return nil, err
		}
		defer p.leave()
		a, err := p.expr()
		if err != nil {
			return nil, err
		}
		if err := p.close(t); err != nil {
			return nil, err
		}
		return a, nil
	}
	return nil, &ExprError{Col: t.col, Msg: fmt.Sprintf("expected a number, a name or \"(\", found %s", t.describe())}
}

// close consumes the ")" matching the "(" open.
func (p *exprParser) close(open exprTok) error {
	if t := p.next(); t.kind != exprTokOp || t.text != ")" {
		return &ExprError{Col: t.col, Msg: fmt.Sprintf("expected \")\" to close the \"(\" at column %d, found %s", open.col, t.describe())}
	}
	return nil
}

// name resolves a name that is not called: pi, an input or a parameter.
func (p *exprParser) name(t exprTok) (*exprNode, error) {
	if t.text == "pi" {
		return &exprNode{kind: exprConst, val: math.Pi, col: t.col}, nil
	}
	if _, ok := exprFuncs[t.text]; ok {
		return nil, &ExprError{Col: t.col, Msg: fmt.Sprintf("function %s needs its arguments in parentheses", t.text)}
	}
	if i, ok := p.inputs[t.text]; ok {
		return &exprNode{kind: exprInput, idx: i, col: t.col}, nil
	}
	if !token.IsIdentifier(t.text) {
		return nil, &ExprError{Col: t.col, Msg: fmt.Sprintf("%q is a Go keyword and cannot name a parameter", t.text)}
	}
	i, ok := p.params[t.text]
	if !ok {
		i = len(p.names)
		p.params[t.text] = i
		p.names = append(p.names, t.text)
	}
	return &exprNode{kind: exprParam, idx: i, col: t.col}, nil
}

// call parses a function call whose name t has been read; the next token
// is "(".
func (p *exprParser) call(t exprTok) (*exprNode, error) {
	fn, ok := exprFuncs[t.text]
	if !ok {
		what := "unknown function"
		if _, in := p.inputs[t.text]; in || t.text == "pi" {
			what = "not a function:"
		}
		return nil, &ExprError{Col: t.col, Msg: fmt.Sprintf("%s %q", what, t.text)}
	}
	if err := p.enter(); err != nil {
		return nil, err
	}
	defer p.leave()
	open := p.next()
	var args []*exprNode
	if !p.isOp(")") {
		for {
			a, err := p.expr()
			if err != nil {
				return nil, err
			}
			args = append(args, a)
			if !p.isOp(",") {
				break
			}
			p.next()
		}
	}
	if err := p.close(open); err != nil {
		return nil, err
	}
	if len(args) != fn.arity {
		s := "s"
		if fn.arity == 1 {
			s = ""
		}
		return nil, &ExprError{Col: t.col, Msg: fmt.Sprintf("%s takes %d argument%s, got %d", fn.name, fn.arity, s, len(args))}
	}
	if fn.name == "pow" {
		return exprFold(&exprNode{kind: exprPow, args: args, col: t.col})
	}
	return exprFold(&exprNode{kind: exprCall, fn: fn, args: args, col: t.col})
}

// exprFold replaces n by its value when all its operands are constants; a
// constant that is not finite is an error.
func exprFold(n *exprNode) (*exprNode, error) {
	for _, a := range n.args {
		if a.kind != exprConst {
			return n, nil
		}
	}
	v := n.eval(nil, nil)
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return nil, &ExprError{Col: n.col, Msg: fmt.Sprintf("the constant subexpression evaluates to %v", v)}
	}
	return &exprNode{kind: exprConst, val: v, col: n.col}, nil
}
