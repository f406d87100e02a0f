package optim

import (
	"context"
	"errors"
	"fmt"
	"math"
	"reflect"

	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/blas64"
	"gonum.org/v1/gonum/lapack/lapack64"
	"gonum.org/v1/gonum/mat"

	"github.com/golem-ml/golem/internal/linalg"
)

// Evidence is Bayesian regularization's state (MacKay's evidence
// framework) after a step: the hyperparameters of the objective
// F = β·E_D + α·E_W and the two sums they weigh.
type Evidence struct {
	Gamma float64 // γ, the effective number of parameters, in [0, P]
	Alpha float64 // α, the weight of E_W in F
	Beta  float64 // β, the weight of E_D in F
	SSE   float64 // E_D = Σ W·r² at θ after the step (LeastSquares.SumSquares)
	SSW   float64 // E_W = Σ θ² at θ after the step
}

// BRConfig configures Bayesian regularization. Zero fields take MATLAB
// trainbr's defaults.
type BRConfig struct {
	Mu      float64 // initial damping μ; default 0.005
	MuDec   float64 // μ factor after an accepted step; default 0.1
	MuInc   float64 // μ factor after a rejected step; default 10
	MuMax   float64 // stop (StopMuMax: stuck) when μ exceeds it; default 1e10
	MinGrad float64 // stop when ‖∇F‖ < MinGrad; default 1e-7; negative: never
}

func (c BRConfig) withDefaults() BRConfig {
	def := func(v *float64, d float64) {
		if *v == 0 {
			*v = d
		}
	}
	def(&c.Mu, 0.005)
	def(&c.MuDec, 0.1)
	def(&c.MuInc, 10)
	def(&c.MuMax, 1e10)
	def(&c.MinGrad, 1e-7)
	return c
}

// Validate reports a configuration that cannot work: NaN or ±Inf in any
// field, a negative Mu or MuMax, MuDec outside (0, 1), or MuInc not above
// 1 (zero fields stand for their defaults).
func (c BRConfig) Validate() error {
	floats := []struct {
		name string
		v    float64
	}{{"Mu", c.Mu}, {"MuDec", c.MuDec}, {"MuInc", c.MuInc}, {"MuMax", c.MuMax}, {"MinGrad", c.MinGrad}}
	for _, f := range floats {
		if math.IsNaN(f.v) || math.IsInf(f.v, 0) {
			return fmt.Errorf("optim: BR %s = %v; it must be finite", f.name, f.v)
		}
	}
	switch {
	case c.Mu < 0 || c.MuMax < 0:
		return errors.New("optim: BR μ and MuMax must not be negative")
	case c.MuDec < 0 || c.MuDec >= 1:
		return fmt.Errorf("optim: BR MuDec = %v is outside (0, 1)", c.MuDec)
	case c.MuInc != 0 && c.MuInc <= 1:
		return fmt.Errorf("optim: BR MuInc = %v must exceed 1", c.MuInc)
	}
	return nil
}

