package golem

import (
	"bytes"
	"context"
	"math"
	"math/rand/v2"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"gonum.org/v1/gonum/mat"

	"github.com/golem-ml/golem/layers"
	"github.com/golem-ml/golem/losses"
	"github.com/golem-ml/golem/optim"
)

// twoByTwo is a functional model with two inputs (3 and 2 features), a
// shared trunk and two heads: a regression output and a 3-class softmax.
func twoByTwo() *Model {
	a, b := NewInput(3), NewInput(2)
	ha := Call(layers.Dense(6, layers.Tanh), a)
	hb := Call(layers.Dense(6, layers.Tanh), b)
	h := Call(layers.Concatenate(), ha, hb)
	h = Call(layers.Dense(8, layers.Tanh), h)
	reg := Call(layers.Dense(1), h)
	cls := Call(layers.Dense(3, layers.Softmax), h)
	return NewModel([]*Node{a, b}, reg, cls)
}

// twoByTwoData: y1 = sin(a₀)+a₁·b₀, class = argmax of (a₂, b₁, 0.3).
func twoByTwoData(n int, seed uint64) (x, y *mat.Dense) {
	rng := rand.New(rand.NewPCG(seed, 3))
	x = mat.NewDense(n, 5, nil)
	y = mat.NewDense(n, 4, nil)
	for i := 0; i < n; i++ {
		for j := 0; j < 5; j++ {
			x.Set(i, j, 2*rng.Float64()-1)
		}
		a0, a1, a2, b0, b1 := x.At(i, 0), x.At(i, 1), x.At(i, 2), x.At(i, 3), x.At(i, 4)
		y.Set(i, 0, math.Sin(2*a0)+a1*b0)
		scores := []float64{a2, b1, 0.3}
		best := 0
		for k := range scores {
			if scores[k] > scores[best] {
				best = k
			}
		}
		y.Set(i, 1+best, 1)
	}
	return x, y
}

func twoByTwoLoss() losses.Loss {
	return PerOutput(OutputLoss{Loss: losses.MSE()}, OutputLoss{Loss: losses.CategoricalCrossEntropy(), Weight: 0.5})
}

// accuracyOf is the share of rows whose largest prediction (columns
// [lo, hi)) is the target's one-hot column.
func accuracyOf(pred, y *mat.Dense, lo, hi int) float64 {
	n, _ := pred.Dims()
	right := 0
	for i := 0; i < n; i++ {
		best := lo
		for j := lo; j < hi; j++ {
			if pred.At(i, j) > pred.At(i, best) {
				best = j
			}
		}
		if y.At(i, best) == 1 {
			right++
		}
	}
	return float64(right) / float64(n)
}

func TestTwoInputTwoOutputModelTrainsWithLMAndAdam(t *testing.T) {
	x, y := twoByTwoData(300, 1)
	xt, yt := twoByTwoData(200, 2)
	for _, tc := range []struct {
		name   string
		opt    optim.Optimizer
		epochs int
		batch  int
	}{
		{"lm", optim.LM(optim.LMConfig{}), 60, 0},
		{"adam", optim.Adam(optim.AdamConfig{LearningRate: 0.01}), 300, 32},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m := twoByTwo()
			require.NoError(t, m.Compile(nil, twoByTwoLoss(), tc.opt, WithSeed(3)))
			before, err := m.Evaluate(x, y)
			require.NoError(t, err)
			_, err = m.Fit(context.Background(), x, y, FitConfig{Epochs: tc.epochs, BatchSize: tc.batch})
			require.NoError(t, err)
			after, err := m.Evaluate(x, y)
			require.NoError(t, err)
			assert.Less(t, after.Loss, before.Loss/5, "training must cut the loss")

			pred, err := m.Predict(xt)
			require.NoError(t, err)
			parts, err := m.SplitOutputs(pred)
			require.NoError(t, err)
			require.Len(t, parts, 2)
			assert.Equal(t, 1, parts[0].RawMatrix().Cols)
			assert.Equal(t, 3, parts[1].RawMatrix().Cols)
			var sse, sst, mean float64
			n, _ := yt.Dims()
			for i := 0; i < n; i++ {
				mean += yt.At(i, 0) / float64(n)
			}
			for i := 0; i < n; i++ {
				sse += math.Pow(parts[0].At(i, 0)-yt.At(i, 0), 2)
				sst += math.Pow(yt.At(i, 0)-mean, 2)
			}
			r2 := 1 - sse/sst
			acc := accuracyOf(pred, yt, 1, 4)
			t.Logf("%s: loss %.4g → %.4g, test R² %.3f, test accuracy %.3f", tc.name, before.Loss, after.Loss, r2, acc)
			assert.Greater(t, r2, 0.9, "the regression head must learn")
			assert.Greater(t, acc, 0.9, "the classification head must learn")
		})
	}
}

