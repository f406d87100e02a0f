package golem

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"testing"

	"github.com/golem-ml/golem/layers"
	"github.com/golem-ml/golem/losses"
	"github.com/golem-ml/golem/optim"
)

var updateCorpus = flag.Bool("update-corpus", false, "rewrite testdata/fuzz/FuzzLoad from testdata/models")

// Load may allocate at most loadAllocPerByte bytes per file byte, plus
// loadAllocSlack for fixed costs (buffers, building a model's layers).
const (
	loadAllocPerByte = 64
	loadAllocSlack   = 256 << 10
)

// fuzzTarget is the model a fuzz input is loaded into: architecture
// target/2, compiled when target is odd.
func fuzzTarget(t testing.TB, target uint8) (fileArch, *Sequential) {
	a := fileArchs[int(target/2)%len(fileArchs)]
	if target%2 == 1 {
		return a, a.compiled(t, 9)
	}
	return a, a.bare()
}

// FuzzLoad: Load never panics, allocates at most a constant times the
// file's size, leaves the model untouched when it fails, and when it
// succeeds the model saves to a file that loads to the same state (and a
// version 2 file saves back to the same bytes).
//
// The seed corpus (testdata/fuzz/FuzzLoad) holds real files of every
// fileArchs architecture, both format versions, each for a compiled and an
// uncompiled model. Plain go test runs it; to fuzz:
//
//	go test -run '^$' -fuzz '^FuzzLoad$' -fuzztime 10s .
func FuzzLoad(f *testing.F) {
	f.Fuzz(func(t *testing.T, data []byte, target uint8) {
		a, m := fuzzTarget(t, target)
		before := stateOf(m)
		var err error
		n := allocated(func() { err = m.Load(bytes.NewReader(data)) })
		if limit := uint64(loadAllocPerByte*len(data) + loadAllocSlack); n > limit {
			t.Fatalf("Load of %d bytes allocated %d bytes (limit %d); err = %v", len(data), n, limit, err)
		}
		if err != nil {
			if after := stateOf(m); !sameState(before, after) {
				t.Fatalf("a failed Load (%v) changed the model", err)
			}
			return
		}
		var out bytes.Buffer
		if err := m.Save(&out); err != nil {
			t.Fatalf("a loaded model does not save: %v", err)
		}
		if bytes.HasPrefix(data, []byte("golem-weights 2\n")) {
			sameBytesUpToLoss(t, data, out.Bytes(), target%2 == 1)
		}
		again := a.bare()
		if err := again.Load(bytes.NewReader(out.Bytes())); err != nil {
			t.Fatalf("a saved file does not load: %v", err)
		}
		if !sameState(stateOf(m).loaded(), stateOf(again).loaded()) {
			t.Fatalf("the saved file loads to another state")
		}
		var out2 bytes.Buffer
		if err := again.Save(&out2); err != nil || !bytes.Equal(out.Bytes(), out2.Bytes()) {
			t.Fatalf("saving the reloaded model gives other bytes (%v)", err)
		}
	})
}

// sameBytesUpToLoss: a version 2 file loaded and saved gives the same
// bytes, except that a compiled model records its own loss and metrics
// (an uncompiled one writes back the file's records, whatever they are).
func sameBytesUpToLoss(t *testing.T, data, out []byte, compiled bool) {
	t.Helper()
	if bytes.Equal(out, data) {
		return
	}
	if !compiled {
		t.Fatalf("a version 2 file loaded into an uncompiled model saved to other bytes")
	}
	file, err := readWeights(bytes.NewReader(data))
	if err != nil {
		t.Fatalf("a loaded file does not read: %v", err)
	}
	saved, err := readWeights(bytes.NewReader(out))
	if err != nil {
		t.Fatalf("a saved file does not read: %v", err)
	}
	if reflect.DeepEqual(file.head.Loss, saved.head.Loss) && reflect.DeepEqual(file.head.Metrics, saved.head.Metrics) {
		t.Fatalf("a version 2 file loaded and saved to other bytes, with the same loss and metrics")
	}
	saved.head.Loss, saved.head.Metrics = file.head.Loss, file.head.Metrics
	head, err := json.Marshal(saved.head)
	if err != nil {
		t.Fatal(err)
	}
	start, savedStart := bodyStart(data), bodyStart(out)
	if !bytes.Equal(data[:start], []byte("golem-weights 2\n"+string(head)+"\n")) ||
		!bytes.Equal(data[start:len(data)-4], out[savedStart:len(out)-4]) {
		t.Fatalf("a version 2 file loaded into a compiled model saved to bytes that differ beyond the loss and metrics")
	}
}

// loaded keeps what a file determines: weights, scalers and layout.
func (s observedState) loaded() observedState {
	return observedState{theta: s.theta, input: s.input, output: s.output, names: s.names, inValue: s.inValue, outValue: s.outValue}
}

func sameState(a, b observedState) bool {
	return fmt.Sprint(a) == fmt.Sprint(b) && a.params == b.params && a.loss == b.loss &&
		a.inScale == b.inScale && a.outScale == b.outScale
}

// namedLoss is a custom loss: another name for a built-in one.
type namedLoss struct {
	losses.Loss
	name string
}

func (l namedLoss) Name() string { return l.name }

// namedMetric is a custom metric.
type namedMetric struct {
	losses.Metric
	name string
}

func (m namedMetric) Name() string { return m.name }