// BROptimizer is MATLAB's trainbr: Levenberg–Marquardt on the regularized
// objective F = β·E_D + α·E_W, with E_D = Σ W·r² (LeastSquares.SumSquares)
// and E_W = Σ θ² over all parameters, and α, β re-estimated after every
// accepted step by MacKay's evidence framework in the Gauss–Newton
// approximation (Foresee & Hagan 1997).
//
// The first Step of a run weighs E_D alone: α = 0 and β = (N − P)/(2·E_D),
// with N = LeastSquares.Rows(). Once it is accepted, γ, α and β take
// trainbr's initial values at the weights it reached: γ = P,
// β = (N − γ)/(2·E_D), α = γ/(2·E_W), with trainbr's guards (β = 1 when
// E_D = 0 or when that β is not positive, N ≤ P; α = 1 when E_W = 0,
// where trainbr's α would be infinite). trainbr itself takes those values
// at the random initial weights, where E_D is large and E_W small, so
// that α/β = P·E_D/((N − P)·E_W) can be large enough for the first step to
// shrink every weight almost to zero, a fixed point γ = 0 that it never
// leaves: Nguyen–Widrow initialization (trainbr's companion) has large
// weights and hides this, Glorot's small ones do not (one seed in eight of
// a 1-30-1 network on 150 noisy points collapsed). An exact fit at the
// start (E_D = 0) takes trainbr's values at once. Each Step then forms
// JᵀWJ and JᵀWr at θ and solves
//
//	(β·JᵀWJ + (μ + α)·I)·δ = -(β·JᵀWr + α·θ)
//
// for growing μ (×MuInc) until F(θ+δ) < F(θ) with both at this step's α
// and β, then lowers μ (×MuDec, floor 1e-20). After an accepted step it
// follows the order of current MATLAB trainbr (the nntrain version, which
// recomputes J at the new weights before the update; trainbr before it
// used the J of the step's start): J is recomputed at the new θ, and
//
//	γ = P − α·tr((β·JᵀWJ + α·I)⁻¹)   (old α, β; J at the new θ)
//	α = γ/(2·E_W),  β = (N − γ)/(2·E_D)   (E_D, E_W at the new θ)
//
// with the same guards (α = 1 when E_W = 0, β = 1 when E_D = 0 or the new
// β is not positive). The next Step reuses those normal equations when the
// objective implements BatchVersion and its batch has not changed (golem's
// models do), so a step costs one linearization; otherwise two.
// When that update cannot be made (J at the new θ is not finite or the
// matrix does not factor) the step stays accepted, α, β and γ keep their
// values and StepInfo.Warning says so.
//
// The formulas are invariant to a uniform scaling of W: β scales inversely,
// so β·JᵀWJ, β·E_D, γ, α and the θ path do not change (up to rounding).
//
// StepInfo.Loss and NewLoss are E_D before and after the step, GradNorm is
// ‖∇F‖ = 2‖β·JᵀWr + α·θ‖ (trainbr's own gradient test uses E_D's), and
// Evidence holds the state after the step. It stops with StopMinGrad when
// ‖∇F‖ < MinGrad, with StopMuMax when μ ran past MuMax without a lower F
// (stuck, not converged; θ is then bit-identical to before the step), with
// StopNotFinite when JᵀWJ or JᵀWr holds NaN or ±Inf, and returns an error
// wrapping ErrNotFinite when E_D or F is not finite at the current θ. A
// rejected trial leaves θ bit-identical, and an error (a cancelled ctx
// included) leaves θ and the optimizer's state as they were.
type BROptimizer struct {
	cfg     BRConfig
	mu      float64
	gamma   float64
	alpha   float64
	beta    float64
	started bool // γ, α and β were initialized for this run
	warm    bool // the run's first step (α = 0) is not yet accepted
	p       int  // workspace size; 0 before the first Init or Step
	bound   *float64
	jtj     *mat.SymDense // JᵀWJ
	jtr     []float64     // JᵀWr
	work    *mat.SymDense // the factored system
	b       []float64
	delta   []float64
	theta   []float64

	// The normal equations of the last γ update, at θ = linTheta, kept for
	// the next Step when the objective says (BatchVersion) that its batch
	// is the same.
	linValid   bool
	linObj     Objective
	linVersion uint64
	linRows    int
	linTheta   []float64
}

// BR returns a Bayesian-regularization optimizer with cfg's zero fields
// defaulted.
func BR(cfg BRConfig) *BROptimizer {
	cfg = cfg.withDefaults()
	return &BROptimizer{cfg: cfg, mu: cfg.Mu}
}

// Config returns the configuration in use, defaults filled in.
func (o *BROptimizer) Config() BRConfig { return o.cfg }

// Validate checks the configuration.
func (o *BROptimizer) Validate() error { return o.cfg.Validate() }

// Mu is the current damping.
func (o *BROptimizer) Mu() float64 { return o.mu }

// Gamma is the current effective number of parameters γ (0 before the
// first step of a run).
func (o *BROptimizer) Gamma() float64 { return o.gamma }

// Alpha is the current weight α of E_W (0 before the first step of a run).
func (o *BROptimizer) Alpha() float64 { return o.alpha }

// Beta is the current weight β of E_D (0 before the first step of a run).
func (o *BROptimizer) Beta() float64 { return o.beta }

// FullBatch reports that BR trains on all samples per step.
func (o *BROptimizer) FullBatch() bool { return true }

// NeedsLeastSquares reports that BR works only with objectives that offer
// LeastSquares.
func (o *BROptimizer) NeedsLeastSquares() bool { return true }

// WantsScaledData reports that BR expects inputs and targets on [-1, 1]:
// E_W weighs every weight alike, which assumes they share one scale, and
// unscaled targets give the output layer's weights (and biases) another
// scale from the hidden ones, so α would regularize the hidden layers too
// little (on 353 diabetes samples, a 10-20-1 network on unscaled data
// still ran after 1000 epochs with γ ≈ 47 and a seed-dependent test error;
// on [-1, 1] every seed converged to one fit with γ = 23.8).
func (o *BROptimizer) WantsScaledData() bool { return true }

