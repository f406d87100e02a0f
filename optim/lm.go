package optim

import (
	"context"
	"errors"
	"fmt"
	"math"
)

// LMConfig configures Levenberg–Marquardt. Zero fields take the defaults,
// which are MATLAB trainlm's.
type LMConfig struct {
	Mu      float64 // initial damping μ; default 0.001
	MuDec   float64 // μ factor after an accepted step (trainlm update); default 0.1
	MuInc   float64 // μ factor after a rejected step (trainlm update); default 10
	MuMax   float64 // stop when μ exceeds it; default 1e10
	MinGrad float64 // stop when ‖∇loss‖ < MinGrad; default 1e-7; negative: never

	Scaling Scaling // damping matrix D; default ScaleIdentity
	// MinScale and MaxScale clamp D's entries under ScaleMarquardt;
	// defaults 1e-6 and 1e32 (Ceres's).
	MinScale, MaxScale float64
	// DampingWeights multiply D entry by entry (length P): a weight above 1
	// moves that parameter more cautiously. Default nil (all 1).
	DampingWeights []float64
	Update         Update  // μ update rule; default UpdateTrainlm
	L2             float64 // β: the objective becomes loss + β‖θ‖²; default 0

	Solver Solver // default SolverCholesky
	// CondWarn is the condition estimate above which StepInfo.Warning
	// reports an ill-conditioned system; default 1e12 (about four
	// significant digits of the step left in float64).
	CondWarn float64

	// Geodesic adds Transtrum–Sethna geodesic acceleration: one extra
	// residual evaluation estimates the second directional derivative,
	// and the step becomes v + a/2, kept only when 2‖a‖/‖v‖ ≤ GeodesicAlpha.
	// It needs the full J in memory. Default false.
	Geodesic bool
	// GeodesicAlpha bounds the acceleration; default 0.75.
	GeodesicAlpha float64
	// GeodesicStep is the finite-difference step h along v; default 0.1.
	GeodesicStep float64
}

func (c LMConfig) withDefaults() LMConfig {
	def := func(v *float64, d float64) {
		if *v == 0 {
			*v = d
		}
	}
	def(&c.Mu, 0.001)
	def(&c.MuDec, 0.1)
	def(&c.MuInc, 10)
	def(&c.MuMax, 1e10)
	def(&c.MinGrad, 1e-7)
	def(&c.MinScale, 1e-6)
	def(&c.MaxScale, 1e32)
	def(&c.CondWarn, 1e12)
	def(&c.GeodesicAlpha, 0.75)
	def(&c.GeodesicStep, 0.1)
	return c
}

// Validate reports a configuration that cannot work.
func (c LMConfig) Validate() error {
	switch {
	case c.Mu < 0 || c.MuMax < 0 || c.L2 < 0:
		return errors.New("optim: LM μ, MuMax and L2 must not be negative")
	case c.MuDec < 0 || c.MuDec >= 1:
		return fmt.Errorf("optim: LM MuDec = %v is outside (0, 1)", c.MuDec)
	case c.MuInc != 0 && c.MuInc <= 1:
		return fmt.Errorf("optim: LM MuInc = %v must exceed 1", c.MuInc)
	case c.MinScale < 0 || (c.MaxScale != 0 && c.MaxScale < c.MinScale):
		return fmt.Errorf("optim: LM scale clamp [%v, %v] is invalid", c.MinScale, c.MaxScale)
	case c.Scaling != ScaleIdentity && c.Scaling != ScaleMarquardt:
		return fmt.Errorf("optim: unknown LM scaling %v", c.Scaling)
	case c.Update != UpdateTrainlm && c.Update != UpdateNielsen:
		return fmt.Errorf("optim: unknown LM update %v", c.Update)
	case c.Solver != SolverCholesky && c.Solver != SolverQR:
		return fmt.Errorf("optim: unknown LM solver %v", c.Solver)
	case c.GeodesicAlpha < 0 || c.GeodesicStep < 0:
		return errors.New("optim: LM geodesic parameters must not be negative")
	}
	for i, w := range c.DampingWeights {
		if !(w > 0) || math.IsInf(w, 0) {
			return fmt.Errorf("optim: LM damping weight %d is %v; weights must be positive", i, w)
		}
	}
	return nil
}

// CurveFit is the LM preset for parametric curve fitting, with which golem
// solves all 19 NIST StRD nonlinear regression problems of lower and
// average difficulty from both starting points (LRE ≥ 7 on every parameter;
// see internal/nist): trainlm's identity damping with Transtrum's
// "delayed gratification" factors (μ×1/3 after an accepted step, μ×2 after
// a rejected one), which keeps the damping from collapsing on the long
// curved valleys of such models, and no gradient test, so a fit runs until
// no step can lower the loss (StopMuMax) — the answer to machine precision.
func CurveFit() LMConfig {
	return LMConfig{MuDec: 1.0 / 3, MuInc: 2, MinGrad: -1}
}

