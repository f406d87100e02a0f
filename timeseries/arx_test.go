package timeseries

import (
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	"gonum.org/v1/gonum/mat"
)

// trueARX is a stable ARX with 2 inputs and 2 outputs, input delays {1, 2}
// and feedback delays {1, 2}; rows in Prepare's column order.
var (
	trueW = mat.NewDense(8, 2, []float64{
		1.0, 0, // u(t−1) ch0
		0, 0.7, // u(t−1) ch1
		0, -0.5, // u(t−2) ch0
		0.4, 0, // u(t−2) ch1
		0.5, 0, // y(t−1) ch0
		0.1, 0.3, // y(t−1) ch1
		-0.2, 0.2, // y(t−2) ch0
		0, 0, // y(t−2) ch1
	})
	trueB = []float64{0.3, -0.1}
)

// simulateARX runs the true ARX for steps steps from y = 0 with white
// inputs, adding equation noise of standard deviation sigma.
func simulateARX(steps int, sigma float64, seed uint64) (u, y *mat.Dense) {
	rng := rand.New(rand.NewPCG(seed, 7))
	u, y = mat.NewDense(steps, 2, nil), mat.NewDense(steps, 2, nil)
	for t := 0; t < steps; t++ {
		u.Set(t, 0, rng.NormFloat64())
		u.Set(t, 1, rng.NormFloat64())
	}
	x := make([]float64, 8)
	for t := 2; t < steps; t++ {
		fillWindowRow(x, u, y, []int{1, 2}, []int{1, 2}, 2, 2, t)
		for j := 0; j < 2; j++ {
			v := trueB[j] + sigma*rng.NormFloat64()
			for i, xi := range x {
				v += xi * trueW.At(i, j)
			}
			y.Set(t, j, v)
		}
	}
	return u, y
}

func maxAbsDiff(a, b mat.Matrix) float64 {
	var d mat.Dense
	d.Sub(a, b)
	return mat.Norm(&d, math.Inf(1)) // max row sum bounds every entry
}

func checkCoefficients(t *testing.T, a *ARX, tol float64) {
	t.Helper()
	w, b := a.Coefficients()
	if d := maxAbsDiff(w, trueW); d > tol {
		t.Errorf("coefficients off by up to %.3g (tolerance %g):\n%v", d, tol, mat.Formatted(w))
	}
	for j := range b {
		if math.Abs(b[j]-trueB[j]) > tol {
			t.Errorf("intercept %d = %v, want %v ± %g", j, b[j], trueB[j], tol)
		}
	}
}

func TestFitARXNoisy(t *testing.T) {
	u, y := simulateARX(2000, 0.05, 1)
	a, err := FitARX(u, y, []int{1, 2}, []int{1, 2})
	if err != nil {
		t.Fatal(err)
	}
	checkCoefficients(t, a, 1e-2)
	// Not exact: the noise must show.
	w, _ := a.Coefficients()
	if maxAbsDiff(w, trueW) < 1e-6 {
		t.Error("noisy fit recovers the coefficients exactly: is the noise there?")
	}
}

