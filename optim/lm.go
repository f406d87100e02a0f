package optim

import (
	"context"
	"errors"
	"fmt"
	"math"
)

// LMConfig configures Levenberg–Marquardt. Zero fields take the defaults,
// which are MATLAB trainlm's plus MINPACK-style convergence tests.
type LMConfig struct {
	Mu      float64 // initial damping μ; default 0.001
	MuDec   float64 // μ factor after an accepted step (trainlm update); default 0.1
	MuInc   float64 // μ factor after a rejected step (trainlm update); default 10
	MuMax   float64 // stop (StopMuMax: stuck) when μ exceeds it; default 1e10
	MinGrad float64 // stop when ‖∇loss‖ < MinGrad; default 1e-7; negative: never

	// FTol stops with StopConvergedFtol after an accepted step whose actual
	// and predicted relative reductions of the objective are both at most
	// FTol (MINPACK's ftol), or when μ runs past MuMax and either the
	// first trial of the iteration predicted at most that (or less than
	// rounding can resolve) or the run has brought the objective to 2⁻⁵²
	// of where it started (an exact fit, residuals at rounding level).
	// Default 1e-12; negative: never.
	FTol float64
	// XTol stops with StopConvergedXtol after an accepted step δ with
	// |δᵢ| ≤ XTol·(|θᵢ| + XTol) for every i (GSL's form of MINPACK's
	// xtol), or when μ runs past MuMax and the iteration's first trial step
	// was that small. Default 1e-12; negative: never.
	XTol float64
	// GTol stops with StopConvergedGtol before stepping when
	// maxⱼ |gⱼ| / (√f·√(JᵀWJ + βI)ⱼⱼ) ≤ GTol, with g = JᵀWr + βθ and f the
	// objective: MINPACK's scaled gradient, the cosine between the
	// residuals and each column of J (f = 0 counts). Default 1e-12;
	// negative: never.
	GTol float64

	Damping Damping // the damping matrix D; default DampingIdentity (trainlm)
	// MinScale and MaxScale clamp D's entries under DampingMarquardt and
	// DampingMore;
	// defaults 1e-6 and 1e32 (Ceres's).
	MinScale, MaxScale float64
	// DampingWeights multiply D entry by entry (length P): a weight above 1
	// moves that parameter more cautiously. Default nil (all 1).
	DampingWeights []float64
	Update         Update // μ update rule; default UpdateTrainlm
	// TrustFactor sets UpdateMore's initial trust radius,
	// TrustFactor·‖θ₀‖_D (MINPACK's factor, whose default is 100); default
	// 0.3, unused by the other update rules.
	TrustFactor float64
	L2          float64 // β: the objective becomes loss + β‖θ‖²; default 0

	Solver Solver // default SolverCholesky
	// CondWarn is the condition estimate above which StepInfo.Warning
	// reports an ill-conditioned system; default 1e12 (about four
	// significant digits of the step left in float64).
	CondWarn float64

	// MemoryBudget bounds, in bytes, what LM's linear algebra needs: four
	// P×P matrices (JᵀWJ, its factor, and the objective's streamed
	// accumulation, which internal/jac does in two workers' P×P buffers),
	// plus the full J (Rows×P) and the QR or underdetermined workspace
	// where the solver or geodesic acceleration needs them. Init (or the
	// first Step) refuses a problem over it with an error naming P and the
	// bytes needed. Default 2 GiB (P up to about 8,000); negative: no limit.
	MemoryBudget int64

	// Geodesic adds Transtrum–Sethna geodesic acceleration: one extra
	// residual evaluation estimates the second directional derivative
	// r_vv along the LM step v, the acceleration a solves the damped
	// system for Jᵀr_vv, and once v itself passes the acceptance rule the
	// step v + a/2 is tried as well (when 2‖a‖/‖v‖ ≤ GeodesicAlpha in the
	// metric diag(JᵀWJ), and r_vv stands above its finite difference's
	// rounding); the better of the two is kept. Gating on v keeps the
	// acceleration from carrying a bad step (the paper's rule alone
	// rejected every μ on Kirby2 and Hahn1, and jumped MGH17 onto a
	// plateau). It costs one more residual pass and one more loss per
	// accepted trial, and needs the full J in memory. Default false.
	Geodesic bool
	// GeodesicAlpha bounds the acceleration; default 0.75.
	GeodesicAlpha float64
	// GeodesicStep is the finite-difference step h along v; default 0.1.
	GeodesicStep float64
}

