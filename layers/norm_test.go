package layers

import (
	"encoding/json"
	"math"
	"math/rand/v2"
	"os"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	G "gorgonia.org/gorgonia"

	"github.com/golem-ml/golem/graph"
	"github.com/golem-ml/golem/internal/engine"
	"github.com/golem-ml/golem/internal/graphrt"
)

// torchNorm is layers/testdata/torch_norm.json (see torch_norm.py).
type torchNorm struct {
	LayerNorm []struct {
		Shape          []int
		Eps            float64
		X, Gamma, Beta []float64
		Y              []float64
	}
	BatchNorm []struct {
		Shape              []int
		Eps, Momentum      float64
		X, Gamma, Beta     []float64
		MovingMean         []float64 `json:"moving_mean"`
		MovingVar          []float64 `json:"moving_var"`
		YInference         []float64 `json:"y_inference"`
		YTraining          []float64 `json:"y_training"`
		RunningMean        []float64 `json:"running_mean"`
		RunningVarUnbiased []float64 `json:"running_var_unbiased"`
		BatchVarBiased     []float64 `json:"batch_var_biased"`
		Count              int
	}
}

func loadTorchNorm(t *testing.T) torchNorm {
	t.Helper()
	raw, err := os.ReadFile("testdata/torch_norm.json")
	require.NoError(t, err)
	var f torchNorm
	require.NoError(t, json.Unmarshal(raw, &f))
	require.NotEmpty(t, f.LayerNorm)
	require.NotEmpty(t, f.BatchNorm)
	return f
}

// harness is one graph of a single layer on a batch x, with cost Σ w⊙y and
// the gradient of the cost with respect to x and every parameter.
type harness struct {
	ps     *graph.Params
	b      *graph.Builder
	m      *graphrt.Machine
	x      *graphrt.Input
	y      *graphrt.Output
	cost   *graphrt.Output
	grads  []*graphrt.Output // x, then params
	params []*graph.Param
}

// buildLayer builds l on samples of shape in and initializes the parameters.
func buildLayer(t *testing.T, l Layer, name string, in Shape) *graph.Params {
	t.Helper()
	ps := graph.NewParams()
	_, err := l.Build(graph.NewScope(ps, name), in)
	require.NoError(t, err)
	ps.Init(7)
	return ps
}

// newHarness adds l to a graph on a (shape) batch. weights may be nil (no
// gradient is built then).
func newHarness(t *testing.T, ps *graph.Params, l Layer, shape []int, training bool, weights []float64) *harness {
	t.Helper()
	h := &harness{ps: ps}
	h.b = graph.NewBuilder(ps, shape[0])
	engine.SetTraining(h.b, training)
	h.x = engine.Input(h.b, "x", shape...)
	y, err := l.Forward(h.b, h.x.Node)
	require.NoError(t, err)
	require.Equal(t, shape, []int(y.Shape()))
	h.y = engine.Output(h.b, y)
	if weights != nil {
		w := h.b.Tensor("w", shape, weights)
		c, err := G.HadamardProd(y, w)
		require.NoError(t, err)
		c, err = G.Sum(c)
		require.NoError(t, err)
		h.cost = engine.Output(h.b, c)
		ps, ns := engine.UsedParams(h.b)
		h.params = ps
		gs, err := G.Grad(c, append(G.Nodes{h.x.Node}, ns...)...)
		require.NoError(t, err)
		for _, g := range gs {
			h.grads = append(h.grads, engine.Output(h.b, g))
		}
	}
	h.m, err = engine.Compile(h.b)
	require.NoError(t, err)
	return h
}

func (h *harness) run(t *testing.T) []float64 {
	t.Helper()
	require.NoError(t, h.m.Run())
	return append([]float64(nil), h.y.Data()...)
}

