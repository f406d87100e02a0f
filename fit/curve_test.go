package fit

import (
	"context"
	"errors"
	"math"
	"runtime"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"gonum.org/v1/gonum/mat"
	G "gorgonia.org/gorgonia"

	"github.com/golem-ml/golem/graph"
	"github.com/golem-ml/golem/internal/nist"
	"github.com/golem-ml/golem/optim"
)

func misra1a(t testing.TB) (*Model, *nist.Problem) {
	p, err := nist.Load(nistDir, "Misra1a")
	require.NoError(t, err)
	return nistModel(t, p), p
}

// TestCurveRejectsBadInput: every bad input is an error naming the
// problem, never a panic or a silent fit.
func TestCurveRejectsBadInput(t *testing.T) {
	m, p := misra1a(t)
	y := nistY(p)
	ok := Start(m, 500, 1e-4)
	nan := append([]float64(nil), y...)
	nan[3] = math.NaN()
	xnan := mat.DenseCopyOf(p.X)
	xnan.Set(5, 0, math.Inf(1))
	wide := mat.NewDense(len(y), 2, nil)
	for _, c := range []struct {
		name string
		m    *Model
		x    mat.Matrix
		y    []float64
		o    Options
		want string
	}{
		{"nil model", nil, p.X, y, Options{Params: ok}, "no function"},
		{"no params", &Model{F: m.F}, p.X, y, Options{Params: ok}, "no parameters"},
		{"duplicate name", &Model{F: m.F, Params: []string{"b1", "b1"}}, p.X, y, Options{Params: ok}, "names both"},
		{"input named like a parameter", &Model{F: m.F, Params: []string{"b1", "x"}}, p.X, y, Options{Params: ok}, "names both"},
		{"missing start", m, p.X, y, Options{Params: ok[:1]}, "no start value for parameter(s) [b2]"},
		{"unknown param", m, p.X, y, Options{Params: append(Start(m, 500, 1e-4), P("b3", 1))}, `"b3", which is not a parameter`},
		{"listed twice", m, p.X, y, Options{Params: append(Start(m, 500, 1e-4), P("b1", 1))}, "listed twice"},
		{"NaN start", m, p.X, y, Options{Params: Start(m, math.NaN(), 1e-4)}, "b1 starts at NaN"},
		{"start outside bounds", m, p.X, y, Options{Params: []Param{P("b1", 500).Between(0, 100), P("b2", 1e-4)}}, "outside its bounds"},
		{"inverted bounds", m, p.X, y, Options{Params: []Param{P("b1", 500).Between(600, 100), P("b2", 1e-4)}}, "lower must be below"},
		{"NaN bound", m, p.X, y, Options{Params: []Param{P("b1", 500).AtMost(math.NaN()), P("b2", 1e-4)}}, "NaN bound"},
		{"all fixed", m, p.X, y, Options{Params: []Param{P("b1", 500).Fix(), P("b2", 1e-4).Fix()}}, "every parameter is fixed"},
		{"NaN y", m, p.X, nan, Options{Params: ok}, "y row 3 is NaN"},
		{"Inf x", m, xnan, y, Options{Params: ok}, "x row 5, input x is +Inf"},
		{"short y", m, p.X, y[:3], Options{Params: ok}, "but y has 3 values"},
		{"wrong columns", m, wide, y, Options{Params: ok}, "x has 2 columns"},
		{"short sigma", m, p.X, y, Options{Params: ok, Sigma: []float64{1}}, "Sigma has 1 values"},
		{"zero sigma", m, p.X, y, Options{Params: ok, Sigma: make([]float64, len(y))}, "Sigma[0] = 0"},
		{"NaN FScale", m, p.X, y, Options{Params: ok, FScale: math.NaN()}, "FScale = NaN"},
		{"NaN Level", m, p.X, y, Options{Params: ok, Level: math.NaN()}, "Level = NaN"},
		{"Level 1", m, p.X, y, Options{Params: ok, Level: 1}, "Level = 1"},
		{"unknown loss", m, p.X, y, Options{Params: ok, Loss: Loss(9)}, "unknown loss"},
		{"negative iterations", m, p.X, y, Options{Params: ok, MaxIterations: -1}, "MaxIterations = -1"},
		{"NaN LM field", m, p.X, y, Options{Params: ok, LM: &optim0NaN}, "must be finite"},
		{"not finite at start", m, p.X, y, Options{Params: Start(m, 500, -1e3)}, "is -Inf at point 0 (x = [77.6])"},
	} {
		var res *Result
		var err error
		require.NotPanics(t, func() { res, err = Curve(context.Background(), c.m, c.x, c.y, c.o) }, c.name)
		require.Error(t, err, c.name)
		assert.Nil(t, res, c.name)
		assert.Contains(t, err.Error(), c.want, c.name)
	}
}

