package golem

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"io"
	"math"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"gonum.org/v1/gonum/mat"

	"github.com/golem-ml/golem/layers"
	"github.com/golem-ml/golem/losses"
	"github.com/golem-ml/golem/optim"
)

var update = flag.Bool("update", false, "rewrite golden files")

func TestFirstOrderMinGradStop(t *testing.T) {
	x, y := sinData(50, 1)
	m := tanhNet(t, optim.Adam(optim.AdamConfig{LearningRate: 0.01}))
	h, err := m.Fit(context.Background(), x, y, FitConfig{Epochs: 5000, BatchSize: -1, MinGrad: 0.05})
	require.NoError(t, err)
	assert.Equal(t, StopMinGrad, h.Stop)
	assert.Less(t, h.GradNorm[h.Len()-1], 0.05)
	assert.Less(t, h.Len(), 5000)
}

// TestNaNStops: a learning rate that blows up ends training with
// StopNaN and finite weights — as an error by default, gracefully with
// TerminateOnNaN.
func TestNaNStops(t *testing.T) {
	x, y := sinData(50, 1)
	for _, graceful := range []bool{false, true} {
		m := tanhNet(t, optim.SGD(optim.SGDConfig{LearningRate: 1e6}))
		cfg := FitConfig{Epochs: 100, BatchSize: -1}
		if graceful {
			cfg.Callbacks = []Callback{TerminateOnNaN()}
		}
		h, err := m.Fit(context.Background(), x, y, cfg)
		assert.Equal(t, StopNaN, h.Stop)
		if graceful {
			// The loss of a step can go non-finite before its gradient does.
			if err != nil {
				assert.True(t, errors.Is(err, optim.ErrNotFinite), "%v", err)
			}
		} else {
			require.Error(t, err)
			assert.True(t, errors.Is(err, optim.ErrNotFinite), "%v", err)
		}
		for _, v := range m.Params().Theta() {
			require.False(t, math.IsNaN(v), "weights must stay finite")
		}
	}
}

// TestStopsRestoreBestValidationWeights: a time limit (or any stop) with
// validation data still ends with the best epoch's weights.
func TestStopsRestoreBestValidationWeights(t *testing.T) {
	x, y := sinData(20, 6)
	vx, vy := sinData(200, 7)
	m := tanhNet(t, optim.Adam(optim.AdamConfig{LearningRate: 0.05})) // no stop of its own
	h, err := m.Fit(context.Background(), x, y, FitConfig{Epochs: 1 << 20, BatchSize: -1, ValidationX: vx, ValidationY: vy, Patience: -1, TimeLimit: 100 * time.Millisecond})
	require.NoError(t, err)
	assert.Equal(t, StopTimeLimit, h.Stop)
	assert.True(t, h.Restored)
	ev, err := m.Evaluate(vx, vy)
	require.NoError(t, err)
	assert.Equal(t, h.ValLoss[h.BestEpoch-1], ev.Loss)
	for _, v := range h.ValLoss {
		assert.GreaterOrEqual(t, v, ev.Loss)
	}
}

func TestRandomDivision(t *testing.T) {
	x, y := sinData(100, 2)
	m := tanhNet(t, optim.LM(optim.LMConfig{}))
	h, err := m.Fit(context.Background(), x, y, FitConfig{Epochs: 5, Division: RandomDivision(), Seed: 4, Patience: -1})
	require.NoError(t, err)
	assert.Len(t, h.TrainIndex, 70)
	assert.Len(t, h.ValIndex, 15)
	assert.Len(t, h.TestIndex, 15)
	seen := map[int]bool{}
	for _, part := range [][]int{h.TrainIndex, h.ValIndex, h.TestIndex} {
		for _, i := range part {
			require.False(t, seen[i], "sample %d in two parts", i)
			seen[i] = true
		}
	}
	assert.Len(t, seen, 100)
	assert.Len(t, h.TestLoss, 5)
	assert.Len(t, h.ValLoss, 5)
	// The test loss is the loss on exactly the recorded test samples.
	tx, ty := mat.NewDense(15, 1, nil), mat.NewDense(15, 1, nil)
	for r, i := range h.TestIndex {
		tx.Set(r, 0, x.At(i, 0))
		ty.Set(r, 0, y.At(i, 0))
	}
	_, err = m.Fit(context.Background(), x, y, FitConfig{Epochs: 1, Division: &Division{Train: 0.5, Val: 0.6}})
	assert.ErrorContains(t, err, "add up to 1")
	m2 := tanhNet(t, optim.LM(optim.LMConfig{}))
	h2, err := m2.Fit(context.Background(), x, y, FitConfig{Epochs: 5, Division: RandomDivision(), Seed: 4, Patience: -1, KeepLastWeights: true})
	require.NoError(t, err)
	assert.Equal(t, h.TestIndex, h2.TestIndex, "same seed, same division")
	ev, err := m2.Evaluate(tx, ty)
	require.NoError(t, err)
	assert.InDelta(t, h2.TestLoss[4], ev.Loss, 1e-15)
}

