package golem

import (
	"context"
	"errors"
	"math"
	"path/filepath"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"gonum.org/v1/gonum/mat"
	G "gorgonia.org/gorgonia"

	"github.com/golem-ml/golem/graph"
	"github.com/golem-ml/golem/layers"
	"github.com/golem-ml/golem/losses"
	"github.com/golem-ml/golem/optim"
)

// logCurve is b1·log(x) + b2, undefined at x = 0: padding a partial batch
// with zero rows made its losses NaN.
func logCurve() layers.Layer {
	return layers.Parametric("logcurve", func(e *graph.Expr, x, b []*G.Node) *G.Node {
		return e.Add(e.Mul(b[0], e.Log(x[0])), b[1])
	}, 1, 0)
}

func logData(n int) (x, y *mat.Dense) {
	x, y = mat.NewDense(n, 1, nil), mat.NewDense(n, 1, nil)
	for i := 0; i < n; i++ {
		xi := 0.5 + float64(i)
		x.Set(i, 0, xi)
		y.Set(i, 0, 3*math.Log(xi)-1)
	}
	return x, y
}

func TestPaddingRepeatsARealSample(t *testing.T) {
	x, y := logData(37) // 37 = one batch of 32 and a partial one; evaluation pads to 64
	ctx := context.Background()

	m := NewSequential(logCurve())
	require.NoError(t, m.Compile(Input(1), losses.MSE(), optim.SGD(optim.SGDConfig{LearningRate: 0.01})))
	ev, err := m.Evaluate(x, y)
	require.NoError(t, err)
	assert.False(t, math.IsNaN(ev.Loss) || math.IsInf(ev.Loss, 0), "Evaluate loss %v", ev.Loss)
	_, err = m.Fit(ctx, x, y, FitConfig{Epochs: 3, BatchSize: 32})
	require.NoError(t, err, "SGD over a partial batch")

	lm := NewSequential(logCurve())
	require.NoError(t, lm.Compile(Input(1), losses.SSE(), optim.LM(optim.LMConfig{})))
	vx, vy := logData(5)
	h, err := lm.Fit(ctx, x, y, FitConfig{Epochs: 5, ValidationX: vx, ValidationY: vy})
	require.NoError(t, err)
	for _, v := range h.ValLoss {
		require.False(t, math.IsNaN(v), "validation loss %v", h.ValLoss)
	}
	assert.Greater(t, h.BestEpoch, 0, "early stopping must record a best epoch")
}

func TestRejectedCompileLeavesTheModelAsItWas(t *testing.T) {
	x, y := sinData(40, 1)
	ctx := context.Background()
	m := tanhNet(t, optim.Adam(optim.AdamConfig{LearningRate: 0.01}), ScaleInputs(MinMax))
	_, err := m.Fit(ctx, x, y, FitConfig{Epochs: 20, BatchSize: -1})
	require.NoError(t, err)
	probe := mat.NewDense(1, 1, []float64{0.3})
	before, err := m.Predict(probe)
	require.NoError(t, err)
	theta := append([]float64(nil), m.Params().Theta()...)

	// Rejected for the scaling (the fitted input scaler must survive) ...
	err = m.Compile(Input(1), losses.MSE(), optim.Adam(optim.AdamConfig{}))
	require.Error(t, err)
	// ... for an invalid input shape ...
	err = m.Compile(Input(0), losses.MSE(), optim.Adam(optim.AdamConfig{}), ScaleInputs(MinMax))
	require.Error(t, err)
	// ... and for an invalid optimizer.
	err = m.Compile(Input(1), losses.MSE(), optim.Adam(optim.AdamConfig{LearningRate: -1}), ScaleInputs(MinMax))
	require.Error(t, err)

	after, err := m.Predict(probe)
	require.NoError(t, err)
	assert.Equal(t, before.RawMatrix().Data, after.RawMatrix().Data, "Predict changed after rejected Compiles")
	assert.Equal(t, theta, m.Params().Theta())
	_, err = m.Fit(ctx, x, y, FitConfig{Epochs: 2, BatchSize: -1})
	require.NoError(t, err, "the model still trains")
}

// oneColumn works on one input column only: it fails in Forward on more.
type oneColumn struct{ w *graph.Param }

func (l *oneColumn) Kind() string { return "onecolumn" }
func (l *oneColumn) Build(s *graph.Scope, in layers.Shape) (layers.Shape, error) {
	var err error
	l.w, err = s.Param("w", []int{1}, graph.Constant(2), 0, 0)
	return layers.Shape{1}, err
}
func (l *oneColumn) Forward(b *graph.Builder, x *G.Node) (*G.Node, error) {
	if x.Shape()[1] != 1 {
		return nil, errors.New("one column only")
	}
	return graph.Mul(x, b.Param(l.w))
}

