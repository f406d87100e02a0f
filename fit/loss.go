package fit

import (
	"fmt"
	"math"

	"github.com/golem-ml/golem/graph"
)

// Loss is the function ρ that a fit minimizes, Σ s²·ρ((uᵢ/s)²) over the
// weighted residuals uᵢ = (yᵢ − f(xᵢ))/σᵢ with s = Options.FScale, as in
// scipy's least_squares. Every robust loss is z for small z, so residuals
// well under s count as in least squares, and grows more slowly for large
// z, so outliers pull less.
type Loss int

const (
	// Linear is ρ(z) = z: ordinary (weighted) least squares, the default.
	Linear Loss = iota
	// SoftL1 is ρ(z) = 2(√(1+z) − 1), a smooth approximation of the l1
	// loss; usually the best first choice for data with outliers.
	SoftL1
	// Huber is ρ(z) = z for z ≤ 1, 2√z − 1 above.
	Huber
	// Cauchy is ρ(z) = ln(1 + z); it strongly down-weights outliers.
	Cauchy
	// Arctan is ρ(z) = arctan(z); it bounds each residual's contribution
	// by π/2.
	Arctan
)

// String is scipy's name for the loss.
func (l Loss) String() string {
	switch l {
	case Linear:
		return "linear"
	case SoftL1:
		return "soft_l1"
	case Huber:
		return "huber"
	case Cauchy:
		return "cauchy"
	case Arctan:
		return "arctan"
	}
	return fmt.Sprintf("Loss(%d)", int(l))
}

func (l Loss) valid() bool { return l >= Linear && l <= Arctan }

// rho returns ρ(z) for z = t², computed from t = |u|/s without forming z
// where that would overflow or cancel.
func (l Loss) rho(t float64) float64 {
	z := t * t
	switch l {
	case SoftL1:
		return 2 * z / (math.Hypot(1, t) + 1)
	case Huber:
		if t <= 1 {
			return z
		}
		return 2*t - 1
	case Cauchy:
		if t > 1 {
			return 2*math.Log(t) + math.Log1p(1/z)
		}
		return math.Log1p(z)
	case Arctan:
		return math.Atan(z)
	}
	return z
}

// slope is ρ'(z) for z = t².
func (l Loss) slope(t float64) float64 {
	z := t * t
	switch l {
	case SoftL1:
		return 1 / math.Hypot(1, t)
	case Huber:
		if t <= 1 {
			return 1
		}
		return 1 / t
	case Cauchy:
		return 1 / (1 + z)
	case Arctan:
		return 1 / (1 + z*z)
	}
	return 1
}

// curvatureWeight is ρ'(z) + 2z·ρ”(z), clipped below at ε: scipy's weight
// of each Jacobian row (squared) in the Gauss–Newton Hessian of a robust
// loss, used for the covariance.
func (l Loss) curvatureWeight(t float64) float64 {
	z := t * t
	var w float64
	switch l {
	case SoftL1:
		w = math.Pow(1+z, -1.5)
	case Huber:
		w = 1
		if t > 1 {
			w = 0
		}
	case Cauchy:
		w = (1 - z) / ((1 + z) * (1 + z))
	case Arctan:
		w = (1 - 3*z*z) / ((1 + z*z) * (1 + z*z))
	default:
		w = 1
	}
	return math.Max(w, 0x1p-52)
}

// robustResidual is the residual LM sees for a robust loss: φ(u) =
// s·sign(u)·√ρ((u/s)²), whose square is exactly the loss term s²·ρ, so
// least squares on φ minimizes the robust objective; with deriv it is
// φ'(u) = ρ'(z)·√(z/ρ(z)), which is 1 at u = 0. LM's Gauss–Newton matrix
// is then Jᵀ·diag(φ'²)·J, a row rescaling of J like scipy's (which uses
// ρ' + 2zρ” instead; both have the same minimizer, and the covariance is
// computed with scipy's weights).
type robustResidual struct {
	loss  Loss
	scale float64
	deriv bool
}

func (r robustResidual) String() string {
	if r.deriv {
		return fmt.Sprintf("Robust%sDeriv[%g]", r.loss, r.scale)
	}
	return fmt.Sprintf("Robust%s[%g]", r.loss, r.scale)
}

// Eval is φ(u), or φ'(u) with deriv.
func (r robustResidual) Eval(u float64) float64 {
	t := math.Abs(u) / r.scale
	rho := r.loss.rho(t)
	if r.deriv {
		if rho == 0 || t == 0 {
			return 1
		}
		return r.loss.slope(t) * t / math.Sqrt(rho)
	}
	return math.Copysign(r.scale*math.Sqrt(rho), u)
}

// Derivative is φ'; its own derivative is not needed by LM.
func (r robustResidual) Derivative() (graph.Elementwise, error) {
	if r.deriv {
		return nil, fmt.Errorf("fit: the second derivative of the %s residual is not implemented", r.loss)
	}
	d := r
	d.deriv = true
	return d, nil
}
