package timeseries

import (
	"fmt"
	"math"

	"gonum.org/v1/gonum/mat"
)

// ARX is the linear baseline of a NARX network: an ARX model
//
//	y(t) = b + Σ_d u(t−d)·A_d + Σ_d y(t−d)·B_d
//
// over the input and feedback delays, fitted by least squares with an
// intercept on the rows Prepare cuts. Its rows (with Predict) and its
// closed-loop forecasts (with Forecast) are what a network of the same
// delays should beat.
type ARX struct {
	inputDelays, feedbackDelays []int
	m, k                        int
	w                           *mat.Dense // P × k, rows in the order of Windows.X's columns
	b                           []float64  // k intercepts
}

// FitARX fits an ARX model with the given delays to u (T × m, nil without
// inputs) and y (T × k) by least squares, with an intercept: each output
// channel is regressed on all columns of Prepare's X. The solve goes
// through a singular value decomposition of [X 1]; it fails, rather than
// return one of many minimizers, when there are fewer rows than
// coefficients or when [X 1] is rank deficient (a constant or repeated
// input channel, a series that is exactly periodic with a short period,
// ...), the rank being the count of singular values above
// max(N, P+1)·ε·σ_max. Errors from Prepare are passed on.
func FitARX(u, y mat.Matrix, inputDelays, feedbackDelays []int) (*ARX, error) {
	win, err := Prepare(u, y, inputDelays, feedbackDelays)
	if err != nil {
		return nil, fmt.Errorf("timeseries: FitARX: %w", err)
	}
	n, p := win.X.Dims()
	_, k := win.T.Dims()
	m := 0
	if len(inputDelays) > 0 {
		_, m = u.Dims()
	}
	if n < p+1 {
		return nil, fmt.Errorf("timeseries: FitARX: %d rows for %d coefficients per output (%d delayed values and an intercept): the series needs at least %d more steps", n, p+1, p, p+1-n)
	}
	a := mat.NewDense(n, p+1, nil)
	a.Slice(0, n, 0, p).(*mat.Dense).Copy(win.X)
	for i := 0; i < n; i++ {
		a.Set(i, p, 1)
	}
	var svd mat.SVD
	if !svd.Factorize(a, mat.SVDThin) {
		return nil, fmt.Errorf("timeseries: FitARX: the singular value decomposition of the %d×%d regressors failed", n, p+1)
	}
	s := svd.Values(nil)
	tol := float64(max(n, p+1)) * arxEps * s[0]
	rank := 0
	for _, v := range s {
		if v > tol {
			rank++
		}
	}
	if rank < p+1 {
		return nil, fmt.Errorf("timeseries: FitARX: the regressors [X 1] (%d×%d) have rank %d < %d: some delayed channels (or a constant one and the intercept) are linearly dependent", n, p+1, rank, p+1)
	}
	var theta mat.Dense
	svd.SolveTo(&theta, win.T, rank)
	model := &ARX{
		inputDelays:    append([]int(nil), inputDelays...),
		feedbackDelays: append([]int(nil), feedbackDelays...),
		m:              m,
		k:              k,
		w:              mat.DenseCopyOf(theta.Slice(0, p, 0, k)),
		b:              make([]float64, k),
	}
	for j := 0; j < k; j++ {
		model.b[j] = theta.At(p, j)
	}
	return model, nil
}

// arxEps is the float64 machine epsilon, 2⁻⁵².
var arxEps = math.Nextafter(1, 2) - 1

// Coefficients returns copies of the fitted coefficients: w is P × k, its
// rows in the order of Prepare's X columns (for each input delay in the
// order given, its m channels; then for each feedback delay, its k
// channels), column j for output channel j; b holds the k intercepts. A
// prediction is x·w + b.
func (a *ARX) Coefficients() (w *mat.Dense, b []float64) {
	return mat.DenseCopyOf(a.w), append([]float64(nil), a.b...)
}

// InputDelays returns a copy of the model's input delays.
func (a *ARX) InputDelays() []int { return append([]int(nil), a.inputDelays...) }

// FeedbackDelays returns a copy of the model's feedback delays.
func (a *ARX) FeedbackDelays() []int { return append([]int(nil), a.feedbackDelays...) }

// MaxDelay is the largest delay of both lists: the number of rows the
// states passed to Forecast must have.
func (a *ARX) MaxDelay() int { return largestDelay(a.inputDelays, a.feedbackDelays) }

// Predict returns the one-step-ahead (open-loop) predictions X·w + b for
// rows X prepared as Prepare prepares them (the measured y fills the
// feedback columns), N × k. A column count other than the model's P is a
// programmer error and panics.
func (a *ARX) Predict(X mat.Matrix) *mat.Dense {
	n, p := X.Dims()
	if wp, _ := a.w.Dims(); p != wp {
		panic(fmt.Sprintf("timeseries: ARX.Predict: X has %d columns, the model %d", p, wp))
	}
	var out mat.Dense
	out.Mul(X, a.w)
	for i := 0; i < n; i++ {
		row := out.RawRowView(i)
		for j := range row {
			row[j] += a.b[j]
		}
	}
	return &out
}