func TestClassWeight(t *testing.T) {
	// Three samples per class; weighting class 1 by 3 makes the epoch loss
	// the weighted mean.
	x := mat.NewDense(6, 1, []float64{-1, -0.5, 0, 0.5, 1, 1.5})
	y := mat.NewDense(6, 1, []float64{0, 0, 0, 1, 1, 1})
	m := NewSequential(layers.Dense(1, layers.Sigmoid))
	require.NoError(t, m.Compile(Input(1), losses.BinaryCrossEntropy(), &gradientRecorder{}))
	hw, err := m.Fit(context.Background(), x, y, FitConfig{BatchSize: -1, ClassWeight: []float64{1, 3}})
	require.NoError(t, err)
	hs, err := m.Fit(context.Background(), x, y, FitConfig{BatchSize: -1, SampleWeight: []float64{1, 1, 1, 3, 3, 3}})
	require.NoError(t, err)
	assert.Equal(t, hs.Loss, hw.Loss)
	_, err = m.Fit(context.Background(), x, y, FitConfig{ClassWeight: []float64{1}})
	assert.ErrorContains(t, err, "class 1, but ClassWeight has 1 entries")
}

// failingWriter fails after limit bytes, like a disk filling up mid-save.
type failingWriter struct {
	w     io.Writer
	limit int
}

func (f *failingWriter) Write(p []byte) (int, error) {
	if len(p) > f.limit {
		n, _ := f.w.Write(p[:f.limit])
		f.limit = 0
		return n, errors.New("disk full")
	}
	f.limit -= len(p)
	return f.w.Write(p)
}

func TestModelCheckpointSurvivesAFailedWrite(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "best.golem")
	x, y := sinData(50, 3)
	m := tanhNet(t, optim.Adam(optim.AdamConfig{LearningRate: 0.01}))
	cp := ModelCheckpoint(path, ModelCheckpointConfig{})
	_, err := m.Fit(context.Background(), x, y, FitConfig{Epochs: 3, BatchSize: -1, Callbacks: []Callback{cp}})
	require.NoError(t, err)
	good, err := os.ReadFile(path)
	require.NoError(t, err)

	// The next save dies mid-write.
	cp.(*modelCheckpoint).wrap = func(w io.Writer) io.Writer { return &failingWriter{w: w, limit: 100} }
	cp.(*modelCheckpoint).best = math.Inf(1)
	_, err = m.Fit(context.Background(), x, y, FitConfig{Epochs: 1, BatchSize: -1, Callbacks: []Callback{cp}})
	require.ErrorContains(t, err, "disk full")
	after, err := os.ReadFile(path)
	require.NoError(t, err)
	assert.Equal(t, good, after, "the previous checkpoint is untouched")
	fresh := tanhNet(t, optim.SGD(optim.SGDConfig{}))
	require.NoError(t, fresh.Load(bytes.NewReader(after)))
	entries, err := os.ReadDir(dir)
	require.NoError(t, err)
	assert.Len(t, entries, 1, "no temporary file is left behind")
}

