package plots

import (
	"math"
	"path/filepath"
	"strings"
	"testing"

	"gonum.org/v1/gonum/mat"
)

// TestResponse: one panel per channel (at most 4) and the errors' panel,
// 2.6 inches each and 8 wide; targets blue, outputs red; bad series are
// errors that write nothing.
func TestResponse(t *testing.T) {
	n := 120
	times := make([]int, n)
	tg, out := mat.NewDense(n, 2, nil), mat.NewDense(n, 2, nil)
	for i := 0; i < n; i++ {
		times[i] = i + 2
		for c := 0; c < 2; c++ {
			v := math.Sin(float64(i)/(7+3*float64(c))) + 0.1*float64(c)
			tg.Set(i, c, v)
			out.Set(i, c, v+0.05*math.Cos(float64(3*i)))
		}
	}
	dir := t.TempDir()
	path := filepath.Join(dir, "sub", "response.png")
	if err := Response(path, times, tg, out, "Training"); err != nil {
		t.Fatal(err)
	}
	counts := decodePNG(t, path, inches(8), inches(3*2.6), bluePx, redPx)
	if counts[0] < 60 || counts[1] < 2000 { // the outputs line covers the targets but for their points
		t.Errorf("targets (blue) %d pixels, outputs (red) %d", counts[0], counts[1])
	}
	// More than 4 channels: 4 panels and the errors.
	wide := mat.NewDense(10, 6, nil)
	for i := 0; i < 10; i++ {
		for j := 0; j < 6; j++ {
			wide.Set(i, j, math.Sin(float64(i+j)))
		}
	}
	times = times[:10]
	path = filepath.Join(dir, "wide.png")
	if err := Response(path, times, wide, wide, ""); err != nil {
		t.Fatal(err)
	}
	decodePNG(t, path, inches(8), inches(5*2.6))

	nan := mat.DenseCopyOf(wide)
	nan.Set(3, 2, math.NaN())
	var nilDense *mat.Dense
	for _, c := range []struct {
		name  string
		times []int
		t, o  mat.Matrix
		want  string
	}{
		{"times", times[:9], wide, wide, "9 times for 10 rows"},
		{"shapes", times, wide, wide.Slice(0, 10, 0, 5), "targets are 10×6, outputs 10×5"},
		{"rows", times, wide, wide.Slice(0, 9, 0, 6), "targets are 10×6, outputs 9×6"},
		{"nil", times, nil, wide, "nil"},
		{"typed nil", times, wide, nilDense, "nil"},
		{"NaN", times, wide, nan, "outputs has NaN at row 3, column 2"},
	} {
		if err := Response(filepath.Join(dir, "bad.png"), c.times, c.t, c.o, ""); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: error %v, want one containing %q", c.name, err, c.want)
		}
	}
	noFile(t, filepath.Join(dir, "bad.png"))
}

// TestCorrelationPlots: stems (blue) and limits (red) in an 8 × 4.5-inch
// image; bad series are errors that write nothing.
func TestCorrelationPlots(t *testing.T) {
	n := 200
	e, u := make([]float64, n), make([]float64, n)
	for i := range e {
		e[i] = math.Sin(float64(i) / 5)
		u[i] = math.Cos(float64(i) / 7)
	}
	dir := t.TempDir()
	path := filepath.Join(dir, "errcorr.png")
	if err := ErrorAutocorrelation(path, e, 20); err != nil {
		t.Fatal(err)
	}
	if c := decodePNG(t, path, inches(8), inches(4.5), bluePx, redPx); c[0] < 300 || c[1] < 300 {
		t.Errorf("stems (blue) %d pixels, limits (red) %d", c[0], c[1])
	}
	path = filepath.Join(dir, "inerrcorr.png")
	if err := InputErrorCrossCorrelation(path, u, e, 20); err != nil {
		t.Fatal(err)
	}
	if c := decodePNG(t, path, inches(8), inches(4.5), bluePx, redPx); c[0] < 300 || c[1] < 300 {
		t.Errorf("cross-correlation: stems %d pixels, limits %d", c[0], c[1])
	}

	bad := filepath.Join(dir, "bad.png")
	for i, err := range []error{
		ErrorAutocorrelation(bad, nil, 0),
		ErrorAutocorrelation(bad, e, n),
		ErrorAutocorrelation(bad, []float64{1, math.NaN(), 2}, 1),
		InputErrorCrossCorrelation(bad, u[:10], e, 5),
		InputErrorCrossCorrelation(bad, nil, nil, 0),
		InputErrorCrossCorrelation(bad, u, e, n),
	} {
		if err == nil {
			t.Errorf("bad input %d plotted without an error", i)
		}
	}
	noFile(t, bad)
}
