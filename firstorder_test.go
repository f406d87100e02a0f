package golem_test

import (
	"context"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"gonum.org/v1/gonum/mat"
	"gorgonia.org/gorgonia"

	"github.com/golem-ml/golem"
	"github.com/golem-ml/golem/graph"
	"github.com/golem-ml/golem/layers"
	"github.com/golem-ml/golem/losses"
	"github.com/golem-ml/golem/optim"
)

// The worked examples of the optimizer articles, with golem's own random
// data, checked against analytic answers. Learning rates and step counts
// are stated where they differ from the articles'.

var ctx = context.Background()

// Test functions for Minimize.
var (
	bowl = func(e *graph.Expr, p []*gorgonia.Node) *gorgonia.Node { // x² + y²
		return e.Add(e.Square(p[0]), e.Square(p[1]))
	}
	rosenbrock = func(e *graph.Expr, p []*gorgonia.Node) *gorgonia.Node { // (1-x)² + 100(y-x²)²
		return e.Add(e.Square(e.Sub(e.Const(1), p[0])), e.Mul(e.Const(100), e.Square(e.Sub(p[1], e.Square(p[0])))))
	}
	himmelblau = func(e *graph.Expr, p []*gorgonia.Node) *gorgonia.Node { // (x²+y-11)² + (x+y²-7)²
		return e.Add(e.Square(e.Sub(e.Add(e.Square(p[0]), p[1]), e.Const(11))), e.Square(e.Sub(e.Add(p[0], e.Square(p[1])), e.Const(7))))
	}
	quadratic = func(e *graph.Expr, p []*gorgonia.Node) *gorgonia.Node { // 5x₁² + 2x₂² + 3x₁ - 10x₂ + 4
		q := e.Add(e.Mul(e.Const(5), e.Square(p[0])), e.Mul(e.Const(2), e.Square(p[1])))
		return e.Add(e.Add(q, e.Sub(e.Mul(e.Const(3), p[0]), e.Mul(e.Const(10), p[1]))), e.Const(4))
	}
)

// linearData is y = 4 + 3x + N(0, 1) with x ~ U[0, 2], and the
// least-squares intercept and slope.
func linearData(n int) (x, y *mat.Dense, b0, b1 float64) {
	rng := rand.New(rand.NewPCG(42, 1))
	x, y = mat.NewDense(n, 1, nil), mat.NewDense(n, 1, nil)
	var sx, sy, sxx, sxy float64
	for i := 0; i < n; i++ {
		xi := 2 * rng.Float64()
		yi := 4 + 3*xi + rng.NormFloat64()
		x.Set(i, 0, xi)
		y.Set(i, 0, yi)
		sx, sy, sxx, sxy = sx+xi, sy+yi, sxx+xi*xi, sxy+xi*yi
	}
	fn := float64(n)
	b1 = (fn*sxy - sx*sy) / (fn*sxx - sx*sx)
	return x, y, (sy - b1*sx) / fn, b1
}

func interceptSlope(m *golem.Sequential) (float64, float64) {
	w, _ := m.Params().Lookup("dense_1/W")
	b, _ := m.Params().Lookup("dense_1/b")
	return m.Params().View(b)[0], m.Params().View(w)[0]
}

// TestLinearRegressionByGDAndSGD: full-batch GD (lr 0.1, 1000 epochs) and
// stochastic GD (one sample per step, lr 0.01 annealed to 0 by a cosine
// schedule over 50 epochs) both land within 0.1 of the least-squares line.
func TestLinearRegressionByGDAndSGD(t *testing.T) {
	x, y, b0, b1 := linearData(100)
	for _, c := range []struct {
		name  string
		opt   optim.Optimizer
		batch int
		ep    int
	}{
		{"GD", optim.SGD(optim.SGDConfig{LearningRate: 0.1}), -1, 1000},
		{"SGD", optim.SGD(optim.SGDConfig{LearningRate: 0.01, Schedule: optim.CosineDecay{Steps: 50 * 100}}), 1, 50},
	} {
		m := golem.NewSequential(layers.Dense(1))
		require.NoError(t, m.Compile(golem.Input(1), losses.MSE(), c.opt))
		_, err := m.Fit(ctx, x, y, golem.FitConfig{Epochs: c.ep, BatchSize: c.batch, Seed: 1})
		require.NoError(t, err)
		i, s := interceptSlope(m)
		assert.InDelta(t, b0, i, 0.1, "%s intercept", c.name)
		assert.InDelta(t, b1, s, 0.1, "%s slope", c.name)
	}
}

