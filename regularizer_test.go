package golem

import (
	"context"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"gonum.org/v1/gonum/mat"

	"github.com/golem-ml/golem/graph"
	"github.com/golem-ml/golem/layers"
	"github.com/golem-ml/golem/losses"
	"github.com/golem-ml/golem/optim"
)

// ridgeData is y = x·w + 0.5 + noise with 3 features and 40 samples.
func ridgeData() (*mat.Dense, *mat.Dense) {
	rng := rand.New(rand.NewPCG(7, 8))
	x, y := mat.NewDense(40, 3, nil), mat.NewDense(40, 1, nil)
	w := []float64{1.5, -2, 0.7}
	for i := 0; i < 40; i++ {
		v := 0.5 + 0.1*rng.NormFloat64()
		for j := 0; j < 3; j++ {
			x.Set(i, j, rng.NormFloat64())
			v += w[j] * x.At(i, j)
		}
		y.Set(i, 0, v)
	}
	return x, y
}

// ridge solves min Σ(y − Xw − b)² + λ‖w‖² in closed form (b unpenalized:
// centre X and y, solve (XcᵀXc + λI)w = Xcᵀyc, b = ȳ − x̄·w).
func ridge(x, y *mat.Dense, lambda float64) ([]float64, float64) {
	n, p := x.Dims()
	xm, ym := make([]float64, p), 0.0
	for i := 0; i < n; i++ {
		for j := 0; j < p; j++ {
			xm[j] += x.At(i, j) / float64(n)
		}
		ym += y.At(i, 0) / float64(n)
	}
	xc, yc := mat.NewDense(n, p, nil), mat.NewVecDense(n, nil)
	for i := 0; i < n; i++ {
		for j := 0; j < p; j++ {
			xc.Set(i, j, x.At(i, j)-xm[j])
		}
		yc.SetVec(i, y.At(i, 0)-ym)
	}
	var a mat.Dense
	a.Mul(xc.T(), xc)
	for j := 0; j < p; j++ {
		a.Set(j, j, a.At(j, j)+lambda)
	}
	var rhs, w mat.VecDense
	rhs.MulVec(xc.T(), yc)
	if err := w.SolveVec(&a, &rhs); err != nil {
		panic(err)
	}
	b := ym
	for j := 0; j < p; j++ {
		b -= xm[j] * w.AtVec(j)
	}
	return w.RawVector().Data, b
}

// TestKernelRegularizerIsRidge: an L2 kernel penalty on a linear layer
// (bias unpenalized) makes LM, through the penalty's extra residuals, and
// Adam, through the loss and its gradient, both reach ridge regression's
// closed-form solution; the reported loss includes the penalty.
func TestKernelRegularizerIsRidge(t *testing.T) {
	x, y := ridgeData()
	const lambda = 5.0
	wantW, wantB := ridge(x, y, lambda)
	for _, c := range []struct {
		name string
		opt  optim.Optimizer
		cfg  FitConfig
		tol  float64
	}{
		{"lm", optim.LM(optim.LMConfig{}), FitConfig{Epochs: 50}, 1e-9},
		{"adam", optim.Adam(optim.AdamConfig{LearningRate: 0.05}), FitConfig{Epochs: 3000, BatchSize: -1}, 1e-5},
	} {
		d := layers.Dense(1, layers.KernelRegularizer(layers.L2(lambda)))
		m := NewSequential(d)
		require.NoError(t, m.Compile(Input(3), losses.SSE(), c.opt), c.name)
		_, err := m.Fit(context.Background(), x, y, c.cfg)
		require.NoError(t, err, c.name)
		w, b := m.Params().View(d.W), m.Params().View(d.B)[0]
		for j := range wantW {
			assert.InDelta(t, wantW[j], w[j], c.tol, "%s w%d", c.name, j)
		}
		assert.InDelta(t, wantB, b, c.tol, c.name)
		ev, err := m.Evaluate(x, y)
		require.NoError(t, err)
		pred, err := m.Predict(x)
		require.NoError(t, err)
		var sse, ww float64
		for i := 0; i < 40; i++ {
			r := pred.At(i, 0) - y.At(i, 0)
			sse += r * r
		}
		for _, v := range w {
			ww += v * v
		}
		assert.InDelta(t, sse+lambda*ww, ev.Loss, 1e-9*ev.Loss, c.name)
	}
}