// The loss of a two-output model is the weighted sum of its parts.
func TestPerOutputLossIsTheWeightedSum(t *testing.T) {
	x, y := twoByTwoData(40, 5)
	m := twoByTwo()
	require.NoError(t, m.Compile(nil, twoByTwoLoss(), optim.LM(optim.LMConfig{})))
	ev, err := m.Evaluate(x, y)
	require.NoError(t, err)
	pred, err := m.Predict(x)
	require.NoError(t, err)
	n, _ := x.Dims()
	var mse, ce float64
	for i := 0; i < n; i++ {
		mse += math.Pow(pred.At(i, 0)-y.At(i, 0), 2) / float64(n)
		for k := 0; k < 3; k++ {
			if y.At(i, 1+k) == 1 {
				ce -= math.Log(pred.At(i, 1+k)) / float64(n)
			}
		}
	}
	assert.InDelta(t, mse+0.5*ce, ev.Loss, 1e-12)
}

func TestFunctionalGradientsAndJacobians(t *testing.T) {
	x, y := twoByTwoData(12, 7)
	m := twoByTwo()
	require.NoError(t, m.Compile(nil, twoByTwoLoss(), optim.Adam(optim.AdamConfig{})))
	checkGradient(t, m, x, y, 8)

	m2 := twoByTwo()
	require.NoError(t, m2.Compile(nil, twoByTwoLoss(), optim.LM(optim.LMConfig{})))
	c, err := m2.CheckJacobian(context.Background(), x, y)
	require.NoError(t, err)
	assert.Less(t, c.MaxRelError, 1e-6, c.String())
}

// One layer called twice shares its weights: one set of parameters, and
// derivatives that add both uses.
func TestSharedLayer(t *testing.T) {
	a, b := NewInput(2), NewInput(2)
	shared := layers.Dense(3, layers.Tanh)
	ha, hb := Call(shared, a), Call(shared, b)
	out := Call(layers.Dense(1), Call(layers.Multiply(), ha, hb))
	m := NewModel([]*Node{a, b}, out)
	require.NoError(t, m.Compile(nil, losses.MSE(), optim.LM(optim.LMConfig{})))
	assert.Equal(t, 2*3+3+3+1, m.Params().Len(), "the shared layer's weights exist once")
	s := m.Summary()
	assert.Contains(t, s, "dense_1*", s)
	assert.Contains(t, s, "input_1", s)

	rng := rand.New(rand.NewPCG(1, 1))
	x := randomMatrix(rng, 10, 4, -1, 1)
	y := randomMatrix(rng, 10, 1, -1, 1)
	c, err := m.CheckJacobian(context.Background(), x, y)
	require.NoError(t, err)
	assert.Less(t, c.MaxRelError, 1e-6, c.String())

	// Swapping the two inputs gives the same prediction: both go through
	// the same weights and Multiply commutes.
	swapped := mat.NewDense(10, 4, nil)
	for i := 0; i < 10; i++ {
		for j := 0; j < 2; j++ {
			swapped.Set(i, j, x.At(i, j+2))
			swapped.Set(i, j+2, x.At(i, j))
		}
	}
	p1, err := m.Predict(x)
	require.NoError(t, err)
	p2, err := m.Predict(swapped)
	require.NoError(t, err)
	assert.True(t, mat.EqualApprox(p1, p2, 1e-14))
}