func TestCompileFailingOnANewShapeRestoresTheModel(t *testing.T) {
	x, y := sinData(40, 1)
	m := NewSequential(&oneColumn{}, layers.Dense(4, layers.Tanh), layers.Dense(1))
	require.NoError(t, m.Compile(Input(1), losses.MSE(), optim.Adam(optim.AdamConfig{LearningRate: 0.01}), ScaleInputs(Standardize)))
	_, err := m.Fit(context.Background(), x, y, FitConfig{Epochs: 10, BatchSize: -1})
	require.NoError(t, err)
	before, err := m.Predict(x)
	require.NoError(t, err)
	params := m.Params()
	err = m.Compile(Input(2), losses.MSE(), optim.Adam(optim.AdamConfig{}), ScaleInputs(Standardize))
	require.ErrorContains(t, err, "one column only")
	after, err := m.Predict(x)
	require.NoError(t, err)
	assert.Equal(t, before.RawMatrix().Data, after.RawMatrix().Data)
	assert.Equal(t, params.Theta(), m.Params().Theta())
	_, err = m.Fit(context.Background(), x, y, FitConfig{Epochs: 2, BatchSize: -1})
	require.NoError(t, err)
}

// brokenLayer indexes past its input in Forward.
type brokenLayer struct{ w *graph.Param }

func (l *brokenLayer) Kind() string { return "broken" }
func (l *brokenLayer) Build(s *graph.Scope, in layers.Shape) (layers.Shape, error) {
	var err error
	l.w, err = s.Param("w", []int{1}, graph.Constant(1), 0, 0)
	return layers.Shape{1}, err
}
func (l *brokenLayer) Forward(b *graph.Builder, x *G.Node) (*G.Node, error) {
	col, err := G.Slice(x, nil, G.S(5, 6)) // x has one column
	if err != nil {
		return nil, err
	}
	return graph.Mul(col, b.Param(l.w))
}

func TestCompileRunsTheModel(t *testing.T) {
	m := NewSequential(&brokenLayer{})
	err := m.Compile(Input(1), losses.MSE(), optim.SGD(optim.SGDConfig{}))
	require.Error(t, err, "a layer that cannot run must fail at Compile")
	assert.ErrorContains(t, err, "broken")
	assert.Nil(t, m.Params(), "a rejected first Compile leaves the model unbuilt")
}

func TestALayerBelongsToOneModel(t *testing.T) {
	shared := layers.Dense(3, layers.Tanh)
	a := NewSequential(shared, layers.Dense(1))
	require.NoError(t, a.Compile(Input(2), losses.MSE(), optim.SGD(optim.SGDConfig{})))
	b := NewSequential(shared, layers.Dense(1))
	err := b.Compile(Input(2), losses.MSE(), optim.SGD(optim.SGDConfig{}))
	require.Error(t, err)
	assert.ErrorContains(t, err, "another model")
	// a is untouched and compiles again.
	require.NoError(t, a.Compile(Input(2), losses.MSE(), optim.SGD(optim.SGDConfig{})))

	twice := layers.Dense(2, layers.Tanh)
	c := NewSequential(twice, twice)
	assert.ErrorContains(t, c.Compile(Input(2), losses.MSE(), optim.SGD(optim.SGDConfig{})), "same")
}

func TestRejectedFitChangesNothing(t *testing.T) {
	x, y := sinData(30, 2)
	m := tanhNet(t, optim.Adam(optim.AdamConfig{}), ScaleInputs(MinMax), ScaleTargets(Standardize))
	theta := append([]float64(nil), m.Params().Theta()...)
	bad := []FitConfig{
		{Epochs: -1},
		{Goal: math.NaN()},
		{MinGrad: math.Inf(1)},
		{ValidationSplit: math.NaN()},
		{Division: &Division{Train: math.NaN(), Val: 0.5, Test: 0.5}},
		{Division: &Division{Train: 0.7, Val: math.Inf(1), Test: 0.15}},
		{Callbacks: []Callback{nil}},
		{SampleWeight: []float64{1}},
	}
	for i, cfg := range bad {
		_, err := m.Fit(context.Background(), x, y, cfg)
		require.Error(t, err, "config %d", i)
		assert.False(t, m.inScale.fitted() || m.outScale.fitted(), "config %d fitted the scalers", i)
		assert.Equal(t, theta, m.Params().Theta())
	}
	// A good Fit after the rejected ones equals one on a fresh model.
	fresh := tanhNet(t, optim.Adam(optim.AdamConfig{}), ScaleInputs(MinMax), ScaleTargets(Standardize))
	cfg := FitConfig{Epochs: 3, BatchSize: 8, Seed: 4}
	h1, err := m.Fit(context.Background(), x, y, cfg)
	require.NoError(t, err)
	h2, err := fresh.Fit(context.Background(), x, y, cfg)
	require.NoError(t, err)
	assert.Equal(t, h2.Loss, h1.Loss)
	assert.Equal(t, fresh.Params().Theta(), m.Params().Theta())
}

