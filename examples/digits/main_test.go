package main

import (
	"bytes"
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/golem-ml/golem"
	"github.com/golem-ml/golem/examples/internal/chart"
	"github.com/golem-ml/golem/losses"
	"github.com/golem-ml/golem/optim"
)

// TestDigitsData: the embedded file holds 1797 images with pixels in
// [0, 1] and the documented class counts; the split is 1347/450, each class
// in the test set in proportion (44 or 45 of each), disjoint, covering
// every sample, and the same for the same seed.
func TestDigitsData(t *testing.T) {
	x, y, err := loadDigits()
	require.NoError(t, err)
	n, f := x.Dims()
	require.Equal(t, samples, n)
	require.Equal(t, pixels, f)
	// The first row of scikit-learn's file: a 0.
	first := []float64{0, 0, 5, 13, 9, 1, 0, 0}
	for j, v := range first {
		assert.Equal(t, v/16, x.At(0, j))
	}
	assert.Equal(t, 0.0, y.At(0, 0))
	for _, v := range x.RawMatrix().Data {
		require.True(t, v >= 0 && v <= 1, "pixel %v", v)
	}
	perClass := make([]int, classes)
	for _, c := range labels(y) {
		perClass[c]++
	}
	assert.Equal(t, []int{178, 182, 177, 183, 181, 182, 181, 179, 174, 180}, perClass)

	train, test := stratifiedSplit(y, testCount, 1)
	assert.Len(t, train, 1347)
	assert.Len(t, test, 450)
	seen := make([]bool, samples)
	testPerClass := make([]int, classes)
	for _, i := range append(append([]int{}, train...), test...) {
		require.False(t, seen[i], "sample %d twice", i)
		seen[i] = true
	}
	for _, i := range test {
		testPerClass[int(y.At(i, 0))]++
	}
	for c, k := range testPerClass {
		want := float64(perClass[c]) * testCount / samples
		assert.InDelta(t, want, float64(k), 1, "class %d", c)
	}
	train2, test2 := stratifiedSplit(y, testCount, 1)
	assert.Equal(t, test, test2)
	assert.Equal(t, train, train2)
	_, test3 := stratifiedSplit(y, testCount, 2)
	assert.NotEqual(t, test, test3)
}

// TestDigitsQuick runs the example with 2 epochs each (-quick runs 3):
// every run records its epochs with test accuracies and increasing times,
// LM lowers its training loss, Adam (lr 1e-2) passes 90 % in 2 epochs, the
// confusion matrices count the 450 test images and agree with the final
// accuracy, and the PNGs decode; LM with validation stopping runs too.
func TestDigitsQuick(t *testing.T) {
	res, err := run(context.Background(), config{lmEpochs: 2, adamEpochs: 2, adamRates: []float64{1e-2}, lmVal: 0.15, seed: 1, out: t.TempDir()})
	require.NoError(t, err)
	assert.Equal(t, 1347, res.train)
	assert.Equal(t, 450, res.test)
	require.Len(t, res.runs, 3)
	for _, r := range res.runs {
		require.Len(t, r.epochs, 2, r.name)
		assert.Equal(t, 1030, r.params, r.name)
		for i, e := range r.epochs {
			assert.Equal(t, i+1, e.epoch)
			assert.True(t, e.testAcc > 0 && e.testAcc <= 1, "%s epoch %d: %v", r.name, e.epoch, e.testAcc)
			assert.True(t, e.trainAcc > 0 && e.trainAcc <= 1, "%s epoch %d: train %v", r.name, e.epoch, e.trainAcc)
			if i > 0 {
				assert.Greater(t, e.elapsed, r.epochs[i-1].elapsed, r.name)
			}
		}
		total, correct := 0, 0
		for i, row := range r.confusion {
			for _, v := range row {
				total += v
			}
			correct += row[i]
		}
		assert.Equal(t, 450, total, r.name)
		assert.InDelta(t, r.finalAcc, float64(correct)/450, 1e-12, r.name)
		assert.InDelta(t, r.epochs[1].testAcc, r.finalAcc, 1e-12, "%s: the last epoch's score is the final weights'", r.name)
		require.NoError(t, chart.CheckPNG(r.plot, 600), r.name)
	}
	lm, lmVal, adam := res.runs[0], res.runs[1], res.runs[2]
	assert.False(t, lm.adam)
	assert.False(t, lmVal.adam)
	assert.True(t, adam.adam)
	require.Len(t, lmVal.fitPlots, 2)
	assert.Contains(t, lmVal.fitPlots[0], "digits_lm_val")
	assert.Less(t, lm.epochs[1].loss, lm.epochs[0].loss)
	assert.GreaterOrEqual(t, adam.best().testAcc, 0.9)
	require.Len(t, lm.fitPlots, 2)
	for _, p := range lm.fitPlots {
		require.NoError(t, chart.CheckPNG(p, 400))
	}
	require.NoError(t, chart.CheckPNG(res.accuracyPlot, 1000))

	var out bytes.Buffer
	report(&out, res)
	for _, want := range []string{"1347 training and 450 test images", "Levenberg–Marquardt", "Adam (lr 0.01, batches of 32)", res.accuracyPlot} {
		assert.Contains(t, out.String(), want)
	}
	assert.True(t, strings.Contains(out.String(), "never") || strings.Contains(out.String(), "epoch "))
}

// TestArchitectures: each -model compiles on its input shape with the
// parameter count its description states; an unknown name is an error
// listing the known ones.
func TestArchitectures(t *testing.T) {
	for name, want := range map[string]int{"cnn": 1030, "dense": 1060} {
		a, err := lookupArchitecture(name)
		require.NoError(t, err)
		m := a.build()
		require.NoError(t, m.Compile(golem.Input(a.input()...), losses.SparseCategoricalCrossEntropy(), optim.LM(optim.LMConfig{})), name)
		assert.Len(t, m.Params().Theta(), want, name)
		assert.Contains(t, a.describe, fmt.Sprintf("%d,%03d parameters", want/1000, want%1000), name)
	}
	_, err := lookupArchitecture("resnet")
	require.Error(t, err)
	assert.Contains(t, err.Error(), "cnn, dense")
	_, err = run(context.Background(), config{model: "resnet", out: t.TempDir()})
	assert.Error(t, err)
}

// TestParseRates: the -adam-lr list.
func TestParseRates(t *testing.T) {
	r, err := parseRates("0.001, 0.01,")
	require.NoError(t, err)
	assert.Equal(t, []float64{0.001, 0.01}, r)
	r, err = parseRates("")
	require.NoError(t, err)
	assert.Empty(t, r)
	for _, bad := range []string{"x", "0", "-1", "inf", "NaN"} {
		_, err := parseRates(bad)
		assert.Error(t, err, bad)
	}
}
