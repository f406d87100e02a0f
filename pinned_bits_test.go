package golem_test

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"gonum.org/v1/gonum/mat"

	"github.com/golem-ml/golem"
	"github.com/golem-ml/golem/internal/nist"
	"github.com/golem-ml/golem/layers"
	"github.com/golem-ml/golem/losses"
	"github.com/golem-ml/golem/optim"
)

// The fits below pin golem's results bit for bit: the final θ, the layers'
// state and every epoch's loss, as computed on main before the fixed-cost
// work of issue 16 (commit 5cd23f7). A speed-up that changes a single bit
// of any of them (a different summation order, another shuffle, another
// draw of Dropout's masks or of the Division) fails here.
//
// The fixture is written by
//
//	go test -run TestPinnedFitBits -update-pinned-bits .
//
// which must only ever be run on a commit whose results are the reference;
// a change that is meant to alter results says so and regenerates it.
var updatePinned = flag.Bool("update-pinned-bits", false, "rewrite testdata/pinned_bits.json from this build")

const pinnedFile = "testdata/pinned_bits.json"

// pinnedRun is what one fit pins, as hexadecimal float64 bits.
type pinnedRun struct {
	Theta []string `json:"theta"`
	State []string `json:"state,omitempty"`
	Loss  []string `json:"loss"`
	Steps int      `json:"steps"`
	Stop  string   `json:"stop"`
}

func bitsOf(v []float64) []string {
	out := make([]string, len(v))
	for i, f := range v {
		out[i] = fmt.Sprintf("%016x", math.Float64bits(f))
	}
	return out
}

func pin(m *golem.Model, h *golem.History) pinnedRun {
	r := pinnedRun{Theta: bitsOf(m.Params().Theta()), Loss: bitsOf(h.Loss), Steps: len(h.Steps), Stop: string(h.Stop)}
	if st := m.Params().StateValues(); len(st) > 0 {
		r.State = bitsOf(st)
	}
	return r
}

// pinSpirals is n points on three interleaved spiral arms and their labels.
func pinSpirals(n int) (x, labels *mat.Dense) {
	rng := rand.New(rand.NewPCG(2, 3))
	x, labels = mat.NewDense(n, 2, nil), mat.NewDense(n, 1, nil)
	per := n / 3
	for i := 0; i < n; i++ {
		c := i % 3
		r := 0.15 + 0.85*float64(i/3)/float64(per-1)
		a := 2*math.Pi*float64(c)/3 + math.Pi*r
		x.Set(i, 0, r*math.Cos(a)+0.02*rng.NormFloat64())
		x.Set(i, 1, r*math.Sin(a)+0.02*rng.NormFloat64())
		labels.Set(i, 0, float64(c))
	}
	return x, labels
}

// pinSin is n random points of 1.5·sin(πx) + noise.
func pinSin(n int) (x, y *mat.Dense) {
	rng := rand.New(rand.NewPCG(4, 1))
	x, y = mat.NewDense(n, 1, nil), mat.NewDense(n, 1, nil)
	for i := 0; i < n; i++ {
		xi := -2 + 4*rng.Float64()
		x.Set(i, 0, xi)
		y.Set(i, 0, 1.5*math.Sin(math.Pi*xi)+0.2*rng.NormFloat64())
	}
	return x, y
}

