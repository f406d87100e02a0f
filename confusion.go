package golem

import "fmt"

// ConfusionMatrix counts the samples of each true class (row) by predicted
// class (column): c[i][j] is the number of samples k with actual[k] = i and
// predicted[k] = j. Labels must lie in 0..classes-1. It returns an error
// when the slices differ in length, classes < 1 or a label is out of range.
// plots.Confusion draws it.
func ConfusionMatrix(actual, predicted []int, classes int) ([][]int, error) {
	if classes < 1 {
		return nil, fmt.Errorf("golem: ConfusionMatrix: %d classes, want ≥ 1", classes)
	}
	if len(actual) != len(predicted) {
		return nil, fmt.Errorf("golem: ConfusionMatrix: %d actual labels but %d predicted", len(actual), len(predicted))
	}
	c := make([][]int, classes)
	cells := make([]int, classes*classes)
	for i := range c {
		c[i] = cells[i*classes : (i+1)*classes : (i+1)*classes]
	}
	for k, a := range actual {
		p := predicted[k]
		if a < 0 || a >= classes {
			return nil, fmt.Errorf("golem: ConfusionMatrix: actual[%d] = %d is not a class in 0..%d", k, a, classes-1)
		}
		if p < 0 || p >= classes {
			return nil, fmt.Errorf("golem: ConfusionMatrix: predicted[%d] = %d is not a class in 0..%d", k, p, classes-1)
		}
		c[a][p]++
	}
	return c, nil
}