// stopAt stops training from the named hook.
type stopAt struct {
	BaseCallback
	hook string
}

func (s stopAt) OnTrainBegin(st *State) error {
	if s.hook == "train" {
		st.StopTraining("custom")
	}
	return nil
}

func (s stopAt) OnEpochBegin(st *State) error {
	if s.hook == "epoch" && st.Epoch == 2 {
		st.StopTraining("custom")
	}
	return nil
}

func (s stopAt) OnBatchBegin(st *State) error {
	if s.hook == "batch" && st.Epoch == 1 && st.Batch == 1 {
		st.StopTraining("custom")
	}
	return nil
}

func TestCallbacksStopFromAnyHook(t *testing.T) {
	x, y := sinData(40, 1)
	for hook, epochs := range map[string]int{"train": 0, "epoch": 1, "batch": 0} {
		m := tanhNet(t, optim.SGD(optim.SGDConfig{}))
		h, err := m.Fit(context.Background(), x, y, FitConfig{Epochs: 5, Goal: 1e-9, Callbacks: []Callback{stopAt{hook: hook}}})
		require.NoError(t, err, hook)
		assert.Equal(t, optim.Stop("custom"), h.Stop, hook)
		assert.Equal(t, epochs, h.Len(), hook)
	}
}

func TestCallbacksStartAfreshInEveryFit(t *testing.T) {
	x, y := sinData(40, 3)
	ctx := context.Background()
	plateau := ReduceLROnPlateau("loss", optim.PlateauConfig{Patience: 2, Factor: 0.5})
	var hs []*History
	var scales []float64
	for range 2 {
		opt := optim.SGD(optim.SGDConfig{LearningRate: 1e-12})
		m := tanhNet(t, opt)
		h, err := m.Fit(ctx, x, y, FitConfig{Epochs: 5, BatchSize: -1, Callbacks: []Callback{plateau}})
		require.NoError(t, err)
		hs, scales = append(hs, h), append(scales, opt.RateScale())
	}
	assert.Equal(t, 0.25, scales[0])
	assert.Equal(t, scales[0], scales[1], "a reused ReduceLROnPlateau must start afresh")
	assert.Equal(t, hs[0].Loss, hs[1].Loss)

	// A checkpoint used with validation data, then without.
	path := filepath.Join(t.TempDir(), "m.golem")
	ckpt := ModelCheckpoint(path, ModelCheckpointConfig{})
	m := tanhNet(t, optim.SGD(optim.SGDConfig{}))
	_, err := m.Fit(ctx, x, y, FitConfig{Epochs: 2, ValidationSplit: 0.25, Callbacks: []Callback{ckpt}})
	require.NoError(t, err)
	_, err = m.Fit(ctx, x, y, FitConfig{Epochs: 2, Callbacks: []Callback{ckpt}})
	require.NoError(t, err, "the checkpoint must monitor this Fit's default (loss)")
}

func TestTerminateOnNaNEndsGracefully(t *testing.T) {
	x, y := sinData(50, 1)
	m := tanhNet(t, optim.SGD(optim.SGDConfig{LearningRate: 1e6}))
	h, err := m.Fit(context.Background(), x, y, FitConfig{Epochs: 100, BatchSize: -1, Callbacks: []Callback{TerminateOnNaN()}})
	require.NoError(t, err, "TerminateOnNaN must end Fit without an error")
	assert.Equal(t, StopNaN, h.Stop)
	for _, v := range m.Params().Theta() {
		require.False(t, math.IsNaN(v) || math.IsInf(v, 0), "weights must stay finite")
	}
}

