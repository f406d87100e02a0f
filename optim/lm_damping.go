package optim

import (
	"fmt"
	"math"
)

// Scaling chooses the damping matrix D in (JᵀWJ + μD)δ = -JᵀWr.
type Scaling int

const (
	// ScaleIdentity uses D = I, as MATLAB's trainlm (the default).
	ScaleIdentity Scaling = iota
	// ScaleMarquardt uses D = diag(JᵀWJ) (Marquardt, Fletcher), each entry
	// clamped to [MinScale, MaxScale] so that parameters the data do not
	// determine still get damped. It makes the step invariant to
	// rescaling parameters, which helps problems whose parameters differ by
	// orders of magnitude (the NIST curve fits).
	ScaleMarquardt
)

func (s Scaling) String() string {
	switch s {
	case ScaleIdentity:
		return "identity"
	case ScaleMarquardt:
		return "marquardt"
	}
	return fmt.Sprintf("Scaling(%d)", int(s))
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
)

func (u Update) String() string {
	switch u {
	case UpdateTrainlm:
		return "trainlm"
	case UpdateNielsen:
		return "nielsen"
	}
	return fmt.Sprintf("Update(%d)", int(u))
}

// dampingDiagonal writes D's diagonal for the current JᵀWJ into d.
func (c LMConfig) dampingDiagonal(jtjDiag, d []float64) {
	for i := range d {
		v := 1.0
		if c.Scaling == ScaleMarquardt {
			v = math.Min(math.Max(jtjDiag[i], c.MinScale), c.MaxScale)
		}
		if c.DampingWeights != nil {
			v *= c.DampingWeights[i]
		}
		d[i] = v
	}
}
