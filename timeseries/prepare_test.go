package timeseries

import (
	"math"
	"strings"
	"testing"

	"gonum.org/v1/gonum/mat"
)

// handSeries returns u(t) = [10+t, 20+t] and y(t) = [100+t, 200+t], t = 0..steps−1.
func handSeries(steps int) (u, y *mat.Dense) {
	u, y = mat.NewDense(steps, 2, nil), mat.NewDense(steps, 2, nil)
	for t := 0; t < steps; t++ {
		u.SetRow(t, []float64{10 + float64(t), 20 + float64(t)})
		y.SetRow(t, []float64{100 + float64(t), 200 + float64(t)})
	}
	return u, y
}

func assertDense(t *testing.T, name string, got *mat.Dense, want [][]float64) {
	t.Helper()
	if got == nil {
		t.Fatalf("%s is nil, want %v", name, want)
	}
	r, c := got.Dims()
	if r != len(want) || c != len(want[0]) {
		t.Fatalf("%s is %d×%d, want %d×%d", name, r, c, len(want), len(want[0]))
	}
	for i := range want {
		for j := range want[i] {
			if got.At(i, j) != want[i][j] {
				t.Fatalf("%s[%d][%d] = %v, want %v\n%v", name, i, j, got.At(i, j), want[i][j], mat.Formatted(got))
			}
		}
	}
}

func TestPrepareByHand(t *testing.T) {
	u, y := handSeries(6)
	w, err := Prepare(u, y, []int{0, 2}, []int{1, 3})
	if err != nil {
		t.Fatal(err)
	}
	// maxDelay 3: rows at t = 3, 4, 5. Columns: u(t) ch0 ch1, u(t−2) ch0 ch1,
	// y(t−1) ch0 ch1, y(t−3) ch0 ch1.
	assertDense(t, "X", w.X, [][]float64{
		{13, 23, 11, 21, 102, 202, 100, 200},
		{14, 24, 12, 22, 103, 203, 101, 201},
		{15, 25, 13, 23, 104, 204, 102, 202},
	})
	assertDense(t, "T", w.T, [][]float64{
		{103, 203},
		{104, 204},
		{105, 205},
	})
	assertDense(t, "InputStates", w.InputStates, [][]float64{{10, 20}, {11, 21}, {12, 22}})
	assertDense(t, "FeedbackStates", w.FeedbackStates, [][]float64{{100, 200}, {101, 201}, {102, 202}})
	if w.Len() != 3 || w.MaxDelay() != 3 {
		t.Fatalf("Len %d, MaxDelay %d, want 3, 3", w.Len(), w.MaxDelay())
	}
	for i, want := range []int{3, 4, 5} {
		if w.Times[i] != want {
			t.Fatalf("Times = %v, want [3 4 5]", w.Times)
		}
	}
	// The Windows own their data: changing the series afterwards changes nothing.
	u.Set(3, 0, -1)
	y.Set(0, 0, -1)
	if w.X.At(0, 0) != 13 || w.FeedbackStates.At(0, 0) != 100 || w.T.At(0, 0) != 103 {
		t.Fatal("Windows alias the series")
	}
}

func TestPrepareKeepsDelayOrder(t *testing.T) {
	u, y := handSeries(5)
	w, err := Prepare(u, y, []int{2, 0}, []int{2, 1})
	if err != nil {
		t.Fatal(err)
	}
	assertDense(t, "X", w.X, [][]float64{
		{10, 20, 12, 22, 100, 200, 101, 201},
		{11, 21, 13, 23, 101, 201, 102, 202},
		{12, 22, 14, 24, 102, 202, 103, 203},
	})
	if w.InputDelays[0] != 2 || w.FeedbackDelays[0] != 2 {
		t.Fatalf("delays reordered: %v %v", w.InputDelays, w.FeedbackDelays)
	}
}

func TestPrepareWithoutInputsOrFeedback(t *testing.T) {
	u, y := handSeries(4)
	// narnet: no inputs.
	w, err := Prepare(nil, y, nil, []int{1, 2})
	if err != nil {
		t.Fatal(err)
	}
	assertDense(t, "X", w.X, [][]float64{{101, 201, 100, 200}, {102, 202, 101, 201}})
	if w.InputStates != nil {
		t.Fatal("InputStates without inputs")
	}
	// timedelaynet(0:1): no feedback.
	w, err = Prepare(u, y, []int{0, 1}, nil)
	if err != nil {
		t.Fatal(err)
	}
	assertDense(t, "X", w.X, [][]float64{{11, 21, 10, 20}, {12, 22, 11, 21}, {13, 23, 12, 22}})
	assertDense(t, "T", w.T, [][]float64{{101, 201}, {102, 202}, {103, 203}})
	assertDense(t, "InputStates", w.InputStates, [][]float64{{10, 20}})
	if w.FeedbackStates != nil {
		t.Fatal("FeedbackStates without feedback")
	}
	// Delay 0 alone: no states at all, every step a row.
	w, err = Prepare(u, y, []int{0}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if w.Len() != 4 || w.InputStates != nil || w.Times[0] != 0 {
		t.Fatalf("delay 0: Len %d, InputStates %v, Times %v", w.Len(), w.InputStates, w.Times)
	}
}

func TestPrepareErrors(t *testing.T) {
	u, y := handSeries(3)
	nan := mat.DenseCopyOf(y)
	nan.Set(2, 1, math.NaN())
	inf := mat.DenseCopyOf(u)
	inf.Set(1, 0, math.Inf(-1))
	long, _ := handSeries(4)
	for _, c := range []struct {
		name   string
		u, y   mat.Matrix
		id, fd []int
		want   string
	}{
		{"short", u, y, nil, []int{4}, "the series has 3 steps; delays up to 4 need at least 5"},
		{"short by one", u, y, []int{3}, nil, "the series has 3 steps; delays up to 3 need at least 4"},
		{"lengths", long, y, []int{1}, nil, "u has 4 steps, y 3"},
		{"NaN", u, nan, []int{1}, nil, "y has NaN at row 2, column 1"},
		{"Inf", inf, y, []int{1}, nil, "u has -Inf at row 1, column 0"},
		{"negative input", u, y, []int{0, -1}, nil, "input delay -1 (position 1) is negative"},
		{"negative feedback", u, y, nil, []int{-2}, "feedback delay -2 (position 0) is negative"},
		{"zero feedback", u, y, nil, []int{0, 1}, "feedback delays must be at least 1"},
		{"duplicate input", u, y, []int{1, 0, 1}, nil, "input delay 1 appears twice"},
		{"duplicate feedback", u, y, nil, []int{2, 2}, "feedback delay 2 appears twice"},
		{"no delays", u, y, nil, nil, "no delays"},
		{"empty delays", u, y, []int{}, []int{}, "no delays"},
		{"inputs without u", nil, y, []int{1}, nil, "input delays [1] but no inputs u"},
		{"typed nil u", (*mat.Dense)(nil), y, []int{1}, nil, "no inputs u"},
		{"feedback without y", u, nil, []int{1}, []int{1}, "feedback delays [1] but no series y"},
		{"no y", u, nil, []int{1}, nil, "no targets y"},
	} {
		_, err := Prepare(c.u, c.y, c.id, c.fd)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: error %v, want one containing %q", c.name, err, c.want)
		}
	}
}