// checkGradients compares the graph's gradient of Σ w⊙y with respect to x
// and every parameter with central finite differences. The random inputs
// and the row mask stay as they are, so the function differentiated is
// deterministic.
func (h *harness) checkGradients(t *testing.T) {
	t.Helper()
	require.NoError(t, h.m.Run())
	analytic := [][]float64{append([]float64(nil), h.grads[0].Data()...)}
	vals := [][]float64{h.x.Data}
	for i, p := range h.params {
		analytic = append(analytic, append([]float64(nil), h.grads[i+1].Data()...))
		vals = append(vals, h.ps.View(p))
	}
	costAt := func() float64 {
		require.NoError(t, h.m.Run())
		return h.cost.Scalar()
	}
	for k, v := range vals {
		require.Len(t, analytic[k], len(v))
		var scale float64
		for _, a := range analytic[k] {
			scale = math.Max(scale, math.Abs(a))
		}
		for i := range v {
			orig := v[i]
			step := 1e-5 * math.Max(1, math.Abs(orig))
			v[i] = orig + step
			up := costAt()
			v[i] = orig - step
			down := costAt()
			v[i] = orig
			fd := (up - down) / (2 * step)
			require.InDelta(t, fd, analytic[k][i], 1e-7*math.Max(scale, 1), "input %d entry %d", k, i)
		}
	}
}

func randomSlice(rng *rand.Rand, n int, lo, hi float64) []float64 {
	v := make([]float64, n)
	for i := range v {
		v[i] = lo + (hi-lo)*rng.Float64()
	}
	return v
}

func assertClose(t *testing.T, want, got []float64, tol float64, msg string) {
	t.Helper()
	require.Len(t, got, len(want), msg)
	for i := range want {
		require.InDelta(t, want[i], got[i], tol, "%s [%d]", msg, i)
	}
}

func TestLayerNormMatchesPyTorch(t *testing.T) {
	for _, c := range loadTorchNorm(t).LayerNorm {
		for _, training := range []bool{false, true} {
			l := LayerNormalization(Epsilon(c.Eps))
			ps := buildLayer(t, l, "layernorm_1", Shape(c.Shape[1:]))
			copy(ps.View(l.Gamma), c.Gamma)
			copy(ps.View(l.Beta), c.Beta)
			h := newHarness(t, ps, l, c.Shape, training, nil)
			copy(h.x.Data, c.X)
			assertClose(t, c.Y, h.run(t), 1e-10, "layernorm")
		}
	}
}

// bnCase builds a BatchNormalization with the fixture's weights and moving
// statistics.
func bnCase(t *testing.T, eps, momentum float64, shape []int, gamma, beta, mm, mv []float64) (*BatchNormLayer, *graph.Params) {
	l := BatchNormalization(Epsilon(eps), Momentum(momentum))
	ps := buildLayer(t, l, "batchnorm_1", Shape(shape[1:]))
	copy(ps.View(l.Gamma), gamma)
	copy(ps.View(l.Beta), beta)
	copy(ps.StateView(l.MovingMean), mm)
	copy(ps.StateView(l.MovingVar), mv)
	return l, ps
}

