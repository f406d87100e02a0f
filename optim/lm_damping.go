package optim

import (
	"context"
	"fmt"
	"math"
)

// Damping chooses the damping matrix D in (JᵀWJ + μD)δ = -JᵀWr.
type Damping int

const (
	// DampingIdentity uses D = I, as MATLAB's trainlm (the default).
	DampingIdentity Damping = iota
	// DampingMarquardt uses D = diag(JᵀWJ) (Marquardt, Fletcher), each entry
	// clamped to [MinScale, MaxScale] so that parameters the data do not
	// determine still get damped. It makes the step invariant to
	// rescaling parameters, which helps problems whose parameters differ by
	// orders of magnitude (the NIST curve fits).
	DampingMarquardt
	// DampingMore uses D = the running maximum, over the run's iterations so
	// far, of diag(JᵀWJ), clamped as under DampingMarquardt: Moré's scaling
	// (MINPACK's lmder, mode 1, whose diag is the running maximum of J's
	// column norms). It is as invariant to rescaling parameters as
	// DampingMarquardt, and D never shrinks, so a parameter whose column
	// fades along a valley (an exponential driven to 0) keeps the damping
	// it had and cannot take huge steps there. The maximum belongs to the
	// optimizer's state: Init (without Continue) resets it.
	DampingMore
)

// String names the damping: "identity", "marquardt" or "more".
func (s Damping) String() string {
	switch s {
	case DampingIdentity:
		return "identity"
	case DampingMarquardt:
		return "marquardt"
	case DampingMore:
		return "more"
	}
	return fmt.Sprintf("Damping(%d)", int(s))
}

// Update chooses how μ changes after each trial step.
type Update int

const (
	// UpdateTrainlm: accept a step only if the loss decreases; then
	// μ ← max(μ·MuDec, 1e-20), else μ ← μ·MuInc and retry (the default).
	UpdateTrainlm Update = iota
	// UpdateNielsen: the gain ratio ρ = actual/predicted reduction decides;
	// on ρ > 0 accept and μ ← μ·max(1/3, 1-(2ρ-1)³), ν ← 2; otherwise
	// μ ← μ·ν, ν ← 2ν (Nielsen 1999; Madsen, Nielsen & Tingleff 2004).
	UpdateNielsen
	// UpdateMore: a trust region, as in Moré (1978) and MINPACK's lmder.
	// The run keeps a radius Δ, and each trial's μ is the one whose step
	// has length ‖δ‖_D = √(Σᵢ Dᵢδᵢ²) within 10% of Δ, found by bisection
	// on log μ over solves of the damped system (the least μ, 1e-20 — about
	// Gauss–Newton — when that step is no longer than 1.1·Δ). Δ starts at
	// TrustFactor·‖θ₀‖_D (TrustFactor when that is 0), cut to the first
	// step's length; after a rejected trial, or an accepted one with gain
	// ratio ρ ≤ 1/4, it becomes ½·min(Δ, 10·‖δ‖_D); after one with
	// ρ ≥ 3/4, or an undamped one, 2·‖δ‖_D. Steps are accepted by the
	// usual rule. Mu, MuDec and MuInc are unused; MuMax still stops a run
	// whose radius has shrunk until μ passes it. The step length, not the
	// damping, carries over between iterations, so the step bound doubles
	// on a good model instead of μ creeping down. Each trial costs several
	// solves of the damped system (about 5–30), which is cheap next to a
	// residual evaluation for curve fits, not for large P.
	UpdateMore
)

func (u Update) String() string {
	switch u {
	case UpdateTrainlm:
		return "trainlm"
	case UpdateNielsen:
		return "nielsen"
	case UpdateMore:
		return "more"
	}
	return fmt.Sprintf("Update(%d)", int(u))
}

// dampingDiagonal writes D's diagonal for the current JᵀWJ into d. Under
// DampingMore it first raises the running maximum peak (one entry per
// parameter, 0 at the start of a run) to jtjDiag.
func (c LMConfig) dampingDiagonal(jtjDiag, peak, d []float64) {
	for i := range d {
		v := 1.0
		switch c.Damping {
		case DampingMarquardt:
			v = math.Min(math.Max(jtjDiag[i], c.MinScale), c.MaxScale)
		case DampingMore:
			if jtjDiag[i] > peak[i] { // a NaN diagonal leaves the peak alone
				peak[i] = jtjDiag[i]
			}
			v = math.Min(math.Max(peak[i], c.MinScale), c.MaxScale)
		}
		if c.DampingWeights != nil {
			v *= c.DampingWeights[i]
		}
		d[i] = v
	}
}

