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
// damped system with b = Jᵀ·r_vv, and the step becomes v + a/2 when
// 2‖a‖_D/‖v‖_D ≤ α. It reports false, leaving o.delta = v, when the
// acceleration is too large, cannot be solved or is not finite: the caller
// then tries the plain step. (Rejecting the whole trial instead, as the
// paper does, fails near a minimum: there v is tiny while the rounding of
// the finite difference keeps a from shrinking, so every μ is rejected.)
func (o *LMOptimizer) accelerate(ctx context.Context, ls LeastSquares) (bool, error) {
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
	err := ls.Residuals(ctx, g.rvv)
	copy(theta, o.theta)
	if err != nil {
		return false, err
	}
	for q := 0; q < rows; q++ {
		jv := 0.0
		row := s.J.RawRowView(q)
		for i, v := range o.delta {
			jv += row[i] * v
		}
		g.rvv[q] = 2 / h * ((g.rvv[q]-s.r[q])/h - jv)
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
	var na, nv float64
	for i := range g.acc {
		na += o.d[i] * g.acc[i] * g.acc[i]
		nv += o.d[i] * o.delta[i] * o.delta[i]
	}
	if nv == 0 || !(2*math.Sqrt(na/nv) <= c.GeodesicAlpha) {
		return false, nil
	}
	for i := range o.delta {
		o.delta[i] += g.acc[i] / 2
	}
	return true, nil
}
