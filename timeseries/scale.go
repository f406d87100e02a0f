package timeseries

import (
	"fmt"
	"math"

	"gonum.org/v1/gonum/mat"
)

// channelScale maps each channel onto [−1, 1] (MATLAB's mapminmax):
// x' = (x − offset)·scale. A constant channel gets scale 1.
type channelScale struct {
	Offset, Scale []float64
}

func fitScale(a mat.Matrix) *channelScale {
	r, c := a.Dims()
	s := &channelScale{Offset: make([]float64, c), Scale: make([]float64, c)}
	for j := 0; j < c; j++ {
		lo, hi := math.Inf(1), math.Inf(-1)
		for i := 0; i < r; i++ {
			lo, hi = math.Min(lo, a.At(i, j)), math.Max(hi, a.At(i, j))
		}
		s.Offset[j], s.Scale[j] = (lo+hi)/2, 1
		if hi > lo {
			s.Scale[j] = 2 / (hi - lo)
		}
	}
	return s
}

// apply returns a scaled copy of a (nil scale: a plain copy).
func (s *channelScale) apply(a mat.Matrix) *mat.Dense {
	out := mat.DenseCopyOf(a)
	if s == nil {
		return out
	}
	r, c := out.Dims()
	for i := 0; i < r; i++ {
		for j := 0; j < c; j++ {
			out.Set(i, j, (out.At(i, j)-s.Offset[j])*s.Scale[j])
		}
	}
	return out
}

// invert maps a back to the channel's units, in place.
func (s *channelScale) invert(a *mat.Dense) {
	if s == nil || a == nil {
		return
	}
	r, c := a.Dims()
	for i := 0; i < r; i++ {
		for j := 0; j < c; j++ {
			a.Set(i, j, a.At(i, j)/s.Scale[j]+s.Offset[j])
		}
	}
}

// checkSeries validates a series: rows, columns and finite values.
func checkSeries(what string, a mat.Matrix, cols int) error {
	r, c := a.Dims()
	if c != cols {
		return fmt.Errorf("timeseries: %s has %d channels, the net %d", what, c, cols)
	}
	for i := 0; i < r; i++ {
		for j := 0; j < c; j++ {
			if v := a.At(i, j); math.IsNaN(v) || math.IsInf(v, 0) {
				return fmt.Errorf("timeseries: %s step %d, channel %d is %v", what, i, j, v)
			}
		}
	}
	return nil
}

// scaled checks u and y against the net and returns them scaled (fitting
// the scaling first when fit is set and the net has none yet). su is nil
// for a net without inputs.
func (n *Net) scaled(u, y mat.Matrix, fit bool) (su, sy *mat.Dense, err error) {
	if y == nil {
		return nil, nil, fmt.Errorf("timeseries: the target series y is nil")
	}
	if err := checkSeries("y", y, n.k); err != nil {
		return nil, nil, err
	}
	T, _ := y.Dims()
	if n.hasInput() {
		if u == nil {
			return nil, nil, fmt.Errorf("timeseries: a %v net needs the input series u", n.cfg.Kind)
		}
		if err := checkSeries("u", u, n.m); err != nil {
			return nil, nil, err
		}
		if r, _ := u.Dims(); r != T {
			return nil, nil, fmt.Errorf("timeseries: u has %d steps, y has %d", r, T)
		}
	} else if u != nil {
		return nil, nil, fmt.Errorf("timeseries: a %v net takes no input series u", n.cfg.Kind)
	}
	if fit && !n.cfg.NoScaling && n.scaleY == nil {
		n.scaleY = fitScale(y)
		if n.hasInput() {
			n.scaleU = fitScale(u)
		}
	}
	sy = n.scaleY.apply(y)
	if n.hasInput() {
		su = n.scaleU.apply(u)
	}
	return su, sy, nil
}