// RegularizesWeights reports that BR sets its own weight penalty α·E_W.
func (o *BROptimizer) RegularizesWeights() bool { return true }

// DefaultEpochs is trainbr's default number of iterations, 1000.
func (o *BROptimizer) DefaultEpochs() int { return 1000 }

// Init prepares BR for a run on p. It validates the configuration and,
// unless p.Continue, discards all state of earlier runs — μ back to Mu, γ,
// α and β (re-initialized by the next Step), the bound θ and the
// workspace — and sizes the workspace for p.Params. With p.Continue it
// keeps the state and only checks that p has the parameter count of the
// state.
func (o *BROptimizer) Init(p Problem) error {
	if err := o.cfg.Validate(); err != nil {
		return err
	}
	if p.Params <= 0 {
		return fmt.Errorf("optim: BR needs at least one parameter, got %d", p.Params)
	}
	o.linValid, o.linObj = false, nil // a new run may bring new data
	if p.Continue && o.p != 0 {
		if o.p != p.Params {
			return fmt.Errorf("optim: BR cannot continue: its state is for %d parameters, the problem has %d", o.p, p.Params)
		}
		return nil
	}
	o.reset(p.Params)
	return nil
}

// reset discards all state and sizes the workspace for P parameters.
func (o *BROptimizer) reset(P int) {
	o.mu, o.gamma, o.alpha, o.beta, o.started, o.warm, o.bound = o.cfg.Mu, 0, 0, 0, false, false, nil
	o.p = P
	o.jtj, o.work, o.jtr = mat.NewSymDense(P, nil), mat.NewSymDense(P, nil), make([]float64, P)
	o.b, o.delta, o.theta = make([]float64, P), make([]float64, P), make([]float64, P)
	o.linValid, o.linObj = false, nil
}

// bind attaches BR to θ: lazily on the first Step without Init, and to the
// θ of the first Step after Init.
func (o *BROptimizer) bind(theta []float64) error {
	P := len(theta)
	if P == 0 {
		return errors.New("optim: the objective has no parameters")
	}
	if o.p == 0 {
		if err := o.cfg.Validate(); err != nil {
			return err
		}
		o.reset(P)
	}
	switch {
	case o.bound == nil && o.p != P:
		return fmt.Errorf("optim: BR was initialized for %d parameters, the objective has %d", o.p, P)
	case o.bound == nil:
		o.bound = &theta[0]
	case o.bound != &theta[0] || o.p != P:
		return ErrForeignParams
	}
	return nil
}

// brSumSq is Σ v².
func brSumSq(v []float64) float64 {
	var s float64
	for _, x := range v {
		s += x * x
	}
	return s
}

// brAlpha is α = γ/(2·E_W), 1 when E_W = 0.
func brAlpha(gamma, ssw float64) float64 {
	if ssw == 0 {
		return 1
	}
	return gamma / (2 * ssw)
}

// brBeta is β = (N − γ)/(2·E_D), 1 when E_D = 0 or that β is not positive.
func brBeta(n int, gamma, sse float64) float64 {
	if sse == 0 {
		return 1
	}
	b := (float64(n) - gamma) / (2 * sse)
	if !(b > 0) {
		return 1
	}
	return b
}

func (o *BROptimizer) evidence(sse, ssw float64) *Evidence {
	return &Evidence{Gamma: o.gamma, Alpha: o.alpha, Beta: o.beta, SSE: sse, SSW: ssw}
}

// factor fills o.work with β·JᵀWJ + diag·I and factors it (UᵀU).
func (o *BROptimizer) factor(ctx context.Context, diag float64) (bool, error) {
	P := o.p
	a, w := o.jtj.RawSymmetric(), o.work.RawSymmetric()
	for i := 0; i < P; i++ {
		for j := i; j < P; j++ {
			w.Data[i*w.Stride+j] = o.beta * a.Data[i*a.Stride+j]
		}
		w.Data[i*w.Stride+i] += diag
	}
	return linalg.Cholesky(ctx, w, 0)
}

