package golem

import (
	"context"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"gonum.org/v1/gonum/mat"
	G "gorgonia.org/gorgonia"

	"github.com/golem-ml/golem/graph"
	"github.com/golem-ml/golem/internal/graphrt"
	"github.com/golem-ml/golem/layers"
	"github.com/golem-ml/golem/losses"
	"github.com/golem-ml/golem/optim"
)

// golem's executor (internal/exec) must give the tape machine's bits: the
// same fits, predictions, gradients and per-sample Jacobians, for every
// kind of layer. Each case runs twice, executor on and off, and compares
// everything bit for bit.

type executorCase struct {
	name  string
	model func() *Model
	in    layers.Shape // nil for a functional model
	loss  losses.Loss
	opt   func() optim.Optimizer
	fit   FitConfig
	x, y  *mat.Dense
}

// curve is a parametric model with every elementwise function a curve fit
// uses: exp, log, pow, atan, sin, sqrt, division.
func curve(e *graph.Expr, x, p []*G.Node) *G.Node {
	a := e.Mul(p[0], e.Exp(e.Mul(e.Neg(p[1]), x[0])))
	b := e.Log(e.Add(e.Square(x[0]), p[2]))
	c := e.Mul(p[3], e.Atan(e.Mul(p[4], x[0])))
	d := e.Pow(e.Add(e.Abs(x[0]), e.Const(1)), e.Div(p[1], e.Const(4)))
	f := e.Div(e.Sin(x[0]), e.Sqrt(e.Add(e.Square(p[2]), e.Const(1))))
	return e.Add(e.Add(e.Add(a, b), e.Add(c, d)), f)
}

func executorCases() []executorCase {
	rng := rand.New(rand.NewPCG(3, 5))
	x1 := randomMatrix(rng, 40, 1, -2, 2)
	y1 := mat.NewDense(40, 1, nil)
	for i := 0; i < 40; i++ {
		v := x1.At(i, 0)
		y1.Set(i, 0, 1.5*math.Exp(-0.7*v)+math.Log(v*v+2)+0.3*math.Atan(2*v)+0.05*rng.NormFloat64())
	}
	x3 := randomMatrix(rng, 30, 3, -1, 1)
	y3 := mat.NewDense(30, 1, nil)
	cls := mat.NewDense(30, 1, nil)
	for i := 0; i < 30; i++ {
		y3.Set(i, 0, math.Sin(x3.At(i, 0))+x3.At(i, 1)*x3.At(i, 2))
		cls.Set(i, 0, float64(i%3))
	}
	ex, ey := everyLayerData(12, 4)
	lm := func() optim.Optimizer { return optim.LM(optim.LMConfig{}) }
	adam := func() optim.Optimizer { return optim.Adam(optim.AdamConfig{LearningRate: 0.01}) }
	var cases []executorCase
	for _, act := range []layers.Activation{layers.Linear, layers.Tanh, layers.Sigmoid, layers.ReLU, layers.Softplus} {
		act := act
		cases = append(cases, executorCase{
			name:  "dense " + act.Name(),
			model: func() *Model { return NewSequential(layers.Dense(5, act), layers.Dense(1)) },
			in:    Input(3), loss: losses.MSE(), opt: lm, fit: FitConfig{Epochs: 4}, x: x3, y: y3,
		})
	}
	cases = append(cases,
		executorCase{name: "softmax, cross-entropy, LM",
			model: func() *Model { return NewSequential(layers.Dense(4, layers.Tanh), layers.Dense(3, layers.Softmax)) },
			in:    Input(3), loss: losses.SparseCategoricalCrossEntropy(), opt: lm, fit: FitConfig{Epochs: 3}, x: x3, y: cls},
		executorCase{name: "softmax, cross-entropy, Adam",
			model: func() *Model { return NewSequential(layers.Dense(4, layers.ReLU), layers.Dense(3, layers.Softmax)) },
			in:    Input(3), loss: losses.SparseCategoricalCrossEntropy(), opt: adam, fit: FitConfig{Epochs: 3, BatchSize: 8}, x: x3, y: cls},
		executorCase{name: "curve exp log pow atan sin sqrt",
			model: func() *Model { return NewSequential(layers.Parametric("curve", curve, 1.2, 0.5, 1.5, 0.2, 1.8)) },
			in:    Input(1), loss: losses.SSE(), opt: func() optim.Optimizer { return optim.LM(optim.CurveFit()) },
			fit: FitConfig{Epochs: 6}, x: x1, y: y1},
		executorCase{name: "every layer, LM", model: everyLayer, loss: losses.MSE(), opt: lm,
			fit: FitConfig{Epochs: 2}, x: ex, y: ey},
		executorCase{name: "every layer, Adam (dropout, batch norm training)", model: everyLayer, loss: losses.MSE(), opt: adam,
			fit: FitConfig{Epochs: 2, BatchSize: 4}, x: ex, y: ey},
	)
	return cases
}

// executorRun fits the case and returns every number it produced as bits:
// θ, the history's losses and step losses, the predictions, and the
// per-sample Jacobian and residuals at the final θ.
func executorRun(t *testing.T, c executorCase, on bool) (bits []uint64, machines int64) {
	defer graphrt.SetExecutor(graphrt.SetExecutor(on))
	e0, t0 := graphrt.MachineCounts()
	m := c.model()
	require.NoError(t, m.Compile(c.in, c.loss, c.opt()))
	h, err := m.Fit(context.Background(), c.x, c.y, c.fit)
	require.NoError(t, err)
	add := func(vs ...float64) {
		for _, v := range vs {
			bits = append(bits, math.Float64bits(v))
		}
	}
	add(m.Params().Theta()...)
	add(h.Loss...)
	for _, s := range h.Steps {
		add(s.Loss, s.GradNorm)
	}
	p, err := m.Predict(c.x)
	require.NoError(t, err)
	add(p.RawMatrix().Data...)
	if _, ok := c.loss.(losses.Residual); ok {
		d, err := m.dataset(c.x, c.y)
		require.NoError(t, err)
		e, err := m.jacobianEngine()
		require.NoError(t, err)
		data := m.jacobianData(d)
		J := mat.NewDense(e.Rows(data.N), m.params.Len(), nil)
		r := make([]float64, e.Rows(data.N))
		require.NoError(t, e.Jacobian(context.Background(), data, J, r))
		add(J.RawMatrix().Data...)
		add(r...)
	}
	e1, t1 := graphrt.MachineCounts()
	if on {
		return bits, e1 - e0
	}
	assert.Equal(t, e0, e1, "executor off, yet a machine ran on it")
	return bits, t1 - t0
}

func TestExecutorGivesTheTapeMachinesBits(t *testing.T) {
	for _, c := range executorCases() {
		t.Run(c.name, func(t *testing.T) {
			tape, _ := executorRun(t, c, false)
			fast, onExec := executorRun(t, c, true)
			assert.Positive(t, onExec, "no graph ran on the executor")
			require.Equal(t, len(tape), len(fast))
			diff := 0
			for i := range tape {
				if tape[i] != fast[i] {
					diff++
				}
			}
			assert.Zero(t, diff, "%d of %d numbers differ between the executor and the tape machine", diff, len(tape))
		})
	}
}
