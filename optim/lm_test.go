package optim

import (
	"context"
	"fmt"
	"math"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"gonum.org/v1/gonum/mat"
)

// residualProblem is a LeastSquares objective from closures: residuals r(θ)
// and their Jacobian, with weight w on every residual.
type residualProblem struct {
	theta    []float64
	rows     int
	w        float64
	res      func(theta, r []float64)
	jac      func(theta []float64, J *mat.Dense)
	lossHook func(call int, loss float64) float64 // optional: distort SumSquares' call-th result (from 1)
	sums     int                                  // SumSquares calls
}

func (p *residualProblem) Params() []float64 { return p.theta }
func (p *residualProblem) Rows() int         { return p.rows }

func (p *residualProblem) weight() float64 {
	if p.w == 0 {
		return 1
	}
	return p.w
}

func (p *residualProblem) Loss() (float64, error) {
	r := make([]float64, p.rows)
	p.res(p.theta, r)
	var s float64
	for _, v := range r {
		s += p.weight() * v * v
	}
	return s, nil
}

func (p *residualProblem) SumSquares(context.Context) (float64, error) {
	s, _ := p.Loss()
	p.sums++
	if p.lossHook != nil {
		s = p.lossHook(p.sums, s)
	}
	return s, nil
}

func (p *residualProblem) Gradient(g []float64) (float64, error) {
	jtj := mat.NewSymDense(len(p.theta), nil)
	loss, err := p.NormalEquations(context.Background(), jtj, g)
	for i := range g {
		g[i] *= 2
	}
	return loss, err
}

func (p *residualProblem) NormalEquations(_ context.Context, jtj *mat.SymDense, jtr []float64) (float64, error) {
	J := mat.NewDense(p.rows, len(p.theta), nil)
	r := make([]float64, p.rows)
	p.res(p.theta, r)
	p.jac(p.theta, J)
	var full mat.Dense
	full.Mul(J.T(), J)
	for i := range jtr {
		jtr[i] = 0
		for q := 0; q < p.rows; q++ {
			jtr[i] += p.weight() * J.At(q, i) * r[q]
		}
		for j := i; j < len(p.theta); j++ {
			jtj.SetSym(i, j, p.weight()*full.At(i, j))
		}
	}
	var loss float64
	for _, v := range r {
		loss += p.weight() * v * v
	}
	return loss, nil
}

func (p *residualProblem) Jacobian(_ context.Context, dst *mat.Dense, r []float64) error {
	p.jac(p.theta, dst)
	p.res(p.theta, r)
	sw := math.Sqrt(p.weight())
	dst.Scale(sw, dst)
	for i := range r {
		r[i] *= sw
	}
	return nil
}

func (p *residualProblem) Residuals(_ context.Context, r []float64) error {
	p.res(p.theta, r)
	for i := range r {
		r[i] *= math.Sqrt(p.weight())
	}
	return nil
}

// linearProblem: r = A·θ - y for a fixed 6×3 A.
func linearProblem() (*residualProblem, []float64) {
	A := mat.NewDense(6, 3, []float64{1, 2, 0, 0, 1, 1, 3, 0, 1, 1, 1, 1, 2, -1, 0, 0, 0, 4})
	y := []float64{1, -2, 0.5, 3, 2, -1}
	p := &residualProblem{theta: []float64{0, 0, 0}, rows: 6,
		res: func(theta, r []float64) {
			for q := 0; q < 6; q++ {
				r[q] = -y[q]
				for i := 0; i < 3; i++ {
					r[q] += A.At(q, i) * theta[i]
				}
			}
		},
		jac: func(_ []float64, J *mat.Dense) { J.Copy(A) }}
	var want mat.VecDense
	if err := want.SolveVec(A, mat.NewVecDense(6, y)); err != nil {
		panic(err)
	}
	return p, want.RawVector().Data
}

// rosenbrock as residuals: r = (10(θ₂ - θ₁²), 1 - θ₁), minimum at (1, 1).
func rosenbrock() *residualProblem {
	return &residualProblem{theta: []float64{-1.2, 1}, rows: 2,
		res: func(t, r []float64) { r[0], r[1] = 10*(t[1]-t[0]*t[0]), 1-t[0] },
		jac: func(t []float64, J *mat.Dense) {
			J.Set(0, 0, -20*t[0])
			J.Set(0, 1, 10)
			J.Set(1, 0, -1)
			J.Set(1, 1, 0)
		}}
}

// runLM steps until a stop; last is the final step's info with Cond the
// largest condition estimate seen.
func runLM(t *testing.T, opt *LMOptimizer, p *residualProblem, maxSteps int) (steps int, last StepInfo) {
	t.Helper()
	var cond float64
	for steps = 1; steps <= maxSteps; steps++ {
		info, err := opt.Step(context.Background(), p)
		require.NoError(t, err)
		for _, v := range p.theta {
			require.False(t, math.IsNaN(v) || math.IsInf(v, 0), "θ became %v", p.theta)
		}
		cond = math.Max(cond, info.Cond)
		last = info
		last.Cond = cond
		if info.Stop != "" {
			return steps, last
		}
	}
	return steps, last
}