// blobs are two Gaussian clusters around (-1.5, -1.5) and (1.5, 1.5),
// labelled 0 and 1.
func blobs(n int) (x, y *mat.Dense) {
	rng := rand.New(rand.NewPCG(7, 7))
	x, y = mat.NewDense(n, 2, nil), mat.NewDense(n, 1, nil)
	for i := 0; i < n; i++ {
		c := float64(i % 2)
		x.Set(i, 0, 3*c-1.5+rng.NormFloat64())
		x.Set(i, 1, 3*c-1.5+rng.NormFloat64())
		y.Set(i, 0, c)
	}
	return x, y
}

// TestLogisticRegressionByMiniBatchSGD: batches of 16, lr 0.1, 30 epochs.
func TestLogisticRegressionByMiniBatchSGD(t *testing.T) {
	x, y := blobs(400)
	m := golem.NewSequential(layers.Dense(1, layers.Sigmoid))
	require.NoError(t, m.Compile(golem.Input(2), losses.BinaryCrossEntropy(), optim.SGD(optim.SGDConfig{LearningRate: 0.1}), golem.WithMetrics(losses.Accuracy())))
	h, err := m.Fit(ctx, x, y, golem.FitConfig{Epochs: 30, BatchSize: 16, Seed: 3})
	require.NoError(t, err)
	acc := h.Metrics["accuracy"]
	assert.GreaterOrEqual(t, acc[len(acc)-1], 0.97)
}

// TestXORByMomentum: a 2-4-1 sigmoid network, full batch, lr 0.5,
// momentum 0.9, 2000 epochs.
func TestXORByMomentum(t *testing.T) {
	x := mat.NewDense(4, 2, []float64{0, 0, 0, 1, 1, 0, 1, 1})
	y := mat.NewDense(4, 1, []float64{0, 1, 1, 0})
	m := golem.NewSequential(layers.Dense(4, layers.Sigmoid), layers.Dense(1, layers.Sigmoid))
	require.NoError(t, m.Compile(golem.Input(2), losses.BinaryCrossEntropy(), optim.Momentum(optim.MomentumConfig{LearningRate: 0.5, Momentum: 0.9}), golem.WithSeed(2)))
	_, err := m.Fit(ctx, x, y, golem.FitConfig{Epochs: 2000, BatchSize: -1})
	require.NoError(t, err)
	pred, err := m.Predict(x)
	require.NoError(t, err)
	for i := 0; i < 4; i++ {
		assert.Equal(t, y.At(i, 0) == 1, pred.At(i, 0) > 0.5, "XOR(%v, %v) = %.3f", x.At(i, 0), x.At(i, 1), pred.At(i, 0))
	}
}

// TestLogisticRegressionByNesterov: full batch, lr 0.1, momentum 0.9; after
// a 10-epoch warm-up the loss never rises.
func TestLogisticRegressionByNesterov(t *testing.T) {
	x, y := blobs(200)
	m := golem.NewSequential(layers.Dense(1, layers.Sigmoid))
	require.NoError(t, m.Compile(golem.Input(2), losses.BinaryCrossEntropy(), optim.Nesterov(optim.MomentumConfig{LearningRate: 0.1, Momentum: 0.9})))
	h, err := m.Fit(ctx, x, y, golem.FitConfig{Epochs: 100, BatchSize: -1})
	require.NoError(t, err)
	for e := 10; e < h.Len(); e++ {
		assert.LessOrEqual(t, h.Loss[e], h.Loss[e-1], "loss rose at epoch %d", e+1)
	}
	assert.Less(t, h.FinalLoss(), 0.5*h.Loss[0])
}