// DefaultLMMemoryBudget is LMConfig.MemoryBudget's default, 2 GiB.
const DefaultLMMemoryBudget int64 = 2 << 30

// lmMuMin is the floor of μ under both update rules, so that μ never
// reaches 0 (where a rejected step could never raise it again).
const lmMuMin = 1e-20

// lmAcceptRel is the relative change of the objective that rounding
// cannot fake: SumSquares adds its terms with compensated summation (error
// about 2ε relative) and each term carries about 2ε of its own, so a
// smaller change can be rounding of the same value (only the residuals'
// own evaluation error is not covered).
const lmAcceptRel = 8 * 0x1p-52

// acceptable is LM's acceptance rule for a trial that takes the objective
// from f to fNew where the quadratic model predicted a reduction pred:
//
//   - a real decrease, fNew < f·(1 - 8ε); or
//   - a model-trusted step: the predicted reduction is below what the loss
//     can resolve (pred < 8ε·f) and the loss did not measurably rise
//     (fNew ≤ f·(1 + 8ε)). Such Gauss–Newton steps still move θ towards the
//     minimum along flat directions, where comparing losses says nothing;
//     the step-size test (XTol) ends them.
func acceptable(f, fNew, pred float64) bool {
	if math.IsNaN(fNew) || math.IsInf(fNew, 0) {
		return false
	}
	if fNew < f*(1-lmAcceptRel) {
		return true
	}
	return pred < lmAcceptRel*f && fNew <= f*(1+lmAcceptRel)
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
	def(&c.FTol, 1e-12)
	def(&c.XTol, 1e-12)
	def(&c.GTol, 1e-12)
	def(&c.MinScale, 1e-6)
	def(&c.MaxScale, 1e32)
	def(&c.CondWarn, 1e12)
	def(&c.GeodesicAlpha, 0.75)
	def(&c.GeodesicStep, 0.1)
	def(&c.TrustFactor, 0.3)
	if c.MemoryBudget == 0 {
		c.MemoryBudget = DefaultLMMemoryBudget
	}
	return c
}