// fuzzCorpus is the seed corpus: every fixture, as version 1 (the file in
// testdata/models) and version 2 (loaded and saved again), for an
// uncompiled and a compiled model; plus files a fixed Load must refuse.
func fuzzCorpus(t *testing.T) map[string][]byte {
	corpus := map[string][]byte{}
	add := func(name string, data []byte, target int) {
		corpus[name] = []byte("go test fuzz v1\n[]byte(" + strconv.Quote(string(data)) + ")\nbyte('\\x" + fmt.Sprintf("%02x", target) + "')\n")
	}
	for i, a := range fileArchs {
		v1 := v1File(t, a.name)
		m := a.bare()
		if err := m.Load(bytes.NewReader(v1)); err != nil {
			t.Fatal(err)
		}
		v2 := saved(t, m)
		for _, compiled := range []int{0, 1} {
			kind := []string{"bare", "compiled"}[compiled]
			add(fmt.Sprintf("v1_%s_%s", a.name, kind), v1, 2*i+compiled)
			add(fmt.Sprintf("v2_%s_%s", a.name, kind), v2, 2*i+compiled)
		}
		if a.name == "tanh" {
			add("v1_tanh_input_1e6", edit(t, v1, `"input":[1]`, `"input":[1000000]`), 2*i)
			add("v2_tanh_input_1e9", edit(t, v2, `"input":[1]`, `"input":[1000000000]`), 2*i)
			add("v2_tanh_nan_weight", setWeight(v2, 3, math.NaN()), 2*i+1)
			add("v2_tanh_twice", append(append([]byte(nil), v2...), v2...), 2*i+1)
		}
		if a.name == "scaled" {
			add("v1_scaled_zero_scale", edit(t, v1, `"scale":[0.05091943914144003]`, `"scale":[0]`), 2*i)
		}
	}
	// Files with the newer header sections: a model with state
	// (BatchNormalization's moving statistics) and a functional model's
	// graph, loaded into the tanh model (which must refuse them cleanly).
	bn := NewSequential(layers.BatchNormalization(), layers.Dense(1))
	if err := bn.Compile(Input(1), losses.MSE(), optim.Adam(optim.AdamConfig{}), WithSeed(3)); err != nil {
		t.Fatal(err)
	}
	copy(bn.Params().StateValues(), []float64{0.25, 1.5})
	add("v2_batchnorm_state", saved(t, bn), 0)
	in := NewInput(1)
	fn := NewModel([]*Node{in}, Call(layers.Dense(2, layers.Tanh), in), Call(layers.Dense(1), in))
	if err := fn.Compile(nil, PerOutput(OutputLoss{Loss: losses.MSE()}, OutputLoss{Loss: losses.MSE()}), optim.LM(optim.LMConfig{}), WithSeed(3)); err != nil {
		t.Fatal(err)
	}
	add("v2_functional_graph", saved(t, fn), 1)

	// Files that record the loss and metrics (Evaluate after Load): each
	// architecture's compiled model, a loss with options and metrics, a
	// custom loss and metric, and edits a fixed Load must refuse or load
	// without a loss to rebuild.
	for i, a := range fileArchs {
		add("v2_loss_"+a.name, saved(t, a.compiled(t, 9)), 2*i)
	}
	tanh := NewSequential(layers.Dense(10, layers.Tanh), layers.Dense(1))
	if err := tanh.Compile(Input(1), losses.BinaryCrossEntropy(losses.SoftTargets()), optim.Adam(optim.AdamConfig{}),
		WithSeed(3), WithMetrics(losses.Accuracy(), losses.MSE())); err != nil {
		t.Fatal(err)
	}
	withMetrics := saved(t, tanh)
	add("v2_loss_soft_metrics", withMetrics, 0)
	add("v2_loss_soft_metrics_compiled", withMetrics, 1)
	add("v2_loss_unknown_name", edit(t, withMetrics, `"name":"binary_crossentropy"`, `"name":"hinge"`), 0)
	add("v2_loss_nested_parts", edit(t, withMetrics, `"soft_targets":true}`, `"soft_targets":true,"outputs":[{"loss":{"name":"mse"},"weight":1}]}`), 0)
	custom := NewSequential(layers.Dense(10, layers.Tanh), layers.Dense(1))
	if err := custom.Compile(Input(1), namedLoss{losses.MSE(), "my_loss"}, optim.Adam(optim.AdamConfig{}),
		WithSeed(3), WithMetrics(namedMetric{losses.RMSE(), "my_metric"})); err != nil {
		t.Fatal(err)
	}
	add("v2_loss_custom", saved(t, custom), 0)
	return corpus
}

// TestFuzzCorpusIsCurrent: the seed corpus is what fuzzCorpus writes
// (regenerate with go test -run TestFuzzCorpusIsCurrent -update-corpus .),
// so its version 2 files are what Save writes today.
func TestFuzzCorpusIsCurrent(t *testing.T) {
	dir := filepath.Join("testdata", "fuzz", "FuzzLoad")
	corpus := fuzzCorpus(t)
	if *updateCorpus {
		if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Fatal(err)
		}
		for name, data := range corpus {
			if err := os.WriteFile(filepath.Join(dir, name), data, 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
	for name, data := range corpus {
		got, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			t.Fatalf("%v (regenerate with -update-corpus)", err)
		}
		if !bytes.Equal(got, data) {
			t.Errorf("%s is out of date (regenerate with -update-corpus)", name)
		}
	}
}