func TestFitARXNoiseless(t *testing.T) {
	u, y := simulateARX(300, 0, 2)
	a, err := FitARX(u, y, []int{1, 2}, []int{1, 2})
	if err != nil {
		t.Fatal(err)
	}
	checkCoefficients(t, a, 1e-10)
	if a.MaxDelay() != 2 || a.InputDelays()[1] != 2 || a.FeedbackDelays()[0] != 1 {
		t.Fatalf("delays %v %v", a.InputDelays(), a.FeedbackDelays())
	}

	win, err := Prepare(u, y, []int{1, 2}, []int{1, 2})
	if err != nil {
		t.Fatal(err)
	}
	if d := maxAbsDiff(a.Predict(win.X), win.T); d > 1e-9 {
		t.Errorf("open-loop predictions off by %.3g", d)
	}

	// Closed loop from the Windows' states reproduces the whole series.
	steps, _ := y.Dims()
	f, err := a.Forecast(u.Slice(2, steps, 0, 2), win.InputStates, win.FeedbackStates)
	if err != nil {
		t.Fatal(err)
	}
	if r, c := f.Dims(); r != steps-2 || c != 2 {
		t.Fatalf("forecast is %d×%d, want %d×2", r, c, steps-2)
	}
	if d := maxAbsDiff(f, y.Slice(2, steps, 0, 2)); d > 1e-8 {
		t.Errorf("closed-loop forecast off by %.3g", d)
	}
	// A horizon starting later: states are the rows just before it.
	f, err = a.Forecast(u.Slice(100, 120, 0, 2), u.Slice(98, 100, 0, 2), y.Slice(98, 100, 0, 2))
	if err != nil {
		t.Fatal(err)
	}
	if d := maxAbsDiff(f, y.Slice(100, 120, 0, 2)); d > 1e-9 {
		t.Errorf("forecast from t = 100 off by %.3g", d)
	}
	// Wrong feedback states change the forecast: it does feed back.
	bad := mat.DenseCopyOf(y.Slice(98, 100, 0, 2))
	bad.Set(1, 0, bad.At(1, 0)+1)
	g, err := a.Forecast(u.Slice(100, 120, 0, 2), u.Slice(98, 100, 0, 2), bad)
	if err != nil {
		t.Fatal(err)
	}
	if maxAbsDiff(g, f) < 1e-3 {
		t.Error("the forecast ignores the feedback states")
	}
}

func TestARXForecastStepsAR(t *testing.T) {
	// y(t) = 0.2 + 1.6 y(t−1) − 0.9 y(t−2): a slowly decaying oscillation.
	const steps = 60
	y := mat.NewDense(steps, 1, nil)
	y.Set(0, 0, 1)
	y.Set(1, 0, -0.5)
	for t := 2; t < steps; t++ {
		y.Set(t, 0, 0.2+1.6*y.At(t-1, 0)-0.9*y.At(t-2, 0))
	}
	a, err := FitARX(nil, y, nil, []int{1, 2})
	if err != nil {
		t.Fatal(err)
	}
	w, b := a.Coefficients()
	if math.Abs(w.At(0, 0)-1.6) > 1e-10 || math.Abs(w.At(1, 0)+0.9) > 1e-10 || math.Abs(b[0]-0.2) > 1e-10 {
		t.Fatalf("AR coefficients %v, %v", mat.Formatted(w.T()), b)
	}
	f, err := a.ForecastSteps(steps-2, y.Slice(0, 2, 0, 1))
	if err != nil {
		t.Fatal(err)
	}
	if d := maxAbsDiff(f, y.Slice(2, steps, 0, 1)); d > 1e-8 {
		t.Errorf("AR forecast off by %.3g", d)
	}
	if _, err := a.Forecast(mat.NewDense(3, 1, nil), nil, y.Slice(0, 2, 0, 1)); err == nil || !strings.Contains(err.Error(), "use ForecastSteps") {
		t.Errorf("Forecast on an AR model: %v", err)
	}
	if _, err := a.ForecastSteps(0, y.Slice(0, 2, 0, 1)); err == nil || !strings.Contains(err.Error(), "0 steps") {
		t.Errorf("ForecastSteps(0): %v", err)
	}
}

