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
	"github.com/golem-ml/golem/internal/jac"
	"github.com/golem-ml/golem/layers"
	"github.com/golem-ml/golem/losses"
	"github.com/golem-ml/golem/optim"
)

// gain multiplies each feature by its own parameter, through the
// broadcasting helpers only: it has no tap, so its gain is tiled.
type gain struct{ g *graph.Param }

func (l *gain) Kind() string { return "gain" }

func (l *gain) Build(s *graph.Scope, in layers.Shape) (layers.Shape, error) {
	var err error
	l.g, err = s.Param("g", []int{in[0]}, graph.Uniform(0.5, 1.5), 0, 0)
	return in, err
}

func (l *gain) Forward(b *graph.Builder, x *G.Node) (*G.Node, error) {
	return graph.Mul(x, b.Param(l.g))
}

// rawLinear is x·W with gorgonia.Mul on the parameter: a contraction that
// cannot be tiled, so its W takes the loop route. With viaMatMul it uses
// graph.MatMul, which tiles.
type rawLinear struct {
	units     int
	viaMatMul bool
	w         *graph.Param
}

func (l *rawLinear) Kind() string { return "rawlinear" }

func (l *rawLinear) Build(s *graph.Scope, in layers.Shape) (layers.Shape, error) {
	var err error
	l.w, err = s.Param("W", []int{in[0], l.units}, graph.GlorotUniform(), in[0], l.units)
	return layers.Shape{l.units}, err
}

func (l *rawLinear) Forward(b *graph.Builder, x *G.Node) (*G.Node, error) {
	if l.viaMatMul {
		return graph.MatMul(x, b.Param(l.w))
	}
	return G.Mul(x, b.Param(l.w))
}

// sumScale multiplies x by Σⱼ pⱼ. Tiled, the sum would run over every row's
// copy and change the model's value; the engine's probe must notice and
// send p to the loop route.
type sumScale struct{ p *graph.Param }

func (l *sumScale) Kind() string { return "sumscale" }

func (l *sumScale) Build(s *graph.Scope, in layers.Shape) (layers.Shape, error) {
	var err error
	l.p, err = s.Param("p", []int{3}, graph.Values(0.2, 0.3, 0.4), 0, 0)
	return in, err
}

func (l *sumScale) Forward(b *graph.Builder, x *G.Node) (*G.Node, error) {
	s, err := G.Sum(b.Param(l.p))
	if err != nil {
		return nil, err
	}
	return G.HadamardProd(x, s)
}

type jacCase struct {
	name   string
	model  func() *Sequential
	loss   losses.Loss
	in, n  int
	y      func(rng *rand.Rand, n int) *mat.Dense
	routes map[string]jac.Route
}

func regressionTargets(k int) func(rng *rand.Rand, n int) *mat.Dense {
	return func(rng *rand.Rand, n int) *mat.Dense { return randomMatrix(rng, n, k, -1, 1) }
}

