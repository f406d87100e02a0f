package golem

import (
	"bytes"
	"context"
	"fmt"
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

type convCase struct {
	name   string
	model  func() *Sequential
	in     layers.Shape
	loss   losses.Loss
	y      func(rng *rand.Rand, n int) *mat.Dense
	n      int
	convWs []string // parameters that must take the tap route
	// maxPool: the model max-pools, so CheckJacobian's wide steps may
	// cross a kink (see jacobianByDifferences).
	maxPool bool
}

func convCases() []convCase {
	labels := func(k int) func(rng *rand.Rand, n int) *mat.Dense {
		return func(rng *rand.Rand, n int) *mat.Dense {
			y := mat.NewDense(n, 1, nil)
			for i := 0; i < n; i++ {
				y.Set(i, 0, float64(rng.IntN(k)))
			}
			return y
		}
	}
	return []convCase{
		{"conv2d same tanh, maxpool, flatten, dense", func() *Sequential {
			return NewSequential(layers.Conv2D(3, 3, 3, layers.Tanh, layers.WithPadding(layers.Same)),
				layers.MaxPool2D(2, 2), layers.Flatten(), layers.Dense(2))
		}, layers.Shape{6, 6, 2}, losses.MSE(), regressionTargets(2), 7, []string{"conv2d_1/W", "conv2d_1/b", "dense_1/W"}, true},
		{"conv2d stride 2 sigmoid, avgpool same, global avg", func() *Sequential {
			return NewSequential(layers.Conv2D(3, 3, 3, layers.Sigmoid, layers.Strides(2)),
				layers.AvgPool2D(2, 2, layers.Strides(1), layers.WithPadding(layers.Same)),
				layers.GlobalAvgPool2D(), layers.Dense(1))
		}, layers.Shape{6, 6, 2}, losses.MSE(), regressionTargets(1), 6, []string{"conv2d_1/W", "conv2d_1/b"}, false},
		{"dilated conv2d, reshape, conv1d same stride 2, maxpool1d same", func() *Sequential {
			return NewSequential(layers.Conv2D(4, 2, 2, layers.Tanh, layers.Dilation(2), layers.NoBias()),
				layers.Reshape(16, -1),
				layers.Conv1D(3, 3, layers.Tanh, layers.Strides(2), layers.WithPadding(layers.Same)),
				layers.MaxPool1D(2, layers.WithPadding(layers.Same)), layers.Flatten(), layers.Dense(2))
		}, layers.Shape{6, 6, 2}, losses.MSE(), regressionTargets(2), 5, []string{"conv2d_1/W", "conv1d_1/W", "conv1d_1/b"}, true},
		{"two conv1d, avgpool1d, global avg", func() *Sequential {
			return NewSequential(layers.Conv1D(4, 3, layers.Tanh, layers.Dilation(2)), layers.AvgPool1D(2),
				layers.Conv1D(2, 2, layers.Tanh, layers.WithPadding(layers.Same)), layers.GlobalAvgPool1D(), layers.Dense(1))
		}, layers.Shape{10, 2}, losses.MSE(), regressionTargets(1), 6, []string{"conv1d_1/W", "conv1d_2/W", "conv1d_2/b"}, false},
		{"softmax classifier on conv2d", func() *Sequential {
			return NewSequential(layers.Conv2D(4, 3, 3, layers.Tanh, layers.WithPadding(layers.Same)),
				layers.MaxPool2D(3, 3, layers.Strides(2), layers.WithPadding(layers.Same)),
				layers.Flatten(), layers.Dense(3, layers.Softmax))
		}, layers.Shape{6, 6, 2}, losses.SparseCategoricalCrossEntropy(), labels(3), 8, []string{"conv2d_1/W", "conv2d_1/b", "dense_1/W"}, true},
	}
}

func compileConvCase(t *testing.T, c convCase) (*Sequential, *mat.Dense, *mat.Dense) {
	t.Helper()
	rng := rand.New(rand.NewPCG(5, 11))
	m := c.model()
	require.NoError(t, m.Compile(Input(c.in...), c.loss, optim.LM(optim.LMConfig{}), WithSeed(9)))
	for _, p := range m.Params().List() { // biases off zero
		if p.Name[len(p.Name)-2:] == "/b" {
			for i := range m.Params().View(p) {
				m.Params().View(p)[i] = 0.3 * rng.NormFloat64()
			}
		}
	}
	x := randomMatrix(rng, c.n, c.in.Size(), -2, 2)
	return m, x, c.y(rng, c.n)
}

func TestConvGradientsMatchFiniteDifferences(t *testing.T) {
	for _, c := range convCases() {
		t.Run(c.name, func(t *testing.T) {
			m, x, y := compileConvCase(t, c)
			checkGradient(t, m, x, y, 4) // the first 4 samples
			checkGradient(t, m, x, y, c.n)
		})
	}
}

func TestConvJacobiansMatchFiniteDifferences(t *testing.T) {
	for _, c := range convCases() {
		t.Run(c.name, func(t *testing.T) {
			m, x, y := compileConvCase(t, c)
			res, err := m.CheckJacobian(context.Background(), x, y)
			require.NoError(t, err)
			t.Log(res)
			worst, where := jacobianByDifferences(t, m, x, y, 1e-6)
			t.Logf("central differences, step 1e-6: max relative error %.3g at %s", worst, where)
			assert.LessOrEqual(t, worst, 1e-6, where)
			// CheckJacobian keeps, per entry, the better of a Richardson
			// estimate and a small step, so it holds at max pools too.
			assert.LessOrEqual(t, res.MaxRelError, 1e-6, res.String())
		})
	}
}

// TestConvLayersTakeTheTapRoute: every conv parameter takes the tap route
// (engine.Tap with one row per output position) and nothing falls back to
// the loop route. The engine's probe compares each fast-route column with
// the one-sample loop route on the first samples and moves a parameter
// whose columns differ to the loop route, so a tap reported here also
// agrees with the loop route; the finite-difference test above covers
// every sample. Chunks of 3 samples over 2 workers exercise the chunking.
func TestConvLayersTakeTheTapRoute(t *testing.T) {
	for _, c := range convCases() {
		t.Run(c.name, func(t *testing.T) {
			m, x, y := compileConvCase(t, c)
			spec, err := m.jacobianSpec()
			require.NoError(t, err)
			d, err := m.dataset(x, y)
			require.NoError(t, err)
			e, err := jac.New(spec, jac.Config{ChunkRows: 3 * spec.Residuals, Workers: 2}) // several chunks
			require.NoError(t, err)
			rows, P := e.Rows(c.n), m.Params().Len()
			J := mat.NewDense(rows, P, nil)
			require.NoError(t, e.Jacobian(context.Background(), m.jacobianData(d), J, make([]float64, rows)))
			routes := e.Routes()
			for _, name := range c.convWs {
				assert.Equal(t, jac.RouteTap, routes[name], name)
			}
			for name, r := range routes {
				assert.NotEqual(t, jac.RouteLoop, r, "%s takes the loop route", name)
			}
		})
	}
}

// jacobianByDifferences compares the engine's J with plain central
// differences of its residuals at a small step, h = step·max(|θᵢ|, 0.1).
// Max pooling is only piecewise smooth: CheckJacobian's Richardson steps
// (1e-3 relative) can move a window's maximum to another element, where a
// step of 1e-6 does not. It returns the worst error relative to each
// column's largest entry.
func jacobianByDifferences(t *testing.T, m *Sequential, x, y mat.Matrix, step float64) (worst float64, where string) {
	t.Helper()
	spec, err := m.jacobianSpec()
	require.NoError(t, err)
	d, err := m.dataset(x, y)
	require.NoError(t, err)
	data := m.jacobianData(d)
	e, err := jac.New(spec, jac.Config{})
	require.NoError(t, err)
	ctx := context.Background()
	rows, P := e.Rows(data.N), m.Params().Len()
	J, scratch := mat.NewDense(rows, P, nil), mat.NewDense(rows, P, nil)
	r, up, down := make([]float64, rows), make([]float64, rows), make([]float64, rows)
	require.NoError(t, e.Jacobian(ctx, data, J, r))
	theta := m.Params().Theta()
	for _, p := range m.Params().List() {
		for k := 0; k < p.Size(); k++ {
			c := p.Offset + k
			orig := theta[c]
			h := step * math.Max(math.Abs(orig), 0.1)
			theta[c] = orig + h
			require.NoError(t, e.Jacobian(ctx, data, scratch, up))
			theta[c] = orig - h
			require.NoError(t, e.Jacobian(ctx, data, scratch, down))
			theta[c] = orig
			scale := 1e-12
			for q := 0; q < rows; q++ {
				scale = math.Max(scale, math.Abs(J.At(q, c)))
			}
			for q := 0; q < rows; q++ {
				fd := (up[q] - down[q]) / (2 * h)
				if rel := math.Abs(J.At(q, c)-fd) / math.Max(scale, math.Abs(fd)); rel > worst || math.IsNaN(rel) {
					worst, where = rel, fmt.Sprintf("%s[%d], row %d: Jacobian %.10g, differences %.10g", p.Name, k, q, J.At(q, c), fd)
				}
			}
		}
	}
	return worst, where
}

// convTeacher is the CNN of the end-to-end tests: on (6, 6, 1) samples,
// Conv2D(3, 3×3, same, tanh) → AvgPool2D(2×2) → Flatten → Dense(1).
func convTeacher() *Sequential {
	return NewSequential(layers.Conv2D(3, 3, 3, layers.Tanh, layers.WithPadding(layers.Same)),
		layers.AvgPool2D(2, 2), layers.Flatten(), layers.Dense(1))
}

// TestLMFitsAConvNet: Levenberg–Marquardt, on the tap route, recovers a
// teacher CNN's outputs (200 samples, 58 parameters) from a different
// start: the loss falls by at least twelve orders of magnitude within 100
// iterations (measured: 0.13 → 3e-23 in 17).
func TestLMFitsAConvNet(t *testing.T) {
	rng := rand.New(rand.NewPCG(4, 4))
	teacher := convTeacher()
	require.NoError(t, teacher.Compile(Input(6, 6, 1), losses.MSE(), optim.LM(optim.LMConfig{}), WithSeed(1)))
	x := randomMatrix(rng, 200, 36, -1, 1)
	y, err := teacher.Predict(x)
	require.NoError(t, err)

	student := convTeacher()
	require.NoError(t, student.Compile(Input(6, 6, 1), losses.MSE(), optim.LM(optim.LMConfig{}), WithSeed(2)))
	start, err := student.Evaluate(x, y)
	require.NoError(t, err)
	h, err := student.Fit(context.Background(), x, y, FitConfig{Epochs: 100})
	require.NoError(t, err)
	end := h.Loss[len(h.Loss)-1]
	t.Logf("loss %.3g → %.3g in %d epochs", start.Loss, end, len(h.Loss))
	assert.Less(t, end, 1e-12*start.Loss)
}

// TestConvModelSaveLoadRoundTrip: a conv model's weights load into a fresh
// model with the same layers (predictions bit for bit), and a model whose
// convolution differs is refused with the difference named.
func TestConvModelSaveLoadRoundTrip(t *testing.T) {
	build := func(pad layers.Padding) *Sequential {
		return NewSequential(layers.Conv2D(3, 3, 3, layers.Tanh, layers.WithPadding(pad)),
			layers.MaxPool2D(2, 2), layers.Conv2D(2, 2, 2, layers.Strides(1)), layers.GlobalAvgPool2D(),
			layers.Reshape(2), layers.Dense(1))
	}
	a := build(layers.Same)
	require.NoError(t, a.Compile(Input(6, 6, 2), losses.MSE(), optim.LM(optim.LMConfig{}), WithSeed(1)))
	var buf bytes.Buffer
	require.NoError(t, a.Save(&buf))
	x := randomMatrix(rand.New(rand.NewPCG(1, 2)), 5, 72, -1, 1)
	want, err := a.Predict(x)
	require.NoError(t, err)

	b := build(layers.Same)
	require.NoError(t, b.Compile(Input(6, 6, 2), losses.MSE(), optim.LM(optim.LMConfig{}), WithSeed(2)))
	require.NoError(t, b.Load(bytes.NewReader(buf.Bytes())))
	got, err := b.Predict(x)
	require.NoError(t, err)
	assert.Equal(t, want.RawMatrix().Data, got.RawMatrix().Data)

	c := build(layers.Valid)
	require.NoError(t, c.Compile(Input(6, 6, 2), losses.MSE(), optim.LM(optim.LMConfig{}), WithSeed(2)))
	err = c.Load(bytes.NewReader(buf.Bytes()))
	require.Error(t, err)
	assert.Contains(t, err.Error(), "Conv2D(3, 3×3, strides 1×1, same, tanh) in the file, Conv2D(3, 3×3, strides 1×1, valid, tanh) in the model")
}

// twinPatches applies one kernel W (and bias b) to two different patch
// tables of a (4) sample, two rows per sample each: the second Affine's
// tap adds to the columns the first one assigned (the accumulate path of a
// grouped tap).
type twinPatches struct{ w, b *graph.Param }

func (l *twinPatches) Kind() string { return "twin" }

func (l *twinPatches) Build(s *graph.Scope, in layers.Shape) (layers.Shape, error) {
	var err error
	if l.w, err = s.Param("W", []int{2, 3}, graph.GlorotUniform(), 2, 3); err != nil {
		return nil, err
	}
	l.b, err = s.Param("b", []int{3}, graph.Uniform(-0.5, 0.5), 2, 3)
	return layers.Shape{6}, err
}

func (l *twinPatches) Forward(b *graph.Builder, x *G.Node) (*G.Node, error) {
	rows := x.Shape()[0]
	p1, err := graph.Gather(x, []int{0, 1, 2, 3}, 2*rows, 2)
	if err != nil {
		return nil, err
	}
	p2, err := graph.Gather(x, []int{3, -1, 1, 0}, 2*rows, 2)
	if err != nil {
		return nil, err
	}
	z1, err := b.Affine(p1, l.w, l.b)
	if err != nil {
		return nil, err
	}
	if z1, err = G.Tanh(z1); err != nil {
		return nil, err
	}
	z2, err := b.Affine(p2, l.w, l.b)
	if err != nil {
		return nil, err
	}
	if z2, err = G.Square(z2); err != nil {
		return nil, err
	}
	z, err := G.Add(z1, z2)
	if err != nil {
		return nil, err
	}
	return graph.Reshape(z, rows, 6)
}

func TestGroupedTapsSharingAKernelAccumulate(t *testing.T) {
	m := NewSequential(&twinPatches{}, layers.Dense(2, layers.Tanh))
	require.NoError(t, m.Compile(Input(4), losses.MSE(), optim.LM(optim.LMConfig{}), WithSeed(4)))
	rng := rand.New(rand.NewPCG(3, 3))
	x, y := randomMatrix(rng, 9, 4, -1, 1), randomMatrix(rng, 9, 2, -1, 1)
	res, err := m.CheckJacobian(context.Background(), x, y)
	require.NoError(t, err)
	assert.LessOrEqual(t, res.MaxRelError, 1e-6, res.String())
	checkGradient(t, m, x, y, 9)

	spec, err := m.jacobianSpec()
	require.NoError(t, err)
	d, err := m.dataset(x, y)
	require.NoError(t, err)
	e, err := jac.New(spec, jac.Config{})
	require.NoError(t, err)
	J := mat.NewDense(e.Rows(9), m.Params().Len(), nil)
	require.NoError(t, e.Jacobian(context.Background(), m.jacobianData(d), J, make([]float64, e.Rows(9))))
	assert.Equal(t, jac.RouteTap, e.Routes()["twin_1/W"])
	assert.Equal(t, jac.RouteTap, e.Routes()["twin_1/b"])
}

// offsetRow adds c·W to every row, with c a constant (1 × 2) row: an
// Affine whose x has one row for the whole batch. It cannot be tapped; the
// engine must fall back to the loop route, with a correct Jacobian.
type offsetRow struct{ w *graph.Param }

func (l *offsetRow) Kind() string { return "offsetrow" }

func (l *offsetRow) Build(s *graph.Scope, in layers.Shape) (layers.Shape, error) {
	var err error
	l.w, err = s.Param("W", []int{2, in[0]}, graph.Uniform(-1, 1), 0, 0)
	return in, err
}

func (l *offsetRow) Forward(b *graph.Builder, x *G.Node) (*G.Node, error) {
	c := b.Tensor("c", []int{1, 2}, []float64{0.5, -2})
	z, err := b.Affine(c, l.w, nil)
	if err != nil {
		return nil, err
	}
	return graph.Add(x, z)
}

func TestAffineOnRowsThatAreNotPerSampleFallsBackToTheLoop(t *testing.T) {
	m := NewSequential(layers.Dense(3, layers.Tanh), &offsetRow{}, layers.Dense(1))
	require.NoError(t, m.Compile(Input(2), losses.MSE(), optim.LM(optim.LMConfig{}), WithSeed(4)))
	rng := rand.New(rand.NewPCG(3, 4))
	x, y := randomMatrix(rng, 6, 2, -1, 1), randomMatrix(rng, 6, 1, -1, 1)
	res, err := m.CheckJacobian(context.Background(), x, y)
	require.NoError(t, err)
	assert.LessOrEqual(t, res.MaxRelError, 1e-6, res.String())

	spec, err := m.jacobianSpec()
	require.NoError(t, err)
	d, err := m.dataset(x, y)
	require.NoError(t, err)
	e, err := jac.New(spec, jac.Config{})
	require.NoError(t, err)
	J := mat.NewDense(e.Rows(6), m.Params().Len(), nil)
	require.NoError(t, e.Jacobian(context.Background(), m.jacobianData(d), J, make([]float64, e.Rows(6))))
	assert.Equal(t, jac.RouteLoop, e.Routes()["offsetrow_1/W"])
	assert.Equal(t, jac.RouteTap, e.Routes()["dense_1/W"])
}
