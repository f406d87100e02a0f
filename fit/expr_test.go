package fit

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	G "gorgonia.org/gorgonia"

	"github.com/golem-ml/golem/graph"
	"github.com/golem-ml/golem/internal/engine"
	"github.com/golem-ml/golem/internal/graphrt"
	"github.com/golem-ml/golem/internal/nist"
	"github.com/golem-ml/golem/layers"
)

// exprRunGraph builds f over input columns cols and scalar parameters p,
// runs it, and returns its values and, with grad, the gradient of their
// sum with respect to p.
func exprRunGraph(t *testing.T, f layers.CurveFunc, p []float64, cols [][]float64, grad bool) (vals, g []float64) {
	t.Helper()
	n := len(cols[0])
	ps := graph.NewParams()
	decl := make([]*graph.Param, len(p))
	for i, v := range p {
		var err error
		decl[i], err = ps.Declare(fmt.Sprintf("p%d", i), []int{1}, graph.Constant(v), 0, 0)
		require.NoError(t, err)
	}
	ps.Init(1)
	b := graph.NewBuilder(ps, n)
	xs := make([]*G.Node, len(cols))
	for j, c := range cols {
		in := engine.Input(b, fmt.Sprintf("x%d", j), n, 1)
		copy(in.Data, c)
		xs[j] = in.Node
	}
	pn := make([]*G.Node, len(p))
	for i, q := range decl {
		pn[i] = b.Param(q)
	}
	e := graph.NewExpr()
	y := f(e, xs, pn)
	require.NoError(t, e.Err())
	require.NotNil(t, y)
	require.Equal(t, n, y.Shape().TotalSize(), "one value per row")
	out := engine.Output(b, y)
	var gouts []*graphrt.Output
	if grad {
		cost, err := G.Sum(y)
		require.NoError(t, err)
		gs, err := G.Grad(cost, pn...)
		require.NoError(t, err)
		for _, gn := range gs {
			gouts = append(gouts, engine.Output(b, gn))
		}
	}
	m, err := engine.Compile(b)
	require.NoError(t, err)
	defer m.Close()
	require.NoError(t, m.Run())
	vals = append([]float64(nil), out.Data()...)
	for _, o := range gouts {
		g = append(g, o.Scalar())
	}
	return vals, g
}

// exprRunLayer runs a parametric layer (the way fit and nist use a model)
// on the rows of cols.
func exprRunLayer(t *testing.T, l *layers.ParametricLayer, cols [][]float64) []float64 {
	t.Helper()
	n := len(cols[0])
	ps := graph.NewParams()
	_, err := l.Build(graph.NewScope(ps, "m"), layers.Shape{len(cols)})
	require.NoError(t, err)
	ps.Init(1)
	b := graph.NewBuilder(ps, n)
	in := engine.Input(b, "x", n, len(cols))
	for i := 0; i < n; i++ {
		for j := range cols {
			in.Data[i*len(cols)+j] = cols[j][i]
		}
	}
	y, err := l.Forward(b, in.Node)
	require.NoError(t, err)
	require.Equal(t, []int{n, 1}, []int(y.Shape()))
	out := engine.Output(b, y)
	m, err := engine.Compile(b)
	require.NoError(t, err)
	defer m.Close()
	require.NoError(t, m.Run())
	return append([]float64(nil), out.Data()...)
}

// exprUniform is n values uniform in [lo, hi).
func exprUniform(rng *rand.Rand, n int, lo, hi float64) []float64 {
	v := make([]float64, n)
	for i := range v {
		v[i] = lo + (hi-lo)*rng.Float64()
	}
	return v
}

// exprClose asserts got ≈ want to a relative tolerance.
func exprClose(t *testing.T, want, got, tol float64, msgAndArgs ...any) {
	t.Helper()
	assert.InDelta(t, want, got, tol*(1+math.Abs(want)), msgAndArgs...)
}