// Step performs one trainbr iteration: the LM step on F, then, when it is
// accepted, the update of γ, α and β.
func (o *BROptimizer) Step(ctx context.Context, obj Objective) (StepInfo, error) {
	ls, ok := obj.(LeastSquares)
	if !ok {
		return StepInfo{}, fmt.Errorf("optim: Bayesian regularization: %w", ErrNotLeastSquares)
	}
	if err := ctx.Err(); err != nil {
		return StepInfo{}, err
	}
	theta := ls.Params()
	if err := o.bind(theta); err != nil {
		return StepInfo{}, err
	}
	c, P := o.cfg, o.p
	rows := ls.Rows()
	if rows <= 0 {
		return StepInfo{}, fmt.Errorf("optim: BR needs at least one residual, the objective has %d", rows)
	}
	if !o.reusable(obj, theta, rows) {
		if _, err := ls.NormalEquations(ctx, o.jtj, o.jtr); err != nil {
			o.linValid = false
			return StepInfo{}, err
		}
	}
	o.linValid = false
	sse, err := ls.SumSquares(ctx)
	if err != nil {
		return StepInfo{}, err
	}
	ssw := brSumSq(theta)
	info := StepInfo{Loss: sse, NewLoss: sse, Mu: o.mu}
	if math.IsNaN(sse) || math.IsInf(sse, 0) || math.IsInf(ssw, 0) || math.IsNaN(ssw) {
		return info, fmt.Errorf("%w: BR: E_D %v, E_W %v at the current weights", ErrNotFinite, sse, ssw)
	}
	gamma, alpha, beta, started, warm, mu0 := o.gamma, o.alpha, o.beta, o.started, o.warm, o.mu
	if !o.started {
		// The first step weighs E_D alone (α = 0); trainbr's estimates
		// start at the weights it reaches (see the type's comment).
		o.gamma, o.alpha = float64(P), 0
		o.beta = brBeta(rows, o.gamma, sse)
		o.warm = sse > 0 // an exact fit starts with trainbr's α at once
		if !o.warm {
			o.alpha = brAlpha(o.gamma, ssw)
		}
		o.started = true
	}
	restore := func() { o.gamma, o.alpha, o.beta, o.started, o.warm, o.mu = gamma, alpha, beta, started, warm, mu0 }
	info.Evidence = o.evidence(sse, ssw)
	f := o.beta*sse + o.alpha*ssw
	if math.IsNaN(f) || math.IsInf(f, 0) {
		restore()
		return info, fmt.Errorf("%w: BR: objective %v at the current weights", ErrNotFinite, f)
	}
	if w := o.nonFinite(); w != "" {
		info.Warning = w + "; no step taken"
		info.Stop = StopNotFinite
		return info, nil
	}
	for i := range theta {
		o.b[i] = o.beta*o.jtr[i] + o.alpha*theta[i]
	}
	info.GradNorm = 2 * math.Sqrt(brSumSq(o.b))
	if info.GradNorm < c.MinGrad {
		info.Stop = StopMinGrad
		return info, nil
	}
	copy(o.theta, theta)
	wsym := o.work.RawSymmetric()
	for {
		if err := ctx.Err(); err != nil {
			copy(theta, o.theta)
			restore()
			return info, err
		}
		info.Tries++
		solved, err := o.factor(ctx, o.mu+o.alpha)
		if err != nil {
			copy(theta, o.theta)
			restore()
			return info, err
		}
		if solved {
			for i := range o.delta {
				o.delta[i] = -o.b[i]
			}
			x := blas64.Vector{N: P, Inc: 1, Data: o.delta}
			tri := blas64.Triangular{Uplo: blas.Upper, Diag: blas.NonUnit, N: P, Stride: wsym.Stride, Data: wsym.Data}
			blas64.Trsv(blas.Trans, tri, x)
			blas64.Trsv(blas.NoTrans, tri, x)
			for i := range theta {
				theta[i] = o.theta[i] + o.delta[i]
			}
			newSSE, err := ls.SumSquares(ctx)
			if err != nil {
				copy(theta, o.theta)
				restore()
				return info, err
			}
			newSSW := brSumSq(theta)
			fNew := o.beta*newSSE + o.alpha*newSSW
			if fNew < f && brFinite(o.delta) { // a NaN fNew fails too
				o.mu *= c.MuDec
				if o.mu < brMuMin {
					o.mu = brMuMin
				}
				info.Accepted, info.Mu, info.NewLoss = true, o.mu, newSSE
				if err := o.update(ctx, ls, rows, newSSE, newSSW, &info); err != nil {
					copy(theta, o.theta) // an error leaves θ and the state as they were
					restore()
					return info, err
				}
				info.Evidence = o.evidence(newSSE, newSSW)
				return info, nil
			}
		}
		copy(theta, o.theta) // bit-identical to before the trial
		o.mu = math.Max(o.mu, brMuMin) * c.MuInc
		info.Mu = o.mu
		if !(o.mu <= c.MuMax) {
			info.Stop = StopMuMax
			return info, nil
		}
	}
}

