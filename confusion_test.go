package golem

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestConfusionMatrix: exact counts, rows by true class and columns by
// predicted class.
func TestConfusionMatrix(t *testing.T) {
	actual := []int{0, 0, 0, 1, 1, 2, 2, 2, 2}
	predicted := []int{0, 1, 0, 1, 1, 2, 0, 2, 1}
	c, err := ConfusionMatrix(actual, predicted, 4)
	require.NoError(t, err)
	assert.Equal(t, [][]int{
		{2, 1, 0, 0},
		{0, 2, 0, 0},
		{1, 1, 2, 0},
		{0, 0, 0, 0},
	}, c)
	c[0] = append(c[0], 99) // rows are capped: growing one leaves the next intact
	assert.Equal(t, []int{0, 2, 0, 0}, c[1])

	c, err = ConfusionMatrix(nil, nil, 2)
	require.NoError(t, err)
	assert.Equal(t, [][]int{{0, 0}, {0, 0}}, c)
}

// TestConfusionMatrixErrors: bad input is an error naming the problem, not
// a panic.
func TestConfusionMatrixErrors(t *testing.T) {
	for _, tc := range []struct {
		name              string
		actual, predicted []int
		classes           int
		want              string
	}{
		{"length mismatch", []int{0, 1}, []int{0}, 2, "2 actual labels but 1 predicted"},
		{"actual too large", []int{0, 3}, []int{0, 1}, 3, "actual[1] = 3"},
		{"actual negative", []int{-1}, []int{0}, 3, "actual[0] = -1"},
		{"predicted too large", []int{0, 1}, []int{2, 1}, 2, "predicted[0] = 2"},
		{"no classes", []int{0}, []int{0}, 0, "0 classes"},
	} {
		_, err := ConfusionMatrix(tc.actual, tc.predicted, tc.classes)
		if assert.Error(t, err, tc.name) {
			assert.Contains(t, err.Error(), tc.want, tc.name)
		}
	}
}
