package graphrt

import "fmt"

// Catch runs f and turns a panic inside Gorgonia into an error.
func Catch(f func() error) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("gorgonia: %v", r)
		}
	}()
	return f()
}

// SameShape compares shapes strictly, dimension by dimension
// (tensor.Shape.Eq treats (n), (1, n) and (n, 1) as equal).
func SameShape(a, b []int) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}