func TestExprPrecedence(t *testing.T) {
	cases := []struct {
		src  string
		a, x float64
		want float64
	}{
		{"a*2**3**2", 1, 0, 512},
		{"a*2^3^2", 1, 0, 512},
		{"a**2**3", 2, 0, 256},
		{"-a**2", 3, 0, -9},
		{"(-a)**2", 3, 0, 9},
		{"a**-2", 2, 0, 0.25},
		{"-a^-2", 2, 0, -0.25},
		{"2**-a", 3, 0, 0.125},
		{"a*x**2", 2, -3, 18},
		{"a*-x**3", 1, -2, 8},
		{"a - 3 - 2", 10, 0, 5},
		{"a / 4 / 2", 24, 0, 3},
		{"a + 2*3", 1, 0, 7},
		{"(a + 2)*3", 1, 0, 9},
		{"2*-a", 5, 0, -10},
		{"a*--x", 2, 3, 6},
		{"+a - -x", 2, 3, 5},
		{"1e-3*a + .5 + 5. + 2E+1", 1000, 0, 26.5},
		{"pi*a", 2, 0, 2 * math.Pi},
		{"pow(a, 2) + pow(2, a)", 3, 0, 17},
		{"a*x^2/4", 2, 2, 2},
		{"2*a**2*x", 3, 1, 18},
		{"a**0.5 * x**-0.5", 16, 4, 2},
		{"a ** 0 + x", 7, 2, 3},
		{"exp(log(a))*x", 4, 2, 8},
	}
	for _, c := range cases {
		t.Run(c.src, func(t *testing.T) {
			tree, err := exprParse(c.src, nil)
			require.NoError(t, err)
			require.Equal(t, []string{"a"}, tree.params)
			exprClose(t, c.want, tree.root.eval([]float64{c.x}, []float64{c.a}), 1e-14, "float evaluator")
			m, err := Expr(c.src)
			require.NoError(t, err)
			vals, _ := exprRunGraph(t, m.F, []float64{c.a}, [][]float64{{c.x, c.x}}, false)
			exprClose(t, c.want, vals[0], 1e-12, "graph")
			exprClose(t, c.want, vals[1], 1e-12, "graph")
		})
	}
}

func TestExprNamesParamsInOrderOfFirstAppearance(t *testing.T) {
	m, err := Expr("  b2*x + b1*exp(-b2/x) + k ")
	require.NoError(t, err)
	assert.Equal(t, []string{"b2", "b1", "k"}, m.Params)
	assert.Equal(t, []string{"x"}, m.Inputs)
	assert.Equal(t, "b2*x + b1*exp(-b2/x) + k", m.Name)
	require.NoError(t, m.validate())

	m, err = Expr("a*t + b*temp + pi", "t", "temp")
	require.NoError(t, err)
	assert.Equal(t, []string{"a", "b"}, m.Params)
	assert.Equal(t, []string{"t", "temp"}, m.Inputs)
	vals, _ := exprRunGraph(t, m.F, []float64{2, 3}, [][]float64{{1, 2}, {10, 20}}, false)
	assert.InDeltaSlice(t, []float64{2 + 30 + math.Pi, 4 + 60 + math.Pi}, vals, 1e-12)

	// An unused input is fine; the default input "x" is not special then.
	m, err = Expr("a*y", "x", "y")
	require.NoError(t, err)
	assert.Equal(t, []string{"a"}, m.Params)
	vals, _ = exprRunGraph(t, m.F, []float64{2}, [][]float64{{1, 2}, {5, 6}}, false)
	assert.Equal(t, []float64{10, 12}, vals)

	// With inputs named, x is a parameter.
	m, err = Expr("x*t", "t")
	require.NoError(t, err)
	assert.Equal(t, []string{"x"}, m.Params)

	// Non-ASCII names are letters.
	m, err = Expr("α*exp(-β*x)")
	require.NoError(t, err)
	assert.Equal(t, []string{"α", "β"}, m.Params)
}

