package golem

import (
	"bytes"
	"context"
	"errors"
	"math"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"gonum.org/v1/gonum/mat"

	"github.com/golem-ml/golem/layers"
	"github.com/golem-ml/golem/losses"
	"github.com/golem-ml/golem/optim"
)

// evaluateTwice checks that m's Evaluate gives want's bits twice, and
// again after a rejected Evaluate (targets of the wrong width).
func evaluateTwice(t *testing.T, m *Sequential, x, y mat.Matrix, want Evaluation) {
	t.Helper()
	for run := 0; run < 2; run++ {
		got, err := m.Evaluate(x, y)
		require.NoError(t, err)
		assert.Equal(t, math.Float64bits(want.Loss), math.Float64bits(got.Loss), "loss %v, want %v", got.Loss, want.Loss)
		assert.Equal(t, want.Metrics, got.Metrics)
	}
	r, c := y.Dims()
	_, err := m.Evaluate(x, mat.NewDense(r, c+1, nil))
	require.Error(t, err)
	got, err := m.Evaluate(x, y)
	require.NoError(t, err)
	assert.Equal(t, math.Float64bits(want.Loss), math.Float64bits(got.Loss))
	assert.Equal(t, want.Metrics, got.Metrics)
}

// TestEvaluateAfterLoad: a model loaded into a fresh (uncompiled) model
// evaluates to the saved model's bits, loss and metrics, twice and after
// a rejected call, for every file architecture (MSE, SSE, scalers), a
// cross-entropy with an option and metrics, and a PerOutput loss.
func TestEvaluateAfterLoad(t *testing.T) {
	check := func(t *testing.T, orig, loaded *Sequential, x, y mat.Matrix) {
		want, err := orig.Evaluate(x, y)
		require.NoError(t, err)
		file := saved(t, orig)
		require.NoError(t, loaded.Load(bytes.NewReader(file)))
		evaluateTwice(t, loaded, x, y, want)
		// A rejected Load changes nothing, Evaluate included.
		require.Error(t, loaded.Load(bytes.NewReader(file[:len(file)-1])))
		evaluateTwice(t, loaded, x, y, want)
		// Saved again, the loaded model writes the same bytes.
		assert.Equal(t, file, saved(t, loaded))
	}
	for _, a := range fileArchs {
		t.Run(a.name, func(t *testing.T) {
			x, y := a.data()
			check(t, a.trained(t), a.bare(), x, y)
		})
	}
	t.Run("soft-crossentropy-metrics", func(t *testing.T) {
		layers := func() *Sequential {
			return NewSequential(layers.Dense(6, layers.Tanh), layers.Dense(1, layers.Sigmoid))
		}
		m := layers()
		require.NoError(t, m.Compile(Input(2), losses.BinaryCrossEntropy(losses.SoftTargets()), optim.LM(optim.LMConfig{}),
			WithMetrics(losses.Accuracy(), losses.MSE(), losses.MAE())))
		x, y := mat.NewDense(30, 2, nil), mat.NewDense(30, 1, nil)
		for i := 0; i < 30; i++ {
			x.Set(i, 0, float64(i%7)/7)
			x.Set(i, 1, float64(i%5)/5)
			y.Set(i, 0, 0.05+0.9*float64((i%7+i%5)%2))
		}
		_, err := m.Fit(context.Background(), x, y, FitConfig{Epochs: 5})
		require.NoError(t, err)
		check(t, m, layers(), x, y)
	})
	t.Run("per-output", func(t *testing.T) {
		build := func() *Model {
			in := NewInput(2)
			h := Call(layers.Dense(4, layers.Tanh), in)
			return NewModel([]*Node{in}, Call(layers.Dense(1), h), Call(layers.Dense(3, layers.Softmax), h))
		}
		m := build()
		require.NoError(t, m.Compile(nil, PerOutput(OutputLoss{Loss: losses.MSE()},
			OutputLoss{Loss: losses.SparseCategoricalCrossEntropy(), Weight: 0.25}), optim.LM(optim.LMConfig{})))
		x, y := mat.NewDense(24, 2, nil), mat.NewDense(24, 2, nil)
		for i := 0; i < 24; i++ {
			x.Set(i, 0, float64(i)/24)
			x.Set(i, 1, float64(i%3))
			y.Set(i, 0, math.Sin(float64(i)))
			y.Set(i, 1, float64(i%3))
		}
		_, err := m.Fit(context.Background(), x, y, FitConfig{Epochs: 3})
		require.NoError(t, err)
		check(t, m, build(), x, y)
	})
}

