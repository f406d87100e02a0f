package golem

import (
	"fmt"
	"math"
)

// Scaling is how inputs or targets are normalized. Scalers are fitted on
// the training data at the first Fit, saved with the weights, and applied
// by Fit, Evaluate and Predict; predictions are mapped back to the
// targets' units.
type Scaling int

const (
	// NoScaling leaves values as they are (the default).
	NoScaling Scaling = iota
	// MinMax maps each column's training range onto [-1, 1], as MATLAB's
	// mapminmax.
	MinMax
	// Standardize subtracts each column's training mean and divides by its
	// standard deviation.
	Standardize
)

func (s Scaling) String() string {
	switch s {
	case NoScaling:
		return "none"
	case MinMax:
		return "minmax"
	case Standardize:
		return "standardize"
	}
	return fmt.Sprintf("Scaling(%d)", int(s))
}

func parseScaling(name string) (Scaling, error) {
	for _, s := range []Scaling{NoScaling, MinMax, Standardize} {
		if s.String() == name {
			return s, nil
		}
	}
	return 0, fmt.Errorf("unknown scaling %q", name)
}

// ScaleInputs normalizes the inputs (see Scaling).
func ScaleInputs(s Scaling) CompileOption {
	return func(c *compileConfig) { c.inputs, c.inputsSet = s, true }
}

// ScaleTargets normalizes the targets of a regression loss (mse, sse, mae):
// the loss is then computed on scaled targets, while predictions and
// metrics are in the targets' own units.
func ScaleTargets(s Scaling) CompileOption {
	return func(c *compileConfig) { c.targets, c.targetsSet = s, true }
}

// scaler maps x to (x - offset)·scale, column by column.
type scaler struct {
	Kind   Scaling
	Offset []float64
	Scale  []float64
}

func (s *scaler) fitted() bool { return s != nil && s.Offset != nil }

// fit computes the scaler of an n × cols row-major block. A constant
// column maps to 0 (scale 1).
func (s *scaler) fit(data []float64, n, cols int) {
	s.Offset, s.Scale = make([]float64, cols), make([]float64, cols)
	for j := 0; j < cols; j++ {
		lo, hi, sum := math.Inf(1), math.Inf(-1), 0.0
		for i := 0; i < n; i++ {
			v := data[i*cols+j]
			lo, hi, sum = math.Min(lo, v), math.Max(hi, v), sum+v
		}
		s.Scale[j] = 1
		switch s.Kind {
		case MinMax:
			s.Offset[j] = (lo + hi) / 2
			if hi > lo {
				s.Scale[j] = 2 / (hi - lo)
			}
		case Standardize:
			mean := sum / float64(n)
			var ss float64
			for i := 0; i < n; i++ {
				d := data[i*cols+j] - mean
				ss += d * d
			}
			s.Offset[j] = mean
			if sd := math.Sqrt(ss / float64(n)); sd > 0 {
				s.Scale[j] = 1 / sd
			}
		}
	}
}

// apply scales a row-major block in place.
func (s *scaler) apply(data []float64, cols int) {
	if !s.fitted() {
		return
	}
	for i := range data {
		j := i % cols
		data[i] = (data[i] - s.Offset[j]) * s.Scale[j]
	}
}

// invert maps a scaled row-major block back in place.
func (s *scaler) invert(data []float64, cols int) {
	if !s.fitted() {
		return
	}
	for i := range data {
		j := i % cols
		data[i] = data[i]/s.Scale[j] + s.Offset[j]
	}
}

// fitScalers returns the scalers of a Fit on train: the model's own when
// they are fitted (the datasets were scaled when they were made), else new
// ones fitted on the training data, which scale every part in place (parts
// share no storage). The model itself is not changed: Fit commits the
// scalers once the whole run has been checked.
func (m *Model) fitScalers(train *dataset, parts ...*dataset) (in, out *scaler) {
	fresh := func(s *scaler) *scaler {
		if s == nil || s.fitted() {
			return nil
		}
		return &scaler{Kind: s.Kind}
	}
	newIn, newOut := fresh(m.inScale), fresh(m.outScale)
	if newIn != nil {
		newIn.fit(train.x, train.n, train.xCols)
	}
	if newOut != nil {
		newOut.fit(train.y, train.n, train.yCols)
	}
	for _, d := range append([]*dataset{train}, parts...) {
		if d == nil {
			continue
		}
		if newIn != nil {
			newIn.apply(d.x, d.xCols)
		}
		if newOut != nil && d.y != nil {
			newOut.apply(d.y, d.yCols)
		}
	}
	in, out = m.inScale, m.outScale
	if newIn != nil {
		in = newIn
	}
	if newOut != nil {
		out = newOut
	}
	return in, out
}