// TestExprWithoutInputsBroadcasts: a formula that does not involve the
// input still gives one value per row.
func TestExprWithoutInputsBroadcasts(t *testing.T) {
	for _, src := range []string{"a", "a + b**2", "c**0"} {
		m, err := Expr(src)
		require.NoError(t, err, src)
		p := []float64{1.5, 2, 3}[:len(m.Params)]
		vals, g := exprRunGraph(t, m.F, p, [][]float64{{1, 2, 3}}, true)
		tree, err := exprParse(src, nil)
		require.NoError(t, err)
		want := tree.root.eval(nil, p)
		assert.Equal(t, []float64{want, want, want}, vals, src)
		require.Len(t, g, len(p))
	}
	m, err := Expr("a")
	require.NoError(t, err)
	assert.Equal(t, []float64{3, 3, 3, 3}, exprRunLayer(t, layers.Parametric("a", m.F, 3), [][]float64{{1, 2, 3, 4}}))
}

// exprMathCases are formulas with their values written in Go, and the
// range of x to try them on.
var exprMathCases = []struct {
	src    string
	f      func(x, p []float64) float64
	lo, hi float64
}{
	{"a*exp(-b*x) + c", func(x, p []float64) float64 { return p[0]*math.Exp(-p[1]*x[0]) + p[2] }, -2, 2},
	{"a*x**2 + b*x**3 + c*x**-2", func(x, p []float64) float64 { return p[0]*x[0]*x[0] + p[1]*x[0]*x[0]*x[0] + p[2]/(x[0]*x[0]) }, -3, -0.5},
	{"a*x^5 + b*x^-3 + c*x^4", func(x, p []float64) float64 {
		return p[0]*math.Pow(x[0], 5) + p[1]*math.Pow(x[0], -3) + p[2]*math.Pow(x[0], 4)
	}, -2, -0.5},
	{"a*x**13 + b + c", func(x, p []float64) float64 { return p[0]*math.Pow(x[0], 13) + p[1] + p[2] }, -1.2, 1.2},
	{"a*(x - b)**2/c**2", func(x, p []float64) float64 { return p[0] * (x[0] - p[1]) * (x[0] - p[1]) / (p[2] * p[2]) }, -3, 3},
	{"a*x**b + c", func(x, p []float64) float64 { return p[0]*math.Pow(x[0], p[1]) + p[2] }, 0.1, 3},
	{"a*(x + b)**1.5 - c**x", func(x, p []float64) float64 { return p[0]*math.Pow(x[0]+p[1], 1.5) - math.Pow(p[2], x[0]) }, 0.1, 3},
	{"sqrt(a*x) + (b*x)**0.5 + (c*x)**-0.5", func(x, p []float64) float64 {
		return math.Sqrt(p[0]*x[0]) + math.Sqrt(p[1]*x[0]) + 1/math.Sqrt(p[2]*x[0])
	}, 0.1, 3},
	{"log(a*x) + log10(b*x) + c", func(x, p []float64) float64 { return math.Log(p[0]*x[0]) + math.Log10(p[1]*x[0]) + p[2] }, 0.1, 3},
	{"sin(a*x) + cos(b*x) + tan(c*x)", func(x, p []float64) float64 {
		return math.Sin(p[0]*x[0]) + math.Cos(p[1]*x[0]) + math.Tan(p[2]*x[0])
	}, -0.5, 0.5},
	{"atan(a*x) + arctan(b) + tanh(c*x)", func(x, p []float64) float64 {
		return math.Atan(p[0]*x[0]) + math.Atan(p[1]) + math.Tanh(p[2]*x[0])
	}, -3, 3},
	{"sinh(a*x) + cosh(b*x) + c", func(x, p []float64) float64 { return math.Sinh(p[0]*x[0]) + math.Cosh(p[1]*x[0]) + p[2] }, -2, 2},
	{"abs(a*x - b) + c", func(x, p []float64) float64 { return math.Abs(p[0]*x[0]-p[1]) + p[2] }, -3, 3},
	{"pow(x, 2)*a + pow(b, x) + pow(x, c)", func(x, p []float64) float64 {
		return x[0]*x[0]*p[0] + math.Pow(p[1], x[0]) + math.Pow(x[0], p[2])
	}, 0.2, 2},
	{"a/(1 + exp(b - c*x))", func(x, p []float64) float64 { return p[0] / (1 + math.Exp(p[1]-p[2]*x[0])) }, -3, 3},
	{"a*sin(2*pi*x/b) + c*x", func(x, p []float64) float64 { return p[0]*math.Sin(2*math.Pi*x[0]/p[1]) + p[2]*x[0] }, -3, 3},
}