func jacobianCases() []jacCase {
	return []jacCase{
		{"1-10-1 tanh", func() *Sequential { return NewSequential(layers.Dense(10, layers.Tanh), layers.Dense(1)) },
			losses.MSE(), 1, 20, regressionTargets(1), map[string]jac.Route{"dense_1/W": jac.RouteTap, "dense_2/b": jac.RouteTap}},
		{"8-32-32-1 tanh", func() *Sequential {
			return NewSequential(layers.Dense(32, layers.Tanh), layers.Dense(32, layers.Tanh), layers.Dense(1))
		}, losses.MSE(), 8, 12, regressionTargets(1), nil},
		{"2-output net", func() *Sequential { return NewSequential(layers.Dense(6, layers.Sigmoid), layers.Dense(2)) },
			losses.SSE(), 3, 10, regressionTargets(2), nil},
		{"softmax classifier", func() *Sequential {
			return NewSequential(layers.Dense(5, layers.Tanh), layers.Dense(3, layers.Softmax))
		},
			losses.SparseCategoricalCrossEntropy(), 2, 15, func(rng *rand.Rand, n int) *mat.Dense {
				y := mat.NewDense(n, 1, nil)
				for i := 0; i < n; i++ {
					y.Set(i, 0, float64(rng.IntN(3)))
				}
				return y
			}, nil},
		{"scalar-parameter curve b1(1-exp(-b2x))", func() *Sequential { return NewSequential(&exponentialRise{}) },
			losses.SSE(), 1, 14, func(rng *rand.Rand, n int) *mat.Dense { return randomMatrix(rng, n, 1, 10, 300) },
			map[string]jac.Route{"misra1a_1/b1": jac.RouteTile, "misra1a_1/b2": jac.RouteTile}},
		{"tap-less gain mixed with Dense", func() *Sequential {
			return NewSequential(layers.Dense(4, layers.Tanh), &gain{}, layers.Dense(2))
		}, losses.MSE(), 3, 9, regressionTargets(2), map[string]jac.Route{"dense_1/W": jac.RouteTap, "gain_1/g": jac.RouteTile, "dense_2/W": jac.RouteTap}},
		{"untileable contraction", func() *Sequential {
			return NewSequential(&rawLinear{units: 4}, layers.Act(layers.Tanh), layers.Dense(1))
		}, losses.MSE(), 2, 7, regressionTargets(1), map[string]jac.Route{"rawlinear_1/W": jac.RouteLoop, "dense_1/W": jac.RouteTap}},
		{"tiled MatMul", func() *Sequential {
			return NewSequential(&rawLinear{units: 4, viaMatMul: true}, layers.Act(layers.Tanh), layers.Dense(1))
		}, losses.MSE(), 2, 7, regressionTargets(1), map[string]jac.Route{"rawlinear_1/W": jac.RouteTile}},
		{"row-mixing layer", func() *Sequential {
			return NewSequential(layers.Dense(3, layers.Tanh), &sumScale{}, layers.Dense(1))
		}, losses.MSE(), 2, 8, regressionTargets(1), map[string]jac.Route{"sumscale_1/p": jac.RouteLoop, "dense_1/W": jac.RouteTap}},
	}
}

func compileCase(t *testing.T, c jacCase) (*Sequential, *mat.Dense, *mat.Dense) {
	t.Helper()
	rng := rand.New(rand.NewPCG(21, 4))
	m := c.model()
	require.NoError(t, m.Compile(Input(c.in), c.loss, optim.SGD(optim.SGDConfig{}), WithSeed(3)))
	for _, p := range m.Params().List() { // biases off zero
		if p.Name[len(p.Name)-2:] == "/b" {
			for i, v := range m.Params().View(p) {
				m.Params().View(p)[i] = v + 0.2*rng.NormFloat64()
			}
		}
	}
	x := randomMatrix(rng, c.n, c.in, -2, 2)
	return m, x, c.y(rng, c.n)
}

func TestJacobianMatchesFiniteDifferences(t *testing.T) {
	for _, c := range jacobianCases() {
		t.Run(c.name, func(t *testing.T) {
			m, x, y := compileCase(t, c)
			res, err := m.CheckJacobian(context.Background(), x, y)
			require.NoError(t, err)
			t.Log(res)
			assert.LessOrEqual(t, res.MaxRelError, 1e-6, res.String())

			if c.routes != nil {
				spec, err := m.jacobianSpec()
				require.NoError(t, err)
				e, err := jac.New(spec, jac.Config{})
				require.NoError(t, err)
				d, err := m.dataset(x, y)
				require.NoError(t, err)
				J := mat.NewDense(e.Rows(c.n), m.Params().Len(), nil)
				require.NoError(t, e.Jacobian(context.Background(), m.jacobianData(d), J, make([]float64, e.Rows(c.n))))
				routes := e.Routes()
				for name, want := range c.routes {
					assert.Equal(t, want, routes[name], name)
				}
			}
		})
	}
}

