package main

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/golem-ml/golem/examples/internal/chart"
)

// TestIrisData: the embedded CSV holds 150 flowers, 50 per species, and the
// split puts 10 of each into the test set.
func TestIrisData(t *testing.T) {
	x, y, err := loadIris()
	require.NoError(t, err)
	n, f := x.Dims()
	assert.Equal(t, 150, n)
	assert.Equal(t, 4, f)
	assert.Equal(t, []float64{5.1, 3.5, 1.4, 0.2}, x.RawRowView(0))
	train, test := stratifiedSplit(y, 10, 1)
	assert.Len(t, train, 120)
	assert.Len(t, test, 30)
	var perClass [3]int
	for _, i := range test {
		perClass[int(y.At(i, 0))]++
	}
	assert.Equal(t, [3]int{10, 10, 10}, perClass)
}

// TestClassify: Adam and LM both reach a test accuracy of at least 0.9, the
// confusion matrices count the 30 test flowers, and both plots decode.
func TestClassify(t *testing.T) {
	for _, seed := range []uint64{1, 2} {
		res, err := run(context.Background(), config{adamEpochs: 200, lmEpochs: 50, seed: seed, out: t.TempDir()})
		require.NoError(t, err)
		require.Len(t, res.runs, 2)
		assert.Equal(t, 120, res.train)
		assert.Equal(t, 30, res.test)
		for _, r := range res.runs {
			assert.GreaterOrEqual(t, r.testAcc, 0.9, "seed %d, %s", seed, r.name)
			assert.GreaterOrEqual(t, r.trainAcc, 0.95, "seed %d, %s", seed, r.name)
			correct := 0
			for i, row := range r.confusion {
				assert.Equal(t, 10, row[0]+row[1]+row[2], "%s: true %s", r.name, species[i])
				correct += row[i]
			}
			assert.InDelta(t, r.testAcc, float64(correct)/30, 1e-12, r.name)
			assert.Len(t, r.predicted, 150)
			assert.Len(t, r.lossCurve, r.epochs)
		}
		assert.NoError(t, chart.CheckPNG(res.lossPlot, 400))
		assert.NoError(t, chart.CheckPNG(res.predPlot, 400))
		assert.NoError(t, chart.CheckPNG(res.rocPlot, 400))
		require.Len(t, res.aucs, 3)
		for i, a := range res.aucs {
			assert.GreaterOrEqual(t, a, 0.95, "seed %d: AUC of %s", seed, species[i])
		}
	}
}