func TestExprMatchesMath(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for _, c := range exprMathCases {
		t.Run(c.src, func(t *testing.T) {
			m, err := Expr(c.src)
			require.NoError(t, err)
			require.Equal(t, []string{"a", "b", "c"}, m.Params)
			tree, err := exprParse(c.src, nil)
			require.NoError(t, err)
			for trial := 0; trial < 3; trial++ {
				p := exprUniform(rng, 3, 0.5, 1.5)
				x := exprUniform(rng, 7, c.lo, c.hi)
				vals, _ := exprRunGraph(t, m.F, p, [][]float64{x}, false)
				require.Len(t, vals, len(x))
				for i, xi := range x {
					want := c.f([]float64{xi}, p)
					require.False(t, math.IsNaN(want), "test case out of its domain")
					exprClose(t, want, vals[i], 1e-12, "graph at x=%g p=%v", xi, p)
					exprClose(t, want, tree.root.eval([]float64{xi}, p), 1e-12, "float evaluator at x=%g", xi)
				}
			}
		})
	}
}

// TestExprGradientMatchesFiniteDifferences: golem differentiates the
// graph of a formula correctly, including integer powers of negative
// numbers, general powers, abs and the functions built from others.
func TestExprGradientMatchesFiniteDifferences(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	for _, c := range exprMathCases {
		t.Run(c.src, func(t *testing.T) {
			m, err := Expr(c.src)
			require.NoError(t, err)
			p := exprUniform(rng, 3, 0.5, 1.5)
			x := exprUniform(rng, 5, c.lo, c.hi)
			_, g := exprRunGraph(t, m.F, p, [][]float64{x}, true)
			require.Len(t, g, 3)
			sum := func(p []float64) float64 {
				s := 0.0
				for _, xi := range x {
					s += c.f([]float64{xi}, p)
				}
				return s
			}
			for i := range p {
				h := 1e-6 * (1 + math.Abs(p[i]))
				hi, lo := append([]float64(nil), p...), append([]float64(nil), p...)
				hi[i] += h
				lo[i] -= h
				fd := (sum(hi) - sum(lo)) / (2 * h)
				exprClose(t, fd, g[i], 1e-6, "∂/∂%s", m.Params[i])
			}
		})
	}
}