// TestStreamingNormalEquationsMatchFullJacobian: JᵀWJ and JᵀWr streamed in
// many chunks over two workers equal those computed from the full J, with
// sample and output weights, and repeat bit for bit.
func TestStreamingNormalEquationsMatchFullJacobian(t *testing.T) {
	c := jacobianCases()[2] // 2-output net
	c.n = 203
	m, x, y := compileCase(t, c)
	spec, err := m.jacobianSpec()
	require.NoError(t, err)
	d, err := m.dataset(x, y)
	require.NoError(t, err)
	data := m.jacobianData(d)
	rng := rand.New(rand.NewPCG(2, 2))
	for i := range data.Weights {
		data.Weights[i] = rng.Float64() * 2
	}
	data.Weights[5] = 0
	data.OutputWeights = []float64{0.5, 3}

	full, err := jac.New(spec, jac.Config{})
	require.NoError(t, err)
	rows, P := full.Rows(c.n), m.Params().Len()
	J := mat.NewDense(rows, P, nil)
	r := make([]float64, rows)
	require.NoError(t, full.Jacobian(context.Background(), data, J, r))
	W := make([]float64, rows)
	var wantLoss float64
	for q := range W {
		W[q] = data.Weights[q/2] * data.OutputWeights[q%2]
		wantLoss += W[q] * r[q] * r[q]
	}
	var wantJTJ mat.Dense
	WJ := mat.DenseCopyOf(J)
	for q := 0; q < rows; q++ {
		row := WJ.RawRowView(q)
		for k := range row {
			row[k] *= W[q]
		}
	}
	wantJTJ.Mul(J.T(), WJ)
	wantJTr := mat.NewVecDense(P, nil)
	wantJTr.MulVec(WJ.T(), mat.NewVecDense(rows, r))

	streamed, err := jac.New(spec, jac.Config{ChunkRows: 16, Workers: 2})
	require.NoError(t, err)
	jtj := mat.NewSymDense(P, nil)
	jtr := make([]float64, P)
	loss, err := streamed.NormalEquations(context.Background(), data, jtj, jtr)
	require.NoError(t, err)
	assert.InDelta(t, wantLoss, loss, 1e-12*wantLoss)
	scale := mat.Norm(&wantJTJ, math.Inf(1))
	for i := 0; i < P; i++ {
		for j := 0; j < P; j++ {
			require.InDelta(t, wantJTJ.At(i, j), jtj.At(i, j), 1e-12*scale, "JᵀWJ[%d,%d]", i, j)
		}
		require.InDelta(t, wantJTr.AtVec(i), jtr[i], 1e-12*mat.Norm(wantJTr, math.Inf(1)), "JᵀWr[%d]", i)
	}

	// Bit-identical on a repeat, and from a fresh engine.
	jtj2 := mat.NewSymDense(P, nil)
	jtr2 := make([]float64, P)
	loss2, err := streamed.NormalEquations(context.Background(), data, jtj2, jtr2)
	require.NoError(t, err)
	again, err := jac.New(spec, jac.Config{ChunkRows: 16, Workers: 2})
	require.NoError(t, err)
	jtj3 := mat.NewSymDense(P, nil)
	jtr3 := make([]float64, P)
	loss3, err := again.NormalEquations(context.Background(), data, jtj3, jtr3)
	require.NoError(t, err)
	assert.Equal(t, loss, loss2)
	assert.Equal(t, loss, loss3)
	assert.Equal(t, jtr, jtr2)
	assert.Equal(t, jtr, jtr3)
	assert.Equal(t, jtj.RawSymmetric().Data, jtj2.RawSymmetric().Data)
	assert.Equal(t, jtj.RawSymmetric().Data, jtj3.RawSymmetric().Data)

	// The loss from the normal equations is the compiled loss when the
	// weights are the model's own.
	plain := m.jacobianData(d)
	l4, err := streamed.NormalEquations(context.Background(), plain, jtj3, jtr3)
	require.NoError(t, err)
	ev, err := m.Evaluate(x, y)
	require.NoError(t, err)
	assert.InDelta(t, ev.Loss, l4, 1e-12*ev.Loss)
	// ∇loss = 2·JᵀWr matches the training graph's gradient.
	obj := newBatchObjective(m, c.n)
	obj.setBatch(d, nil, 0, c.n)
	g := make([]float64, P)
	_, err = obj.Gradient(g)
	require.NoError(t, err)
	for i := range g {
		require.InDelta(t, g[i], 2*jtr3[i], 1e-12*math.Max(1, math.Abs(g[i])))
	}
}

