package graph

import (
	"fmt"
	"math"
)

// Penalty is a weight regularizer, Keras's l1_l2: it adds
// L1·Σ|θᵢ| + L2·Σθᵢ² over a parameter's entries to the objective. The zero
// value adds nothing.
type Penalty struct {
	L1, L2 float64
}

// String is Keras's name for the penalty, e.g. "l2(0.001)".
func (p Penalty) String() string {
	switch {
	case p.L1 != 0 && p.L2 != 0:
		return fmt.Sprintf("l1_l2(%g, %g)", p.L1, p.L2)
	case p.L1 != 0:
		return fmt.Sprintf("l1(%g)", p.L1)
	case p.L2 != 0:
		return fmt.Sprintf("l2(%g)", p.L2)
	}
	return "none"
}

// IsZero reports whether the penalty adds nothing.
func (p Penalty) IsZero() bool { return p.L1 == 0 && p.L2 == 0 }

// Validate rejects negative, NaN or infinite factors.
func (p Penalty) Validate() error {
	for _, v := range []float64{p.L1, p.L2} {
		if !(v >= 0) || math.IsInf(v, 0) {
			return fmt.Errorf("graph: penalty factors must be finite and non-negative, got L1 = %v, L2 = %v", p.L1, p.L2)
		}
	}
	return nil
}

// Penalized lists the parameters with a non-zero penalty.
func (ps *Params) Penalized() []*Param {
	var out []*Param
	for _, p := range ps.list {
		if !p.Penalty.IsZero() {
			out = append(out, p)
		}
	}
	return out
}

// PenaltyValue is Σ over penalized parameters of L1·Σ|θᵢ| + L2·Σθᵢ² at θ.
// It allocates nothing: the training loop calls it for every batch.
func (ps *Params) PenaltyValue(theta []float64) float64 {
	var sum float64
	for _, p := range ps.list {
		if p.Penalty.IsZero() {
			continue
		}
		for _, v := range theta[p.Offset : p.Offset+p.Size()] {
			sum += p.Penalty.L1*math.Abs(v) + p.Penalty.L2*v*v
		}
	}
	return sum
}

// AddPenaltyGradient adds the penalty's gradient at θ to g:
// L1·sign(θᵢ) + 2·L2·θᵢ (the L1 term's subgradient is 0 at θᵢ = 0).
func (ps *Params) AddPenaltyGradient(theta, g []float64) {
	for _, p := range ps.list {
		if p.Penalty.IsZero() {
			continue
		}
		for i := p.Offset; i < p.Offset+p.Size(); i++ {
			v := theta[i]
			sign := 0.0
			switch {
			case v > 0:
				sign = 1
			case v < 0:
				sign = -1
			}
			g[i] += p.Penalty.L1*sign + 2*p.Penalty.L2*v
		}
	}
}