// TestPenaltyMatchesGlobalL2: a penalty λ on every parameter is LM's
// global L2 = λ: the same objective, so the same weights, through the
// normal equations (Cholesky) and through the full Jacobian with the
// penalty's rows (QR).
func TestPenaltyMatchesGlobalL2(t *testing.T) {
	x, y := ridgeData()
	for _, solver := range []optim.Solver{optim.SolverCholesky, optim.SolverQR} {
		fitWith := func(penalty graph.Penalty, cfg optim.LMConfig) []float64 {
			reg := []layers.DenseOption{layers.KernelRegularizer(penalty), layers.BiasRegularizer(penalty)}
			m := NewSequential(layers.Dense(4, append(reg, layers.Tanh)...), layers.Dense(1, reg...))
			cfg.Solver = solver
			require.NoError(t, m.Compile(Input(3), losses.MSE(), optim.LM(cfg)))
			_, err := m.Fit(context.Background(), x, y, FitConfig{Epochs: 20})
			require.NoError(t, err)
			return append([]float64(nil), m.Params().Theta()...)
		}
		global := fitWith(graph.Penalty{}, optim.LMConfig{L2: 0.01})
		for i, v := range fitWith(layers.L2(0.01), optim.LMConfig{}) {
			assert.InDelta(t, global[i], v, 1e-8, "%v: θ%d", solver, i)
		}
	}
}

// TestL1Penalty: first-order optimizers see an L1 penalty in the loss and
// its gradient (one SGD step moves θ by −η·(∇SSE + λ·sign θ) exactly, and
// Evaluate reports SSE + λ·Σ|w|); LM refuses it at Compile; a NaN factor is
// refused.
func TestL1Penalty(t *testing.T) {
	x, y := ridgeData()
	const lambda, eta = 3.0, 1e-3
	d := layers.Dense(1, layers.KernelRegularizer(layers.L1(lambda)), layers.KernelInit(graph.Values(0.5, -0.25, 0.125)))
	m := NewSequential(d)
	require.NoError(t, m.Compile(Input(3), losses.SSE(), optim.SGD(optim.SGDConfig{LearningRate: eta})))
	w0 := append([]float64(nil), m.Params().View(d.W)...)
	b0 := m.Params().View(d.B)[0]
	grad := make([]float64, 3)
	var sse, l1 float64
	for i := 0; i < 40; i++ {
		r := b0 - y.At(i, 0)
		for j := 0; j < 3; j++ {
			r += w0[j] * x.At(i, j)
		}
		sse += r * r
		for j := 0; j < 3; j++ {
			grad[j] += 2 * r * x.At(i, j)
		}
	}
	for _, v := range w0 {
		l1 += lambda * math.Abs(v)
	}
	ev, err := m.Evaluate(x, y)
	require.NoError(t, err)
	assert.InDelta(t, sse+l1, ev.Loss, 1e-12*ev.Loss)
	_, err = m.Fit(context.Background(), x, y, FitConfig{Epochs: 1, BatchSize: -1})
	require.NoError(t, err)
	for j, v := range m.Params().View(d.W) {
		want := w0[j] - eta*(grad[j]+lambda*math.Copysign(1, w0[j]))
		assert.InDelta(t, want, v, 1e-12, "w%d", j)
	}

	lm := NewSequential(layers.Dense(1, layers.KernelRegularizer(layers.L1L2(0.1, 0.1))))
	err = lm.Compile(Input(3), losses.SSE(), optim.LM(optim.LMConfig{}))
	require.Error(t, err)
	assert.Contains(t, err.Error(), "L1 penalty, which has no least-squares form")

	bad := NewSequential(layers.Dense(1, layers.BiasRegularizer(graph.Penalty{L2: math.NaN()})))
	err = bad.Compile(Input(3), losses.SSE(), optim.Adam(optim.AdamConfig{}))
	require.Error(t, err)
	assert.Contains(t, err.Error(), "penalty factors must be finite and non-negative")
}