// TestCurveTwiceSameBits: a second fit, a fit after a rejected call and
// fits in two goroutines give the first fit's bits, whatever GOMAXPROCS is.
func TestCurveTwiceSameBits(t *testing.T) {
	m, p := misra1a(t)
	y := nistY(p)
	opts := Options{Params: Start(m, 500, 1e-4)}
	first, err := Curve(context.Background(), m, p.X, y, opts)
	require.NoError(t, err)
	_, err = Curve(context.Background(), m, p.X, y[:2], opts)
	require.Error(t, err)
	again, err := Curve(context.Background(), m, p.X, y, opts)
	require.NoError(t, err)
	assert.Equal(t, first.Values(), again.Values())
	assert.Equal(t, first.Report(), again.Report())

	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(1))
	var wg sync.WaitGroup
	results := make([]*Result, 4)
	for g := range results {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if g%2 == 1 {
				runtime.GOMAXPROCS(2)
			}
			results[g], _ = Curve(context.Background(), m, p.X, y, opts)
		}()
	}
	wg.Wait()
	grid := mat.NewDense(3, 1, []float64{0, 400, 900})
	want, err := first.Band(context.Background(), grid, 0, nil)
	require.NoError(t, err)
	for g, r := range results {
		require.NotNil(t, r, g)
		assert.Equal(t, first.Values(), r.Values(), g)
		assert.Equal(t, first.Cov.RawSymmetric().Data, r.Cov.RawSymmetric().Data, g)
		b, err := r.Band(context.Background(), grid, 0, nil)
		require.NoError(t, err)
		assert.Equal(t, want, b, g)
	}
}

// TestCurveCancel: a cancelled context stops the fit with its error.
func TestCurveCancel(t *testing.T) {
	m, p := misra1a(t)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := Curve(ctx, m, p.X, nistY(p), Options{Params: Start(m, 500, 1e-4)})
	require.Error(t, err)
	assert.True(t, errors.Is(err, context.Canceled), err)
}

// TestCurveIterationBudget: a fit cut short says it did not converge.
func TestCurveIterationBudget(t *testing.T) {
	m, p := misra1a(t)
	res, err := Curve(context.Background(), m, p.X, nistY(p), Options{Params: Start(m, 500, 1e-4), MaxIterations: 2})
	require.NoError(t, err)
	assert.Equal(t, StopIterations, res.Stop)
	assert.False(t, res.Converged)
	assert.Equal(t, 2, res.Iterations)
	require.NotEmpty(t, res.Warnings)
	assert.Contains(t, res.Warnings[0], "did not converge")
	assert.Contains(t, res.Report(), "NOT converged")
}

// TestFixedParameter: a fixed parameter keeps its value, has no error,
// does not count as estimated, and the other parameter's fit and error
// are those of the one-parameter model.
func TestFixedParameter(t *testing.T) {
	m, p := misra1a(t)
	y := nistY(p)
	res, err := Curve(context.Background(), m, p.X, y, Options{Params: []Param{P("b1", 240).Fix(), P("b2", 1e-4)}})
	require.NoError(t, err)
	assert.Equal(t, 240.0, res.Value("b1"))
	assert.Equal(t, Fixed, res.Params[0].Status)
	assert.Equal(t, 0.0, res.Params[0].StdErr)
	assert.Equal(t, 1, res.Estimated)
	assert.Equal(t, len(y)-1, res.DoF)
	one := Func("240·(1−exp(−b2·x))", func(e *graph.Expr, x, q []*G.Node) *G.Node {
		return e.Mul(e.Const(240), e.Sub(e.Const(1), e.Exp(e.Neg(e.Mul(q[0], x[0])))))
	}, "b2")
	ref, err := Curve(context.Background(), one, p.X, y, Options{Params: Start(one, 1e-4)})
	require.NoError(t, err)
	assert.InDelta(t, ref.Value("b2"), res.Value("b2"), 1e-15)
	assert.InDelta(t, ref.Params[0].StdErr, res.Params[1].StdErr, 1e-12*ref.Params[0].StdErr)
	assert.Equal(t, 0.0, res.Cov.At(0, 0))
	assert.True(t, math.IsNaN(res.Corr.At(0, 1)))
	assert.Contains(t, res.Report(), "(fixed)")
}

// TestStartOnBound: a start exactly on a bound (where the change of
// variables is flat) still moves, and reaches the interior optimum.
func TestStartOnBound(t *testing.T) {
	m, p := misra1a(t)
	res, err := Curve(context.Background(), m, p.X, nistY(p), Options{Params: []Param{P("b1", 0).AtLeast(0), P("b2", 1e-4).Between(1e-4, 1)}})
	require.NoError(t, err)
	assert.True(t, res.Converged, res.Stop)
	assert.InDelta(t, 2.3894212918e+02, res.Value("b1"), 1e-6)
	assert.Equal(t, Free, res.Params[0].Status)
	assert.Equal(t, Free, res.Params[1].Status)
}

