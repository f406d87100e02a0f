package plots

import (
	"image/color"
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestConfusion: the file is a PNG of the documented size, for 3 and
// 10 classes, in a directory that did not exist; bad input writes nothing.
func TestConfusion(t *testing.T) {
	dir := t.TempDir()
	for _, tc := range []struct {
		classes []string
		side    int // pixels
	}{
		{[]string{"setosa", "versicolor", "virginica"}, 576},
		{[]string{"0", "1", "2", "3", "4", "5", "6", "7", "8", "9"}, 672},
		{[]string{"a rather long class name", "another long class name"}, 576},
	} {
		k := len(tc.classes)
		var actual, predicted []int
		for i := 0; i < 5*k; i++ {
			actual = append(actual, i%k)
			p := i % k
			if i%7 == 0 {
				p = (p + 1) % k
			}
			if p == k-1 && k > 2 { // a class never predicted: precision n/a
				p = 0
			}
			predicted = append(predicted, p)
		}
		path := filepath.Join(dir, "sub", "confusion.png")
		require.NoError(t, Confusion(path, actual, predicted, tc.classes))
		keep(t, path)
		f, err := os.Open(path)
		require.NoError(t, err)
		img, err := png.Decode(f)
		f.Close()
		require.NoError(t, err)
		assert.Equal(t, tc.side, img.Bounds().Dx(), "%d classes", k)
		assert.Equal(t, tc.side, img.Bounds().Dy(), "%d classes", k)
		require.NoError(t, os.Remove(path))
	}

	bad := filepath.Join(dir, "bad.png")
	classes := []string{"a", "b"}
	for name, err := range map[string]error{
		"out of range": Confusion(bad, []int{0, 2}, []int{0, 1}, classes),
		"mismatch":     Confusion(bad, []int{0, 1}, []int{0}, classes),
		"empty":        Confusion(bad, nil, nil, classes),
		"no classes":   Confusion(bad, []int{0}, []int{0}, nil),
	} {
		assert.Error(t, err, name)
	}
	err := Confusion(bad, []int{0, 1}, []int{0, 1}, []string{strings.Repeat("long name ", 30), "b"})
	if assert.Error(t, err) {
		assert.Contains(t, err.Error(), "shorten")
	}
	assert.NoFileExists(t, bad)
}

// TestConfusionCellColor: empty cells are white, a single error of 45 is
// visibly red, a full diagonal cell is the full green with white text.
func TestConfusionCellColor(t *testing.T) {
	white := color.RGBA{R: 255, G: 255, B: 255, A: 255}
	c, dark := cellColor(0, 45, false)
	assert.Equal(t, white, c)
	assert.False(t, dark)
	c, _ = cellColor(0, 45, true)
	assert.Equal(t, white, c)
	c, dark = cellColor(1, 45, false)
	assert.False(t, dark)
	assert.Greater(t, int(c.R), int(c.G)+20, "red")
	assert.Less(t, int(c.G), 235, "one error in 45 must be tinted")
	assert.Less(t, int(c.B), 235)
	c, dark = cellColor(45, 45, true)
	assert.Equal(t, confusionRight, c)
	assert.True(t, dark)
	_, dark = cellColor(1, 45, true)
	assert.False(t, dark)
}