func TestBatchNormMatchesPyTorch(t *testing.T) {
	for _, c := range loadTorchNorm(t).BatchNorm {
		// Inference: the moving statistics, and no state update.
		l, ps := bnCase(t, c.Eps, c.Momentum, c.Shape, c.Gamma, c.Beta, c.MovingMean, c.MovingVar)
		h := newHarness(t, ps, l, c.Shape, false, nil)
		copy(h.x.Data, c.X)
		assertClose(t, c.YInference, h.run(t), 1e-10, "inference")
		assert.Empty(t, engine.StateUpdates(h.b))
		assert.Nil(t, engine.RowMaskInput(h.b), "inference asks for no row mask")

		// Training: the batch statistics, then the moving-average update.
		h = newHarness(t, ps, l, c.Shape, true, nil)
		copy(h.x.Data, c.X)
		assertClose(t, c.YTraining, h.run(t), 1e-10, "training")
		require.Len(t, engine.StateUpdates(h.b), 2)
		engine.ApplyStateUpdates(ps, engine.StateUpdates(h.b))
		m := c.Momentum
		assertClose(t, c.RunningMean, ps.StateView(l.MovingMean), 1e-12, "moving mean")
		n := float64(c.Count)
		for i, rv := range ps.StateView(l.MovingVar) {
			// Keras's biased variance against PyTorch's unbiased one.
			want := m*c.MovingVar[i] + (1-m)*c.BatchVarBiased[i]
			assert.InDelta(t, want, rv, 1e-12)
			torchBatch := (c.RunningVarUnbiased[i] - m*c.MovingVar[i]) / (1 - m)
			assert.InDelta(t, torchBatch*(n-1)/n, c.BatchVarBiased[i], 1e-10)
		}
		// The next run sees the updated state without recompiling.
		inf := newHarness(t, ps, l, c.Shape, false, nil)
		copy(inf.x.Data, c.X)
		before := inf.run(t)
		engine.ApplyStateUpdates(ps, engine.StateUpdates(h.b))
		assert.NotEqual(t, before, inf.run(t))
	}
}

// TestBatchNormIgnoresPaddingRows: a batch padded with copies of a real
// row (mask 0) gives the real rows the same outputs and the same state
// update as the unpadded batch. Without the mask the padding copies would
// shift the mean and variance, and the test fails.
func TestBatchNormIgnoresPaddingRows(t *testing.T) {
	for _, c := range loadTorchNorm(t).BatchNorm {
		pad := 3
		real := c.Shape[0]
		shape := append([]int{real + pad}, c.Shape[1:]...)
		per := len(c.X) / real
		x := append([]float64(nil), c.X...)
		for k := 0; k < pad; k++ { // padding repeats the first row
			x = append(x, c.X[:per]...)
		}
		run := func(mask bool) ([]float64, []float64, []float64) {
			l, ps := bnCase(t, c.Eps, c.Momentum, shape, c.Gamma, c.Beta, c.MovingMean, c.MovingVar)
			h := newHarness(t, ps, l, shape, true, nil)
			copy(h.x.Data, x)
			in := engine.RowMaskInput(h.b)
			require.NotNil(t, in)
			assert.Equal(t, []int{real + pad}, in.Shape)
			for i, v := range in.Data {
				assert.Equal(t, 1.0, v, "the row mask starts as all ones")
				if mask && i >= real {
					in.Data[i] = 0
				}
			}
			y := h.run(t)
			engine.ApplyStateUpdates(ps, engine.StateUpdates(h.b))
			return y[:len(c.X)], append([]float64(nil), ps.StateView(l.MovingMean)...), append([]float64(nil), ps.StateView(l.MovingVar)...)
		}
		y, mm, mv := run(true)
		assertClose(t, c.YTraining, y, 1e-10, "padded batch")
		assertClose(t, c.RunningMean, mm, 1e-12, "padded moving mean")
		m := c.Momentum
		for i := range mv {
			assert.InDelta(t, m*c.MovingVar[i]+(1-m)*c.BatchVarBiased[i], mv[i], 1e-12)
		}
		unmasked, _, _ := run(false)
		var diff float64
		for i := range unmasked {
			diff = math.Max(diff, math.Abs(unmasked[i]-c.YTraining[i]))
		}
		assert.Greater(t, diff, 1e-3, "padding rows must change the statistics when not masked")
	}
}