func TestConcurrentPredictAndEvaluate(t *testing.T) {
	x, y := sinData(300, 5)
	m := tanhNet(t, optim.Adam(optim.AdamConfig{LearningRate: 0.01}), ScaleInputs(MinMax))
	_, err := m.Fit(context.Background(), x, y, FitConfig{Epochs: 5})
	require.NoError(t, err)
	inputs := make([]*mat.Dense, 8)
	want := make([][]float64, 8)
	wantLoss := make([]float64, 8)
	for g := range inputs {
		xi, yi := sinData(20+37*g, uint64(g+10))
		inputs[g] = xi
		p, err := m.Predict(xi)
		require.NoError(t, err)
		want[g] = p.RawMatrix().Data
		ev, err := m.Evaluate(xi, yi)
		require.NoError(t, err)
		wantLoss[g] = ev.Loss
	}
	var wg sync.WaitGroup
	errs := make(chan error, 8*50)
	for g := range inputs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, yi := sinData(20+37*g, uint64(g+10))
			for range 50 {
				p, err := m.Predict(inputs[g])
				if err != nil {
					errs <- err
					return
				}
				ev, err := m.Evaluate(inputs[g], yi)
				if err != nil {
					errs <- err
					return
				}
				if !assert.Equal(t, want[g], p.RawMatrix().Data) || !assert.Equal(t, wantLoss[g], ev.Loss) {
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
}

func TestFitIsExclusive(t *testing.T) {
	x, y := sinData(200, 5)
	m := tanhNet(t, optim.SGD(optim.SGDConfig{}))
	started := make(chan struct{})
	release := make(chan struct{})
	hold := &holdCallback{started: started, release: release}
	done := make(chan error)
	go func() {
		_, err := m.Fit(context.Background(), x, y, FitConfig{Epochs: 2, Callbacks: []Callback{hold}})
		done <- err
	}()
	<-started
	_, err := m.Fit(context.Background(), x, y, FitConfig{Epochs: 1})
	assert.True(t, errors.Is(err, ErrBusy), "%v", err)
	assert.True(t, errors.Is(m.Compile(Input(1), losses.MSE(), optim.SGD(optim.SGDConfig{})), ErrBusy))
	_, err = m.Predict(x) // allowed: it sees the weights between two steps
	assert.NoError(t, err)
	close(release)
	require.NoError(t, <-done)
	_, err = m.Fit(context.Background(), x, y, FitConfig{Epochs: 1})
	assert.NoError(t, err, "the model is free again")
}

// holdCallback blocks the first epoch until released.
type holdCallback struct {
	BaseCallback
	started, release chan struct{}
	once             sync.Once
}

func (h *holdCallback) OnEpochEnd(*State) error {
	h.once.Do(func() {
		close(h.started)
		<-h.release
	})
	return nil
}

func TestPredictDuringFitIsRaceFree(t *testing.T) {
	x, y := sinData(100, 5)
	m := tanhNet(t, optim.Adam(optim.AdamConfig{}))
	done := make(chan struct{})
	go func() {
		defer close(done)
		for range 20 {
			if _, err := m.Predict(x); err != nil {
				t.Error(err)
				return
			}
		}
	}()
	_, err := m.Fit(context.Background(), x, y, FitConfig{Epochs: 20, BatchSize: 10})
	require.NoError(t, err)
	<-done
}

func TestReduceLROnPlateauHonoursMinRate(t *testing.T) {
	x, y := sinData(40, 3)
	opt := optim.SGD(optim.SGDConfig{LearningRate: 1e-12}) // no progress: a plateau
	m := tanhNet(t, opt)
	_, err := m.Fit(context.Background(), x, y, FitConfig{Epochs: 9, BatchSize: -1,
		Callbacks: []Callback{ReduceLROnPlateau("loss", optim.PlateauConfig{Patience: 2, Factor: 0.5, MinRate: 0.3e-12})}})
	require.NoError(t, err)
	// 1.0 → 0.5 → 0.3 (the floor), never 0.25 or 0.125.
	assert.InDelta(t, 0.3, opt.RateScale(), 1e-12)
}

// TestSumSquaresCacheFollowsBatchAndWeights: the cached loss is reused only
// for the same batch at the same θ; another batch or other weights are
// evaluated afresh.
func TestSumSquaresCacheFollowsBatchAndWeights(t *testing.T) {
	x, y := sinData(64, 9)
	m := tanhNet(t, optim.LM(optim.LMConfig{}))
	d, err := m.dataset(x, y)
	require.NoError(t, err)
	ctx := context.Background()
	fresh := func(lo, hi int) float64 {
		o := newBatchObjective(m, hi-lo)
		o.setBatch(d, nil, lo, hi)
		v, err := o.SumSquares(ctx)
		require.NoError(t, err)
		return v
	}
	o := newBatchObjective(m, 32)
	o.setBatch(d, nil, 0, 32)
	a, err := o.SumSquares(ctx)
	require.NoError(t, err)
	o.setBatch(d, nil, 32, 64)
	b, err := o.SumSquares(ctx)
	require.NoError(t, err)
	assert.NotEqual(t, a, b)
	assert.Equal(t, fresh(32, 64), b, "a new batch must not reuse the last batch's loss")
	m.Params().Theta()[0] += 0.5
	c, err := o.SumSquares(ctx)
	require.NoError(t, err)
	assert.Equal(t, fresh(32, 64), c, "new weights must not reuse the cached loss")
	assert.NotEqual(t, b, c)
}
