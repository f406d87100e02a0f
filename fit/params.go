package fit

import (
	"fmt"
	"math"

	"github.com/golem-ml/golem/graph"
)

// Param sets one parameter of a fit by name: its starting value, optional
// bounds and whether it is held fixed. A literal Param{Name: "b1", Value: 2}
// is free and unbounded; bounds are set only through AtLeast, AtMost and
// Between, so that a zero field can never be mistaken for a bound at 0.
//
// Bounds are enforced by a change of variables, as MINUIT and lmfit do: LM
// works on an unbounded internal parameter θ and the model sees
//
//	p = lo + (hi − lo)·(sin θ + 1)/2     both bounds
//	p = lo − 1 + √(θ² + 1)               lower bound only
//	p = hi + 1 − √(θ² + 1)               upper bound only
//
// so every trial stays inside the bounds and the model is never evaluated
// outside them. A start on a bound is moved inside by 10⁻⁶ of the range (or
// of max(1, |bound|) for a one-sided bound), where the change of variables
// has a non-zero slope. All statistics are computed in the user's
// parameters p, from the Jacobian with respect to p, not θ. A parameter
// that ends on its bound (within 10⁻⁸ relative) is reported as AtLower or
// AtUpper and is held at the bound for the statistics: its standard error
// and interval are NaN, the others are those of the fit with it fixed there,
// and the Result carries a warning, because the usual asymptotic theory
// does not hold at an active bound.
type Param struct {
	Name  string
	Value float64 // the starting value; the value itself when Fixed
	Fixed bool    // hold at Value; it is not fitted and has no error

	lo, hi       float64
	hasLo, hasHi bool
}

// P returns a free, unbounded parameter named name starting at value.
func P(name string, value float64) Param { return Param{Name: name, Value: value} }

// Start returns unbounded parameters for m's parameters, in order, starting
// at values (scipy's p0).
func Start(m *Model, values ...float64) []Param {
	ps := make([]Param, len(values))
	for i, v := range values {
		name := fmt.Sprintf("p%d", i)
		if m != nil && i < len(m.Params) {
			name = m.Params[i]
		}
		ps[i] = P(name, v)
	}
	return ps
}

// AtLeast returns p with the lower bound lo.
func (p Param) AtLeast(lo float64) Param { p.lo, p.hasLo = lo, true; return p }

// AtMost returns p with the upper bound hi.
func (p Param) AtMost(hi float64) Param { p.hi, p.hasHi = hi, true; return p }

// Between returns p bounded to [lo, hi].
func (p Param) Between(lo, hi float64) Param { return p.AtLeast(lo).AtMost(hi) }

// Fix returns p held fixed at its Value.
func (p Param) Fix() Param { p.Fixed = true; return p }

// Lower returns the lower bound, or -Inf when there is none.
func (p Param) Lower() float64 {
	if p.hasLo {
		return p.lo
	}
	return math.Inf(-1)
}

// Upper returns the upper bound, or +Inf when there is none.
func (p Param) Upper() float64 {
	if p.hasHi {
		return p.hi
	}
	return math.Inf(1)
}

// validate reports a parameter whose settings cannot be used.
func (p Param) validate() error {
	switch {
	case math.IsNaN(p.Value) || math.IsInf(p.Value, 0):
		return fmt.Errorf("fit: parameter %s starts at %v; it must be finite", p.Name, p.Value)
	case p.hasLo && math.IsNaN(p.lo), p.hasHi && math.IsNaN(p.hi):
		return fmt.Errorf("fit: parameter %s has a NaN bound", p.Name)
	case p.hasLo && math.IsInf(p.lo, 1), p.hasHi && math.IsInf(p.hi, -1):
		return fmt.Errorf("fit: parameter %s has bounds [%v, %v] that no value satisfies", p.Name, p.Lower(), p.Upper())
	case p.Lower() >= p.Upper():
		return fmt.Errorf("fit: parameter %s has bounds [%v, %v]; the lower must be below the upper (use Fix to hold it)", p.Name, p.Lower(), p.Upper())
	case !p.Fixed && (p.Value < p.Lower() || p.Value > p.Upper()):
		return fmt.Errorf("fit: parameter %s starts at %v, outside its bounds [%v, %v]", p.Name, p.Value, p.Lower(), p.Upper())
	}
	return nil
}

