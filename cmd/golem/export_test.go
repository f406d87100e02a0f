package main

import (
	"bufio"
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"gonum.org/v1/gonum/mat"

	"github.com/golem-ml/golem"
	"github.com/golem-ml/golem/layers"
	"github.com/golem-ml/golem/losses"
	"github.com/golem-ml/golem/optim"
)

// exportCase is a model to export: its layers and scaling.
type exportCase struct {
	name    string
	layers  func() []layers.Layer
	scaling golem.Scaling
}

func exportCases() []exportCase {
	var cs []exportCase
	scalings := []golem.Scaling{golem.NoScaling, golem.MinMax, golem.Standardize}
	for _, act := range []layers.Activation{layers.Linear, layers.Tanh, layers.Sigmoid, layers.ReLU, layers.Softplus, layers.Softmax} {
		for _, s := range scalings {
			act := act
			cs = append(cs, exportCase{
				name:    fmt.Sprintf("%s_%v", act.Name(), s),
				layers:  func() []layers.Layer { return []layers.Layer{layers.Dense(5, act), layers.Dense(2, act)} },
				scaling: s,
			})
		}
	}
	// Activation and Dropout layers, no bias, penalties (which only
	// training sees, but which the file's description carries).
	for _, s := range scalings {
		cs = append(cs, exportCase{
			name: fmt.Sprintf("mixed_%v", s),
			layers: func() []layers.Layer {
				return []layers.Layer{
					layers.Dense(4, layers.NoBias(), layers.KernelRegularizer(layers.L2(1e-3))),
					layers.Act(layers.Sigmoid),
					layers.Dropout(0.25),
					layers.Dense(6, layers.ReLU, layers.BiasRegularizer(layers.L1L2(1e-4, 2e-3))),
					layers.Act(layers.Tanh),
					layers.Dense(2, layers.Softplus),
					layers.Act(layers.Softmax),
				}
			},
			scaling: s,
		})
	}
	return cs
}