// TestAdagradOnBowl: lr 0.1 from (1, 1); f falls at every one of 200 steps.
func TestAdagradOnBowl(t *testing.T) {
	p, err := golem.Minimize(ctx, bowl, []float64{1, 1}, optim.Adagrad(optim.AdagradConfig{LearningRate: 0.1}), golem.MinimizeConfig{Steps: 200})
	require.NoError(t, err)
	require.Len(t, p.Loss, 201)
	for k := 1; k < len(p.Loss); k++ {
		require.Less(t, p.Loss[k], p.Loss[k-1], "step %d", k)
	}
}

// TestAdadeltaOnRosenbrock: lr 1.0 (Zeiler's; Keras's 0.001 barely moves
// in 2000 steps) from (-1.5, 1.5) ends closer to (1, 1) than it started.
func TestAdadeltaOnRosenbrock(t *testing.T) {
	start := []float64{-1.5, 1.5}
	p, err := golem.Minimize(ctx, rosenbrock, start, optim.Adadelta(optim.AdadeltaConfig{LearningRate: 1}), golem.MinimizeConfig{Steps: 2000})
	require.NoError(t, err)
	dist := func(q []float64) float64 { return math.Hypot(q[0]-1, q[1]-1) }
	assert.Less(t, dist(p.Last()), dist(start)/4)
	assert.Less(t, p.Loss[len(p.Loss)-1], p.Loss[0])
}

// TestRMSpropOnHimmelblau: lr 0.01 annealed by a cosine schedule over 3000
// steps (a constant rate circles the minimum at about its own size) from
// (0, 0) converges to the minimum at (3, 2).
func TestRMSpropOnHimmelblau(t *testing.T) {
	opt := optim.RMSprop(optim.RMSpropConfig{LearningRate: 0.01, Schedule: optim.CosineDecay{Steps: 3000}})
	p, err := golem.Minimize(ctx, himmelblau, []float64{0, 0}, opt, golem.MinimizeConfig{Steps: 3000})
	require.NoError(t, err)
	assert.InDeltaSlice(t, []float64{3, 2}, p.Last(), 1e-3)
}

// TestAdamOnQuadratic: lr 0.1 reaches the minimum (-0.3, 2.5) of
// 5x₁² + 2x₂² + 3x₁ - 10x₂ + 4 within 1e-3.
func TestAdamOnQuadratic(t *testing.T) {
	p, err := golem.Minimize(ctx, quadratic, []float64{0, 0}, optim.Adam(optim.AdamConfig{LearningRate: 0.1}), golem.MinimizeConfig{Steps: 1000})
	require.NoError(t, err)
	assert.InDeltaSlice(t, []float64{-0.3, 2.5}, p.Last(), 1e-3)
	assert.InDelta(t, 5*0.09+2*6.25-0.9-25+4, p.Loss[len(p.Loss)-1], 1e-5) // f(-0.3, 2.5) = -8.95
}

func TestMinimizeErrors(t *testing.T) {
	_, err := golem.Minimize(ctx, bowl, nil, optim.Adam(optim.AdamConfig{}), golem.MinimizeConfig{})
	assert.ErrorContains(t, err, "start point")
	_, err = golem.Minimize(ctx, bowl, []float64{1, 1}, optim.LM(optim.LMConfig{}), golem.MinimizeConfig{Steps: 1})
	assert.ErrorIs(t, err, optim.ErrNotLeastSquares)
	// A parameter f ignores gets a zero gradient.
	p, err := golem.Minimize(ctx, func(e *graph.Expr, q []*gorgonia.Node) *gorgonia.Node { return e.Square(q[0]) },
		[]float64{1, 5}, optim.SGD(optim.SGDConfig{LearningRate: 0.1}), golem.MinimizeConfig{Steps: 3})
	require.NoError(t, err)
	assert.Equal(t, 5.0, p.Last()[1])
	assert.InDelta(t, 0.512, p.Last()[0], 1e-12)
}
