package optim

import (
	"context"
	"math"
)

// geodesic is the workspace of geodesic acceleration.
type geodesic struct {
	rvv []float64 // r(θ+hv), then the second directional derivative r_vv
	acc []float64 // the acceleration a
	ba  []float64 // Jᵀ·r_vv
}

// accelerate adds Transtrum–Sethna geodesic acceleration to the velocity
// v = o.delta: r_vv ≈ (2/h)·((r(θ+hv) - r(θ))/h - J·v), a solves the
// damped system with b = Jᵀ·r_vv, and o.delta becomes v + a/2 when
// 2‖a‖/‖v‖ ≤ α in the metric diag(JᵀWJ); it reports whether it applied
// the acceleration. It does not when that ratio is larger, when a cannot
// be solved or is not finite, or when r_vv is within 10× of the rounding
// of its finite difference (about ε·|r|/h² per row: near a minimum v is
// tiny while that rounding does not shrink, so a would be noise).
func (o *LMOptimizer) accelerate(ctx context.Context, ls LeastSquares) (applied bool, err error) {
	s, c := o.sys, o.cfg
	theta := ls.Params()
	rows := s.rows
	g := &o.geo
	if len(g.rvv) != rows {
		g.rvv = make([]float64, rows)
	}
	if len(g.acc) != s.p {
		g.acc, g.ba = make([]float64, s.p), make([]float64, s.p)
	}
	h := c.GeodesicStep
	for i := range theta {
		theta[i] = o.theta[i] + h*o.delta[i]
	}
	err = ls.Residuals(ctx, g.rvv)
	copy(theta, o.theta)
	if err != nil {
		return false, err
	}
	const eps = 0x1p-52
	var size, noise float64
	for q := 0; q < rows; q++ {
		jv := 0.0
		row := s.J.RawRowView(q)
		for i, v := range o.delta {
			jv += row[i] * v
		}
		n := 2 / (h * h) * eps * (math.Abs(g.rvv[q]) + math.Abs(s.r[q]) + math.Abs(h*jv))
		noise += n * n
		g.rvv[q] = 2 / h * ((g.rvv[q]-s.r[q])/h - jv)
		size += g.rvv[q] * g.rvv[q]
	}
	if !(size > 100*noise) { // ‖r_vv‖ ≤ 10× its rounding (or not finite)
		return false, nil
	}
	clear(g.ba)
	for q := 0; q < rows; q++ {
		row := s.J.RawRowView(q)
		for i := range g.ba {
			g.ba[i] += row[i] * g.rvv[q]
		}
	}
	_, ok, err := s.solve(ctx, c.Solver, o.e, g.ba, g.rvv, nil, g.acc)
	if err != nil || !ok {
		return false, err
	}
	// The ratio is measured in the metric diag(JᵀWJ) (Transtrum & Sethna's
	// choice), which makes it invariant to rescaling the parameters.
	var na, nv float64
	raw := s.jtj.RawSymmetric()
	for i := range g.acc {
		m := raw.Data[i*raw.Stride+i]
		na += m * g.acc[i] * g.acc[i]
		nv += m * o.delta[i] * o.delta[i]
	}
	if nv == 0 || math.IsNaN(na) || math.IsInf(na, 0) {
		return false, nil
	}
	k := 0.5
	if ratio := 2 * math.Sqrt(na/nv); ratio > c.GeodesicAlpha {
		return false, nil
	}
	for i := range o.delta {
		o.delta[i] += k * g.acc[i]
	}
	return true, nil
}