func TestLMGaussNewtonStepSolvesLinearProblemExactly(t *testing.T) {
	for _, solver := range []Solver{SolverCholesky, SolverQR} {
		p, want := linearProblem()
		info, err := LM(LMConfig{Mu: 1e-15, Solver: solver}).Step(context.Background(), p)
		require.NoError(t, err)
		assert.True(t, info.Accepted)
		assert.Equal(t, 1, info.Tries)
		assert.InDeltaSlice(t, want, p.theta, 1e-12, solver.String())
	}
}

func TestLMRejectedStepsLeaveThetaBitIdentical(t *testing.T) {
	p := rosenbrock()
	p.lossHook = func(call int, s float64) float64 { // every trial looks worse
		if call > 1 {
			return math.Inf(1)
		}
		return s
	}
	before := append([]float64(nil), p.theta...)
	info, err := LM(LMConfig{}).Step(context.Background(), p)
	require.NoError(t, err)
	assert.Equal(t, StopMuMax, info.Stop)
	assert.False(t, info.Accepted)
	assert.Equal(t, before, p.theta)
	// 0.001·10^k > 1e10 first at k = 14.
	assert.Equal(t, 14, info.Tries)
	assert.Greater(t, info.Mu, 1e10)
}

func TestLMSingularNormalEquations(t *testing.T) {
	// r = (θ₁ + θ₂)·x - y: the two parameters are duplicates, JᵀJ is singular.
	xs := []float64{1, 2, 3, 4}
	p := &residualProblem{theta: []float64{0.3, -0.1}, rows: 4,
		res: func(t, r []float64) {
			for q, x := range xs {
				r[q] = (t[0]+t[1])*x - 2*x
			}
		},
		jac: func(_ []float64, J *mat.Dense) {
			for q, x := range xs {
				J.Set(q, 0, x)
				J.Set(q, 1, x)
			}
		}}
	_, last := runLM(t, LM(LMConfig{}), p, 50)
	assert.InDelta(t, 2, p.theta[0]+p.theta[1], 1e-8)
	loss, _ := p.Loss()
	assert.Less(t, loss, 1e-14)
	assert.Greater(t, last.Cond, 1e3, "the condition estimate sees the near-singular system")
}

func TestLMWeightsTwoGiveTheSameSolution(t *testing.T) {
	solve := func(w float64) []float64 {
		p := rosenbrock()
		p.w = w
		runLM(t, LM(LMConfig{MinGrad: 1e-12}), p, 200)
		return p.theta
	}
	assert.InDeltaSlice(t, solve(1), solve(2), 1e-9)
	assert.InDeltaSlice(t, []float64{1, 1}, solve(2), 1e-9)
}

func TestLMEveryStrategyAndSolverSolvesRosenbrock(t *testing.T) {
	for _, damping := range []Damping{DampingIdentity, DampingMarquardt, DampingMore} {
		for _, update := range []Update{UpdateTrainlm, UpdateNielsen, UpdateMore} {
			for _, solver := range []Solver{SolverCholesky, SolverQR} {
				for _, geodesic := range []bool{false, true} {
					name := fmt.Sprintf("%v/%v/%v/geodesic=%v", damping, update, solver, geodesic)
					t.Run(name, func(t *testing.T) {
						p := rosenbrock()
						steps, last := runLM(t, LM(LMConfig{Damping: damping, Update: update, Solver: solver, Geodesic: geodesic, MinGrad: 1e-12}), p, 500)
						assert.InDeltaSlice(t, []float64{1, 1}, p.theta, 1e-8, "after %d steps, stop %q", steps, last.Stop)
					})
				}
			}
		}
	}
}

func TestLMUnderdeterminedAndL2(t *testing.T) {
	// Two residuals, four parameters: the underdetermined form is used;
	// with L2 the solution is the minimum-norm-like ridge solution, which
	// the Cholesky and QR paths must agree on.
	A := mat.NewDense(2, 4, []float64{1, 2, 0, -1, 0, 1, 3, 1})
	y := []float64{1, 2}
	mk := func() *residualProblem {
		return &residualProblem{theta: []float64{0.1, 0.2, 0.3, 0.4}, rows: 2,
			res: func(t, r []float64) {
				for q := 0; q < 2; q++ {
					r[q] = -y[q]
					for i := 0; i < 4; i++ {
						r[q] += A.At(q, i) * t[i]
					}
				}
			},
			jac: func(_ []float64, J *mat.Dense) { J.Copy(A) }}
	}
	// The ridge solution: (AᵀA + βI)θ = Aᵀy.
	beta := 0.01
	var ata mat.Dense
	ata.Mul(A.T(), A)
	for i := 0; i < 4; i++ {
		ata.Set(i, i, ata.At(i, i)+beta)
	}
	var aty, want mat.VecDense
	aty.MulVec(A.T(), mat.NewVecDense(2, y))
	require.NoError(t, want.SolveVec(&ata, &aty))
	for _, solver := range []Solver{SolverCholesky, SolverQR} {
		p := mk()
		runLM(t, LM(LMConfig{L2: beta, Solver: solver, MinGrad: 1e-13, FTol: -1, XTol: -1, GTol: -1}), p, 100)
		assert.InDeltaSlice(t, want.RawVector().Data, p.theta, 1e-7, solver.String())
	}
}

