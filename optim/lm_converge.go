package optim

import (
	"errors"
	"fmt"
	"math"

	"gonum.org/v1/gonum/mat"
)

// LM's convergence tests (after MINPACK's lmder: ftol, xtol, gtol), its
// check for non-finite linear algebra, and its memory budget.

// trial is what the convergence tests need from one solved trial step.
type trial struct {
	ok    bool    // a step was solved
	pred  float64 // reduction of the objective the quadratic model predicts
	small bool    // |δᵢ| ≤ XTol·(|θᵢ+δᵢ| + XTol) for every i
}

// measure describes the LM step o.delta from o.theta: its predicted
// reduction -δᵀb + μ·δᵀDδ (the quadratic model's, written without
// cancellation) and whether it meets xtol.
func (o *LMOptimizer) measure() trial {
	c := o.cfg
	t := trial{ok: true, small: c.XTol >= 0}
	for i, di := range o.delta {
		t.pred += -di*o.b[i] + (o.mu*o.d[i])*di*di
	}
	if t.small {
		for i, di := range o.delta {
			if !(math.Abs(di) <= c.XTol*(math.Abs(o.theta[i]+di)+c.XTol)) {
				t.small = false
				break
			}
		}
	}
	return t
}

// acceptedStop applies the ftol and xtol tests to an accepted step that
// took the objective from f to fNew.
func (c LMConfig) acceptedStop(f, fNew float64, t trial) Stop {
	if c.FTol >= 0 && f > 0 {
		act, pred := (f-fNew)/f, t.pred/f
		if math.Abs(act) <= c.FTol && pred <= c.FTol && act <= 2*pred {
			return StopConvergedFtol
		}
	}
	if t.small {
		return StopConvergedXtol
	}
	return ""
}

// stuckStop is the verdict when μ ran past MuMax with no step accepted:
// converged when the iteration's first (least damped) trial already met
// xtol, or predicted a reduction below what the loss can resolve (8ε
// relative: the rounding floor, reported as ftol), or when the run has
// brought the objective down to ε times where it started (ε = 2⁻⁵²; an
// exact fit: the residuals are at the rounding level of the data, where
// no trial can be told from noise; ftol too); StopMuMax — stuck —
// otherwise.
func (c LMConfig) stuckStop(f, start float64, first trial) Stop {
	switch {
	case c.FTol >= 0 && f <= 0x1p-52*start:
		return StopConvergedFtol
	case !first.ok:
		return StopMuMax
	case first.small:
		return StopConvergedXtol
	case c.FTol >= 0 && first.pred <= lmAcceptRel*f: // f = 0 included
		return StopConvergedFtol
	}
	return StopMuMax
}

// gtolHolds is MINPACK's gradient test at the current θ:
// maxⱼ |bⱼ| / (√f·√(JᵀWJ + βI)ⱼⱼ) ≤ GTol, true as well when f = 0.
func (c LMConfig) gtolHolds(s *lmSystem, b []float64, f float64) bool {
	if c.GTol < 0 {
		return false
	}
	if f == 0 {
		return true
	}
	raw := s.jtj.RawSymmetric()
	var g float64
	for j, bj := range b {
		n := raw.Data[j*raw.Stride+j] + c.L2
		if n > 0 {
			g = math.Max(g, math.Abs(bj)/(math.Sqrt(f)*math.Sqrt(n)))
		}
	}
	return g <= c.GTol
}

// nonFiniteNormal describes the first NaN or ±Inf entry of the normal
// equations JᵀWJ (upper triangle) and JᵀWr, or returns "".
func nonFiniteNormal(jtj *mat.SymDense, jtr []float64) string {
	bad := func(v float64) bool { return math.IsNaN(v) || math.IsInf(v, 0) }
	raw := jtj.RawSymmetric()
	for i := 0; i < raw.N; i++ {
		for j := i; j < raw.N; j++ {
			if v := raw.Data[i*raw.Stride+j]; bad(v) {
				return fmt.Sprintf("non-finite JᵀWJ entry (%d, %d) = %v: the Jacobian is not finite", i, j, v)
			}
		}
	}
	for i, v := range jtr {
		if bad(v) {
			return fmt.Sprintf("non-finite JᵀWr entry %d = %v: the Jacobian is not finite", i, v)
		}
	}
	return ""
}

// nonFinite describes the first NaN or ±Inf entry of JᵀWJ, JᵀWr or (when
// this step computed it) √W·J, or returns "".
func (s *lmSystem) nonFinite() string {
	bad := func(v float64) bool { return math.IsNaN(v) || math.IsInf(v, 0) }
	if w := nonFiniteNormal(s.jtj, s.jtr); w != "" {
		return w
	}
	if s.hasJ {
		J := s.J.RawMatrix()
		for q := 0; q < s.rows; q++ {
			for i, v := range J.Data[q*J.Stride : q*J.Stride+s.p] {
				if bad(v) {
					return fmt.Sprintf("non-finite Jacobian entry (row %d, parameter %d) = %v", q, i, v)
				}
			}
			if bad(s.r[q]) {
				return fmt.Sprintf("non-finite residual %d = %v", q, s.r[q])
			}
		}
	}
	return ""
}

// ErrMemoryBudget is wrapped by the error for a problem whose linear
// algebra would exceed LMConfig.MemoryBudget.
var ErrMemoryBudget = errors.New("optim: LM memory budget exceeded")

// MemoryNeeded estimates the bytes LM's linear algebra needs for P
// parameters and rows residual rows per step (0 when unknown): what
// MemoryBudget is checked against (see LMConfig.MemoryBudget).
func (c LMConfig) MemoryNeeded(P, rows int) float64 {
	p, n := float64(P), float64(rows)
	bytes := 4 * p * p * 8
	fullJ := c.Solver == SolverQR || c.Geodesic || rows < P
	if rows > 0 && fullJ {
		bytes += (n*p + 2*n) * 8 // J, r and geodesic's second residual vector
	}
	switch {
	case rows > 0 && c.Solver == SolverQR:
		bytes += 2 * (n + p) * p * 8 // [J; √E] and its factor
	case rows > 0 && rows < P:
		bytes += (n*p + 2*n*n) * 8 // J·E⁻¹ and the rows×rows system
	}
	return bytes
}

// checkMemory refuses a problem over the budget.
func (c LMConfig) checkMemory(P, rows int) error {
	budget := c.MemoryBudget
	if budget == 0 {
		budget = DefaultLMMemoryBudget
	}
	if budget < 0 {
		return nil
	}
	need := c.MemoryNeeded(P, rows)
	if need <= float64(budget) {
		return nil
	}
	return fmt.Errorf("%w: P = %d parameters (%d residual rows) need %.0f bytes (%.3g GiB) for the normal equations and their factor, over MemoryBudget = %d bytes; raise LMConfig.MemoryBudget (negative: no limit) or use a first-order optimizer",
		ErrMemoryBudget, P, rows, need, need/(1<<30), budget)
}
