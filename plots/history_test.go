package plots

import (
	"context"
	"math"
	"math/rand/v2"
	"path/filepath"
	"strings"
	"testing"

	"gonum.org/v1/gonum/mat"

	"github.com/golem-ml/golem"
	"github.com/golem-ml/golem/layers"
	"github.com/golem-ml/golem/losses"
	"github.com/golem-ml/golem/optim"
)

// sinData is y = 1.5·sin(πx) + noise on x in [-2, 2].
func sinData(n int, seed uint64) (x, y *mat.Dense) {
	rng := rand.New(rand.NewPCG(seed, 1))
	x, y = mat.NewDense(n, 1, nil), mat.NewDense(n, 1, nil)
	for i := 0; i < n; i++ {
		v := -2 + 4*rng.Float64()
		x.Set(i, 0, v)
		y.Set(i, 0, 1.5*math.Sin(math.Pi*v)+0.2*rng.NormFloat64())
	}
	return x, y
}

// trained fits a 1-8-1 tanh network with opt for epochs.
func trained(t *testing.T, opt optim.Optimizer, loss losses.Loss, cfg golem.FitConfig) (*golem.Model, *golem.History, *mat.Dense, *mat.Dense) {
	t.Helper()
	x, y := sinData(60, 3)
	m := golem.NewSequential(layers.Dense(8, layers.Tanh), layers.Dense(1))
	if err := m.Compile(golem.Input(1), loss, opt, golem.WithSeed(1)); err != nil {
		t.Fatal(err)
	}
	h, err := m.Fit(context.Background(), x, y, cfg)
	if err != nil {
		t.Fatal(err)
	}
	return m, h, x, y
}

// TestHistoryPlots: each run writes both files at their documented sizes;
// the training-state plot has one 2.2-inch panel per quantity the run
// records — gradient and μ and validation checks for LM with a division,
// gradient, μ, γ and the sum of squared weights for BR, the gradient alone
// for Adam without validation.
func TestHistoryPlots(t *testing.T) {
	for _, c := range []struct {
		name   string
		opt    optim.Optimizer
		loss   losses.Loss
		cfg    golem.FitConfig
		panels int
	}{
		{"lm", optim.LM(optim.LMConfig{}), losses.MSE(), golem.FitConfig{Epochs: 15, Division: golem.RandomDivision(), Seed: 2}, 3},
		{"br", optim.BR(optim.BRConfig{}), losses.SSE(), golem.FitConfig{Epochs: 5}, 4},
		{"adam", optim.Adam(optim.AdamConfig{LearningRate: 0.01}), losses.MSE(), golem.FitConfig{Epochs: 10, BatchSize: -1}, 1},
	} {
		_, h, _, _ := trained(t, c.opt, c.loss, c.cfg)
		dir := filepath.Join(t.TempDir(), "new", c.name)
		paths, err := History(dir, h)
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		if len(paths) != 2 || filepath.Base(paths[0]) != "performance.png" || filepath.Base(paths[1]) != "trainstate.png" {
			t.Fatalf("%s: paths %v", c.name, paths)
		}
		perf := decodePNG(t, paths[0], inches(7), inches(4.5), bluePx, greenPx, redPx)
		if perf[0] < 200 {
			t.Errorf("%s: the training loss (blue) has %d pixels", c.name, perf[0])
		}
		if validation := h.ValLoss != nil; validation != (perf[1] > 200 && perf[2] > 200) {
			t.Errorf("%s: validation %v, but validation (green) %d and test (red) %d pixels", c.name, validation, perf[1], perf[2])
		}
		decodePNG(t, paths[1], inches(7), inches(2.2*float64(c.panels)))
	}
}

// TestHistoryErrors: a History that cannot be plotted is an error naming
// why, and writes nothing.
func TestHistoryErrors(t *testing.T) {
	dir := t.TempDir()
	for _, c := range []struct {
		h    *golem.History
		want string
	}{
		{nil, "nil"},
		{&golem.History{}, "no epochs"},
		{&golem.History{Epoch: []int{1, 2}, Loss: []float64{1}}, "2 epochs but 1 training losses"},
		{&golem.History{Epoch: []int{1}, Loss: []float64{1}, ValLoss: []float64{1, 2}}, "1 epochs but 2 validation losses"},
	} {
		if _, err := History(dir, c.h); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("History: %v, want an error containing %q", err, c.want)
		}
	}
	// A hand-made History with losses alone plots its performance but has
	// no training state to show.
	h := &golem.History{Epoch: []int{1, 2, 3}, Loss: []float64{3, 2, 1}}
	if err := Performance(filepath.Join(dir, "p.png"), h); err != nil {
		t.Error(err)
	}
	if err := TrainingState(filepath.Join(dir, "s.png"), h); err == nil || !strings.Contains(err.Error(), "no gradient norm") {
		t.Errorf("TrainingState of losses alone: %v", err)
	}
	noFile(t, filepath.Join(dir, "s.png"))
	noFile(t, filepath.Join(dir, "trainstate.png"))
}

