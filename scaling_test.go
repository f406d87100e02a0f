package golem

import (
	"bytes"
	"context"
	"math"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"gonum.org/v1/gonum/mat"

	"github.com/golem-ml/golem/layers"
	"github.com/golem-ml/golem/losses"
	"github.com/golem-ml/golem/optim"
)

// bigData has inputs around 1000 ± 50, a constant column, and targets
// around 5000: unscaled, a tanh network would saturate.
func bigData(n int) (x, y *mat.Dense) {
	xs, ys := sinData(n, 11)
	x, y = mat.NewDense(n, 2, nil), mat.NewDense(n, 1, nil)
	for i := 0; i < n; i++ {
		x.Set(i, 0, 1000+25*xs.At(i, 0))
		x.Set(i, 1, 7) // constant column
		y.Set(i, 0, 5000+100*ys.At(i, 0))
	}
	return x, y
}

func scaledNet(t *testing.T, in, out Scaling) *Sequential {
	m := NewSequential(layers.Dense(10, layers.Tanh, layers.NguyenWidrow(-1, 1)), layers.Dense(1))
	require.NoError(t, m.Compile(Input(2), losses.MSE(), optim.LM(optim.LMConfig{}), ScaleInputs(in), ScaleTargets(out), WithMetrics(losses.RMSE())))
	return m
}

func TestScalingTrainsOnRawUnits(t *testing.T) {
	x, y := bigData(100)
	for _, c := range []struct{ in, out Scaling }{{MinMax, MinMax}, {Standardize, Standardize}} {
		m := scaledNet(t, c.in, c.out)
		_, err := m.Fit(context.Background(), x, y, FitConfig{Epochs: 50})
		require.NoError(t, err)
		ev, err := m.Evaluate(x, y)
		require.NoError(t, err)
		// The noise is 0.2·100 = 20 in target units: the fit must approach it.
		assert.Less(t, ev.Metrics["rmse"], 30.0, "%v/%v: RMSE in target units", c.in, c.out)
		pred, err := m.Predict(x)
		require.NoError(t, err)
		assert.InDelta(t, 5000, mat.Sum(pred)/100, 50, "predictions come back in target units")
		for _, v := range m.inScale.Scale {
			assert.False(t, math.IsInf(v, 0) || math.IsNaN(v), "constant column handled")
		}
	}
}

// TestScalingIsFittedOnTrainingDataOnly: the held-out validation samples do
// not influence the scaler.
func TestScalingIsFittedOnTrainingDataOnly(t *testing.T) {
	x, y := bigData(100)
	x.Set(99, 0, 1e6) // an outlier in the validation split
	m := scaledNet(t, MinMax, NoScaling)
	_, err := m.Fit(context.Background(), x, y, FitConfig{Epochs: 1, ValidationSplit: 0.1})
	require.NoError(t, err)
	assert.Less(t, 1/m.inScale.Scale[0], 100.0, "the outlier at row 99 is outside the training split")
}

func TestSaveLoadKeepsScaling(t *testing.T) {
	x, y := bigData(80)
	m := scaledNet(t, MinMax, Standardize)
	_, err := m.Fit(context.Background(), x, y, FitConfig{Epochs: 10})
	require.NoError(t, err)
	before, err := m.Predict(x)
	require.NoError(t, err)
	var buf bytes.Buffer
	require.NoError(t, m.Save(&buf))
	saved := buf.Bytes()

	bare := NewSequential(layers.Dense(10, layers.Tanh), layers.Dense(1))
	require.NoError(t, bare.Load(bytes.NewReader(saved)))
	after, err := bare.Predict(x)
	require.NoError(t, err)
	assert.Equal(t, before.RawMatrix().Data, after.RawMatrix().Data, "raw inputs, same predictions")

	compiled := scaledNet(t, MinMax, Standardize)
	require.NoError(t, compiled.Load(bytes.NewReader(saved)))
	after, err = compiled.Predict(x)
	require.NoError(t, err)
	assert.Equal(t, before.RawMatrix().Data, after.RawMatrix().Data)

	unscaled := scaledNet(t, NoScaling, NoScaling)
	assert.ErrorContains(t, unscaled.Load(bytes.NewReader(saved)), "scaling of inputs/targets is minmax/standardize in the file, none/none in the model")

	// Compiling the loaded model without its scaling would change what its
	// weights mean.
	err = bare.Compile(Input(2), losses.MSE(), optim.LM(optim.LMConfig{}))
	assert.ErrorContains(t, err, "inputs are scaled (minmax")
}

func TestTargetScalingNeedsARegressionLoss(t *testing.T) {
	m := NewSequential(layers.Dense(3, layers.Softmax))
	err := m.Compile(Input(2), losses.SparseCategoricalCrossEntropy(), optim.Adam(optim.AdamConfig{}), ScaleTargets(MinMax))
	assert.ErrorContains(t, err, "target scaling applies to regression losses")
}