// exprNIST are the NIST StRD models as formulas, as NIST writes them; ref
// is the Go version for those not in internal/nist.
var exprNIST = []struct {
	name, src string
	inputs    []string
	ref       func(x, b []float64) float64
}{
	{"Misra1a", "b1*(1-exp(-b2*x))", nil, nil},
	{"Misra1b", "b1 * (1-(1+b2*x/2)**(-2))", nil, nil},
	{"Misra1c", "b1 * (1-(1+2*b2*x)**(-.5))", nil, nil},
	{"Misra1d", "b1*b2*x*((1+b2*x)**(-1))", nil, nil},
	{"Chwirut1", "exp(-b1*x)/(b2+b3*x)", nil, nil},
	{"Chwirut2", "exp(-b1*x)/(b2+b3*x)", nil, nil},
	{"DanWood", "b1*x**b2", nil, nil},
	{"Gauss1", "b1*exp( -b2*x ) + b3*exp( -(x-b4)**2 / b5**2 ) + b6*exp( -(x-b7)**2 / b8**2 )", nil, nil},
	{"Gauss2", "b1*exp( -b2*x ) + b3*exp( -(x-b4)**2 / b5**2 ) + b6*exp( -(x-b7)**2 / b8**2 )", nil, nil},
	{"Gauss3", "b1*exp( -b2*x ) + b3*exp( -(x-b4)**2 / b5**2 ) + b6*exp( -(x-b7)**2 / b8**2 )", nil, nil},
	{"Lanczos1", "b1*exp(-b2*x) + b3*exp(-b4*x) + b5*exp(-b6*x)", nil, nil},
	{"Lanczos2", "b1*exp(-b2*x) + b3*exp(-b4*x) + b5*exp(-b6*x)", nil, nil},
	{"Lanczos3", "b1*exp(-b2*x) + b3*exp(-b4*x) + b5*exp(-b6*x)", nil, nil},
	{"Kirby2", "(b1 + b2*x + b3*x**2) / (1 + b4*x + b5*x**2)", nil, nil},
	{"Hahn1", "(b1+b2*x+b3*x**2+b4*x**3) / (1+b5*x+b6*x**2+b7*x**3)", nil, nil},
	{"Nelson", "b1 - b2*x1 * exp(-b3*x2)", []string{"x1", "x2"}, nil},
	{"MGH17", "b1 + b2*exp(-x*b4) + b3*exp(-x*b5)", nil, nil},
	{"Roszman1", "b1 - b2*x - arctan(b3/(x-b4))/pi", nil, nil},
	{"ENSO", "b1 + b2*cos( 2*pi*x/12 ) + b3*sin( 2*pi*x/12 ) + b5*cos( 2*pi*x/b4 ) + b6*sin( 2*pi*x/b4 ) + b8*cos( 2*pi*x/b7 ) + b9*sin( 2*pi*x/b7 )", nil, nil},
	{"MGH09", "b1*(x**2+x*b2) / (x**2+x*b3+b4)", nil, func(x, b []float64) float64 {
		return b[0] * (x[0]*x[0] + x[0]*b[1]) / (x[0]*x[0] + x[0]*b[2] + b[3])
	}},
	{"MGH10", "b1 * exp(b2/(x+b3))", nil, func(x, b []float64) float64 { return b[0] * math.Exp(b[1]/(x[0]+b[2])) }},
	{"Thurber", "(b1 + b2*x + b3*x**2 + b4*x**3) / (1 + b5*x + b6*x**2 + b7*x**3)", nil, func(x, b []float64) float64 {
		v := x[0]
		return (b[0] + b[1]*v + b[2]*v*v + b[3]*v*v*v) / (1 + b[4]*v + b[5]*v*v + b[6]*v*v*v)
	}},
	{"BoxBOD", "b1*(1-exp(-b2*x))", nil, func(x, b []float64) float64 { return b[0] * (1 - math.Exp(-b[1]*x[0])) }},
	{"Rat42", "b1 / (1+exp(b2-b3*x))", nil, func(x, b []float64) float64 { return b[0] / (1 + math.Exp(b[1]-b[2]*x[0])) }},
	{"Rat43", "b1 / ((1+exp(b2-b3*x))**(1/b4))", nil, func(x, b []float64) float64 {
		return b[0] / math.Pow(1+math.Exp(b[1]-b[2]*x[0]), 1/b[3])
	}},
	{"Eckerle4", "(b1/b2) * exp(-0.5*((x-b3)/b2)**2)", nil, func(x, b []float64) float64 {
		return b[0] / b[1] * math.Exp(-0.5*math.Pow((x[0]-b[2])/b[1], 2))
	}},
	{"Bennett5", "b1 * (b2+x)**(-1/b3)", nil, func(x, b []float64) float64 { return b[0] * math.Pow(b[1]+x[0], -1/b[2]) }},
}