// TestExportMatchesPredict exports a model of every activation and every
// scaling, compiles the files with a small main in a module of their own
// (they import only the standard library, so no network is needed), runs
// it, and checks its outputs against Model.Predict to 1e-12.
func TestExportMatchesPredict(t *testing.T) {
	if testing.Short() {
		t.Skip("compiles and runs a Go program")
	}
	goTool, err := exec.LookPath("go")
	if err != nil {
		t.Skip("no go command in PATH")
	}
	const inputs = 3
	rng := rand.New(rand.NewPCG(5, 6))
	train := mat.NewDense(60, inputs, nil)
	target := mat.NewDense(60, 2, nil)
	for i := 0; i < 60; i++ {
		for j := 0; j < inputs; j++ {
			train.Set(i, j, 4*rng.Float64()-2+float64(j))
		}
		target.Set(i, 0, math.Sin(train.At(i, 0))+train.At(i, 1))
		target.Set(i, 1, 10*train.At(i, 2))
	}
	// Points far outside the training range too, so that the activations'
	// cut-offs (sigmoid above 19, softplus above 16) are reached.
	probe := mat.NewDense(24, inputs, nil)
	for i := 0; i < 24; i++ {
		for j := 0; j < inputs; j++ {
			probe.Set(i, j, (2*rng.Float64()-1)*math.Pow(10, float64(i%4)))
		}
	}

	dir := t.TempDir()
	var calls strings.Builder
	want := map[string]*mat.Dense{}
	cases := exportCases()
	for k, c := range cases {
		ls := c.layers()
		model := golem.NewSequential(ls...)
		opts := []golem.CompileOption{golem.WithSeed(uint64(k + 1))}
		if c.scaling != golem.NoScaling {
			opts = append(opts, golem.ScaleInputs(c.scaling), golem.ScaleTargets(c.scaling))
		}
		if err := model.Compile(golem.Input(inputs), losses.MSE(), optim.Adam(optim.AdamConfig{LearningRate: 0.05}), opts...); err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		// A few epochs give the biases values and fit the scalers.
		if _, err := model.Fit(context.Background(), train, target, golem.FitConfig{Epochs: 3, BatchSize: 20, Seed: 1}); err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		path := filepath.Join(dir, c.name+".golem")
		if err := saveModel(model, path); err != nil {
			t.Fatal(err)
		}
		outputs := model.Outputs()
		fn := "Predict_" + c.name
		src, stderr, code := runCLI(t, "", "export", path, "--go", "--func", fn)
		if code != 0 {
			t.Fatalf("%s: exit %d: %s", c.name, code, stderr)
		}
		if strings.Contains(src, "import (") || strings.Contains(src, "github.com") {
			t.Errorf("%s: the exported file imports more than math:\n%s", c.name, src)
		}
		if err := os.WriteFile(filepath.Join(dir, c.name+".go"), []byte(src), 0o644); err != nil {
			t.Fatal(err)
		}
		if want[c.name], err = model.Predict(probe); err != nil {
			t.Fatal(err)
		}
		fmt.Fprintf(&calls, "\tfor _, x := range probe {\n\t\ty := %s(x)\n\t\tfor _, v := range y[:%d] {\n\t\t\tfmt.Print(strconv.FormatFloat(v, 'g', -1, 64), \" \")\n\t\t}\n\t\tfmt.Println()\n\t}\n", fn, outputs)
	}
	var probeSrc strings.Builder
	for i := 0; i < 24; i++ {
		fmt.Fprintf(&probeSrc, "\t{%s},\n", floats(probe.RawRowView(i)))
	}
	main := fmt.Sprintf("package main\n\nimport (\n\t\"fmt\"\n\t\"strconv\"\n)\n\nvar probe = [][%d]float64{\n%s}\n\nfunc main() {\n%s}\n", inputs, probeSrc.String(), calls.String())
	for name, content := range map[string]string{"main.go": main, "go.mod": "module exported\n\ngo 1.21\n"} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	cmd := exec.Command(goTool, "run", ".")
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "GOWORK=off", "GOFLAGS=", "GOPROXY=off", "GOTOOLCHAIN=local")
	out, err := cmd.Output()
	if err != nil {
		var stderr string
		if ee, ok := err.(*exec.ExitError); ok {
			stderr = string(ee.Stderr)
		}
		t.Fatalf("go run: %v\n%s", err, stderr)
	}
	sc := bufio.NewScanner(strings.NewReader(string(out)))
	worst := 0.0
	for _, c := range cases {
		w := want[c.name]
		for i := 0; i < 24; i++ {
			if !sc.Scan() {
				t.Fatalf("%s: the program's output ends early", c.name)
			}
			fields := strings.Fields(sc.Text())
			_, k := w.Dims()
			if len(fields) != k {
				t.Fatalf("%s, sample %d: %d outputs, want %d", c.name, i, len(fields), k)
			}
			for j, f := range fields {
				got, err := strconv.ParseFloat(f, 64)
				if err != nil {
					t.Fatal(err)
				}
				ref := w.At(i, j)
				d := math.Abs(got-ref) / math.Max(1, math.Abs(ref))
				worst = math.Max(worst, d)
				if !(d <= 1e-12) {
					t.Errorf("%s, sample %d, output %d: exported %v, Predict %v", c.name, i, j, got, ref)
				}
			}
		}
	}
	t.Logf("%d models × 24 samples: largest difference %.3g (relative above 1)", len(cases), worst)
}

// TestExportRefuses checks that a model export cannot write is an error
// naming the layer, and a functional model an error saying so.
func TestExportRefuses(t *testing.T) {
	dir := t.TempDir()
	conv := golem.NewSequential(layers.Reshape(4, 1), layers.Conv1D(2, 3), layers.Flatten(), layers.Dense(1))
	if err := conv.Compile(golem.Input(4), losses.MSE(), optim.Adam(optim.AdamConfig{})); err != nil {
		t.Fatal(err)
	}
	convPath := filepath.Join(dir, "conv.golem")
	if err := saveModel(conv, convPath); err != nil {
		t.Fatal(err)
	}
	_, stderr, code := runCLI(t, "", "export", convPath, "--go")
	if code != 1 || !strings.Contains(stderr, "layer 1 (reshape_1, Reshape(4, 1)): reshape layers are not supported") {
		t.Errorf("a convolutional model: exit %d, stderr %q", code, stderr)
	}

	in := golem.NewInput(2)
	a, b := golem.Call(layers.Dense(3), in), golem.Call(layers.Dense(3), in)
	functional := golem.NewModel([]*golem.Node{in}, golem.Call(layers.Add(), a, b))
	if err := functional.Compile(nil, losses.MSE(), optim.Adam(optim.AdamConfig{})); err != nil {
		t.Fatal(err)
	}
	fPath := filepath.Join(dir, "functional.golem")
	if err := saveModel(functional, fPath); err != nil {
		t.Fatal(err)
	}
	_, stderr, code = runCLI(t, "", "export", fPath, "--go")
	if code != 1 || !strings.Contains(stderr, "a functional model") {
		t.Errorf("a functional model: exit %d, stderr %q", code, stderr)
	}
}
