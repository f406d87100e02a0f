package timeseries

import (
	"fmt"
	"math"

	"gonum.org/v1/gonum/mat"
)

// Windows is a series cut into the rows a delay network trains on, as
// MATLAB's preparets cuts it.
//
// Row i stands for time t = Times[i]. Its X holds, for each input delay d in
// the order given, the m channels of u(t−d), then for each feedback delay d
// in the order given, the k channels of y(t−d); its T holds y(t). The first
// row is at t = maxDelay, the largest delay of both lists, so that every
// delayed value lies inside the series; the last is at t = T−1.
//
// The correspondence with [Xs, Xi, Ai, Ts] = preparets(net, X, {}, T):
//   - X is Xs with its delays unrolled: MATLAB keeps u(t) (and, for an
//     open-loop NARX, y(t) as a second input) per time step and lets the
//     network's tapped delay lines pick the delayed values; here the row
//     already holds them.
//   - InputStates is the input part of Xi: u at t = 0, ..., maxDelay−1.
//   - FeedbackStates is the feedback part: y at t = 0, ..., maxDelay−1. An
//     open-loop NARX in MATLAB carries it in Xi (y is an input there); a
//     closed-loop one in Ai (the layer states of its output layer).
//   - T is Ts: y at t = maxDelay, ..., T−1.
//
// The states are what a closed-loop forecast starts from (see
// ARX.Forecast): the maxDelay steps just before Times[0].
type Windows struct {
	// X is N × (len(InputDelays)·m + len(FeedbackDelays)·k).
	X *mat.Dense
	// T is N × k: y(t).
	T *mat.Dense
	// Times is t of each row: maxDelay, ..., T−1.
	Times []int
	// InputStates is the first maxDelay rows of u (maxDelay × m), MATLAB's
	// Xi input part; nil without input delays or when maxDelay is 0.
	InputStates *mat.Dense
	// FeedbackStates is the first maxDelay rows of y (maxDelay × k),
	// MATLAB's Ai (or the feedback part of an open-loop Xi); nil without
	// feedback delays.
	FeedbackStates *mat.Dense
	// InputDelays and FeedbackDelays are copies of the delays, in the order
	// given, which is the order of X's column blocks.
	InputDelays, FeedbackDelays []int
}

// Len is the number of rows, N.
func (w *Windows) Len() int { return len(w.Times) }

// MaxDelay is the largest delay of both lists: the number of steps the
// states hold and the time of the first row.
func (w *Windows) MaxDelay() int { return largestDelay(w.InputDelays, w.FeedbackDelays) }

// Prepare cuts u (T × m, nil without exogenous inputs) and y (T × k, the
// targets) into the windows a network with the given delays trains on (see
// Windows). Delays keep the order given: X's column blocks follow it, so
// {2, 0} puts u(t−2) before u(t). Input delays may include 0 (a
// timedelaynet(0:2) sees u(t)); feedback delays must be at least 1, since
// y(t) is the target.
//
// Prepare fails, naming the problem, on: no delays at all; a negative or
// duplicated delay; a feedback delay of 0; input delays without u; a nil y;
// u and y of different lengths; a series shorter than maxDelay+1 steps; a
// NaN or Inf anywhere in u or y (named by row and column). When u is given
// but there are no input delays, u is checked and otherwise ignored.
func Prepare(u, y mat.Matrix, inputDelays, feedbackDelays []int) (*Windows, error) {
	if len(inputDelays) == 0 && len(feedbackDelays) == 0 {
		return nil, fmt.Errorf("timeseries: Prepare: no delays: give input delays, feedback delays or both")
	}
	if err := checkDelayList("input", inputDelays, 0); err != nil {
		return nil, err
	}
	if err := checkDelayList("feedback", feedbackDelays, 1); err != nil {
		return nil, err
	}
	if len(inputDelays) > 0 && nilMatrix(u) {
		return nil, fmt.Errorf("timeseries: Prepare: input delays %v but no inputs u", inputDelays)
	}
	if nilMatrix(y) {
		if len(feedbackDelays) > 0 {
			return nil, fmt.Errorf("timeseries: Prepare: feedback delays %v but no series y", feedbackDelays)
		}
		return nil, fmt.Errorf("timeseries: Prepare: no targets y")
	}
	steps, k := y.Dims()
	if err := checkSeriesFinite("y", y); err != nil {
		return nil, err
	}
	m := 0
	if !nilMatrix(u) {
		var ut int
		ut, m = u.Dims()
		if ut != steps {
			return nil, fmt.Errorf("timeseries: Prepare: u has %d steps, y %d: they must be of the same length", ut, steps)
		}
		if err := checkSeriesFinite("u", u); err != nil {
			return nil, err
		}
	}
	md := largestDelay(inputDelays, feedbackDelays)
	if steps < md+1 {
		return nil, fmt.Errorf("timeseries: Prepare: the series has %d steps; delays up to %d need at least %d", steps, md, md+1)
	}
	n := steps - md
	width := len(inputDelays)*m + len(feedbackDelays)*k
	w := &Windows{
		X:              mat.NewDense(n, width, nil),
		T:              mat.NewDense(n, k, nil),
		Times:          make([]int, n),
		InputDelays:    append([]int(nil), inputDelays...),
		FeedbackDelays: append([]int(nil), feedbackDelays...),
	}
	for i := 0; i < n; i++ {
		t := md + i
		w.Times[i] = t
		row := w.X.RawRowView(i)
		fillWindowRow(row, u, y, inputDelays, feedbackDelays, m, k, t)
		for j := 0; j < k; j++ {
			w.T.Set(i, j, y.At(t, j))
		}
	}
	if md > 0 {
		if len(inputDelays) > 0 {
			w.InputStates = copyRowRange(u, 0, md)
		}
		if len(feedbackDelays) > 0 {
			w.FeedbackStates = copyRowRange(y, 0, md)
		}
	}
	return w, nil
}