// stepNorm is ‖δ‖_D = √(Σᵢ Dᵢδᵢ²) for the current step o.delta.
func (o *LMOptimizer) stepNorm() float64 {
	var sq float64
	for i, v := range o.delta {
		sq += o.d[i] * v * v
	}
	return math.Sqrt(sq)
}

// radiusMu sets μ for UpdateMore: the μ whose damped step has length
// ‖δ‖_D within 10% of the radius Δ (lmMuMin when that step is no longer
// than 1.1·Δ), by bracketing and bisection on log μ; it leaves o.delta
// at that step. On the run's first call it sets Δ = 100·‖θ‖_D (100 when
// that is 0) and then cuts Δ to the chosen step's length. It stops
// searching, leaving μ above MuMax, when even μ = 10·MuMax gives a step
// longer than Δ.
func (o *LMOptimizer) radiusMu(ctx context.Context, res, lin []float64) error {
	c, s := o.cfg, o.sys
	first := !o.radiusSet
	if first {
		o.radiusSet = true
		var sq float64
		for i, v := range o.theta {
			sq += o.d[i] * v * v
		}
		o.radius = c.TrustFactor * math.Sqrt(sq)
		if !(o.radius > 0) || math.IsInf(o.radius, 0) {
			o.radius = c.TrustFactor
		}
	}
	// length solves the damped system for mu into o.delta and returns
	// ‖δ‖_D, +Inf when the system cannot be solved.
	length := func(mu float64) (float64, error) {
		for i := range o.e {
			o.e[i] = mu*o.d[i] + c.L2
		}
		_, ok, err := s.solve(ctx, c.Solver, o.e, o.b, res, lin, o.delta)
		if err != nil || !ok {
			return math.Inf(1), err
		}
		return o.stepNorm(), nil
	}
	lo := lmMuMin
	n, err := length(lo)
	if err != nil {
		return err
	}
	mu := lo
	o.undamped = n <= 1.1*o.radius
	if !o.undamped {
		hi := math.Max(o.mu, 1e-12)
		for {
			if n, err = length(hi); err != nil {
				return err
			}
			if n < o.radius {
				break
			}
			lo = hi
			if hi *= 10; hi > 10*c.MuMax {
				o.mu = hi
				return nil
			}
		}
		mu = hi
		for k := 0; k < 100 && !(n >= 0.9*o.radius && n <= 1.1*o.radius); k++ {
			mu = math.Sqrt(lo * hi)
			if n, err = length(mu); err != nil {
				return err
			}
			if n > o.radius {
				lo = mu
			} else {
				hi = mu
			}
		}
	}
	o.mu = mu
	if first && n < o.radius {
		o.radius = n
	}
	return nil
}

// updateRadius adapts UpdateMore's radius Δ after a trial step o.delta
// that changed the objective from f by actual (f - fNew; -Inf when the
// trial could not be solved or evaluated) where the model predicted pred:
// MINPACK's rules, except that the shrink is always by half (MINPACK
// interpolates a factor in [0.1, 0.5]; halving did better on the NIST
// problems). A rejected trial always shrinks Δ (MINPACK rejects only below
// ρ = 10⁻⁴; the acceptance rule here can also reject a decrease that
// rounding could fake, whatever its ρ), and a model-trusted step (gain
// below what the objective resolves) counts as ρ = 1.
func (o *LMOptimizer) updateRadius(f, actual, pred float64, accepted bool) {
	n := o.stepNorm()
	rho := 0.0
	switch {
	case accepted && pred < lmAcceptRel*f:
		// A model-trusted step (see acceptable): the gain is below what the
		// objective resolves, so ρ would be rounding; the model is trusted.
		rho = 1
	case pred > 0 && !math.IsNaN(actual):
		rho = actual / pred
	}
	switch {
	case !accepted || rho <= 0.25:
		if math.IsInf(actual, -1) || math.IsNaN(n) || math.IsInf(n, 0) {
			n = o.radius // no usable step: shrink the radius itself
		}
		o.radius = 0.5 * math.Min(o.radius, 10*n)
	case o.undamped || rho >= 0.75:
		o.radius = 2 * n
	}
}