// reusable reports whether o.jtj and o.jtr, from the last γ update, are the
// normal equations of obj at θ: the same objective, batch version, rows and
// bit-identical θ.
func (o *BROptimizer) reusable(obj Objective, theta []float64, rows int) bool {
	bv, ok := obj.(BatchVersion)
	if !ok || !o.linValid || !sameObjective(o.linObj, obj) || o.linRows != rows || bv.BatchVersion() != o.linVersion {
		return false
	}
	for i, v := range theta {
		if math.Float64bits(v) != math.Float64bits(o.linTheta[i]) {
			return false
		}
	}
	return true
}

// sameObjective reports whether a and b are one objective: equal values of
// a comparable type (pointers, usually); values of other types never are.
func sameObjective(a, b Objective) bool {
	ta := reflect.TypeOf(a)
	return ta != nil && ta == reflect.TypeOf(b) && ta.Comparable() && a == b
}

// remember records that o.jtj and o.jtr are obj's normal equations at θ.
func (o *BROptimizer) remember(obj Objective, theta []float64, rows int) {
	bv, ok := obj.(BatchVersion)
	if !ok {
		return
	}
	o.linValid, o.linObj, o.linVersion, o.linRows = true, obj, bv.BatchVersion(), rows
	o.linTheta = append(o.linTheta[:0], theta...)
}

// update re-estimates γ, α and β after an accepted step, at the new θ;
// on error it changes none of them.
func (o *BROptimizer) update(ctx context.Context, ls LeastSquares, rows int, sse, ssw float64, info *StepInfo) error {
	P := o.p
	if o.warm { // trainbr's start, at the weights of the first step
		o.warm = false
		o.gamma = float64(P)
		o.beta = brBeta(rows, o.gamma, sse)
		o.alpha = brAlpha(o.gamma, ssw)
		return nil
	}
	if _, err := ls.NormalEquations(ctx, o.jtj, o.jtr); err != nil {
		return err
	}
	if w := o.nonFinite(); w != "" {
		info.Warning = w + " at the new weights; γ, α and β kept"
		return nil
	}
	o.remember(ls, ls.Params(), rows) // the next Step starts from them
	ok, err := o.factor(ctx, o.alpha)
	if err != nil {
		return err
	}
	if !ok {
		info.Warning = "β·JᵀWJ + α·I does not factor at the new weights; γ, α and β kept"
		return nil
	}
	// tr(A⁻¹) = ‖U⁻¹‖²_F for A = UᵀU.
	w := o.work.RawSymmetric()
	tri := blas64.Triangular{Uplo: blas.Upper, Diag: blas.NonUnit, N: P, Stride: w.Stride, Data: w.Data}
	if !lapack64.Trtri(tri) {
		info.Warning = "the factor of β·JᵀWJ + α·I is singular at the new weights; γ, α and β kept"
		return nil
	}
	var tr float64
	for i := 0; i < P; i++ {
		for j := i; j < P; j++ {
			v := w.Data[i*w.Stride+j]
			tr += v * v
		}
	}
	gamma := float64(P) - o.alpha*tr
	if math.IsNaN(gamma) || math.IsInf(gamma, 0) {
		info.Warning = fmt.Sprintf("γ = %v at the new weights; γ, α and β kept", gamma)
		return nil
	}
	gamma = math.Min(math.Max(gamma, 0), float64(P)) // rounding only
	o.gamma = gamma
	o.alpha = brAlpha(gamma, ssw)
	o.beta = brBeta(rows, gamma, sse)
	return nil
}

// brFinite reports whether every entry of v is finite.
func brFinite(v []float64) bool {
	for _, x := range v {
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return false
		}
	}
	return true
}

// brMuMin is trainbr's floor of μ.
const brMuMin = 1e-20

// nonFinite describes the first NaN or ±Inf entry of JᵀWJ or JᵀWr, or
// returns "".
func (o *BROptimizer) nonFinite() string { return nonFiniteNormal(o.jtj, o.jtr) }
