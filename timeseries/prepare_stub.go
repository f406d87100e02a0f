package timeseries

// TEMPORARY: replaced by the tsprep branch's prepare.go at merge.

import (
	"errors"

	"gonum.org/v1/gonum/mat"
)

type Windows struct {
	X, T                        *mat.Dense
	Times                       []int
	InputStates                 *mat.Dense
	FeedbackStates              *mat.Dense
	InputDelays, FeedbackDelays []int
}

func Prepare(u, y mat.Matrix, inputDelays, feedbackDelays []int) (*Windows, error) {
	if y == nil {
		return nil, errors.New("no y")
	}
	T, k := y.Dims()
	m := 0
	if u != nil {
		_, m = u.Dims()
	}
	maxD := 0
	for _, d := range append(append([]int(nil), inputDelays...), feedbackDelays...) {
		maxD = max(maxD, d)
	}
	if T <= maxD {
		return nil, errors.New("short")
	}
	n := T - maxD
	w := &Windows{X: mat.NewDense(n, len(inputDelays)*m+len(feedbackDelays)*k, nil), T: mat.NewDense(n, k, nil), InputDelays: inputDelays, FeedbackDelays: feedbackDelays}
	for r := 0; r < n; r++ {
		t := r + maxD
		w.Times = append(w.Times, t)
		c := 0
		for _, d := range inputDelays {
			for j := 0; j < m; j++ {
				w.X.Set(r, c, u.At(t-d, j))
				c++
			}
		}
		for _, d := range feedbackDelays {
			for j := 0; j < k; j++ {
				w.X.Set(r, c, y.At(t-d, j))
				c++
			}
		}
		for j := 0; j < k; j++ {
			w.T.Set(r, j, y.At(t, j))
		}
	}
	return w, nil
}