func TestFunctionalModelErrors(t *testing.T) {
	lm := func() optim.Optimizer { return optim.LM(optim.LMConfig{}) }
	a, b, img := NewInput(3), NewInput(2), NewInput(4, 4, 1)
	for _, tc := range []struct {
		name string
		m    *Model
		loss losses.Loss
		in   layers.Shape
		want string
	}{
		{"missing input", NewModel([]*Node{a}, Call(layers.Dense(1), Call(layers.Concatenate(), a, b))), losses.MSE(), nil, "not among NewModel's inputs"},
		{"no outputs", NewModel([]*Node{a}), losses.MSE(), nil, "at least one output"},
		{"no inputs", NewModel(nil, Call(layers.Dense(1), a)), losses.MSE(), nil, "at least one input"},
		{"output is an input", NewModel([]*Node{a}, a), losses.MSE(), nil, "is an input"},
		{"merge of one", NewModel([]*Node{a}, Call(layers.Add(), a)), losses.MSE(), nil, "two or more inputs"},
		{"dense of two", NewModel([]*Node{a, b}, Call(layers.Dense(1), a, b)), losses.MSE(), nil, "takes one input"},
		{"add of different shapes", NewModel([]*Node{a, b}, Call(layers.Add(), a, b)), losses.MSE(), nil, "differ"},
		{"two outputs, one loss", twoByTwo(), losses.MSE(), nil, "PerOutput"},
		{"parts count", twoByTwo(), PerOutput(OutputLoss{Loss: losses.MSE()}), nil, "1 parts for a model with 2 outputs"},
		{"mixed reductions", twoByTwo(), PerOutput(OutputLoss{Loss: losses.MSE()}, OutputLoss{Loss: losses.SSE()}), nil, "reduce differently"},
		{"negative weight", twoByTwo(), PerOutput(OutputLoss{Loss: losses.MSE()}, OutputLoss{Loss: losses.MSE(), Weight: -1}), nil, "weight of output 2"},
		{"wrong input shape", twoByTwo(), twoByTwoLoss(), Input(4), "pass nil"},
		{"nil layer", NewModel([]*Node{a}, Call(nil, a)), losses.MSE(), nil, "nil layer"},
		{"input without a shape", NewModel([]*Node{NewInput()}, Call(layers.Dense(1), a)), losses.MSE(), nil, "invalid shape"},
		{"image output", NewModel([]*Node{img}, Call(layers.Conv2D(2, 3, 3), img)), losses.MSE(), nil, "must be a vector per sample"},
		{"dense on an image", NewModel([]*Node{img}, Call(layers.Dense(1), img)), losses.MSE(), nil, "must be a vector per sample, got (batch, 4, 4, 1)"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.m.Compile(tc.in, tc.loss, lm())
			require.Error(t, err)
			assert.Contains(t, err.Error(), tc.want)
			assert.Nil(t, tc.m.Params(), "a rejected Compile builds nothing")
		})
	}

	// A shared layer called on two shapes.
	c, d := NewInput(3), NewInput(4)
	shared := layers.Dense(2)
	m := NewModel([]*Node{c, d}, Call(layers.Concatenate(), Call(shared, c), Call(shared, d)))
	err := m.Compile(nil, losses.MSE(), lm())
	require.Error(t, err)
	assert.Contains(t, err.Error(), "shared")

	// Metrics with several outputs.
	err = twoByTwo().Compile(nil, twoByTwoLoss(), lm(), WithMetrics(losses.Accuracy()))
	require.Error(t, err)
	assert.Contains(t, err.Error(), "metrics")
}