func TestJacobianErrors(t *testing.T) {
	m := NewSequential(layers.Dense(1))
	require.NoError(t, m.Compile(Input(1), losses.MAE(), optim.SGD(optim.SGDConfig{})))
	_, err := m.CheckJacobian(context.Background(), mat.NewDense(2, 1, nil), mat.NewDense(2, 1, nil))
	require.ErrorContains(t, err, "the loss mae has no residual (least-squares) form")

	c := jacobianCases()[0]
	c.n = 50
	m, x, y := compileCase(t, c)
	spec, err := m.jacobianSpec()
	require.NoError(t, err)
	d, err := m.dataset(x, y)
	require.NoError(t, err)
	e, err := jac.New(spec, jac.Config{ChunkRows: 8})
	require.NoError(t, err)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	P := m.Params().Len()
	_, err = e.NormalEquations(ctx, m.jacobianData(d), mat.NewSymDense(P, nil), make([]float64, P))
	require.ErrorIs(t, err, context.Canceled)
	bad := m.jacobianData(d)
	bad.Weights[3] = -1
	_, err = e.NormalEquations(context.Background(), bad, mat.NewSymDense(P, nil), make([]float64, P))
	require.ErrorContains(t, err, "sample weight 3 is -1")
	_, err = e.NormalEquations(context.Background(), m.jacobianData(d), mat.NewSymDense(P+1, nil), make([]float64, P))
	require.ErrorContains(t, err, "JᵀWJ must be")
}

// TestJacobianAllocationsDoNotGrowWithSamples: once its graphs are built,
// a call allocates per chunk and per graph op, never per sample. (Gorgonia's
// ops and gonum's parallel Dgemm allocate a little per matrix block, so the
// count grows slowly with the chunk's rows; a per-sample allocation would
// add at least one per sample.)
func TestJacobianAllocationsDoNotGrowWithSamples(t *testing.T) {
	m := NewSequential(layers.Dense(8, layers.Tanh), layers.Dense(1))
	require.NoError(t, m.Compile(Input(3), losses.MSE(), optim.SGD(optim.SGDConfig{})))
	spec, err := m.jacobianSpec()
	require.NoError(t, err)
	allocs := func(n int) float64 {
		rng := rand.New(rand.NewPCG(1, uint64(n)))
		d, err := m.dataset(randomMatrix(rng, n, 3, -1, 1), randomMatrix(rng, n, 1, -1, 1))
		require.NoError(t, err)
		e, err := jac.New(spec, jac.Config{ChunkRows: 1024, Workers: 1}) // one chunk for both sizes
		require.NoError(t, err)
		P := m.Params().Len()
		jtj, jtr := mat.NewSymDense(P, nil), make([]float64, P)
		data := m.jacobianData(d)
		_, err = e.NormalEquations(context.Background(), data, jtj, jtr) // build graphs
		require.NoError(t, err)
		return testing.AllocsPerRun(5, func() {
			if _, err := e.NormalEquations(context.Background(), data, jtj, jtr); err != nil {
				t.Fatal(err)
			}
		})
	}
	small, large := allocs(300), allocs(900)
	t.Logf("allocations per call: %v for 300 samples, %v for 900", small, large)
	assert.Less(t, (large-small)/600, 0.5, "allocations must not grow per sample")
}
