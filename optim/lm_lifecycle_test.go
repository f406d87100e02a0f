package optim

import (
	"context"
	"math"
	"math/rand/v2"
	"reflect"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"gonum.org/v1/gonum/mat"
)

// batchProblem is a linear least-squares objective r = A_b·θ - y_b over the
// rows of the current batch b of a fixed data set: a mini-batch objective
// whose Rows change from step to step.
type batchProblem struct {
	theta  []float64
	A      *mat.Dense // all samples × P
	y      []float64
	lo, hi int // current batch
}

func newBatchProblem(n, P int, seed uint64) *batchProblem {
	rng := rand.New(rand.NewPCG(seed, 1))
	A := mat.NewDense(n, P, nil)
	y := make([]float64, n)
	for i := 0; i < n; i++ {
		for j := 0; j < P; j++ {
			A.Set(i, j, rng.NormFloat64())
		}
		y[i] = rng.NormFloat64() * 3
	}
	return &batchProblem{theta: make([]float64, P), A: A, y: y, hi: n}
}

func (p *batchProblem) batchJ() *mat.Dense {
	return mat.DenseCopyOf(p.A.Slice(p.lo, p.hi, 0, len(p.theta)))
}

func (p *batchProblem) residuals(r []float64) {
	J := p.batchJ()
	v := mat.NewVecDense(len(r), r)
	v.MulVec(J, mat.NewVecDense(len(p.theta), p.theta))
	for q := range r {
		r[q] -= p.y[p.lo+q]
	}
}

func (p *batchProblem) Params() []float64 { return p.theta }
func (p *batchProblem) Rows() int         { return p.hi - p.lo }
func (p *batchProblem) Loss() (float64, error) {
	return p.SumSquares(context.Background())
}
func (p *batchProblem) Gradient([]float64) (float64, error) { panic("not used") }
func (p *batchProblem) SumSquares(context.Context) (float64, error) {
	r := make([]float64, p.Rows())
	p.residuals(r)
	var s float64
	for _, v := range r {
		s += v * v
	}
	return s, nil
}
func (p *batchProblem) NormalEquations(_ context.Context, jtj *mat.SymDense, jtr []float64) (float64, error) {
	J := p.batchJ()
	r := make([]float64, p.Rows())
	p.residuals(r)
	jtj.SymOuterK(1, J.T())
	v := mat.NewVecDense(len(jtr), jtr)
	v.MulVec(J.T(), mat.NewVecDense(len(r), r))
	return 0, nil
}
func (p *batchProblem) Jacobian(_ context.Context, dst *mat.Dense, r []float64) error {
	dst.Copy(p.batchJ())
	p.residuals(r)
	return nil
}
func (p *batchProblem) Residuals(_ context.Context, r []float64) error {
	p.residuals(r)
	return nil
}

// ownStep is the damped Gauss–Newton step of the current batch from its
// own J, δ = -(JᵀJ + μI)⁻¹Jᵀr, computed independently as the least-squares
// solution of [J; √μ·I]·δ ≈ [-r; 0] (accurate however small μ is).
func ownStep(t *testing.T, p *batchProblem, mu float64) []float64 {
	J := p.batchJ()
	rows := p.Rows()
	r := make([]float64, rows)
	p.residuals(r)
	P := len(p.theta)
	aug := mat.NewDense(rows+P, P, nil)
	aug.Slice(0, rows, 0, P).(*mat.Dense).Copy(J)
	rhs := mat.NewVecDense(rows+P, nil)
	for q := 0; q < rows; q++ {
		rhs.SetVec(q, -r[q])
	}
	for i := 0; i < P; i++ {
		aug.Set(rows+i, i, math.Sqrt(mu))
	}
	var d mat.VecDense
	require.NoError(t, d.SolveVec(aug, rhs))
	return append([]float64(nil), d.RawVector().Data...)
}