func TestFunctionalSaveLoad(t *testing.T) {
	x, y := twoByTwoData(50, 9)
	m := twoByTwo()
	require.NoError(t, m.Compile(nil, twoByTwoLoss(), optim.LM(optim.LMConfig{})))
	_, err := m.Fit(context.Background(), x, y, FitConfig{Epochs: 3})
	require.NoError(t, err)
	var buf bytes.Buffer
	require.NoError(t, m.Save(&buf))
	want, err := m.Predict(x)
	require.NoError(t, err)

	// An uncompiled model of the same graph loads and predicts the same.
	fresh := twoByTwo()
	require.NoError(t, fresh.Load(bytes.NewReader(buf.Bytes())))
	got, err := fresh.Predict(x)
	require.NoError(t, err)
	assert.True(t, mat.Equal(want, got))
	// And twice: a second Load of the same file changes nothing.
	require.NoError(t, fresh.Load(bytes.NewReader(buf.Bytes())))
	got, err = fresh.Predict(x)
	require.NoError(t, err)
	assert.True(t, mat.Equal(want, got))

	// A graph wired differently is refused, and keeps its weights.
	a, b := NewInput(3), NewInput(2)
	ha := Call(layers.Dense(6, layers.Tanh), a)
	hb := Call(layers.Dense(6, layers.Tanh), b)
	h := Call(layers.Concatenate(), hb, ha) // swapped
	h = Call(layers.Dense(8, layers.Tanh), h)
	other := NewModel([]*Node{a, b}, Call(layers.Dense(1), h), Call(layers.Dense(3, layers.Softmax), h))
	require.NoError(t, other.Compile(nil, twoByTwoLoss(), optim.LM(optim.LMConfig{})))
	theta := append([]float64(nil), other.Params().Theta()...)
	err = other.Load(bytes.NewReader(buf.Bytes()))
	require.Error(t, err)
	assert.Contains(t, err.Error(), "call")
	assert.Equal(t, theta, other.Params().Theta())

	// A Sequential model and a functional file do not mix.
	seq := NewSequential(layers.Dense(1))
	require.Error(t, seq.Load(bytes.NewReader(buf.Bytes())))
}

func TestFunctionalPredictConcurrently(t *testing.T) {
	x, _ := twoByTwoData(300, 11)
	m := twoByTwo()
	require.NoError(t, m.Compile(nil, twoByTwoLoss(), optim.LM(optim.LMConfig{})))
	want, err := m.Predict(x)
	require.NoError(t, err)
	var wg sync.WaitGroup
	for g := 0; g < 4; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			got, err := m.Predict(x)
			assert.NoError(t, err)
			assert.True(t, mat.Equal(want, got))
		}()
	}
	wg.Wait()
}

// NewSequential is the one-input chain of the same machinery: the same
// layers as a functional chain give the same weights and predictions.
func TestSequentialIsAFunctionalChain(t *testing.T) {
	rng := rand.New(rand.NewPCG(2, 2))
	x := randomMatrix(rng, 30, 4, -1, 1)
	y := randomMatrix(rng, 30, 1, -1, 1)
	seq := NewSequential(layers.Dense(5, layers.Tanh), layers.Dense(1))
	require.NoError(t, seq.Compile(Input(4), losses.MSE(), optim.LM(optim.LMConfig{})))
	in := NewInput(4)
	fn := NewModel([]*Node{in}, Call(layers.Dense(1), Call(layers.Dense(5, layers.Tanh), in)))
	require.NoError(t, fn.Compile(nil, losses.MSE(), optim.LM(optim.LMConfig{})))
	assert.Equal(t, seq.Params().Theta(), fn.Params().Theta())
	for _, m := range []*Model{seq, fn} {
		_, err := m.Fit(context.Background(), x, y, FitConfig{Epochs: 5})
		require.NoError(t, err)
	}
	assert.Equal(t, seq.Params().Theta(), fn.Params().Theta(), "same layers, same bits")
	assert.True(t, strings.HasPrefix(fn.Summary(), "Layer"))
}

func TestColumns(t *testing.T) {
	a := mat.NewDense(2, 1, []float64{1, 2})
	b := mat.NewDense(2, 2, []float64{3, 4, 5, 6})
	c, err := Columns(a, b)
	require.NoError(t, err)
	assert.Equal(t, []float64{1, 3, 4, 2, 5, 6}, c.RawMatrix().Data)
	_, err = Columns(a, mat.NewDense(3, 1, nil))
	require.Error(t, err)
	_, err = Columns()
	require.Error(t, err)
}

