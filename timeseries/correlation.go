package timeseries

import (
	"fmt"
	"math"
)

// ErrorAutocorrelation is the autocorrelation of the errors e of a
// one-step-ahead prediction (MATLAB's ploterrcorr), at lags −maxLag, ...,
// maxLag. Errors of a good model are white: apart from lag 0, r should lie
// within ±bound.
//
// With d = e − mean(e), r(k) = Σ_t d(t)·d(t+|k|) / Σ_t d(t)², so r(0) = 1 and
// r(−k) = r(k) (the biased estimate, which keeps |r| ≤ 1). bound = 2/√N,
// N = len(e): the limit ploterrcorr draws is its lag-0 value times 2/√N
// (ploterrcorr's source as quoted in
// https://stats.stackexchange.com/questions/173546), that is 2/√N once r is
// normalized; it is the approximate 95 % limit (1.96 rounded to 2) of the
// sample autocorrelation of white noise, whose standard deviation is 1/√N.
// Two differences from MATLAB: its plot is not normalized (its lag 0 is the
// mean squared error), and whether it removes the mean first we could not
// confirm; for errors with mean 0 the two agree up to that scale.
//
// It fails on an empty or constant e, a NaN or Inf in e, and a maxLag
// outside 0, ..., N−1.
func ErrorAutocorrelation(e []float64, maxLag int) (lags []int, r []float64, bound float64, err error) {
	d, ss, err := centred("ErrorAutocorrelation", "e", e, maxLag)
	if err != nil {
		return nil, nil, 0, err
	}
	n := len(e)
	lags, r = make([]int, 2*maxLag+1), make([]float64, 2*maxLag+1)
	for k := 0; k <= maxLag; k++ {
		s := 0.0
		for t := 0; t+k < n; t++ {
			s += d[t] * d[t+k]
		}
		lags[maxLag+k], lags[maxLag-k] = k, -k
		r[maxLag+k], r[maxLag-k] = s/ss, s/ss
	}
	return lags, r, 2 / math.Sqrt(float64(n)), nil
}

// InputErrorCrossCorrelation is the correlation between an input u and the
// errors e of a prediction (MATLAB's plotinerrcorr), at lags −maxLag, ...,
// maxLag: r(k) is the correlation of u(t) with e(t+k), so a peak at k > 0
// means the input still moves the error k steps later, an effect the model
// has missed (more input delays may help). Errors of a good model are
// uncorrelated with the input: r should lie within ±bound at every lag.
//
// With centred du = u − mean(u) and de = e − mean(e),
// r(k) = Σ_t du(t)·de(t+k) / √(Σ du² · Σ de²), the sum running over the t
// where both lie in the series. bound = 2/√N as for ErrorAutocorrelation
// (the approximate 95 % limit of the cross-correlation of two independent
// white series); that MATLAB's plotinerrcorr draws the same limit is our
// assumption, its source not being at hand.
//
// It fails on empty series, lengths that differ, a constant u or e, a NaN
// or Inf, and a maxLag outside 0, ..., N−1.
func InputErrorCrossCorrelation(u, e []float64, maxLag int) (lags []int, r []float64, bound float64, err error) {
	if len(u) != len(e) {
		return nil, nil, 0, fmt.Errorf("timeseries: InputErrorCrossCorrelation: u has %d steps, e %d: they must be of the same length", len(u), len(e))
	}
	du, su, err := centred("InputErrorCrossCorrelation", "u", u, maxLag)
	if err != nil {
		return nil, nil, 0, err
	}
	de, se, err := centred("InputErrorCrossCorrelation", "e", e, maxLag)
	if err != nil {
		return nil, nil, 0, err
	}
	n := len(e)
	norm := math.Sqrt(su * se)
	lags, r = make([]int, 2*maxLag+1), make([]float64, 2*maxLag+1)
	for i := range lags {
		k := i - maxLag
		s := 0.0
		for t := max(0, -k); t < n && t+k < n; t++ {
			s += du[t] * de[t+k]
		}
		lags[i], r[i] = k, s/norm
	}
	return lags, r, 2 / math.Sqrt(float64(n)), nil
}

// centred checks x and maxLag and returns x minus its mean and the sum of
// the squares of that.
func centred(who, name string, x []float64, maxLag int) ([]float64, float64, error) {
	n := len(x)
	if n == 0 {
		return nil, 0, fmt.Errorf("timeseries: %s: %s is empty", who, name)
	}
	if maxLag < 0 || maxLag >= n {
		return nil, 0, fmt.Errorf("timeseries: %s: maxLag %d outside 0..%d for a series of %d steps", who, maxLag, n-1, n)
	}
	mean := 0.0
	for t, v := range x {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return nil, 0, fmt.Errorf("timeseries: %s: %s has %v at step %d", who, name, v, t)
		}
		mean += v
	}
	mean /= float64(n)
	d := make([]float64, n)
	ss := 0.0
	for t, v := range x {
		d[t] = v - mean
		ss += d[t] * d[t]
	}
	if ss == 0 {
		return nil, 0, fmt.Errorf("timeseries: %s: %s is constant: its correlation is undefined", who, name)
	}
	return d, ss, nil
}