// pinnedFits are the fits the fixture holds, by name.
func pinnedFits(t *testing.T) map[string]pinnedRun {
	ctx := context.Background()
	out := map[string]pinnedRun{}
	fit := func(name string, m *golem.Model, in int, loss losses.Loss, opt optim.Optimizer, x, y mat.Matrix, cfg golem.FitConfig, opts ...golem.CompileOption) {
		t.Helper()
		require.NoError(t, m.Compile(golem.Input(in), loss, opt, opts...), name)
		h, err := m.Fit(ctx, x, y, cfg)
		require.NoError(t, err, name)
		out[name] = pin(m, h)
	}
	tanhModel := func() *golem.Model {
		return golem.NewSequential(layers.Parametric("tanh1", benchTanhCurve, 1, 0, 0, 1))
	}

	// The one-unit tanh curve of the benchmark, trainlm defaults.
	x, y := tanhData()
	fit("tanh", tanhModel(), 1, losses.MSE(), optim.LM(optim.LMConfig{}), x, y, golem.FitConfig{})
	// The same with a random Division (the run's RNG draws the division,
	// then shuffles every epoch) and early stopping on the validation part.
	fit("tanh-division", tanhModel(), 1, losses.MSE(), optim.LM(optim.LMConfig{}), x, y,
		golem.FitConfig{Division: golem.RandomDivision(), Seed: 7})

	// One NIST problem from both starts, as the NIST benchmark fits it.
	p, err := nist.Load("internal/nist/testdata", "MGH09")
	require.NoError(t, err)
	for s := 0; s < 2; s++ {
		layer, err := nist.Model(p.Name, p.Start[s])
		require.NoError(t, err)
		_, cols := p.X.Dims()
		fit(fmt.Sprintf("nist-MGH09-start%d", s+1), golem.NewSequential(layer), cols, losses.SSE(), optim.LM(optim.CurveFit()), p.X, p.Y, golem.FitConfig{})
	}

	// A softmax classifier trained by LM (three spirals, sparse labels).
	sx, labels := pinSpirals(150)
	fit("lm-softmax", golem.NewSequential(layers.Dense(10, layers.Tanh), layers.Dense(3, layers.Softmax)), 2,
		losses.SparseCategoricalCrossEntropy(), optim.LM(optim.LMConfig{}), sx, labels, golem.FitConfig{Epochs: 40}, golem.WithSeed(2))

	// LM on mini-batches: shuffled every epoch.
	nx, ny := pinSin(300)
	fit("lm-minibatch", golem.NewSequential(layers.Dense(8, layers.Tanh), layers.Dense(1)), 1,
		losses.MSE(), optim.LM(optim.LMConfig{}), nx, ny, golem.FitConfig{Epochs: 3, BatchSize: 100, MiniBatch: true, Seed: 5}, golem.WithSeed(3))

	// Adam through BatchNormalization and Dropout, on mini-batches and on
	// the full batch (where the shuffled order sets the gradient's
	// summation order), with a validation split.
	bnDrop := func() *golem.Model {
		return golem.NewSequential(layers.Dense(12, layers.Tanh), layers.BatchNormalization(), layers.Dropout(0.2), layers.Dense(1))
	}
	fit("adam-bn-dropout", bnDrop(), 1, losses.MSE(), optim.Adam(optim.AdamConfig{LearningRate: 0.01}), nx, ny,
		golem.FitConfig{Epochs: 6, BatchSize: 32, Seed: 9, ValidationSplit: 0.2}, golem.WithSeed(4))
	fit("adam-bn-dropout-fullbatch", bnDrop(), 1, losses.MSE(), optim.Adam(optim.AdamConfig{LearningRate: 0.01}), nx, ny,
		golem.FitConfig{Epochs: 20, BatchSize: -1, Seed: 11}, golem.WithSeed(5))
	return out
}

// TestPinnedFitBits: the fits above give, bit for bit, what they gave on
// main before the fixed-cost work (testdata/pinned_bits.json).
func TestPinnedFitBits(t *testing.T) {
	got := pinnedFits(t)
	if *updatePinned {
		b, err := json.MarshalIndent(got, "", "  ")
		require.NoError(t, err)
		require.NoError(t, os.WriteFile(pinnedFile, append(b, '\n'), 0o644))
		t.Logf("wrote %s", pinnedFile)
		return
	}
	b, err := os.ReadFile(pinnedFile)
	require.NoError(t, err)
	var want map[string]pinnedRun
	require.NoError(t, json.Unmarshal(b, &want))
	require.Len(t, got, len(want))
	for name, w := range want {
		assert.Equal(t, w, got[name], name)
	}
	// Run twice: the second set of fits (fresh models, the same process)
	// gives the same bits as the first.
	again := pinnedFits(t)
	assert.Equal(t, got, again)
}