// TestLMSolversAgree: one damped step from the same point is the same
// through Cholesky, QR and the underdetermined (Woodbury) form.
func TestLMSolversAgree(t *testing.T) {
	J := mat.NewDense(3, 5, []float64{1, 2, 0, -1, 0.5, 0, 1, 3, 1, -2, 2, 0, 1, 0, 1})
	r := []float64{0.3, -1, 2}
	e := []float64{0.5, 0.1, 2, 1, 0.7}
	lin := []float64{0.01, 0, -0.02, 0.03, 0}
	sys := newLMSystem(5)
	var full mat.Dense
	full.Mul(J.T(), J)
	for i := 0; i < 5; i++ {
		for j := i; j < 5; j++ {
			sys.jtj.SetSym(i, j, full.At(i, j))
		}
	}
	b := make([]float64, 5)
	for i := range b {
		for q := 0; q < 3; q++ {
			b[i] += J.At(q, i) * r[q]
		}
		b[i] += lin[i]
	}
	chol := make([]float64, 5)
	_, ok, err := sys.solveCholesky(context.Background(), e, b, chol)
	require.NoError(t, err)
	require.True(t, ok)
	sys.needJ(3)
	sys.hasJ = true
	sys.J.Copy(J)
	copy(sys.r, r)
	qr, under := make([]float64, 5), make([]float64, 5)
	_, ok = sys.solveQR(e, r, lin, qr)
	require.True(t, ok)
	_, ok, err = sys.solveUnderdetermined(context.Background(), e, r, lin, under)
	require.NoError(t, err)
	require.True(t, ok)
	assert.InDeltaSlice(t, chol, qr, 1e-12)
	assert.InDeltaSlice(t, chol, under, 1e-12)
}

func TestLMNeedsLeastSquares(t *testing.T) {
	_, err := LM(LMConfig{}).Step(context.Background(), newQuadratic())
	assert.ErrorIs(t, err, ErrNotLeastSquares)
	assert.ErrorContains(t, LM(LMConfig{MuDec: 2}).Validate(), "MuDec")
	assert.ErrorContains(t, LM(LMConfig{DampingWeights: []float64{1, 0}}).Validate(), "damping weight 1 is 0")
	assert.Equal(t, 0.001, LM(LMConfig{}).Config().Mu)
}

func TestLMMinGradStops(t *testing.T) {
	p, want := linearProblem()
	copy(p.theta, want)
	info, err := LM(LMConfig{}).Step(context.Background(), p)
	require.NoError(t, err)
	assert.Equal(t, StopMinGrad, info.Stop)
	assert.Equal(t, want, p.theta)
}

// TestLMDampingWeightsHoldAParameterBack: a large damping weight on one
// parameter keeps it nearly still while the others take their full step.
func TestLMDampingWeightsHoldAParameterBack(t *testing.T) {
	p, want := linearProblem()
	_, err := LM(LMConfig{Mu: 1e-6, DampingWeights: []float64{1, 1e12, 1}}).Step(context.Background(), p)
	require.NoError(t, err)
	assert.InDelta(t, 0, p.theta[1], 1e-4, "the heavily damped parameter barely moves")
	free, _ := linearProblem()
	_, err = LM(LMConfig{Mu: 1e-6}).Step(context.Background(), free)
	require.NoError(t, err)
	assert.InDeltaSlice(t, want, free.theta, 1e-5)
	assert.Greater(t, math.Abs(want[1]), 1e-2, "the undamped solution does move it")
}

// TestLMTrustRegionRunsAfresh: UpdateMore's radius and DampingMore's running
// maximum belong to a run: after Init a second run from the same θ gives
// the first run's bits, and a negative or NaN TrustFactor is refused.
func TestLMTrustRegionRunsAfresh(t *testing.T) {
	cfg := LMConfig{Damping: DampingMore, Update: UpdateMore, MinGrad: 1e-12}
	o := LM(cfg)
	run := func() ([]float64, []StepInfo) {
		p := rosenbrock()
		require.NoError(t, o.Init(Problem{Params: 2, Rows: 2}))
		var infos []StepInfo
		for k := 0; k < 200; k++ {
			info, err := o.Step(context.Background(), p)
			require.NoError(t, err)
			infos = append(infos, info)
			if info.Stop != "" {
				break
			}
		}
		return p.theta, infos
	}
	theta1, steps1 := run()
	theta2, steps2 := run()
	assert.Equal(t, theta1, theta2)
	assert.Equal(t, steps1, steps2)
	assert.InDeltaSlice(t, []float64{1, 1}, theta1, 1e-8)
	for _, tf := range []float64{-1, math.NaN()} {
		assert.Error(t, LMConfig{TrustFactor: tf}.Validate(), "TrustFactor %v", tf)
	}
}