// TestExprNISTModels: each NIST formula as a string computes what its Go
// version computes, run as a parametric layer the way fits run it.
func TestExprNISTModels(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	inNist := map[string]bool{}
	for _, n := range nist.Names {
		inNist[n] = true
	}
	covered := 0
	for _, c := range exprNIST {
		t.Run(c.name, func(t *testing.T) {
			m, err := Expr(c.src, c.inputs...)
			require.NoError(t, err)
			// Parameters are b1..bk, in some order (ENSO's b5 comes before b4).
			k := len(m.Params)
			names := append([]string(nil), m.Params...)
			sort.Slice(names, func(i, j int) bool {
				return len(names[i]) < len(names[j]) || len(names[i]) == len(names[j]) && names[i] < names[j]
			})
			for i, n := range names {
				require.Equal(t, fmt.Sprintf("b%d", i+1), n)
			}
			b := exprUniform(rng, k, 0.5, 2)
			start := make([]float64, k) // in m.Params order
			for i, n := range m.Params {
				var j int
				_, err := fmt.Sscanf(n, "b%d", &j)
				require.NoError(t, err)
				start[i] = b[j-1]
			}
			cols := make([][]float64, len(m.inputs()))
			for j := range cols {
				cols[j] = exprUniform(rng, 9, 0.5, 3)
			}
			got := exprRunLayer(t, layers.Parametric(c.name, m.F, start...), cols)
			want := make([]float64, len(cols[0]))
			if c.ref == nil {
				require.True(t, inNist[c.name])
				l, err := nist.Model(c.name, b)
				require.NoError(t, err)
				want = exprRunLayer(t, l, cols)
				covered++
			} else {
				for i := range want {
					x := make([]float64, len(cols))
					for j := range cols {
						x[j] = cols[j][i]
					}
					want[i] = c.ref(x, b)
				}
			}
			for i := range want {
				require.False(t, math.IsNaN(want[i]))
				exprClose(t, want[i], got[i], 1e-12, "row %d", i)
			}
		})
	}
	assert.Equal(t, len(nist.Names), covered, "every model of internal/nist is compared")
}

func TestExprErrors(t *testing.T) {
	deep := strings.Repeat("(", 300) + "a" + strings.Repeat(")", 300)
	cases := []struct {
		src    string
		inputs []string
		col    int
		msg    string
	}{
		{"", nil, 1, "empty expression"},
		{"   ", nil, 1, "empty expression"},
		{"a + b*expo(x)", nil, 7, `unknown function "expo"`},
		{"é + b*expo(x)", nil, 7, `unknown function "expo"`},
		{"exp(a, x)", nil, 1, "exp takes 1 argument, got 2"},
		{"2*pow(a)", nil, 3, "pow takes 2 arguments, got 1"},
		{"exp()*a", nil, 1, "exp takes 1 argument, got 0"},
		{"a*x)", nil, 4, `unexpected ")" after a complete expression`},
		{"a b", nil, 3, `unexpected "b"`},
		{"a, b", nil, 2, `unexpected ","`},
		{"(a*x", nil, 5, `expected ")" to close the "(" at column 1, found the end of the expression`},
		{"exp(a*x", nil, 8, `expected ")" to close the "(" at column 4`},
		{"a*", nil, 3, `expected a number, a name or "(", found the end of the expression`},
		{"a * * x", nil, 5, `found "*"`},
		{"**a", nil, 1, `found "**"`},
		{"a*()", nil, 4, `found ")"`},
		{"2x*a", nil, 2, "missing operator between 2 and x"},
		{"a $ b", nil, 3, "unexpected character '$'"},
		{"a = b*x", nil, 3, "unexpected character '='"},
		{"1.2.3*a", nil, 4, `malformed number "1.2."`},
		{"12a3", nil, 3, "missing operator"},
		{"1e*a", nil, 2, `malformed exponent in number "1e"`},
		{"a*1e+", nil, 4, "malformed exponent"},
		{"1e999*a", nil, 1, "number 1e999 is out of range"},
		{"a + 1/0", nil, 6, "evaluates to +Inf"},
		{"log(-1)*a", nil, 1, "evaluates to NaN"},
		{"a*(-8)**(1/3)", nil, 7, "evaluates to NaN"},
		{"pi(a)", nil, 1, `not a function: "pi"`},
		{"a*x(2)", nil, 3, `not a function: "x"`},
		{"b(2)*x", nil, 1, `unknown function "b"`},
		{"exp + a", nil, 1, "function exp needs its arguments in parentheses"},
		{"func*x", nil, 1, `"func" is a Go keyword`},
		{"2*x + pi", nil, 0, "has no parameters"},
		{"a*x", []string{"exp"}, 0, `input name "exp" is reserved`},
		{"a*x", []string{"pi"}, 0, `input name "pi" is reserved`},
		{"a*x", []string{"x", "x"}, 0, `input name "x" is repeated`},
		{"a*x", []string{"1x"}, 0, `input name "1x" is not an identifier`},
		{"a*x", []string{"type"}, 0, `input name "type" is not an identifier`},
		{"a\xff", nil, 2, "invalid UTF-8"},
		{deep, nil, 101, "nested more than 200 deep"},
		{strings.Repeat("-", 300) + "a", nil, 201, "nested more than 200 deep"},
	}
	for _, c := range cases {
		t.Run(c.src, func(t *testing.T) {
			m, err := Expr(c.src, c.inputs...)
			require.Error(t, err)
			assert.Nil(t, m)
			var ee *ExprError
			require.True(t, errors.As(err, &ee), "%T", err)
			assert.Equal(t, c.col, ee.Col, err.Error())
			assert.Contains(t, ee.Msg, c.msg)
			if c.col > 0 {
				assert.True(t, strings.HasPrefix(err.Error(), fmt.Sprintf("fit: expression column %d: ", c.col)), err.Error())
			} else {
				assert.True(t, strings.HasPrefix(err.Error(), "fit: expression: "), err.Error())
			}
		})
	}
	_, err := Expr("a + b*expo(x)")
	assert.EqualError(t, err, `fit: expression column 7: unknown function "expo"`)
}

