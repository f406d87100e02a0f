package timeseries

import (
	"math"
	"math/rand/v2"
	"strings"
	"testing"
)

func assertSeries(t *testing.T, name string, got, want []float64, tol float64) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%s = %v, want %v", name, got, want)
	}
	for i := range want {
		if math.Abs(got[i]-want[i]) > tol {
			t.Fatalf("%s = %v, want %v", name, got, want)
		}
	}
}

func TestErrorAutocorrelationByHand(t *testing.T) {
	// e − mean = [−1.5, −0.5, 0.5, 1.5], Σ² = 5:
	// r(1) = (0.75 − 0.25 + 0.75)/5, r(2) = (−0.75 − 0.75)/5.
	lags, r, bound, err := ErrorAutocorrelation([]float64{1, 2, 3, 4}, 2)
	if err != nil {
		t.Fatal(err)
	}
	for i, want := range []int{-2, -1, 0, 1, 2} {
		if lags[i] != want {
			t.Fatalf("lags = %v", lags)
		}
	}
	assertSeries(t, "r", r, []float64{-0.3, 0.25, 1, 0.25, -0.3}, 1e-15)
	if bound != 1 { // 2/√4
		t.Fatalf("bound = %v, want 1", bound)
	}
	_, r, _, err = ErrorAutocorrelation([]float64{1, 2, 3, 4}, 3)
	if err != nil {
		t.Fatal(err)
	}
	if math.Abs(r[6]+0.45) > 1e-15 || math.Abs(r[0]+0.45) > 1e-15 {
		t.Fatalf("r(±3) = %v, %v, want −0.45", r[0], r[6])
	}
}

func TestInputErrorCrossCorrelationByHand(t *testing.T) {
	// An input pulse at t = 0, an error pulse at t = 1: the peak is at lag +1.
	// du = de shifted = [.75, −.25, −.25, −.25] (Σ² = .75 each):
	// r(0) = −.25/.75, r(1) = .6875/.75, r(−1) = −.0625/.75.
	lags, r, bound, err := InputErrorCrossCorrelation([]float64{1, 0, 0, 0}, []float64{0, 1, 0, 0}, 1)
	if err != nil {
		t.Fatal(err)
	}
	if lags[0] != -1 || lags[1] != 0 || lags[2] != 1 {
		t.Fatalf("lags = %v", lags)
	}
	assertSeries(t, "r", r, []float64{-1.0 / 12, -1.0 / 3, 11.0 / 12}, 1e-15)
	if bound != 1 {
		t.Fatalf("bound = %v, want 1", bound)
	}
	// A series against itself: r(0) = 1 and the autocorrelation elsewhere.
	x := []float64{1, 2, 3, 4}
	_, r, _, err = InputErrorCrossCorrelation(x, x, 2)
	if err != nil {
		t.Fatal(err)
	}
	assertSeries(t, "r(x, x)", r, []float64{-0.3, 0.25, 1, 0.25, -0.3}, 1e-15)
}

func TestCorrelationWhiteAndSine(t *testing.T) {
	const n, maxLag = 2000, 20
	rng := rand.New(rand.NewPCG(11, 12))
	white, other, sine := make([]float64, n), make([]float64, n), make([]float64, n)
	for i := range white {
		white[i], other[i] = rng.NormFloat64(), rng.NormFloat64()
		sine[i] = math.Sin(2 * math.Pi * float64(i) / 40)
	}
	outside := func(r []float64, bound float64, skip0 bool) int {
		c := 0
		for i, v := range r {
			if skip0 && i == maxLag {
				continue
			}
			if math.Abs(v) > bound {
				c++
			}
		}
		return c
	}
	_, r, bound, err := ErrorAutocorrelation(white, maxLag)
	if err != nil {
		t.Fatal(err)
	}
	if c := outside(r, bound, true); c > 4 { // 40 lags, about 2 expected by chance
		t.Errorf("white noise: %d of 40 lags outside ±%.3g: %v", c, bound, r)
	}
	_, r, bound, err = ErrorAutocorrelation(sine, maxLag)
	if err != nil {
		t.Fatal(err)
	}
	if c := outside(r, bound, true); c < 30 || r[maxLag+1] < 10*bound {
		t.Errorf("sine: only %d of 40 lags outside ±%.3g, r(1) = %.3g", c, bound, r[maxLag+1])
	}
	_, r, bound, err = InputErrorCrossCorrelation(other, white, maxLag)
	if err != nil {
		t.Fatal(err)
	}
	if c := outside(r, bound, false); c > 4 {
		t.Errorf("independent noises: %d of 41 lags outside ±%.3g", c, bound)
	}
	// The error follows the input three steps later.
	late := make([]float64, n)
	for i := 3; i < n; i++ {
		late[i] = other[i-3] + 0.1*white[i]
	}
	_, r, bound, err = InputErrorCrossCorrelation(other, late, maxLag)
	if err != nil {
		t.Fatal(err)
	}
	if r[maxLag+3] < 0.9 || math.Abs(r[maxLag-3]) > bound {
		t.Errorf("delayed copy: r(3) = %.3g, r(−3) = %.3g", r[maxLag+3], r[maxLag-3])
	}
}

func TestCorrelationErrors(t *testing.T) {
	x := []float64{1, 2, 3, 4}
	for _, c := range []struct {
		name   string
		u, e   []float64
		maxLag int
		want   string
	}{
		{"empty", nil, nil, 0, "e is empty"},
		{"maxLag = N", x, x, 4, "maxLag 4 outside 0..3"},
		{"maxLag < 0", x, x, -1, "maxLag -1 outside"},
		{"NaN", x, []float64{1, math.NaN(), 3, 4}, 1, "e has NaN at step 1"},
		{"Inf", x, []float64{1, 2, math.Inf(1), 4}, 1, "e has +Inf at step 2"},
		{"constant", x, []float64{2, 2, 2, 2}, 1, "e is constant"},
	} {
		if _, _, _, err := ErrorAutocorrelation(c.e, c.maxLag); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("ErrorAutocorrelation %s: error %v, want one containing %q", c.name, err, c.want)
		}
	}
	for _, c := range []struct {
		name   string
		u, e   []float64
		maxLag int
		want   string
	}{
		{"empty", nil, nil, 0, "u is empty"},
		{"lengths", x, x[:3], 1, "u has 4 steps, e 3"},
		{"maxLag = N", x, x, 4, "maxLag 4 outside 0..3"},
		{"NaN u", []float64{math.NaN(), 2, 3, 4}, x, 1, "u has NaN at step 0"},
		{"NaN e", x, []float64{1, 2, 3, math.NaN()}, 1, "e has NaN at step 3"},
		{"constant u", []float64{1, 1, 1, 1}, x, 1, "u is constant"},
	} {
		if _, _, _, err := InputErrorCrossCorrelation(c.u, c.e, c.maxLag); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("InputErrorCrossCorrelation %s: error %v, want one containing %q", c.name, err, c.want)
		}
	}
}