// TestRegression: R is the correlation of the model's outputs with the
// targets, computed here by hand; the PNG is 5 × 5 inches.
func TestRegression(t *testing.T) {
	m, _, x, y := trained(t, optim.LM(optim.LMConfig{}), losses.MSE(), golem.FitConfig{Epochs: 20})
	path := filepath.Join(t.TempDir(), "sub", "regression.png")
	r, err := Regression(path, m, x, y, "Training")
	if err != nil {
		t.Fatal(err)
	}
	pred, err := m.Predict(x)
	if err != nil {
		t.Fatal(err)
	}
	want := pearson(y.RawMatrix().Data, pred.RawMatrix().Data)
	if math.Abs(r-want) > 1e-12 || r < 0.9 {
		t.Errorf("R = %v, want %v (and > 0.9 after 20 LM epochs)", r, want)
	}
	if c := decodePNG(t, path, inches(5), inches(5), bluePx); c[0] < 100 {
		t.Errorf("the fitted line (blue) has %d pixels", c[0])
	}

	bad := filepath.Join(t.TempDir(), "bad.png")
	for _, c := range []struct {
		y    mat.Matrix
		want string
	}{
		{mat.NewDense(59, 1, nil), "y is 59×1, the outputs 60×1"},
		{mat.NewDense(60, 1, nil), "targets are all 0"},
		{nil, "y is nil"},
	} {
		if _, err := Regression(bad, m, x, c.y, ""); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("Regression: %v, want an error containing %q", err, c.want)
		}
	}
	noFile(t, bad)
}

// TestRegressionGrid: one panel per split of two or more samples plus All,
// two to a row, each R the correlation over its rows; a row outside y is
// an error that writes nothing.
func TestRegressionGrid(t *testing.T) {
	m, _, x, y := trained(t, optim.LM(optim.LMConfig{}), losses.MSE(), golem.FitConfig{Epochs: 20})
	pred, err := m.Predict(x)
	if err != nil {
		t.Fatal(err)
	}
	rowsR := func(rows []int) float64 {
		var a, b []float64
		for _, i := range rows {
			a, b = append(a, y.At(i, 0)), append(b, pred.At(i, 0))
		}
		return pearson(a, b)
	}
	train, val, test := []int{0, 3, 5, 7, 9, 11, 20, 30}, []int{1, 2, 4, 6}, []int{8}
	all := make([]int, 60)
	for i := range all {
		all[i] = i
	}
	path := filepath.Join(t.TempDir(), "grid.png")
	rs, err := RegressionGrid(path, m, x, y, Split{"Training", train}, Split{"Validation", val}, Split{"Test", test})
	if err != nil {
		t.Fatal(err)
	}
	want := []float64{rowsR(train), rowsR(val), rowsR(all)} // Test has one sample: no panel
	if len(rs) != len(want) {
		t.Fatalf("R %v, want %v", rs, want)
	}
	for i := range want {
		if math.Abs(rs[i]-want[i]) > 1e-12 {
			t.Errorf("panel %d: R = %v, want %v", i, rs[i], want[i])
		}
	}
	decodePNG(t, path, inches(10), inches(10)) // three panels: two rows of two

	bad := filepath.Join(t.TempDir(), "bad.png")
	if _, err := RegressionGrid(bad, m, x, y, Split{"Test", []int{1, 60}}); err == nil || !strings.Contains(err.Error(), "split Test has row 60") {
		t.Errorf("RegressionGrid: %v, want a row error", err)
	}
	noFile(t, bad)
}

// pearson is the sample correlation of a and b.
func pearson(a, b []float64) float64 {
	var ma, mb float64
	for i := range a {
		ma, mb = ma+a[i], mb+b[i]
	}
	ma, mb = ma/float64(len(a)), mb/float64(len(b))
	var sab, saa, sbb float64
	for i := range a {
		sab += (a[i] - ma) * (b[i] - mb)
		saa += (a[i] - ma) * (a[i] - ma)
		sbb += (b[i] - mb) * (b[i] - mb)
	}
	return sab / math.Sqrt(saa*sbb)
}

// TestHistoryOfOneEpoch: a run of one epoch (Ctrl-C in the first, or a fit
// that converges at once) still plots, its loss drawn. gonum/plot widens a
// log axis over a single value by ±1, below 0, and panicked.
func TestHistoryOfOneEpoch(t *testing.T) {
	for _, division := range []bool{false, true} {
		cfg := golem.FitConfig{Epochs: 1, Seed: 4}
		if division {
			cfg.Division = golem.RandomDivision()
		}
		_, h, _, _ := trained(t, optim.LM(optim.LMConfig{}), losses.MSE(), cfg)
		if h.Len() != 1 {
			t.Fatalf("%d epochs", h.Len())
		}
		paths, err := History(t.TempDir(), h)
		if err != nil {
			t.Fatalf("division %v: %v", division, err)
		}
		if perf := decodePNG(t, paths[0], inches(7), inches(4.5), bluePx); perf[0] == 0 {
			t.Errorf("division %v: no training loss drawn", division)
		}
	}
}