// LMOptimizer is Levenberg–Marquardt for objectives with a least-squares
// form (see LeastSquares). Each Step is one iteration of MATLAB's trainlm:
// it forms JᵀWJ and JᵀWr once, then solves
//
//	(JᵀWJ + μD)·δ = -JᵀWr
//
// for growing μ until θ+δ lowers the loss (keeping JᵀWJ across retries),
// and keeps θ bit-identical when no step is accepted. A failed
// factorization counts as a rejected step, so weights never become NaN.
// With L2 = β the objective is loss + β‖θ‖², folded in as JᵀWJ + βI and
// JᵀWr + βθ.
type LMOptimizer struct {
	cfg   LMConfig
	mu    float64
	nu    float64 // Nielsen's growth factor
	bound *float64
	sys   *lmSystem
	d     []float64
	e     []float64
	b     []float64
	lin   []float64
	delta []float64
	theta []float64
	vel   []float64
	acc   []float64
	steps int
}

// LM returns a Levenberg–Marquardt optimizer with cfg's zero fields
// defaulted.
func LM(cfg LMConfig) *LMOptimizer {
	cfg = cfg.withDefaults()
	return &LMOptimizer{cfg: cfg, mu: cfg.Mu, nu: 2}
}

// Config returns the configuration in use, defaults filled in.
func (o *LMOptimizer) Config() LMConfig { return o.cfg }

// Validate checks the configuration.
func (o *LMOptimizer) Validate() error { return o.cfg.Validate() }

// Mu is the current damping.
func (o *LMOptimizer) Mu() float64 { return o.mu }

// FullBatch reports that LM trains on all samples per step unless the
// caller asks for mini-batches.
func (o *LMOptimizer) FullBatch() bool { return true }

// NeedsLeastSquares reports that LM works only with objectives that offer
// LeastSquares; models check it at Compile.
func (o *LMOptimizer) NeedsLeastSquares() bool { return true }

// ErrNotLeastSquares is returned when LM is given an objective without a
// least-squares form.
var ErrNotLeastSquares = errors.New("optim: Levenberg–Marquardt needs a loss with a residual (least-squares) form")

// Step performs one Levenberg–Marquardt iteration.
func (o *LMOptimizer) Step(ctx context.Context, obj Objective) (StepInfo, error) {
	ls, ok := obj.(LeastSquares)
	if !ok {
		return StepInfo{}, ErrNotLeastSquares
	}
	if err := ctx.Err(); err != nil {
		return StepInfo{}, err
	}
	theta := ls.Params()
	P := len(theta)
	if P == 0 {
		return StepInfo{}, errors.New("optim: the objective has no parameters")
	}
	if o.bound == nil {
		o.bound = &theta[0]
		o.sys = newLMSystem(P)
		o.d, o.e, o.b, o.lin = make([]float64, P), make([]float64, P), make([]float64, P), make([]float64, P)
		o.delta, o.theta = make([]float64, P), make([]float64, P)
	} else if o.bound != &theta[0] || o.sys.p != P {
		return StepInfo{}, ErrForeignParams
	}
	if o.cfg.DampingWeights != nil && len(o.cfg.DampingWeights) != P {
		return StepInfo{}, fmt.Errorf("optim: LM has %d damping weights for %d parameters", len(o.cfg.DampingWeights), P)
	}
	c, s := o.cfg, o.sys
	o.steps++

	// Linearize once.
	loss, err := ls.NormalEquations(ctx, s.jtj, s.jtr)
	if err != nil {
		return StepInfo{}, err
	}
	rows := ls.Rows()
	fullJ := c.Solver == SolverQR || c.Geodesic || rows < P
	if fullJ {
		s.needJ(rows)
		if err := ls.Jacobian(ctx, s.J, s.r); err != nil {
			return StepInfo{}, err
		}
	}
	objective := loss
	var sq float64
	for i := range theta {
		o.lin[i] = c.L2 * theta[i]
		o.b[i] = s.jtr[i] + o.lin[i]
		objective += c.L2 * theta[i] * theta[i]
		sq += o.b[i] * o.b[i]
	}
	info := StepInfo{Loss: loss, NewLoss: loss, GradNorm: 2 * math.Sqrt(sq), Mu: o.mu}
	if math.IsNaN(objective) || math.IsInf(objective, 0) || math.IsNaN(info.GradNorm) || math.IsInf(info.GradNorm, 0) {
		return info, fmt.Errorf("%w: LM: loss %v, gradient norm %v at the current weights", ErrNotFinite, loss, info.GradNorm)
	}
	if info.GradNorm < c.MinGrad {
		info.Stop = StopMinGrad
		return info, nil
	}
	diag := make([]float64, P)
	for i := range diag {
		diag[i] = s.jtj.At(i, i)
	}
	c.dampingDiagonal(diag, o.d)
	if c.Update == UpdateNielsen && o.steps == 1 {
		// Nielsen's start: μ₀ = τ·max(diag(JᵀWJ)/D), with τ = Mu.
		var m float64
		for i := range diag {
			m = math.Max(m, diag[i]/o.d[i])
		}
		if m > 0 {
			o.mu = c.Mu * m
		}
	}
	copy(o.theta, theta)
	var lin, res []float64
	if c.L2 > 0 {
		lin = o.lin
	}
	if fullJ {
		res = s.r
	}
	for {
		if err := ctx.Err(); err != nil {
			copy(theta, o.theta)
			return info, err
		}
		info.Tries++
		for i := range o.e {
			o.e[i] = o.mu*o.d[i] + c.L2
		}
		cond, solved := s.solve(c.Solver, o.e, o.b, res, lin, o.delta)
		info.Cond = cond
		accepted := false
		var newObjective float64
		if solved && c.Geodesic {
			solved, err = o.accelerate(ctx, ls)
			if err != nil {
				copy(theta, o.theta)
				return info, err
			}
		}
		if solved {
			for i := range theta {
				theta[i] = o.theta[i] + o.delta[i]
			}
			newLoss, err := ls.Loss()
			if err != nil {
				copy(theta, o.theta)
				return info, err
			}
			newObjective = newLoss
			for _, v := range theta {
				newObjective += c.L2 * v * v
			}
			if !math.IsNaN(newObjective) && !math.IsInf(newObjective, 0) && newObjective < objective {
				accepted = true
				info.NewLoss = newLoss
			}
		}
		if accepted {
			o.acceptMu(objective - newObjective)
			info.Accepted, info.Mu = true, o.mu
			info.Cond = s.cond(info.Cond)
			if info.Cond > c.CondWarn {
				info.Warning = fmt.Sprintf("ill-conditioned system: condition estimate %.3g exceeds %.3g", info.Cond, c.CondWarn)
			}
			return info, nil
		}
		copy(theta, o.theta) // bit-identical to before the trial
		o.rejectMu()
		info.Mu = o.mu
		if o.mu > c.MuMax {
			info.Stop = StopMuMax
			return info, nil
		}
	}
}

