package fit_test

import (
	"context"
	"testing"

	"gonum.org/v1/gonum/mat"

	"github.com/golem-ml/golem/fit"
)

// TestResultData: Data returns the points as given, σ only when given, and
// copies that the caller may change without touching the Result.
func TestResultData(t *testing.T) {
	m, err := fit.Expr("a*x+b")
	if err != nil {
		t.Fatal(err)
	}
	x0 := []float64{0, 1, 2, 3}
	y0 := []float64{1, 3.1, 4.9, 7}
	for _, sigma := range [][]float64{nil, {1, 2, 1, 2}} {
		r, err := fit.Curve(context.Background(), m, mat.NewDense(4, 1, append([]float64(nil), x0...)), append([]float64(nil), y0...), fit.Options{Params: fit.Start(m, 1, 0), Sigma: sigma})
		if err != nil {
			t.Fatal(err)
		}
		x, y, s := r.Data()
		if rows, cols := x.Dims(); rows != 4 || cols != 1 {
			t.Fatalf("x is %d×%d", rows, cols)
		}
		for i := range x0 {
			if x.At(i, 0) != x0[i] || y[i] != y0[i] {
				t.Errorf("point %d is (%v, %v), want (%v, %v)", i, x.At(i, 0), y[i], x0[i], y0[i])
			}
		}
		if (s == nil) != (sigma == nil) || (sigma != nil && s[1] != 2) {
			t.Errorf("σ %v, given %v", s, sigma)
		}
		x.Set(0, 0, 99)
		y[0] = 99
		if x2, y2, _ := r.Data(); x2.At(0, 0) != 0 || y2[0] != 1 {
			t.Error("changing Data's result changed the Result")
		}
	}
}