func TestNormalizationGradients(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 1))
	for _, shape := range [][]int{{5, 3}, {3, 4, 2}, {2, 3, 3, 2}, {2, 2, 2, 2, 3}} { // ranks 4 and 5: images, where Gorgonia's broadcasts alone go wrong
		n := 1
		for _, d := range shape {
			n *= d
		}
		for _, training := range []bool{false, true} {
			layers := map[string]Layer{
				"layernorm": LayerNormalization(Epsilon(1e-3)),
				"batchnorm": BatchNormalization(Epsilon(1e-3)),
				"dropout":   Dropout(0.4),
			}
			for name, l := range layers {
				t.Run(name, func(t *testing.T) {
					ps := buildLayer(t, l, name+"_1", Shape(shape[1:]))
					theta := ps.Theta()
					for i := range theta {
						theta[i] += 0.3 * rng.NormFloat64()
					}
					for i := range ps.StateValues() {
						ps.StateValues()[i] += 0.2 * rng.Float64()
					}
					h := newHarness(t, ps, l, shape, training, randomSlice(rng, n, -1, 1))
					copy(h.x.Data, randomSlice(rng, n, -2, 2))
					graphrt.FillRandom(engine.RandomInputs(h.b), rng)
					if in := engine.RowMaskInput(h.b); in != nil {
						in.Data[0] = 0 // a padding row
					}
					h.checkGradients(t)
				})
			}
		}
	}
}

func TestEmbeddingLookupAndGradient(t *testing.T) {
	l := Embedding(5, 3)
	ps := buildLayer(t, l, "embedding_1", Shape{4})
	assert.Equal(t, "Embedding(5, 3)", l.String())
	assert.Equal(t, []int{5, 3}, l.E.Shape)
	for _, v := range ps.View(l.E) {
		assert.LessOrEqual(t, math.Abs(v), 0.05)
	}
	rng := rand.New(rand.NewPCG(5, 5))
	copy(ps.View(l.E), randomSlice(rng, 15, -1, 1))
	b := graph.NewBuilder(ps, 2)
	x := engine.Input(b, "x", 2, 4)
	y, err := l.Forward(b, x.Node)
	require.NoError(t, err)
	assert.Equal(t, []int{2, 4, 3}, []int(y.Shape()))
	w := randomSlice(rng, 24, -1, 1)
	c, err := G.HadamardProd(y, b.Tensor("w", []int{2, 4, 3}, w))
	require.NoError(t, err)
	c, err = G.Sum(c)
	require.NoError(t, err)
	_, grads, err := engine.Gradients(b, c)
	require.NoError(t, err)
	out, g := engine.Output(b, y), engine.Output(b, grads[0])
	m, err := engine.Compile(b)
	require.NoError(t, err)
	idx := []float64{0, 4, 2, 2, 1, 3, 0, 4}
	copy(x.Data, idx)
	require.NoError(t, m.Run())
	E := ps.View(l.E)
	wantGrad := make([]float64, 15)
	for q, v := range idx {
		for d := 0; d < 3; d++ {
			assert.Equal(t, E[int(v)*3+d], out.Data()[q*3+d])
			wantGrad[int(v)*3+d] += w[q*3+d]
		}
	}
	assertClose(t, wantGrad, g.Data(), 1e-15, "∂/∂E")

	for _, bad := range []float64{5, -1, 1.5, math.NaN()} {
		x.Data[5] = bad
		err := m.Run()
		require.Error(t, err)
		assert.Contains(t, err.Error(), "is not an integer in [0, 5)")
		assert.Contains(t, err.Error(), "row 1 of the batch, position 1,")
	}
}