// acceptMu updates μ after an accepted step that lowered the objective by
// actual.
func (o *LMOptimizer) acceptMu(actual float64) {
	switch o.cfg.Update {
	case UpdateNielsen:
		// Predicted reduction of the quadratic model: -δᵀb + μ·δᵀDδ
		// (for loss = ‖r‖², with (JᵀWJ + μD + βI)δ = -b).
		var pred float64
		for i, di := range o.delta {
			pred += -di*o.b[i] + (o.mu*o.d[i])*di*di
		}
		rho := 1.0
		if pred > 0 {
			rho = actual / pred
		}
		o.mu *= math.Max(1.0/3, 1-math.Pow(2*rho-1, 3))
		o.nu = 2
	default:
		o.mu = math.Max(o.mu*o.cfg.MuDec, 1e-20)
	}
}

// rejectMu raises μ after a rejected or failed step.
func (o *LMOptimizer) rejectMu() {
	switch o.cfg.Update {
	case UpdateNielsen:
		o.mu *= o.nu
		o.nu *= 2
	default:
		o.mu *= o.cfg.MuInc
	}
}

// accelerate adds geodesic acceleration to the velocity v = o.delta:
// r_vv ≈ (2/h)·((r(θ+hv) - r(θ))/h - J·v), a solves the damped system with
// b = Jᵀ·r_vv, and the step becomes v + a/2 when 2‖a‖/‖v‖ ≤ α. It reports
// false (a rejected step) when the acceleration is too large.
func (o *LMOptimizer) accelerate(ctx context.Context, ls LeastSquares) (bool, error) {
	s, c := o.sys, o.cfg
	theta := ls.Params()
	rows := len(s.r)
	if len(o.vel) != rows {
		o.vel = make([]float64, rows)
		o.acc = make([]float64, o.sys.p)
	}
	h := c.GeodesicStep
	for i := range theta {
		theta[i] = o.theta[i] + h*o.delta[i]
	}
	err := ls.Residuals(ctx, o.vel)
	copy(theta, o.theta)
	if err != nil {
		return false, err
	}
	// r_vv into o.vel, then b_a = Jᵀ·r_vv.
	for q := 0; q < rows; q++ {
		jv := 0.0
		row := s.J.RawRowView(q)
		for i, v := range o.delta {
			jv += row[i] * v
		}
		o.vel[q] = 2 / h * ((o.vel[q]-s.r[q])/h - jv)
	}
	ba := make([]float64, s.p)
	for q := 0; q < rows; q++ {
		row := s.J.RawRowView(q)
		for i := range ba {
			ba[i] += row[i] * o.vel[q]
		}
	}
	if _, ok := s.solve(c.Solver, o.e, ba, o.vel, nil, o.acc); !ok {
		return false, nil
	}
	var na, nv float64
	for i := range o.acc {
		na += o.acc[i] * o.acc[i]
		nv += o.delta[i] * o.delta[i]
	}
	if nv == 0 || 2*math.Sqrt(na/nv) > c.GeodesicAlpha {
		return false, nil
	}
	for i := range o.delta {
		o.delta[i] += o.acc[i] / 2
	}
	return true, nil
}

// DefaultEpochs is trainlm's default number of iterations, 1000.
func (o *LMOptimizer) DefaultEpochs() int { return 1000 }