// TestExprFunctionReportsMisuse: F called with the wrong number of columns
// or parameters reports it through the builder instead of panicking.
func TestExprFunctionReportsMisuse(t *testing.T) {
	m, err := Expr("a*x + b")
	require.NoError(t, err)
	x := G.NewConstant(1.0)
	for _, c := range []struct {
		x, p []*G.Node
		msg  string
	}{
		{[]*G.Node{x}, []*G.Node{x}, "want 2 parameters, got 1"},
		{nil, []*G.Node{x, x}, "want 1 input columns, got 0"},
		{[]*G.Node{x}, []*G.Node{x, nil}, "nil"},
	} {
		e := graph.NewExpr()
		assert.Nil(t, m.F(e, c.x, c.p))
		assert.ErrorContains(t, e.Err(), c.msg)
	}
}

// FuzzExpr: no formula makes Expr, or building and running what it
// returns, panic; a parsed formula's graph has one value per row, and its
// parameters are distinct identifiers.
func FuzzExpr(f *testing.F) {
	for _, s := range []string{
		"a*x", "b1*(1-exp(-b2*x))", "-x**-2*a", "2**3**2*a", "pow(a, x)", "a^b^c",
		"abs(sin(a*x)) + tan(b) - log10(c)", "(((a)))", "1e-3*.5*a", "a/(x-x)",
		"exp(", "a b", "x**", "1e", ")(", "sinh(cosh(a))*x", "pi*pi(a)",
	} {
		f.Add(s)
	}
	cols := [][]float64{{0.5, -1.5, 2}}
	f.Fuzz(func(t *testing.T, src string) {
		m, err := Expr(src)
		if err != nil {
			var ee *ExprError
			if !errors.As(err, &ee) {
				t.Fatalf("%q: error %T is not an *ExprError", src, err)
			}
			return
		}
		if len(m.Params) == 0 || len(m.Params) > 64 {
			return
		}
		if err := m.validate(); err != nil {
			t.Fatalf("%q: the model does not validate: %v", src, err)
		}
		p := make([]float64, len(m.Params))
		for i := range p {
			p[i] = 0.7
		}
		vals, _ := exprRunGraph(t, m.F, p, cols, false)
		if len(vals) != 3 {
			t.Fatalf("%q: %d values for 3 rows", src, len(vals))
		}
	})
}

// exprOps lists the Gorgonia ops of src's graph over a batch of 3.
func exprOps(t *testing.T, src string) []string {
	t.Helper()
	m, err := Expr(src)
	require.NoError(t, err)
	b := graph.NewBuilder(graph.NewParams(), 3)
	x := engine.Input(b, "x", 3, 1)
	p := make([]*G.Node, len(m.Params))
	for i := range p {
		p[i] = b.Tensor("p", []int{1}, []float64{2})
	}
	e := graph.NewExpr()
	require.NotNil(t, m.F(e, []*G.Node{x.Node}, p))
	require.NoError(t, e.Err())
	var ops []string
	for _, n := range b.Graph().AllNodes() {
		if n.Op() != nil {
			ops = append(ops, n.Op().String())
		}
	}
	return ops
}