func TestNormLayerConfigAndErrors(t *testing.T) {
	assert.Equal(t, "LayerNormalization(epsilon=0.001)", LayerNormalization().String())
	assert.Equal(t, "LayerNormalization(epsilon=1e-05)", LayerNormalization(Epsilon(1e-5)).String())
	assert.Equal(t, "BatchNormalization(momentum=0.99, epsilon=0.001)", BatchNormalization().String())
	assert.Equal(t, "BatchNormalization(momentum=0.9, epsilon=1e-05)", BatchNormalization(Momentum(0.9), Epsilon(1e-5)).String())
	assert.Equal(t, "Dropout(0.25)", Dropout(0.25).String())
	assert.Equal(t, "Embedding(10, 4, embeddings l2(0.01))", Embedding(10, 4, KernelRegularizer(L2(0.01))).String())
	for _, k := range []struct {
		l    Layer
		kind string
	}{{LayerNormalization(), "layernorm"}, {BatchNormalization(), "batchnorm"}, {Dropout(0), "dropout"}, {Embedding(2, 2), "embedding"}} {
		assert.Equal(t, k.kind, k.l.Kind())
	}

	scope := func() *graph.Scope { return graph.NewScope(graph.NewParams(), "l") }
	_, err := LayerNormalization(Momentum(0.9)).Build(scope(), Shape{3})
	assert.ErrorContains(t, err, "LayerNormalization does not take the Momentum option")
	_, err = BatchNormalization(Epsilon(0)).Build(scope(), Shape{3})
	assert.ErrorContains(t, err, "BatchNormalization needs a positive epsilon")
	_, err = BatchNormalization(Momentum(1.5)).Build(scope(), Shape{3})
	assert.ErrorContains(t, err, "BatchNormalization needs a momentum in [0, 1]")
	_, err = LayerNormalization().Build(scope(), Shape{})
	assert.ErrorContains(t, err, "LayerNormalization needs samples with a last (channel) axis")
	for _, r := range []float64{-0.1, 1, 2, math.NaN()} {
		_, err = Dropout(r).Build(scope(), Shape{3})
		assert.ErrorContains(t, err, "Dropout needs a rate in [0, 1)")
	}
	_, err = Embedding(0, 3).Build(scope(), Shape{3})
	assert.ErrorContains(t, err, "Embedding needs a positive vocabulary size")
	_, err = Embedding(4, 3).Build(scope(), Shape{3, 2})
	assert.ErrorContains(t, err, "Embedding needs samples of T indices")
	_, err = Embedding(4, 3, Strides(2)).Build(scope(), Shape{3})
	assert.ErrorContains(t, err, "Embedding does not take the Strides option")

	// BatchNormalization's statistics are state, not θ.
	ps := graph.NewParams()
	bn := BatchNormalization()
	_, err = bn.Build(graph.NewScope(ps, "batchnorm_1"), Shape{2, 3})
	require.NoError(t, err)
	ps.Init(1)
	assert.Equal(t, 6, ps.Len())
	assert.Equal(t, []*graph.Param{bn.MovingMean, bn.MovingVar}, ps.State())
	assert.Equal(t, "batchnorm_1/moving_variance", bn.MovingVar.Name)
	assert.Equal(t, []float64{0, 0, 0, 1, 1, 1}, ps.StateValues())
}