// One sample through a model with one-feature inputs and one-wide outputs:
// the batch of one where Gorgonia's slices turn into scalars.
func TestFunctionalBatchOfOne(t *testing.T) {
	a, b := NewInput(1), NewInput(1)
	h := Call(layers.Concatenate(), Call(layers.Dense(3, layers.Tanh), a), Call(layers.Dense(3, layers.Tanh), b))
	seq := NewInput(2, 3) // and a concatenation of sequences, along features
	s := Call(layers.Concatenate(), Call(layers.Conv1D(2, 1), seq), Call(layers.Conv1D(1, 1), seq))
	s = Call(layers.Flatten(), s)
	m := NewModel([]*Node{a, b, seq}, Call(layers.Dense(1), h), Call(layers.Dense(1), s))
	loss := PerOutput(OutputLoss{Loss: losses.MSE()}, OutputLoss{Loss: losses.MSE()})
	require.NoError(t, m.Compile(nil, loss, optim.LM(optim.LMConfig{})))
	assert.Equal(t, []int{3 * 2}, []int(m.shapes[len(m.shapes)-2]), "flattened (2, 3)")
	x := mat.NewDense(1, 8, []float64{0.5, -0.3, 1, 2, 3, 4, 5, 6})
	pred, err := m.Predict(x)
	require.NoError(t, err)
	assert.Equal(t, 2, pred.RawMatrix().Cols)
	y := mat.NewDense(1, 2, []float64{0.1, 0.2})
	c, err := m.CheckJacobian(context.Background(), x, y)
	require.NoError(t, err)
	assert.Less(t, c.MaxRelError, 1e-6, c.String())
	_, err = m.Fit(context.Background(), x, y, FitConfig{Epochs: 2})
	require.NoError(t, err)
}

// Dense on samples of several axes maps every position's vector, as
// Keras does, on the fast grouped-tap route.
func TestDenseOnSequences(t *testing.T) {
	rng := rand.New(rand.NewPCG(12, 12))
	x := randomMatrix(rng, 7, 3*2, -1, 1)
	y := randomMatrix(rng, 7, 1, -1, 1)
	d := layers.Dense(2, layers.Tanh)
	m := NewSequential(d, layers.Flatten(), layers.Dense(1))
	require.NoError(t, m.Compile(Input(3, 2), losses.MSE(), optim.LM(optim.LMConfig{})))
	// The first layer's output is tanh(x_t·W + b) at each of the 3 steps.
	probe := NewSequential(layers.Dense(2, layers.Tanh), layers.Flatten())
	require.NoError(t, probe.Compile(Input(3, 2), losses.MSE(), optim.LM(optim.LMConfig{})))
	copy(probe.Params().Theta(), m.Params().Theta()[:probe.Params().Len()])
	got, err := probe.Predict(x)
	require.NoError(t, err)
	W, b := m.Params().View(d.W), m.Params().View(d.B)
	for i := 0; i < 7; i++ {
		for s := 0; s < 3; s++ {
			for u := 0; u < 2; u++ {
				z := b[u]
				for f := 0; f < 2; f++ {
					z += x.At(i, s*2+f) * W[f*2+u]
				}
				assert.InDelta(t, math.Tanh(z), got.At(i, s*2+u), 1e-14)
			}
		}
	}
	c, err := m.CheckJacobian(context.Background(), x, y)
	require.NoError(t, err)
	assert.Less(t, c.MaxRelError, 1e-6, c.String())
	assert.Empty(t, SlowRoutes(c.Routes))

	// After a recurrent layer's sequences, as in a sequence-to-sequence head.
	s := NewSequential(layers.LSTM(3, layers.ReturnSequences()), layers.Dense(1), layers.Flatten())
	require.NoError(t, s.Compile(Input(3, 2), losses.MSE(), optim.LM(optim.LMConfig{})))
	y3 := randomMatrix(rng, 7, 3, -1, 1)
	c, err = s.CheckJacobian(context.Background(), x, y3)
	require.NoError(t, err)
	assert.Less(t, c.MaxRelError, 1e-6, c.String())
	assert.Empty(t, SlowRoutes(c.Routes))
}