// TestEvaluateAfterLoadNeedsALoss: a file whose loss cannot be rebuilt (a
// custom loss or metric, a loss this golem does not know, a file of an
// earlier golem) still loads and predicts, and Evaluate says why it cannot
// run and what to do (an ErrNotCompiled); after Compile with the loss it
// gives the saved model's numbers. A compiled model keeps its own loss.
func TestEvaluateAfterLoadNeedsALoss(t *testing.T) {
	a := archNamed(t, "tanh")
	x, y := a.data()
	custom := a.bare()
	require.NoError(t, custom.Compile(a.input, namedLoss{losses.MSE(), "my_loss"}, optim.Adam(optim.AdamConfig{}),
		WithSeed(4), WithMetrics(namedMetric{losses.RMSE(), "my_metric"})))
	want, err := custom.Evaluate(x, y)
	require.NoError(t, err)
	file := saved(t, custom)

	onlyMetric := a.bare()
	require.NoError(t, onlyMetric.Compile(a.input, losses.MSE(), optim.LM(optim.LMConfig{}), WithSeed(4),
		WithMetrics(namedMetric{losses.RMSE(), "my_metric"})))
	for _, c := range []struct {
		name string
		file []byte
		why  string
	}{
		{"custom-loss", file, `the file records the custom loss "my_loss", which a file cannot rebuild`},
		{"custom-metric", saved(t, onlyMetric), `the file records the custom metric "my_metric", which a file cannot rebuild`},
		{"unknown-loss", edit(t, file, `{"name":"my_loss","custom":true}`, `{"name":"hinge"}`), `no loss is named "hinge"`},
		{"earlier-golem", v1File(t, "tanh"), "the file records no loss"},
	} {
		t.Run(c.name, func(t *testing.T) {
			m := a.bare()
			require.NoError(t, m.Load(bytes.NewReader(c.file)))
			_, err := m.Predict(x)
			require.NoError(t, err)
			for run := 0; run < 2; run++ {
				_, err = m.Evaluate(x, y)
				require.ErrorContains(t, err, c.why)
				assert.ErrorContains(t, err, "Compile the model with its loss (and metrics) first")
				assert.True(t, errors.Is(err, ErrNotCompiled))
			}
			header := func(f []byte) string { return string(f[bytes.IndexByte(f, '\n'):bodyStart(f)]) }
			assert.Equal(t, header(c.file), header(saved(t, m)), "Save writes the file's records back")
		})
	}

	m := a.bare()
	require.NoError(t, m.Load(bytes.NewReader(file)))
	require.NoError(t, m.Compile(a.input, namedLoss{losses.MSE(), "my_loss"}, optim.Adam(optim.AdamConfig{}),
		WithMetrics(namedMetric{losses.RMSE(), "my_metric"})))
	evaluateTwice(t, m, x, y, want)

	// A compiled model keeps its loss: SSE, loading a file that says MSE.
	sse := a.bare()
	require.NoError(t, sse.Compile(a.input, losses.SSE(), optim.LM(optim.LMConfig{})))
	mse := a.trained(t)
	require.NoError(t, sse.Load(bytes.NewReader(saved(t, mse))))
	got, err := sse.Evaluate(x, y)
	require.NoError(t, err)
	ref, err := mse.Evaluate(x, y)
	require.NoError(t, err)
	n, _ := y.Dims()
	assert.InDelta(t, float64(n)*ref.Loss, got.Loss, 1e-9*got.Loss)
}

// TestLoadRefusesBadLossRecords: a loss record whose structure is wrong
// (parts in a loss that is not per_output, a per_output part that is
// itself one) is refused, naming it, and leaves the model as it was.
func TestLoadRefusesBadLossRecords(t *testing.T) {
	a := archNamed(t, "tanh")
	file := saved(t, a.trained(t))
	for _, c := range []struct{ old, new, why string }{
		{`"loss":{"name":"mse"}`, `"loss":{"name":"mse","outputs":[{"loss":{"name":"mse"},"weight":1}]}`, `the loss "mse" has parts`},
		{`"loss":{"name":"mse"}`, `"loss":{"name":"per_output","outputs":[{"loss":{"name":"per_output"},"weight":1}]}`, "output 1: the loss per_output needs parts, and cannot be a part"},
		{`"loss":{"name":"mse"}`, `"loss":{"name":"per_output"}`, "the loss per_output needs parts"},
	} {
		m := a.bare()
		before := stateOf(m)
		err := m.Load(bytes.NewReader(edit(t, file, c.old, c.new)))
		require.ErrorContains(t, err, c.why)
		assert.True(t, sameState(before, stateOf(m)))
	}
	// A per_output loss for a one-output model loads; Evaluate explains.
	m := a.bare()
	require.NoError(t, m.Load(bytes.NewReader(edit(t, file, `"loss":{"name":"mse"}`,
		`"loss":{"name":"per_output","outputs":[{"loss":{"name":"mse"},"weight":1},{"loss":{"name":"mse"},"weight":1}]}`))))
	x, y := a.data()
	_, err := m.Evaluate(x, y)
	assert.ErrorContains(t, err, "the file's loss per_output does not fit the model")
}
