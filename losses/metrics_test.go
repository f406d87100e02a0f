package losses

import (
	"math"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"gonum.org/v1/gonum/mat"
)

func score(t *testing.T, m Metric, pred, target *mat.Dense) float64 {
	t.Helper()
	v, err := m.Score(pred, target)
	require.NoError(t, err)
	return v
}

func TestRegressionMetrics(t *testing.T) {
	pred := mat.NewDense(4, 1, []float64{1, 2, 3, 5})
	y := mat.NewDense(4, 1, []float64{1, 2, 4, 3})
	assert.InDelta(t, 0.75, score(t, MAEMetric(), pred, y), 1e-15)
	assert.InDelta(t, math.Sqrt(5.0/4), score(t, RMSE(), pred, y), 1e-15)
	// ȳ = 2.5, SS_tot = 2.25+0.25+2.25+0.25 = 5, SS_res = 5 → R² = 0
	assert.InDelta(t, 0, score(t, R2(), pred, y), 1e-15)
	assert.InDelta(t, 1, score(t, R2(), y, y), 1e-15)
	// Two outputs averaged uniformly. Column 0: ȳ = 7/3, SS_tot = 42/9,
	// SS_res = 1. Column 1 is constant and predicted exactly, which scores 1
	// (scikit-learn's convention).
	p2 := mat.NewDense(3, 2, []float64{1, 7, 2, 7, 3, 7})
	y2 := mat.NewDense(3, 2, []float64{1, 7, 2, 7, 4, 7})
	assert.InDelta(t, (1-9.0/42+1)/2, score(t, R2(), p2, y2), 1e-15)
	_, err := RMSE().Score(pred, mat.NewDense(3, 1, nil))
	assert.ErrorContains(t, err, "predictions are 4×1 but targets are 3×1")
}

func TestAccuracy(t *testing.T) {
	binary := mat.NewDense(4, 1, []float64{0.9, 0.2, 0.6, 0.4})
	assert.InDelta(t, 0.5, score(t, Accuracy(), binary, mat.NewDense(4, 1, []float64{1, 0, 0, 1})), 1e-15)
	probs := mat.NewDense(3, 3, []float64{0.7, 0.2, 0.1, 0.1, 0.1, 0.8, 0.3, 0.4, 0.3})
	labels := mat.NewDense(3, 1, []float64{0, 2, 0})
	assert.InDelta(t, 2.0/3, score(t, Accuracy(), probs, labels), 1e-15)
	onehot := mat.NewDense(3, 3, []float64{1, 0, 0, 0, 0, 1, 0, 1, 0})
	assert.InDelta(t, 1, score(t, Accuracy(), probs, onehot), 1e-15)
}

func TestSparseLabelsBeyondIntRangeAreRejected(t *testing.T) {
	l := SparseCategoricalCrossEntropy()
	for _, v := range []float64{3, 1 << 63, 1e300, -1, 0.5} {
		if err := l.CheckTarget([]float64{v}, 3); err == nil {
			t.Errorf("label %v accepted for 3 classes", v)
		}
	}
	if err := l.CheckTarget([]float64{2}, 3); err != nil {
		t.Error(err)
	}
}

// TestLossesAreMetrics: MSE, SSE and MAE score as metrics under their
// losses' names, with the values of their definitions, and refuse
// mismatched shapes.
func TestLossesAreMetrics(t *testing.T) {
	pred := mat.NewDense(3, 2, []float64{1, 2, 3, 5, 0, 0})
	y := mat.NewDense(3, 2, []float64{1, 4, 4, 3, 0, -1})
	// errors 0, -2, -1, 2, 0, 1: squares 0+4+1+4+0+1 = 10, |e| sum 6, N·K = 6
	for _, c := range []struct {
		m    Metric
		name string
		want float64
	}{{MSE(), "mse", 10.0 / 6}, {SSE(), "sse", 10}, {MAE(), "mae", 1}} {
		assert.Equal(t, c.name, c.m.Name())
		assert.InDelta(t, c.want, score(t, c.m, pred, y), 1e-15, c.name)
		_, err := c.m.Score(pred, mat.NewDense(2, 2, nil))
		assert.ErrorContains(t, err, c.name+": predictions are 3×2 but targets are 2×2")
	}
	// The same values as the other metrics where they overlap.
	assert.InDelta(t, score(t, RMSE(), pred, y)*score(t, RMSE(), pred, y), score(t, MSE(), pred, y), 1e-15)
	assert.Equal(t, score(t, MAEMetric(), pred, y), score(t, MAE(), pred, y))
	// Still losses with a residual form where they had one.
	var _ Residual = MSE()
	var _ Residual = SSE()
	_, isResidual := Loss(MAE()).(Residual)
	assert.False(t, isResidual)
}
