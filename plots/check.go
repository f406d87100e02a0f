package plots

import (
	"fmt"
	"math"
	"reflect"

	"gonum.org/v1/gonum/mat"
)

// nilMatrix reports whether a is nil, including a typed nil such as a
// (*mat.Dense)(nil) held in the interface.
func nilMatrix(a mat.Matrix) bool {
	if a == nil {
		return true
	}
	v := reflect.ValueOf(a)
	return v.Kind() == reflect.Pointer && v.IsNil()
}

// checkFinite names the first NaN or Inf in a.
func checkFinite(name string, a mat.Matrix) error {
	r, c := a.Dims()
	for i := 0; i < r; i++ {
		for j := 0; j < c; j++ {
			if v := a.At(i, j); math.IsNaN(v) || math.IsInf(v, 0) {
				return fmt.Errorf("%s has %v at row %d, column %d", name, v, i, j)
			}
		}
	}
	return nil
}

// samePair checks that targets and outputs are non-nil, finite, non-empty
// and of one shape, and returns it.
func samePair(targets, outputs mat.Matrix, outputsName string) (n, k int, err error) {
	if nilMatrix(targets) || nilMatrix(outputs) {
		return 0, 0, fmt.Errorf("targets or %s is nil", outputsName)
	}
	n, k = targets.Dims()
	if on, ok := outputs.Dims(); on != n || ok != k {
		return 0, 0, fmt.Errorf("targets are %d×%d, %s %d×%d", n, k, outputsName, on, ok)
	}
	if n == 0 || k == 0 {
		return 0, 0, fmt.Errorf("the targets are empty (%d×%d)", n, k)
	}
	for _, s := range []struct {
		name string
		a    mat.Matrix
	}{{"targets", targets}, {outputsName, outputs}} {
		if err := checkFinite(s.name, s.a); err != nil {
			return 0, 0, err
		}
	}
	return n, k, nil
}