// checkSteps steps opt over batches of size batch of p, epochs times, and
// requires each accepted step to be the one from that batch's own J.
func checkSteps(t *testing.T, opt *LMOptimizer, p *batchProblem, batch, epochs int) {
	t.Helper()
	n, _ := p.A.Dims()
	accepted := 0
	for e := 0; e < epochs; e++ {
		for lo := 0; lo < n; lo += batch {
			p.lo, p.hi = lo, min(lo+batch, n)
			mu := opt.Mu()
			want := ownStep(t, p, mu)
			before := append([]float64(nil), p.theta...)
			info, err := opt.Step(context.Background(), p)
			require.NoError(t, err)
			if !info.Accepted || info.Tries != 1 {
				continue
			}
			accepted++
			for i := range want {
				assert.InDelta(t, want[i], p.theta[i]-before[i], 1e-8*(1+math.Abs(want[i]))+1e-12*math.Abs(before[i]), "batch [%d, %d) rows %d, parameter %d", p.lo, p.hi, p.Rows(), i)
			}
		}
	}
	assert.Greater(t, accepted, 0, "steps are accepted on their first try")
}

// TestLMMiniBatchUsesEachBatchsOwnJ: 200 samples in batches of 64 (the
// last has 8 rows, fewer than P = 31, so it takes the underdetermined
// path): every step is the one computed from its own batch's J. The old
// code kept the partial batch's 8-row J and solved later batches with it.
func TestLMMiniBatchUsesEachBatchsOwnJ(t *testing.T) {
	for _, solver := range []Solver{SolverCholesky, SolverQR} {
		p := newBatchProblem(200, 31, 1)
		checkSteps(t, LM(LMConfig{Solver: solver}), p, 64, 3)
	}
}

// TestLMRunOnFewThenManySamples: a 10-sample run followed by a 400-sample
// run on the same optimizer and θ: the second run's steps come from its
// own J (not the first run's 10-row one), and after Init it is
// bit-identical to a fresh optimizer's.
func TestLMRunOnFewThenManySamples(t *testing.T) {
	small, big := newBatchProblem(10, 31, 2), newBatchProblem(400, 31, 3)
	shared := LM(LMConfig{})
	big.theta = small.theta // one θ for both runs, as one model
	checkSteps(t, shared, small, 10, 3)
	start := append([]float64(nil), big.theta...)
	checkSteps(t, shared, big, 400, 3) // no Init: lazy binding keeps working

	// With Init the second run forgets the first entirely.
	run := func(opt *LMOptimizer, p *batchProblem) ([]StepInfo, []float64) {
		require.NoError(t, opt.Init(Problem{Params: 31, Samples: p.Rows(), Rows: p.Rows(), BatchSize: p.Rows(), Batches: 1}))
		var infos []StepInfo
		for k := 0; k < 5; k++ {
			info, err := opt.Step(context.Background(), p)
			require.NoError(t, err)
			infos = append(infos, info)
		}
		return infos, append([]float64(nil), p.theta...)
	}
	copy(big.theta, start)
	gotInfo, gotTheta := run(shared, big)
	copy(big.theta, start)
	wantInfo, wantTheta := run(LM(LMConfig{}), big)
	assert.Equal(t, wantTheta, gotTheta)
	assert.True(t, reflect.DeepEqual(wantInfo, gotInfo), "steps after Init differ from a fresh optimizer's")
}

func TestLMInit(t *testing.T) {
	opt := LM(LMConfig{DampingWeights: []float64{1, 2}})
	assert.ErrorContains(t, opt.Init(Problem{Params: 3}), "2 damping weights for 3 parameters")
	assert.NoError(t, opt.Init(Problem{Params: 2}))

	// The memory budget names P and the bytes needed.
	err := LM(LMConfig{}).Init(Problem{Params: 20000, Rows: 100000})
	assert.ErrorIs(t, err, ErrMemoryBudget)
	assert.ErrorContains(t, err, "P = 20000 parameters")
	assert.ErrorContains(t, err, "12800000000 bytes")
	assert.NoError(t, LM(LMConfig{MemoryBudget: -1}).Config().checkMemory(20000, 100000), "negative: no limit")
	// QR needs the full J: 1000 parameters fit, but not with 10⁶ rows.
	assert.NoError(t, LM(LMConfig{Solver: SolverQR}).Init(Problem{Params: 1000, Rows: 1000}))
	assert.ErrorIs(t, LM(LMConfig{Solver: SolverQR}).Init(Problem{Params: 1000, Rows: 1_000_000}), ErrMemoryBudget)
	assert.Equal(t, DefaultLMMemoryBudget, LM(LMConfig{}).Config().MemoryBudget)

	// Continue keeps μ; a fresh Init resets it.
	p := rosenbrock()
	opt = LM(LMConfig{})
	require.NoError(t, opt.Init(Problem{Params: 2, Rows: 2}))
	for k := 0; k < 3; k++ {
		_, err := opt.Step(context.Background(), p)
		require.NoError(t, err)
	}
	mu := opt.Mu()
	require.NotEqual(t, 0.001, mu)
	require.NoError(t, opt.Init(Problem{Params: 2, Rows: 2, Continue: true}))
	assert.Equal(t, mu, opt.Mu())
	assert.ErrorContains(t, opt.Init(Problem{Params: 3, Continue: true}), "state is for 2 parameters")
	require.NoError(t, opt.Init(Problem{Params: 2, Rows: 2}))
	assert.Equal(t, 0.001, opt.Mu())
	// After Init LM binds to the θ of its next step, even another one.
	_, err = opt.Step(context.Background(), rosenbrock())
	assert.NoError(t, err)
	_, err = opt.Step(context.Background(), rosenbrock())
	assert.ErrorIs(t, err, ErrForeignParams)
	require.NoError(t, opt.Init(Problem{Params: 5}))
	_, err = opt.Step(context.Background(), rosenbrock())
	assert.ErrorContains(t, err, "initialized for 5 parameters, the objective has 2")
}