// fillWindowRow writes the window at time t into row: u(t−d) for each input
// delay, then y(t−d) for each feedback delay.
func fillWindowRow(row []float64, u, y mat.Matrix, inputDelays, feedbackDelays []int, m, k, t int) {
	c := 0
	for _, d := range inputDelays {
		for j := 0; j < m; j++ {
			row[c] = u.At(t-d, j)
			c++
		}
	}
	for _, d := range feedbackDelays {
		for j := 0; j < k; j++ {
			row[c] = y.At(t-d, j)
			c++
		}
	}
}

func checkDelayList(kind string, delays []int, min int) error {
	seen := make(map[int]bool, len(delays))
	for i, d := range delays {
		if d < min {
			if min == 1 && d == 0 {
				return fmt.Errorf("timeseries: Prepare: feedback delay %d (position %d) is 0: feedback delays must be at least 1, y(t) being the target", d, i)
			}
			return fmt.Errorf("timeseries: Prepare: %s delay %d (position %d) is negative", kind, d, i)
		}
		if seen[d] {
			return fmt.Errorf("timeseries: Prepare: %s delay %d appears twice in %v", kind, d, delays)
		}
		seen[d] = true
	}
	return nil
}

func checkSeriesFinite(name string, a mat.Matrix) error {
	r, c := a.Dims()
	for i := 0; i < r; i++ {
		for j := 0; j < c; j++ {
			if v := a.At(i, j); math.IsNaN(v) || math.IsInf(v, 0) {
				return fmt.Errorf("timeseries: Prepare: %s has %v at row %d, column %d", name, v, i, j)
			}
		}
	}
	return nil
}

func largestDelay(inputDelays, feedbackDelays []int) int {
	md := 0
	for _, d := range inputDelays {
		md = max(md, d)
	}
	for _, d := range feedbackDelays {
		md = max(md, d)
	}
	return md
}

// copyRowRange copies rows [from, to) of a into a new Dense.
func copyRowRange(a mat.Matrix, from, to int) *mat.Dense {
	_, c := a.Dims()
	out := mat.NewDense(to-from, c, nil)
	for i := from; i < to; i++ {
		for j := 0; j < c; j++ {
			out.Set(i-from, j, a.At(i, j))
		}
	}
	return out
}

// nilMatrix reports whether a is nil, including a typed nil such as a
// (*mat.Dense)(nil) held in the interface.
func nilMatrix(a mat.Matrix) bool {
	if a == nil {
		return true
	}
	if d, ok := a.(*mat.Dense); ok && d == nil {
		return true
	}
	return false
}
