package golem

import (
	"bytes"
	"context"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"gonum.org/v1/gonum/mat"

	"github.com/golem-ml/golem/layers"
	"github.com/golem-ml/golem/losses"
	"github.com/golem-ml/golem/optim"
)

// everyLayer is one functional model that uses every built-in layer: an
// image, a sequence and a sequence of token indices in; one output.
func everyLayer() *Model {
	img, seq, tok := NewInput(6, 6, 2), NewInput(5, 3), NewInput(4)
	h := Call(layers.Conv2D(3, 3, 3, layers.WithPadding(layers.Same), layers.Tanh), img)
	h = Call(layers.BatchNormalization(), h)
	h = Call(layers.MaxPool2D(2, 2), h)
	h = Call(layers.AvgPool2D(1, 1), h)
	fromImg := Call(layers.GlobalAvgPool2D(), h) // (3)

	s := Call(layers.Conv1D(4, 2, layers.Tanh), seq) // (4, 4)
	s = Call(layers.MaxPool1D(2, layers.Strides(1)), s)
	s = Call(layers.AvgPool1D(1), s)
	s = Call(layers.LSTM(4, layers.ReturnSequences()), s)
	fromSeq := Call(layers.GRU(3), s)             // (3)
	fromRNN := Call(layers.SimpleRNN(3), seq)     // (3)
	pooled := Call(layers.GlobalAvgPool1D(), seq) // (3)

	e := Call(layers.Embedding(6, 2), tok) // (4, 2)
	e = Call(layers.LayerNormalization(), e)
	e = Call(layers.Flatten(), e)
	e = Call(layers.Dense(6, layers.Tanh), e)
	e = Call(layers.Dropout(0.2), e)
	r := Call(layers.Reshape(2, 3), e)
	fromTok := Call(layers.GlobalAvgPool1D(), r) // (3)

	sum := Call(layers.Add(), fromImg, fromSeq, pooled)
	prod := Call(layers.Multiply(), fromRNN, fromTok)
	out := Call(layers.Dense(1), Call(layers.Concatenate(), sum, prod))
	return NewModel([]*Node{img, seq, tok}, out)
}

func everyLayerData(n int, seed uint64) (x, y *mat.Dense) {
	rng := rand.New(rand.NewPCG(seed, 1))
	cols := 72 + 15 + 4
	x = mat.NewDense(n, cols, nil)
	y = mat.NewDense(n, 1, nil)
	for i := 0; i < n; i++ {
		for j := 0; j < 87; j++ {
			x.Set(i, j, 2*rng.Float64()-1)
		}
		for j := 87; j < cols; j++ {
			x.Set(i, j, float64(rng.IntN(6)))
		}
		y.Set(i, 0, x.At(i, 0)*x.At(i, 80)+0.1*x.At(i, 87))
	}
	return x, y
}

// Every layer saves, loads, summarizes and differentiates inside one
// functional model.
func TestEveryLayerSavesLoadsAndDifferentiates(t *testing.T) {
	x, y := everyLayerData(24, 1)
	m := everyLayer()
	require.NoError(t, m.Compile(nil, losses.MSE(), optim.Adam(optim.AdamConfig{LearningRate: 0.01})))
	_, err := m.Fit(context.Background(), x, y, FitConfig{Epochs: 2, BatchSize: 8})
	require.NoError(t, err)
	require.NotEqual(t, []float64{0, 0, 0}, m.Params().StateValues()[:3], "training moved the moving mean")

	sum := m.Summary()
	for _, kind := range []string{"conv2d_1", "batchnorm_1", "maxpool2d_1", "avgpool2d_1", "globalavgpool2d_1",
		"conv1d_1", "maxpool1d_1", "avgpool1d_1", "lstm_1", "gru_1", "simplernn_1", "globalavgpool1d_1",
		"embedding_1", "layernorm_1", "flatten_1", "dense_1", "dropout_1", "reshape_1", "globalavgpool1d_2",
		"add_1", "multiply_1", "concatenate_1", "dense_2"} {
		assert.Contains(t, sum, kind)
	}

	var buf bytes.Buffer
	require.NoError(t, m.Save(&buf))
	want, err := m.Predict(x)
	require.NoError(t, err)
	fresh := everyLayer()
	require.NoError(t, fresh.Load(bytes.NewReader(buf.Bytes())))
	got, err := fresh.Predict(x)
	require.NoError(t, err)
	assert.True(t, mat.Equal(want, got), "a loaded model predicts the same bits")
	assert.Equal(t, m.Summary(), fresh.Summary())

	// Each layer's configuration is part of the file: a model that differs
	// in one layer is refused, naming it.
	other := everyLayer()
	other.layers[0] = layers.Conv2D(3, 3, 3, layers.Tanh) // valid padding
	err = other.Load(bytes.NewReader(buf.Bytes()))
	if assert.Error(t, err) {
		assert.True(t, strings.Contains(err.Error(), "conv2d_1") || strings.Contains(err.Error(), "shape"), err.Error())
	}

	// LM's per-sample Jacobian of the whole model matches finite
	// differences, and no layer falls back to the loop route.
	lm := everyLayer()
	require.NoError(t, lm.Compile(nil, losses.MSE(), optim.LM(optim.LMConfig{})))
	c, err := lm.CheckJacobian(context.Background(), x.Slice(0, 6, 0, 91), y.Slice(0, 6, 0, 1))
	require.NoError(t, err)
	assert.Less(t, c.MaxRelError, 1e-6, c.String())
	assert.Empty(t, SlowRoutes(c.Routes))
}