// TestLMValidateRejectsNonFinite: NaN and ±Inf in every float field.
func TestLMValidateRejectsNonFinite(t *testing.T) {
	fields := map[string]func(c *LMConfig, v float64){
		"Mu": func(c *LMConfig, v float64) { c.Mu = v }, "MuDec": func(c *LMConfig, v float64) { c.MuDec = v },
		"MuInc": func(c *LMConfig, v float64) { c.MuInc = v }, "MuMax": func(c *LMConfig, v float64) { c.MuMax = v },
		"MinGrad": func(c *LMConfig, v float64) { c.MinGrad = v }, "FTol": func(c *LMConfig, v float64) { c.FTol = v },
		"XTol": func(c *LMConfig, v float64) { c.XTol = v }, "GTol": func(c *LMConfig, v float64) { c.GTol = v },
		"MinScale": func(c *LMConfig, v float64) { c.MinScale = v }, "MaxScale": func(c *LMConfig, v float64) { c.MaxScale = v },
		"L2": func(c *LMConfig, v float64) { c.L2 = v }, "CondWarn": func(c *LMConfig, v float64) { c.CondWarn = v },
		"GeodesicAlpha": func(c *LMConfig, v float64) { c.GeodesicAlpha = v }, "GeodesicStep": func(c *LMConfig, v float64) { c.GeodesicStep = v },
	}
	for name, set := range fields {
		for _, v := range []float64{math.NaN(), math.Inf(1), math.Inf(-1)} {
			var c LMConfig
			set(&c, v)
			assert.ErrorContains(t, c.Validate(), "LM "+name+" = ", "%s = %v", name, v)
			assert.ErrorContains(t, LM(c).Validate(), name, "%s = %v after defaults", name, v)
		}
	}
	assert.NoError(t, LMConfig{}.Validate())
	assert.NoError(t, CurveFit().Validate())
}

// TestLMNaNConfigNeverHangs: a NaN μ or MuMax used without Validate is an
// error from the first Step (it used to retry 20 million times).
func TestLMNaNConfigNeverHangs(t *testing.T) {
	for _, c := range []LMConfig{{Mu: math.NaN()}, {MuMax: math.NaN()}} {
		p := rosenbrock()
		_, err := LM(c).Step(context.Background(), p)
		assert.ErrorContains(t, err, "must be finite")
		assert.Equal(t, []float64{-1.2, 1}, p.theta)
	}
	// And a μ that became NaN stops the retry loop at once.
	p := rosenbrock()
	p.lossHook = func(call int, s float64) float64 {
		if call > 1 {
			return math.Inf(1)
		}
		return s
	}
	opt := LM(LMConfig{})
	require.NoError(t, opt.Init(Problem{Params: 2}))
	opt.mu = math.NaN()
	info, err := opt.Step(context.Background(), p)
	require.NoError(t, err)
	assert.Equal(t, StopMuMax, info.Stop)
	assert.Equal(t, 1, info.Tries)
}