// TestReport: the report names the statistics, errors, intervals and the
// correlation, and the certified digits of Misra1a's standard errors.
func TestReport(t *testing.T) {
	m, p := misra1a(t)
	res, err := Curve(context.Background(), m, p.X, nistY(p), Options{Params: Start(m, 500, 1e-4)})
	require.NoError(t, err)
	rep := res.Report()
	for _, want := range []string{"[[Model]]", "chi-square", "reduced chi-square", "R-squared", "Akaike", "Bayesian",
		"b1:  238.94212", "+/- 2.70701", "[[Confidence intervals (95%)]]", "C(b1, b2) = -0.99", "converged_ftol (converged)"} {
		assert.Contains(t, rep, want)
	}
	assert.False(t, strings.Contains(rep, "[[Warnings]]"), rep)
}

var optim0NaN = func() optim.LMConfig { c := DefaultLM(); c.Mu = math.NaN(); return c }()

// TestBrokenModels: a model that returns nil, the wrong shape, or panics
// is an error naming it, never a crash.
func TestBrokenModels(t *testing.T) {
	_, p := misra1a(t)
	y := nistY(p)
	for _, c := range []struct {
		name string
		f    func(e *graph.Expr, x, b []*G.Node) *G.Node
		want string
	}{
		{"nil", func(e *graph.Expr, x, b []*G.Node) *G.Node { return nil }, "returned no node"},
		{"scalar", func(e *graph.Expr, x, b []*G.Node) *G.Node { return e.Mul(b[0], b[1]) }, "want one value per point"},
		{"panics", func(e *graph.Expr, x, b []*G.Node) *G.Node { panic("boom") }, "boom"},
		{"bad op", func(e *graph.Expr, x, b []*G.Node) *G.Node { return e.Mul(x[0], e.Exp(nil)) }, "returned no node"},
	} {
		m := Func(c.name, c.f, "b1", "b2")
		var err error
		require.NotPanics(t, func() { _, err = Curve(context.Background(), m, p.X, y, Options{Params: Start(m, 1, 1)}) }, c.name)
		require.Error(t, err, c.name)
		assert.Contains(t, err.Error(), c.want, c.name)
	}
}

// TestNoDegreesOfFreedom: as many parameters as points fits exactly and
// says that no covariance exists, instead of reporting numbers.
func TestNoDegreesOfFreedom(t *testing.T) {
	line := Func("m*x + q", func(e *graph.Expr, x, p []*G.Node) *G.Node { return e.Add(e.Mul(p[0], x[0]), p[1]) }, "m", "q")
	res, err := Curve(context.Background(), line, column([]float64{1, 2}), []float64{3, 5}, Options{Params: Start(line, 0, 0)})
	require.NoError(t, err)
	assert.InDelta(t, 2, res.Value("m"), 1e-12)
	assert.InDelta(t, 1, res.Value("q"), 1e-12)
	assert.Equal(t, 0, res.DoF)
	assert.Nil(t, res.Cov)
	assert.True(t, math.IsNaN(res.Params[0].StdErr))
	require.NotEmpty(t, res.Warnings)
	assert.Contains(t, strings.Join(res.Warnings, "\n"), "no degrees of freedom")
	_, err = res.Band(context.Background(), column([]float64{3}), 0, nil)
	assert.Error(t, err)
}

// TestUnidentifiable: a parameter the data cannot determine (a product
// a·b) gives a rank warning and no covariance, not huge standard errors.
func TestUnidentifiable(t *testing.T) {
	m := Func("a*b*x", func(e *graph.Expr, x, p []*G.Node) *G.Node { return e.Mul(e.Mul(p[0], p[1]), x[0]) }, "a", "b")
	res, err := Curve(context.Background(), m, column([]float64{1, 2, 3, 4}), []float64{2.1, 3.9, 6.2, 7.9}, Options{Params: Start(m, 1, 1)})
	require.NoError(t, err)
	assert.InDelta(t, 1.99, res.Value("a")*res.Value("b"), 0.02)
	assert.Nil(t, res.Cov)
	assert.Contains(t, strings.Join(res.Warnings, "\n"), "rank 1 for 2")
}

// TestResultConcurrent: Band, Eval and Report on one Result from several
// goroutines give the serial answer.
func TestResultConcurrent(t *testing.T) {
	m, p := misra1a(t)
	res, err := Curve(context.Background(), m, p.X, nistY(p), Options{Params: Start(m, 250, 5e-4)})
	require.NoError(t, err)
	grid := column([]float64{100, 500, 900})
	want, err := res.Band(context.Background(), grid, 0, nil)
	require.NoError(t, err)
	var wg sync.WaitGroup
	for g := 0; g < 4; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			b, err := res.Band(context.Background(), grid, 0, nil)
			assert.NoError(t, err)
			assert.Equal(t, want, b)
			f, err := res.Eval(context.Background(), grid)
			assert.NoError(t, err)
			assert.Equal(t, want.Fit, f)
			_ = res.Report()
		}()
	}
	wg.Wait()
}