func TestARXFIRForecast(t *testing.T) {
	// No feedback: y(t) = 1 + 2u(t) − u(t−1); the forecast is the prediction.
	u, y := mat.NewDense(20, 1, nil), mat.NewDense(20, 1, nil)
	rng := rand.New(rand.NewPCG(3, 3))
	for t := 0; t < 20; t++ {
		u.Set(t, 0, rng.NormFloat64())
		if t > 0 {
			y.Set(t, 0, 1+2*u.At(t, 0)-u.At(t-1, 0))
		}
	}
	a, err := FitARX(u, y, []int{0, 1}, nil)
	if err != nil {
		t.Fatal(err)
	}
	f, err := a.Forecast(u.Slice(1, 20, 0, 1), u.Slice(0, 1, 0, 1), nil)
	if err != nil {
		t.Fatal(err)
	}
	if d := maxAbsDiff(f, y.Slice(1, 20, 0, 1)); d > 1e-10 {
		t.Errorf("FIR forecast off by %.3g", d)
	}
	if _, err := a.Forecast(u.Slice(1, 20, 0, 1), u.Slice(0, 1, 0, 1), y.Slice(0, 1, 0, 1)); err == nil || !strings.Contains(err.Error(), "feedbackStates given, but the model uses none") {
		t.Errorf("feedback states for a model without feedback: %v", err)
	}
}

func TestFitARXErrors(t *testing.T) {
	u, y := simulateARX(50, 0.1, 4)
	constant := mat.DenseCopyOf(u)
	for i := 0; i < 50; i++ {
		constant.Set(i, 1, 3)
	}
	short, ys := simulateARX(8, 0.1, 5)
	for _, c := range []struct {
		name string
		u, y mat.Matrix
		want string
	}{
		{"constant input", constant, y, "rank"},
		{"too few rows", short, ys, "6 rows for 9 coefficients"},
		{"prepare", u, y.Slice(0, 40, 0, 2), "u has 50 steps, y 40"},
	} {
		if _, err := FitARX(c.u, c.y, []int{1, 2}, []int{1, 2}); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: error %v, want one containing %q", c.name, err, c.want)
		}
	}
	// Repeated input channel: rank deficient too.
	dup := mat.DenseCopyOf(u)
	dup.SetCol(1, mat.Col(nil, 0, u))
	if _, err := FitARX(dup, y, []int{1}, []int{1}); err == nil || !strings.Contains(err.Error(), "rank") {
		t.Errorf("duplicated channel: %v", err)
	}
}

func TestARXForecastErrors(t *testing.T) {
	u, y := simulateARX(100, 0.1, 6)
	a, err := FitARX(u, y, []int{1, 2}, []int{1, 2})
	if err != nil {
		t.Fatal(err)
	}
	us, ys := u.Slice(0, 2, 0, 2), y.Slice(0, 2, 0, 2)
	h := u.Slice(2, 10, 0, 2)
	nan := mat.DenseCopyOf(ys)
	nan.Set(0, 1, math.NaN())
	nanU := mat.DenseCopyOf(h)
	nanU.Set(5, 0, math.NaN())
	for _, c := range []struct {
		name      string
		u, is, fs mat.Matrix
		want      string
	}{
		{"no u", nil, us, ys, "no inputs u"},
		{"u channels", u.Slice(2, 10, 0, 1), us, ys, "u has 1 channels, the model 2"},
		{"no input states", h, nil, ys, "no inputStates"},
		{"no feedback states", h, us, nil, "no feedbackStates"},
		{"input states rows", h, u.Slice(0, 3, 0, 2), ys, "inputStates is 3×2, want 2×2"},
		{"feedback states cols", h, us, y.Slice(0, 2, 0, 1), "feedbackStates is 2×1, want 2×2"},
		{"NaN states", h, us, nan, "feedbackStates has NaN at row 0, column 1"},
		{"NaN u", nanU, us, ys, "u has NaN at row 5, column 0"},
	} {
		if _, err := a.Forecast(c.u, c.is, c.fs); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: error %v, want one containing %q", c.name, err, c.want)
		}
	}
	if _, err := a.ForecastSteps(5, ys); err == nil || !strings.Contains(err.Error(), "use Forecast") {
		t.Errorf("ForecastSteps with inputs: %v", err)
	}
	defer func() {
		if recover() == nil {
			t.Error("Predict with the wrong column count did not panic")
		}
	}()
	a.Predict(mat.NewDense(2, 7, nil))
}