func TestCSVLogger(t *testing.T) {
	x, y := sinData(40, 3)
	vx, vy := sinData(20, 4)
	var buf bytes.Buffer
	m := tanhNet(t, optim.LM(optim.LMConfig{}), WithMetrics(losses.RMSE()))
	_, err := m.Fit(context.Background(), x, y, FitConfig{Epochs: 3, ValidationX: vx, ValidationY: vy, Callbacks: []Callback{CSVLogger(&buf)}})
	require.NoError(t, err)
	lines := strings.Split(strings.TrimSpace(buf.String()), "\n")
	require.Len(t, lines, 4)
	assert.Equal(t, "epoch,loss,val_loss,test_loss,rmse,val_rmse,mu,grad_norm,seconds", lines[0])
	assert.True(t, strings.HasPrefix(lines[1], "1,"))
	assert.Contains(t, lines[3], ",,", "no test data: empty test_loss")
}

func TestReduceLROnPlateau(t *testing.T) {
	x, y := sinData(40, 3)
	opt := optim.SGD(optim.SGDConfig{LearningRate: 1e-12}) // no progress: a plateau
	m := tanhNet(t, opt)
	_, err := m.Fit(context.Background(), x, y, FitConfig{Epochs: 5, BatchSize: -1,
		Callbacks: []Callback{ReduceLROnPlateau("loss", optim.PlateauConfig{Patience: 2, Factor: 0.5})}})
	require.NoError(t, err)
	// Epoch 1 sets the best; 2 and 3 are flat → ×0.5; 4 and 5 → ×0.5.
	assert.Equal(t, 0.25, opt.RateScale())

	lm := tanhNet(t, optim.LM(optim.LMConfig{}))
	_, err = lm.Fit(context.Background(), x, y, FitConfig{Epochs: 1, Callbacks: []Callback{ReduceLROnPlateau("", optim.PlateauConfig{})}})
	assert.ErrorContains(t, err, "first-order optimizer")
}

// TestVerboseOutputGolden pins the per-epoch lines users grep (times are
// masked). Regenerate with go test -run Golden -update.
func TestVerboseOutputGolden(t *testing.T) {
	x, y := sinData(60, 5)
	var buf bytes.Buffer
	m := NewSequential(layers.Dense(6, layers.Tanh, layers.NguyenWidrow(-2, 2)), layers.Dense(1))
	require.NoError(t, m.Compile(Input(1), losses.MSE(), optim.LM(optim.LMConfig{}), WithMetrics(losses.RMSE())))
	_, err := m.Fit(context.Background(), x, y, FitConfig{Epochs: 12, Division: RandomDivision(), Seed: 1, Verbose: 2, Output: &buf})
	require.NoError(t, err)
	got := regexp.MustCompile(` - [0-9.]+(ns|µs|ms|s)\n`).ReplaceAllString(buf.String(), " - <time>\n")
	golden := filepath.Join("testdata", "fit_verbose2.golden")
	if *update {
		require.NoError(t, os.WriteFile(golden, []byte(got), 0o644))
	}
	want, err := os.ReadFile(golden)
	require.NoError(t, err)
	assert.Equal(t, string(want), got)
}

// TestTimeLimitStopsWithinABatch: with many small batches per epoch, the
// time limit ends training mid-epoch.
func TestTimeLimitStopsWithinABatch(t *testing.T) {
	// Enough batches that an epoch outlasts the limit even when a step
	// takes a few microseconds (golem's executor).
	x, y := sinData(20000, 2)
	m := tanhNet(t, optim.SGD(optim.SGDConfig{}))
	h, err := m.Fit(context.Background(), x, y, FitConfig{Epochs: 3, BatchSize: 1, TimeLimit: 20 * time.Millisecond})
	require.NoError(t, err)
	assert.Equal(t, StopTimeLimit, h.Stop)
	assert.Equal(t, 1, h.Len(), "stopped inside the first epoch")
	assert.Less(t, len(h.Steps), 20000)
	var mean float64
	for _, s := range h.Steps {
		mean += s.Loss
	}
	assert.InDelta(t, mean/float64(len(h.Steps)), h.Loss[0], 1e-12, "the partial epoch reports the mean over its batches")
}