// Validate reports a configuration that cannot work: NaN or ±Inf in any
// float field, negative μ, MuMax, L2, scales, geodesic parameters or
// TrustFactor, MuDec outside (0, 1), MuInc not above 1, an unknown enum,
// or a damping weight that is not positive and finite.
func (c LMConfig) Validate() error {
	floats := []struct {
		name string
		v    float64
	}{
		{"Mu", c.Mu}, {"MuDec", c.MuDec}, {"MuInc", c.MuInc}, {"MuMax", c.MuMax}, {"MinGrad", c.MinGrad},
		{"FTol", c.FTol}, {"XTol", c.XTol}, {"GTol", c.GTol},
		{"MinScale", c.MinScale}, {"MaxScale", c.MaxScale}, {"L2", c.L2}, {"CondWarn", c.CondWarn},
		{"GeodesicAlpha", c.GeodesicAlpha}, {"GeodesicStep", c.GeodesicStep}, {"TrustFactor", c.TrustFactor},
	}
	for _, f := range floats {
		if math.IsNaN(f.v) || math.IsInf(f.v, 0) {
			return fmt.Errorf("optim: LM %s = %v; it must be finite", f.name, f.v)
		}
	}
	switch {
	case c.Mu < 0 || c.MuMax < 0 || c.L2 < 0:
		return errors.New("optim: LM μ, MuMax and L2 must not be negative")
	case c.MuDec < 0 || c.MuDec >= 1:
		return fmt.Errorf("optim: LM MuDec = %v is outside (0, 1)", c.MuDec)
	case c.MuInc != 0 && c.MuInc <= 1:
		return fmt.Errorf("optim: LM MuInc = %v must exceed 1", c.MuInc)
	case c.MinScale < 0 || (c.MaxScale != 0 && c.MaxScale < c.MinScale):
		return fmt.Errorf("optim: LM scale clamp [%v, %v] is invalid", c.MinScale, c.MaxScale)
	case c.CondWarn < 0:
		return fmt.Errorf("optim: LM CondWarn = %v must not be negative", c.CondWarn)
	case c.Damping != DampingIdentity && c.Damping != DampingMarquardt && c.Damping != DampingMore:
		return fmt.Errorf("optim: unknown LM damping %v", c.Damping)
	case c.Update != UpdateTrainlm && c.Update != UpdateNielsen && c.Update != UpdateMore:
		return fmt.Errorf("optim: unknown LM update %v", c.Update)
	case c.Solver != SolverCholesky && c.Solver != SolverQR:
		return fmt.Errorf("optim: unknown LM solver %v", c.Solver)
	case c.GeodesicAlpha < 0 || c.GeodesicStep < 0:
		return errors.New("optim: LM geodesic parameters must not be negative")
	case c.TrustFactor < 0:
		return fmt.Errorf("optim: LM TrustFactor = %v must not be negative", c.TrustFactor)
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
// average difficulty from both starting points (LRE ≥ 7 on every parameter,
// every fit ending in a converged stop; see internal/nist): trainlm's
// identity damping with Transtrum's "delayed gratification" factors (μ×1/3
// after an accepted step, μ×2 after a rejected one), which keeps the
// damping from collapsing on the long curved valleys of such models, no
// trainlm gradient test, and tight convergence tests (FTol 1e-15, XTol
// 1e-13, GTol 1e-15), so a fit runs to machine precision and then says it
// converged.
func CurveFit() LMConfig {
	return LMConfig{MuDec: 1.0 / 3, MuInc: 2, MinGrad: -1, FTol: 1e-20, XTol: 1e-13, GTol: 1e-15}
}

// LMOptimizer is Levenberg–Marquardt for objectives with a least-squares
// form (see LeastSquares). Each Step is one iteration of MATLAB's trainlm:
// it forms JᵀWJ and JᵀWr once, then solves
//
//	(JᵀWJ + μD)·δ = -JᵀWr
//
// for growing μ until θ+δ passes the acceptance rule (see acceptable: a
// decrease rounding cannot fake, f_new < f·(1 - 8ε) with both losses from
// LeastSquares.SumSquares, or a Gauss–Newton step whose predicted gain is
// itself below that resolution and that does not measurably raise the
// loss), keeping JᵀWJ across retries, and keeps θ bit-identical when no
// step is accepted. It stops with a converged Stop when a MINPACK test
// (FTol, XTol, GTol) or MinGrad holds, with StopMuMax only when μ ran past
// MuMax while none held (stuck), and with StopNotFinite (and a Warning)
// when J holds NaN or ±Inf entries, without stepping on them. A
// failed factorization counts as a rejected step, so weights never become
// NaN. With L2 = β the objective is loss + β‖θ‖², folded in as JᵀWJ + βI
// and JᵀWr + βθ.
//
// Every step decides its solver from the current batch's rows and
// recomputes the full J whenever that solver (or geodesic acceleration)
// uses it, so mini-batches of different sizes never share a J.
type LMOptimizer struct {
	cfg LMConfig
	mu  float64
	nu  float64 // Nielsen's growth factor
	// UpdateMore's trust-region radius Δ (set on the run's first step)
	// and whether the last radiusMu step was undamped.
	radius              float64
	radiusSet, undamped bool
	bound               *float64
	sys                 *lmSystem
	d                   []float64
	peak                []float64 // DampingMore's running maximum of diag(JᵀWJ)
	e                   []float64
	b                   []float64
	lin                 []float64
	delta               []float64
	theta               []float64
	work                []float64
	geo                 geodesic
	steps               int
	start               float64 // the objective at the run's first step
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
// caller asks for mini-batches (golem.FitConfig.MiniBatch).
func (o *LMOptimizer) FullBatch() bool { return true }

// NeedsLeastSquares reports that LM works only with objectives that offer
// LeastSquares; models check it at Compile.
func (o *LMOptimizer) NeedsLeastSquares() bool { return true }

// DefaultEpochs is trainlm's default number of iterations, 1000.
func (o *LMOptimizer) DefaultEpochs() int { return 1000 }

// ErrNotLeastSquares is returned when LM is given an objective without a
// least-squares form.
var ErrNotLeastSquares = errors.New("optim: Levenberg–Marquardt needs a loss with a residual (least-squares) form")

// Init prepares LM for a run on p. It validates the configuration, checks
// that DampingWeights has p.Params entries and that the linear algebra fits
// MemoryBudget (using p.Rows for the full J where the solver needs it), and,
// unless p.Continue, discards all state of earlier runs — μ back to Mu,
// Nielsen's ν to 2, the step counter, the bound θ, every cached J,
// residual and workspace — and sizes the workspace for p.Params. With
// p.Continue it keeps the state (μ included) and only checks that p has
// the parameter count of the state. A Step without Init binds lazily to
// the θ it first sees, as if Init had been called with that θ's length.
func (o *LMOptimizer) Init(p Problem) error {
	if err := o.check(p.Params, p.Rows); err != nil {
		return err
	}
	if p.Continue && o.sys != nil {
		if o.sys.p != p.Params {
			return fmt.Errorf("optim: LM cannot continue: its state is for %d parameters, the problem has %d", o.sys.p, p.Params)
		}
		return nil
	}
	o.reset(p.Params)
	return nil
}

// check validates the configuration against P parameters and rows
// residuals.
func (o *LMOptimizer) check(P, rows int) error {
	if err := o.cfg.Validate(); err != nil {
		return err
	}
	if P <= 0 {
		return fmt.Errorf("optim: LM needs at least one parameter, got %d", P)
	}
	if o.cfg.DampingWeights != nil && len(o.cfg.DampingWeights) != P {
		return fmt.Errorf("optim: LM has %d damping weights for %d parameters", len(o.cfg.DampingWeights), P)
	}
	return o.cfg.checkMemory(P, rows)
}

// reset discards all state and sizes the workspace for P parameters.
func (o *LMOptimizer) reset(P int) {
	o.mu, o.nu, o.steps, o.bound = o.cfg.Mu, 2, 0, nil
	o.radius, o.radiusSet, o.undamped = 0, false, false
	o.sys = newLMSystem(P)
	o.d, o.e, o.b, o.lin = make([]float64, P), make([]float64, P), make([]float64, P), make([]float64, P)
	o.peak = make([]float64, P)
	o.delta, o.theta, o.work = make([]float64, P), make([]float64, P), make([]float64, P)
	o.geo = geodesic{}
}

// bind attaches LM to θ: lazily on the first Step without Init, and to the
// θ of the first Step after Init.
func (o *LMOptimizer) bind(ls LeastSquares, theta []float64) error {
	P := len(theta)
	if P == 0 {
		return errors.New("optim: the objective has no parameters")
	}
	if o.sys == nil {
		if err := o.check(P, 0); err != nil {
			return err
		}
		o.reset(P)
	}
	switch {
	case o.bound == nil && o.sys.p != P:
		return fmt.Errorf("optim: LM was initialized for %d parameters, the objective has %d", o.sys.p, P)
	case o.bound == nil:
		o.bound = &theta[0]
	case o.bound != &theta[0] || o.sys.p != P:
		return ErrForeignParams
	}
	return nil
}

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
	if err := o.bind(ls, theta); err != nil {
		return StepInfo{}, err
	}
	c, s := o.cfg, o.sys
	P := len(theta)
	o.steps++

	// Linearize once, on this batch: its rows decide the solver, and J is
	// recomputed whenever the solver or the acceleration uses it.
	rows := ls.Rows()
	if _, err := ls.NormalEquations(ctx, s.jtj, s.jtr); err != nil {
		return StepInfo{}, err
	}
	loss, err := ls.SumSquares(ctx)
	if err != nil {
		return StepInfo{}, err
	}
	fullJ := c.Solver == SolverQR || c.Geodesic || rows < P
	s.rows, s.hasJ = rows, fullJ
	if fullJ {
		if err := c.checkMemory(P, rows); err != nil {
			return StepInfo{}, err
		}
		s.needJ(rows)
		if err := ls.Jacobian(ctx, s.J, s.r); err != nil {
			return StepInfo{}, err
		}
	}
	objective := loss
	for i := range theta {
		o.lin[i] = c.L2 * theta[i]
		o.b[i] = s.jtr[i] + o.lin[i]
		objective += c.L2 * theta[i] * theta[i]
	}
	if o.steps == 1 {
		o.start = objective
	}
	info := StepInfo{Loss: loss, NewLoss: loss, Mu: o.mu}
	if math.IsNaN(objective) || math.IsInf(objective, 0) {
		return info, fmt.Errorf("%w: LM: loss %v at the current weights", ErrNotFinite, loss)
	}
	if w := s.nonFinite(); w != "" {
		info.Warning = w + "; no step taken"
		info.Stop = StopNotFinite
		return info, nil
	}
	var sq float64
	for _, v := range o.b {
		sq += v * v
	}
	info.GradNorm = 2 * math.Sqrt(sq)
	if info.GradNorm < c.MinGrad {
		info.Stop = StopMinGrad
		return info, nil
	}
	if c.gtolHolds(s, o.b, objective) {
		info.Stop = StopConvergedGtol
		return info, nil
	}
	diag := o.work
	for i := range diag {
		diag[i] = s.jtj.At(i, i)
	}
	c.dampingDiagonal(diag, o.peak, o.d)
	if c.Update == UpdateNielsen && o.steps == 1 {
		// Nielsen's start: μ₀ = τ·max(diag(JᵀWJ)/D), with τ = Mu.
		var m float64
		for i := range diag {
			m = math.Max(m, diag[i]/o.d[i])
		}
		if m > 0 && !math.IsInf(m, 0) {
			o.mu = math.Max(c.Mu*m, lmMuMin)
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
	var first trial // the iteration's first solved trial, for the mu_max verdict
	if c.Update == UpdateMore {
		if err := o.radiusMu(ctx, res, lin); err != nil {
			copy(theta, o.theta)
			return info, err
		}
		if !(o.mu <= c.MuMax) {
			info.Stop = c.stuckStop(objective, o.start, first)
			return info, nil
		}
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
		cond, solved, err := s.solve(ctx, c.Solver, o.e, o.b, res, lin, o.delta)
		if err != nil {
			copy(theta, o.theta)
			return info, err
		}
		info.Cond = cond
		var t trial
		actual := math.Inf(-1) // for UpdateMore's radius: unsolved counts as a rise
		if solved {
			// The tests judge the LM step v, before any acceleration.
			t = o.measure()
			if !first.ok {
				first = t
				if c.FTol >= 0 && objective > 0 && t.pred <= c.FTol*objective {
					// The least damped model of this iteration promises at
					// most FTol: converged, θ unchanged.
					info.Stop = StopConvergedFtol
					return info, nil
				}
			}
		}
		if solved {
			newLoss, newObjective, err := o.evaluate(ctx, ls, theta)
			if err != nil {
				copy(theta, o.theta)
				return info, err
			}
			actual = objective - newObjective
			ok := acceptable(objective, newObjective, t.pred)
			if ok && c.Geodesic {
				// v is acceptable: keep v + a/2 only if it does better.
				if newLoss, newObjective, err = o.accelerated(ctx, ls, theta, newLoss, newObjective); err != nil {
					copy(theta, o.theta)
					return info, err
				}
			}
			if ok {
				info.NewLoss = newLoss
				if c.Update == UpdateMore {
					o.updateRadius(objective, objective-newObjective, t.pred, true)
				}
				o.acceptMu(objective-newObjective, t.pred)
				info.Accepted, info.Mu = true, o.mu
				info.Cond = s.cond(info.Cond)
				if info.Cond > c.CondWarn {
					info.Warning = fmt.Sprintf("ill-conditioned system: condition estimate %.3g exceeds %.3g", info.Cond, c.CondWarn)
				}
				info.Stop = c.acceptedStop(objective, newObjective, t)
				return info, nil
			}
		}
		copy(theta, o.theta) // bit-identical to before the trial
		if c.Update == UpdateMore {
			o.updateRadius(objective, actual, t.pred, false)
			if err := o.radiusMu(ctx, res, lin); err != nil {
				return info, err
			}
		} else {
			o.rejectMu()
		}
		info.Mu = o.mu
		if !(o.mu <= c.MuMax) { // also stops a NaN μ or MuMax
			info.Stop = c.stuckStop(objective, o.start, first)
			return info, nil
		}
	}
}

// evaluate sets θ = θ₀ + δ and returns the loss and the objective there.
func (o *LMOptimizer) evaluate(ctx context.Context, ls LeastSquares, theta []float64) (loss, objective float64, err error) {
	for i := range theta {
		theta[i] = o.theta[i] + o.delta[i]
	}
	if loss, err = ls.SumSquares(ctx); err != nil {
		return 0, 0, err
	}
	objective = loss
	for _, v := range theta {
		objective += o.cfg.L2 * v * v
	}
	return loss, objective, nil
}

// accelerated tries the geodesic step v + a/2 after the plain step v
// (o.delta, with θ = θ₀ + v and its loss and objective given) proved
// acceptable; it keeps whichever of the two has the lower objective, and
// leaves θ and o.delta at it.
func (o *LMOptimizer) accelerated(ctx context.Context, ls LeastSquares, theta []float64, loss, objective float64) (float64, float64, error) {
	copy(o.work, o.delta) // v
	applied, err := o.accelerate(ctx, ls)
	if err != nil || !applied {
		copy(o.delta, o.work)
		for i := range theta {
			theta[i] = o.theta[i] + o.delta[i]
		}
		return loss, objective, err
	}
	aLoss, aObjective, err := o.evaluate(ctx, ls, theta)
	if err != nil {
		return 0, 0, err
	}
	if !math.IsNaN(aObjective) && aObjective < objective {
		return aLoss, aObjective, nil
	}
	copy(o.delta, o.work)
	for i := range theta {
		theta[i] = o.theta[i] + o.delta[i]
	}
	return loss, objective, nil
}

// acceptMu updates μ after an accepted step that lowered the objective by
// actual where the quadratic model predicted pred.
func (o *LMOptimizer) acceptMu(actual, pred float64) {
	switch o.cfg.Update {
	case UpdateMore: // radiusMu sets μ from the radius
		return
	case UpdateNielsen:
		rho := 1.0
		if pred > 0 {
			rho = actual / pred
		}
		o.mu *= math.Max(1.0/3, 1-math.Pow(2*rho-1, 3))
		o.nu = 2
	default:
		o.mu *= o.cfg.MuDec
	}
	if !(o.mu >= lmMuMin) {
		o.mu = lmMuMin
	}
}

// rejectMu raises μ after a rejected or failed step.
func (o *LMOptimizer) rejectMu() {
	o.mu = math.Max(o.mu, lmMuMin)
	switch o.cfg.Update {
	case UpdateNielsen:
		o.mu *= o.nu
		o.nu *= 2
	default:
		o.mu *= o.cfg.MuInc
	}
}