// boundMap is the change of variables p = g(θ) of a bounded parameter (see
// Param), as a graph.Elementwise; with deriv it is g'(θ). A parameter with
// infinite bounds on both sides is not mapped.
type boundMap struct {
	lo, hi       float64
	hasLo, hasHi bool
	deriv        bool
}

func newBoundMap(p Param) (boundMap, bool) {
	lo, hi := p.Lower(), p.Upper()
	m := boundMap{lo: lo, hi: hi, hasLo: !math.IsInf(lo, -1), hasHi: !math.IsInf(hi, 1)}
	return m, m.hasLo || m.hasHi
}

func (m boundMap) String() string {
	name := "BoundMap"
	if m.deriv {
		name += "Deriv"
	}
	return fmt.Sprintf("%s[%g,%g]", name, m.lo, m.hi)
}

// Eval is g(θ), or g'(θ) with deriv.
func (m boundMap) Eval(t float64) float64 {
	switch {
	case m.hasLo && m.hasHi:
		if m.deriv {
			return (m.hi - m.lo) / 2 * math.Cos(t)
		}
		return math.Min(m.hi, math.Max(m.lo, m.lo+(m.hi-m.lo)*(math.Sin(t)+1)/2))
	case m.hasLo:
		if m.deriv {
			return t / math.Hypot(t, 1)
		}
		return m.lo - 1 + math.Hypot(t, 1)
	case m.hasHi:
		if m.deriv {
			return -t / math.Hypot(t, 1)
		}
		return m.hi + 1 - math.Hypot(t, 1)
	}
	if m.deriv {
		return 1
	}
	return t
}

// Derivative is g' (its own derivative is not needed by LM).
func (m boundMap) Derivative() (graph.Elementwise, error) {
	if m.deriv {
		return nil, fmt.Errorf("fit: the second derivative of a bound mapping is not implemented")
	}
	d := m
	d.deriv = true
	return d, nil
}

// inverse is θ = g⁻¹(p) for p strictly inside the bounds.
func (m boundMap) inverse(p float64) float64 {
	switch {
	case m.hasLo && m.hasHi:
		return math.Asin(math.Max(-1, math.Min(1, 2*(p-m.lo)/(m.hi-m.lo)-1)))
	case m.hasLo:
		u := p - m.lo + 1
		return math.Sqrt(math.Max(0, u*u-1))
	case m.hasHi:
		u := m.hi - p + 1
		return math.Sqrt(math.Max(0, u*u-1))
	}
	return p
}

// inside moves a start on a bound (or within rounding of it) into the
// interior, where g has a non-zero slope.
func (m boundMap) inside(p float64) float64 {
	var gap float64
	switch {
	case m.hasLo && m.hasHi:
		gap = 1e-6 * (m.hi - m.lo)
	case m.hasLo:
		gap = 1e-6 * math.Max(1, math.Abs(m.lo))
	default:
		gap = 1e-6 * math.Max(1, math.Abs(m.hi))
	}
	if m.hasLo && p < m.lo+gap {
		p = m.lo + gap
	}
	if m.hasHi && p > m.hi-gap {
		p = m.hi - gap
	}
	return p
}

// boundStatus says whether p sits on one of m's bounds: within 10⁻⁸ of the
// larger of the bound's magnitude, the range's width and the start's
// magnitude (the scale of a bound at 0).
func (m boundMap) boundStatus(p, start float64) Status {
	scale := math.Max(math.Abs(start), scaleOf(m))
	near := func(b float64) bool { return math.Abs(p-b) <= 1e-8*math.Max(math.Abs(b), scale) }
	switch {
	case m.hasLo && near(m.lo):
		return AtLower
	case m.hasHi && near(m.hi):
		return AtUpper
	}
	return Free
}

// scaleOf is the width of a two-sided range, or 0.
func scaleOf(m boundMap) float64 {
	if m.hasLo && m.hasHi {
		return m.hi - m.lo
	}
	return 0
}