// Forecast predicts y closed loop, feeding back its own predictions, over
// the horizon that u covers, MATLAB's closeloop(net) called with
// (Xs, Xi, Ai).
//
// The convention is the Windows': inputStates and feedbackStates are the
// maxDelay steps just before the horizon (maxDelay × m and maxDelay × k;
// Windows.InputStates and Windows.FeedbackStates are such states for a
// horizon starting at Windows.Times[0]), and u (H × m) is the input over
// the horizon only, its row h being time maxDelay+h. The result is H × k,
// row h the prediction of y at that time. So for a Windows w of a series
// (u, y) with T steps, Forecast(u's rows maxDelay..T−1, w.InputStates,
// w.FeedbackStates) predicts y's rows maxDelay..T−1 from its first maxDelay
// only.
//
// A model without input delays has no horizon here: use ForecastSteps. A
// model without feedback delays takes a nil feedbackStates; with maxDelay
// 0 the states are nil. Wrong shapes and NaN or Inf values are errors.
func (a *ARX) Forecast(u, inputStates, feedbackStates mat.Matrix) (*mat.Dense, error) {
	if len(a.inputDelays) == 0 {
		return nil, fmt.Errorf("timeseries: ARX.Forecast: the model has no input delays: use ForecastSteps")
	}
	if nilMatrix(u) {
		return nil, fmt.Errorf("timeseries: ARX.Forecast: no inputs u over the horizon")
	}
	h, m := u.Dims()
	if m != a.m {
		return nil, fmt.Errorf("timeseries: ARX.Forecast: u has %d channels, the model %d", m, a.m)
	}
	if err := checkSeriesFinite("u", u); err != nil {
		return nil, fmt.Errorf("timeseries: ARX.Forecast: %w", err)
	}
	return a.forecast(h, u, inputStates, feedbackStates, "ARX.Forecast")
}

// ForecastSteps predicts y closed loop for steps steps after the
// maxDelay × k feedbackStates, for a model without input delays (an AR
// model, the baseline of a narnet). The result is steps × k.
func (a *ARX) ForecastSteps(steps int, feedbackStates mat.Matrix) (*mat.Dense, error) {
	if len(a.inputDelays) > 0 {
		return nil, fmt.Errorf("timeseries: ARX.ForecastSteps: the model has input delays %v: use Forecast with u over the horizon", a.inputDelays)
	}
	if steps < 1 {
		return nil, fmt.Errorf("timeseries: ARX.ForecastSteps: %d steps: need at least 1", steps)
	}
	return a.forecast(steps, nil, nil, feedbackStates, "ARX.ForecastSteps")
}

func (a *ARX) forecast(h int, u, inputStates, feedbackStates mat.Matrix, who string) (*mat.Dense, error) {
	md := a.MaxDelay()
	check := func(name string, s mat.Matrix, used bool, cols int) error {
		if !used || md == 0 {
			if !nilMatrix(s) {
				return fmt.Errorf("timeseries: %s: %s given, but the model uses none (maxDelay %d): pass nil", who, name, md)
			}
			return nil
		}
		if nilMatrix(s) {
			return fmt.Errorf("timeseries: %s: no %s: need the %d steps before the horizon", who, name, md)
		}
		if r, c := s.Dims(); r != md || c != cols {
			return fmt.Errorf("timeseries: %s: %s is %d×%d, want %d×%d (maxDelay × channels)", who, name, r, c, md, cols)
		}
		if err := checkSeriesFinite(name, s); err != nil {
			return fmt.Errorf("timeseries: %s: %w", who, err)
		}
		return nil
	}
	if err := check("inputStates", inputStates, len(a.inputDelays) > 0, a.m); err != nil {
		return nil, err
	}
	if err := check("feedbackStates", feedbackStates, len(a.feedbackDelays) > 0, a.k); err != nil {
		return nil, err
	}
	// Whole series over states and horizon: time t is row t.
	var uAll *mat.Dense
	if len(a.inputDelays) > 0 {
		uAll = mat.NewDense(md+h, a.m, nil)
		for t := 0; t < md; t++ {
			for j := 0; j < a.m; j++ {
				uAll.Set(t, j, inputStates.At(t, j))
			}
		}
		for t := 0; t < h; t++ {
			for j := 0; j < a.m; j++ {
				uAll.Set(md+t, j, u.At(t, j))
			}
		}
	}
	yAll := mat.NewDense(md+h, a.k, nil)
	if len(a.feedbackDelays) > 0 {
		for t := 0; t < md; t++ {
			for j := 0; j < a.k; j++ {
				yAll.Set(t, j, feedbackStates.At(t, j))
			}
		}
	}
	p, _ := a.w.Dims()
	x := mat.NewDense(1, p, nil)
	for t := md; t < md+h; t++ {
		fillWindowRow(x.RawRowView(0), uAll, yAll, a.inputDelays, a.feedbackDelays, a.m, a.k, t)
		yAll.SetRow(t, a.Predict(x).RawRowView(0))
	}
	return mat.DenseCopyOf(yAll.Slice(md, md+h, 0, a.k)), nil
}