// TestExprIntegerPowersMultiply: a constant integer (or ±½) exponent is
// built from multiplications, squares, a reciprocal or sqrt, never from a
// general power; other exponents use one.
func TestExprIntegerPowersMultiply(t *testing.T) {
	isPow := func(op string) bool { return strings.HasPrefix(op, "^") }
	for _, src := range []string{"a*x**2", "a*x**3", "a*x^-2", "a*x**(4/2)", "pow(x, 13)*a", "(x - a)**-5", "a*x**0.5", "a*x**-0.5", "x**0*a"} {
		ops := exprOps(t, src)
		assert.False(t, slices.ContainsFunc(ops, isPow), "%s: %v", src, ops)
	}
	for _, src := range []string{"a*x**1.5", "x**a", "2**a", "a*x**2000"} {
		ops := exprOps(t, src)
		assert.True(t, slices.ContainsFunc(ops, isPow), "%s: %v", src, ops)
	}
}

// TestExprJacobianGraph: in a Jacobian graph (parameters tiled per row, as
// Levenberg–Marquardt builds it) a formula gives the same values, and the
// per-row derivatives match finite differences of the float evaluator.
func TestExprJacobianGraph(t *testing.T) {
	x := []float64{-1.5, -0.3, 0.4, 2}
	for _, src := range []string{"a*exp(-b*x)", "a", "a + b**2", "(x - a)**3*b", "b*x**0 + a*abs(x)", "a/(1 + exp(b - x))**0.5"} {
		t.Run(src, func(t *testing.T) {
			tree, err := exprParse(src, nil)
			require.NoError(t, err)
			m, err := Expr(src)
			require.NoError(t, err)
			pv := []float64{0.7, 1.3}[:len(m.Params)]
			ps := graph.NewParams()
			decl := make([]*graph.Param, len(pv))
			for i, v := range pv {
				decl[i], err = ps.Declare(m.Params[i], []int{1}, graph.Constant(v), 0, 0)
				require.NoError(t, err)
			}
			ps.Init(1)
			b := graph.NewBuilder(ps, len(x))
			engine.JacobianMode(b, nil)
			in := engine.Input(b, "x", len(x), 1)
			copy(in.Data, x)
			pn := make([]*G.Node, len(decl))
			for i, q := range decl {
				pn[i] = b.Param(q)
			}
			e := graph.NewExpr()
			y := m.F(e, []*G.Node{in.Node}, pn)
			require.NoError(t, e.Err())
			require.Equal(t, []int{len(x), 1}, []int(y.Shape()))
			cost, err := G.Sum(y)
			require.NoError(t, err)
			var ts G.Nodes
			for _, tl := range engine.Tiles(b) {
				ts = append(ts, tl.T)
			}
			require.Len(t, ts, len(pv))
			gs, err := G.Grad(cost, ts...)
			require.NoError(t, err)
			out := engine.Output(b, y)
			var gouts []*graphrt.Output
			for _, g := range gs {
				gouts = append(gouts, engine.Output(b, g))
			}
			mach, err := engine.Compile(b)
			require.NoError(t, err)
			defer mach.Close()
			require.NoError(t, mach.Run())
			for r, xr := range x {
				exprClose(t, tree.root.eval([]float64{xr}, pv), out.Data()[r], 1e-12)
				for i := range pv {
					h := 1e-6
					hi, lo := append([]float64(nil), pv...), append([]float64(nil), pv...)
					hi[i] += h
					lo[i] -= h
					fd := (tree.root.eval([]float64{xr}, hi) - tree.root.eval([]float64{xr}, lo)) / (2 * h)
					exprClose(t, fd, gouts[i].Data()[r], 1e-6, "row %d ∂/∂%s", r, m.Params[i])
				}
			}
		})
	}
}