// TestDropoutMasks: in training mode about a fraction rate of the entries
// is zeroed and the rest scaled by 1/(1−rate); the same seed gives the same
// mask, another seed another; two Dropout layers draw independent masks;
// outside training mode Dropout is the identity.
func TestDropoutMasks(t *testing.T) {
	const rate, rows, cols = 0.3, 200, 50
	shape := []int{rows, cols}
	x := make([]float64, rows*cols)
	for i := range x {
		x[i] = 1 + float64(i%7)
	}
	build := func(training bool) (*graph.Builder, *graphrt.Machine, *graphrt.Input, *graphrt.Output, *graphrt.Output) {
		b := graph.NewBuilder(graph.NewParams(), rows)
		engine.SetTraining(b, training)
		in := engine.Input(b, "x", shape...)
		copy(in.Data, x)
		y1, err := Dropout(rate).Forward(b, in.Node)
		require.NoError(t, err)
		y2, err := Dropout(rate).Forward(b, in.Node)
		require.NoError(t, err)
		o1, o2 := engine.Output(b, y1), engine.Output(b, y2)
		m, err := engine.Compile(b)
		require.NoError(t, err)
		return b, m, in, o1, o2
	}
	b, m, _, o1, o2 := build(true)
	require.Len(t, engine.RandomInputs(b), 2)
	sample := func(seed uint64) ([]float64, []float64) {
		graphrt.FillRandom(engine.RandomInputs(b), rand.New(rand.NewPCG(seed, 1)))
		require.NoError(t, m.Run())
		return append([]float64(nil), o1.Data()...), append([]float64(nil), o2.Data()...)
	}
	a1, a2 := sample(1)
	dropped, same := 0, 0
	var sum, sumX float64
	for i, v := range a1 {
		switch {
		case v == 0:
			dropped++
		default:
			require.InDelta(t, x[i]/(1-rate), v, 1e-12)
		}
		if (v == 0) == (a2[i] == 0) {
			same++
		}
		sum += v
		sumX += x[i]
	}
	n := float64(len(x))
	sd := math.Sqrt(rate * (1 - rate) / n)
	assert.InDelta(t, rate, float64(dropped)/n, 4*sd, "fraction dropped")
	assert.InDelta(t, 1, sum/sumX, 0.03, "inverted dropout keeps the mean")
	// Independent masks agree on a fraction r² + (1−r)² of entries.
	assert.InDelta(t, rate*rate+(1-rate)*(1-rate), float64(same)/n, 0.02)
	b1, b2 := sample(1)
	assert.Equal(t, a1, b1)
	assert.Equal(t, a2, b2)
	c1, _ := sample(2)
	assert.NotEqual(t, a1, c1)

	b, m, _, o1, o2 = build(false)
	assert.Empty(t, engine.RandomInputs(b))
	require.NoError(t, m.Run())
	assert.Equal(t, x, o1.Data())
	assert.Equal(t, x, o2.Data())
}

// TestInvSqrtGradient: x/√(Σx²+1) row by row, differentiated with
// Gorgonia's InverseSqrt and with invSqrt. invSqrt matches finite
// differences; if Gorgonia's does too, it was fixed and invSqrt can go.
func TestInvSqrtGradient(t *testing.T) {
	maxErr := func(rsqrt func(*G.Node) (*G.Node, error)) float64 {
		b := graph.NewBuilder(graph.NewParams(), 2)
		x := engine.Input(b, "x", 2, 3)
		copy(x.Data, []float64{0.3, -1, 2, 0.5, 1.5, -0.7})
		sq, err := G.Square(x.Node)
		require.NoError(t, err)
		s, err := G.Sum(sq, 1)
		require.NoError(t, err)
		s, err = graph.Add(s, G.NewConstant(1.0))
		require.NoError(t, err)
		inv, err := rsqrt(s)
		require.NoError(t, err)
		inv, err = graph.Reshape(inv, 2, 1)
		require.NoError(t, err)
		y, err := graph.Mul(x.Node, inv)
		require.NoError(t, err)
		c, err := G.HadamardProd(y, b.Tensor("w", []int{2, 3}, []float64{1, -2, 0.5, 0.3, 0.7, -1}))
		require.NoError(t, err)
		c, err = G.Sum(c)
		require.NoError(t, err)
		gs, err := G.Grad(c, x.Node)
		require.NoError(t, err)
		co, g := engine.Output(b, c), engine.Output(b, gs[0])
		m, err := engine.Compile(b)
		require.NoError(t, err)
		require.NoError(t, m.Run())
		an := append([]float64(nil), g.Data()...)
		var worst float64
		for i := range x.Data {
			o := x.Data[i]
			x.Data[i] = o + 1e-6
			require.NoError(t, m.Run())
			up := co.Scalar()
			x.Data[i] = o - 1e-6
			require.NoError(t, m.Run())
			down := co.Scalar()
			x.Data[i] = o
			worst = math.Max(worst, math.Abs((up-down)/2e-6-an[i]))
		}
		return worst
	}
	assert.Less(t, maxErr(func(n *G.Node) (*G.Node, error) { return graph.Apply(invSqrt{}, n) }), 1e-8)
	assert.Greater(t, maxErr(G.InverseSqrt), 1e-3, "gorgonia.InverseSqrt is fixed? then invSqrt can go")
}
