package plots

import (
	"context"
	"math"
	"path/filepath"
	"strings"
	"testing"

	"gonum.org/v1/gonum/mat"

	"github.com/golem-ml/golem/fit"
)

// line fits y = a·x + b to 30 noisy points, with σ when sigma.
func line(t *testing.T, sigma bool) *fit.Result {
	t.Helper()
	x := mat.NewDense(30, 1, nil)
	y := make([]float64, 30)
	var s []float64
	for i := range y {
		v := float64(i) / 3
		x.Set(i, 0, v)
		y[i] = 2*v + 1 + 0.3*math.Sin(float64(7*i))
		if sigma {
			s = append(s, 0.1+0.02*float64(i))
		}
	}
	m, err := fit.Expr("a*x+b")
	if err != nil {
		t.Fatal(err)
	}
	r, err := fit.Curve(context.Background(), m, x, y, fit.Options{Params: fit.Start(m, 1, 0), Sigma: s})
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// TestFitPlots: the curve with its bands (7 × 4.5 inches: the curve blue,
// the prediction band red) and the residuals (7 × 3.5), with and without
// σ; a model of two inputs has residuals but no curve plot.
func TestFitPlots(t *testing.T) {
	dir := t.TempDir()
	for _, sigma := range []bool{false, true} {
		r := line(t, sigma)
		path := filepath.Join(dir, "fit.png")
		if err := Fit(context.Background(), path, r); err != nil {
			t.Fatal(err)
		}
		if c := decodePNG(t, path, inches(7), inches(4.5), bluePx, redPx); c[0] < 500 || c[1] < 300 {
			t.Errorf("σ %v: curve (blue) %d pixels, prediction band (red) %d", sigma, c[0], c[1])
		}
		path = filepath.Join(dir, "residuals.png")
		if err := Residuals(path, r); err != nil {
			t.Fatal(err)
		}
		decodePNG(t, path, inches(7), inches(3.5))
	}

	m, err := fit.Expr("a*x+b*z", "x", "z")
	if err != nil {
		t.Fatal(err)
	}
	x := mat.NewDense(6, 2, []float64{0, 1, 1, 0, 2, 1, 3, 3, 4, 1, 5, 2})
	r, err := fit.Curve(context.Background(), m, x, []float64{1, 1, 3, 6.1, 5, 7.2}, fit.Options{Params: fit.Start(m, 1, 1)})
	if err != nil {
		t.Fatal(err)
	}
	bad := filepath.Join(dir, "two.png")
	if err := Fit(context.Background(), bad, r); err == nil || !strings.Contains(err.Error(), "has 2") {
		t.Errorf("Fit of two inputs: %v", err)
	}
	noFile(t, bad)
	if err := Residuals(filepath.Join(dir, "two_residuals.png"), r); err != nil {
		t.Error(err)
	}
	if err := Fit(context.Background(), bad, nil); err == nil {
		t.Error("Fit of a nil Result: no error")
	}
}