// TestLMMuFloor: neither update lets μ reach 0, where a rejected step
// could never raise it again.
func TestLMMuFloor(t *testing.T) {
	for _, u := range []Update{UpdateTrainlm, UpdateNielsen} {
		opt := LM(LMConfig{Update: u})
		require.NoError(t, opt.Init(Problem{Params: 1}))
		opt.delta[0], opt.b[0], opt.d[0] = 1, -1, 1
		for k := 0; k < 2000; k++ {
			opt.acceptMu(1, 1)
		}
		assert.GreaterOrEqual(t, opt.Mu(), lmMuMin, u.String())
		opt.mu = 0
		opt.rejectMu()
		assert.Greater(t, opt.Mu(), 0.0, u.String())
	}
}

// TestLMNonFiniteJacobian: a NaN in J is a warning and a stop, never a step.
func TestLMNonFiniteJacobian(t *testing.T) {
	for _, solver := range []Solver{SolverCholesky, SolverQR} {
		p := rosenbrock()
		jac := p.jac
		p.jac = func(t []float64, J *mat.Dense) {
			jac(t, J)
			J.Set(1, 0, math.Inf(-1))
		}
		info, err := LM(LMConfig{Solver: solver}).Step(context.Background(), p)
		require.NoError(t, err)
		assert.Equal(t, StopNotFinite, info.Stop)
		assert.False(t, info.Stop.Converged())
		assert.Contains(t, info.Warning, "not finite")
		assert.False(t, info.Accepted)
		assert.Equal(t, []float64{-1.2, 1}, p.theta)
	}
}

// TestLMConvergenceStops: Rosenbrock solved to machine precision ends in a
// converged stop; a problem where no trial can be accepted ends mu_max,
// which is not convergence.
func TestLMConvergenceStops(t *testing.T) {
	p := rosenbrock()
	_, last := runLM(t, LM(CurveFit()), p, 500)
	assert.True(t, last.Stop.Converged(), "stop %q", last.Stop)
	assert.InDeltaSlice(t, []float64{1, 1}, p.theta, 1e-12)

	// A linear problem with a nonzero residual: one Gauss–Newton step
	// solves it, and each test in turn recognizes the minimum.
	for _, c := range []struct {
		cfg  LMConfig
		want Stop
	}{
		{LMConfig{Mu: 1e-12, MinGrad: -1, FTol: 1e-10, XTol: -1, GTol: -1}, StopConvergedFtol},
		{LMConfig{Mu: 1e-12, MinGrad: -1, FTol: -1, XTol: 1e-10, GTol: -1}, StopConvergedXtol},
		{LMConfig{Mu: 1e-12, MinGrad: -1, FTol: -1, XTol: -1, GTol: 1e-10}, StopConvergedGtol},
	} {
		p, want := linearProblem()
		steps, last := runLM(t, LM(c.cfg), p, 50)
		assert.Equal(t, c.want, last.Stop)
		assert.LessOrEqual(t, steps, 3, "%v", c.want)
		assert.InDeltaSlice(t, want, p.theta, 1e-9, "%v", c.want)
	}

	stuck := rosenbrock()
	stuck.lossHook = func(call int, s float64) float64 {
		if call > 1 {
			return s + 1e6 // every trial is worse
		}
		return s
	}
	info, err := LM(CurveFit()).Step(context.Background(), stuck)
	require.NoError(t, err)
	assert.Equal(t, StopMuMax, info.Stop)
	assert.False(t, info.Stop.Converged())

	assert.True(t, StopMinGrad.Converged())
	assert.False(t, Stop("epochs").Converged())
}

// TestLMCancelDuringSolve: a context cancelled once the system is formed
// ends the step with its error and θ as it was; the solver itself checks
// the context.
func TestLMCancelDuringSolve(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	p := rosenbrock()
	p.lossHook = func(_ int, s float64) float64 { cancel(); return s }
	_, err := LM(LMConfig{}).Step(ctx, p)
	assert.ErrorIs(t, err, context.Canceled)
	assert.Equal(t, []float64{-1.2, 1}, p.theta)

	sys := newLMSystem(2)
	sys.jtj.SetSym(0, 0, 1)
	sys.jtj.SetSym(1, 1, 1)
	_, ok, err := sys.solve(ctx, SolverCholesky, []float64{1, 1}, []float64{1, 1}, nil, nil, make([]float64, 2))
	assert.ErrorIs(t, err, context.Canceled)
	assert.False(t, ok)
}
