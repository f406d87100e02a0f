package main

import (
	"bytes"
	"context"
	"flag"
	"image/png"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite testdata/golden/*.txt from the commands' output")

// runCLI runs the program in-process, as main would, and returns its
// standard output, standard error and exit status.
func runCLI(t *testing.T, stdin string, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	var out, errOut bytes.Buffer
	code = run(context.Background(), args, strings.NewReader(stdin), &out, &errOut)
	return out.String(), errOut.String(), code
}

var (
	elapsedRE  = regexp.MustCompile(`(?m)^elapsed: +\S+$`)
	epochTimeR = regexp.MustCompile(`(?m) - [0-9.]+(ns|µs|ms|s|m[0-9.]+s)$`)
)

// mask replaces what changes from run to run: the output folder and the
// timings.
func mask(s, dir string) string {
	if dir != "" {
		s = strings.ReplaceAll(s, dir, "<out>")
	}
	s = elapsedRE.ReplaceAllString(s, "elapsed:     <time>")
	return epochTimeR.ReplaceAllString(s, " - <time>")
}

// golden compares got with testdata/golden/name, or rewrites it with -update.
func golden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", "golden", name)
	if *update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./cmd/golem -update to create it)", err)
	}
	if got != string(want) {
		t.Errorf("%s differs from the output (go test ./cmd/golem -run %s -update rewrites it):\n--- got\n%s\n--- want\n%s", path, t.Name(), got, want)
	}
}

// checkPNG checks that path is a PNG of at least w × h pixels.
func checkPNG(t *testing.T, path string, w, h int) (width, height int) {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Error(err)
		return 0, 0
	}
	defer f.Close()
	cfg, err := png.DecodeConfig(f)
	if err != nil {
		t.Errorf("%s: not a PNG: %v", path, err)
		return 0, 0
	}
	if cfg.Width < w || cfg.Height < h {
		t.Errorf("%s is %d × %d pixels, want at least %d × %d", path, cfg.Width, cfg.Height, w, h)
	}
	if _, err := f.Seek(0, 0); err != nil {
		t.Fatal(err)
	}
	if _, err := png.Decode(f); err != nil {
		t.Errorf("%s: the image does not decode: %v", path, err)
	}
	return cfg.Width, cfg.Height
}

func TestFitLMGolden(t *testing.T) {
	dir := t.TempDir()
	stdout, stderr, code := runCLI(t, "", "fit", "testdata/sine.csv", "--target", "y", "--out", dir)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	golden(t, "fit_lm.txt", mask(stdout, dir))
	golden(t, "fit_lm_progress.txt", mask(stderr, dir))
	report, err := os.ReadFile(filepath.Join(dir, "sine_report.txt"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(stdout, string(report)) || !strings.Contains(string(report), "test ") {
		t.Errorf("sine_report.txt is not the report printed:\n%s", report)
	}
	for _, f := range []string{"sine.golem", "sine.golem.json"} {
		if _, err := os.Stat(filepath.Join(dir, f)); err != nil {
			t.Error(err)
		}
	}
	checkPNG(t, filepath.Join(dir, "sine_performance.png"), 400, 250)
	checkPNG(t, filepath.Join(dir, "sine_trainstate.png"), 400, 400)
	checkPNG(t, filepath.Join(dir, "sine_errhist.png"), 400, 250)
	// Four regression panels (training, validation, test, all), 2 × 2.
	if w, h := checkPNG(t, filepath.Join(dir, "sine_regression.png"), 600, 600); w != h {
		t.Errorf("the regression grid is %d × %d, want four square panels", w, h)
	}
	if matches, _ := filepath.Glob(filepath.Join(dir, ".golem-plots-*")); len(matches) > 0 {
		t.Errorf("temporary plot folders left behind: %v", matches)
	}

	// The model written predicts what the report scored: predicting the
	// training data again gives the same numbers twice (a stateful path
	// run twice).
	first, _, code := runCLI(t, "", "predict", filepath.Join(dir, "sine.golem"), "testdata/sine.csv")
	second, _, code2 := runCLI(t, "", "predict", filepath.Join(dir, "sine.golem"), "testdata/sine.csv")
	if code != 0 || code2 != 0 || first != second || strings.Count(first, "\n") != 201 {
		t.Errorf("predict on the training data: exit %d/%d, %d lines, same twice: %v", code, code2, strings.Count(first, "\n"), first == second)
	}
}

func TestFitSameSeedSameReport(t *testing.T) {
	a, b := t.TempDir(), t.TempDir()
	args := []string{"fit", "testdata/sine.csv", "--target", "y", "--hidden", "4", "--seed", "3"}
	outA, _, codeA := runCLI(t, "", append(args, "--out", a)...)
	outB, _, codeB := runCLI(t, "", append(args, "--out", b)...)
	if codeA != 0 || codeB != 0 {
		t.Fatalf("exit %d, %d", codeA, codeB)
	}
	if mask(outA, a) != mask(outB, b) {
		t.Errorf("two runs with one seed differ:\n%s\n%s", outA, outB)
	}
	outC, _, _ := runCLI(t, "", "fit", "testdata/sine.csv", "--target", "y", "--hidden", "4", "--seed", "4", "--out", b)
	if mask(outC, b) == mask(outB, b) {
		t.Error("another seed gives the same report")
	}
}

func TestFitBRGolden(t *testing.T) {
	dir := t.TempDir()
	stdout, stderr, code := runCLI(t, "", "fit", "testdata/table.csv", "--target", "y1,y2", "--hidden", "6", "--optimizer", "br", "--out", dir)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	golden(t, "fit_br.txt", mask(stdout, dir))
	// trainbr: no validation set, the validation share trains.
	if !strings.Contains(stdout, "85/0/15") || strings.Contains(stdout, "\nvalidation ") {
		t.Errorf("br should divide 85/0/15 with no validation set:\n%s", stdout)
	}
	checkPNG(t, filepath.Join(dir, "table_trainstate.png"), 400, 400)
	// Three regression panels (training, test, all) in a 2 × 2 grid.
	checkPNG(t, filepath.Join(dir, "table_regression.png"), 600, 600)
	checkPNG(t, filepath.Join(dir, "table_errhist.png"), 400, 250)
}

func TestFitAdamGolden(t *testing.T) {
	dir := t.TempDir()
	// Flags before the file, inputs named, another division and seed.
	stdout, stderr, code := runCLI(t, "", "fit", "--optimizer", "adam", "--epochs", "40", "--division", "80/10/10",
		"--seed", "3", "--inputs", "x2,x1", "--target", "y1", "testdata/table.csv", "--out", dir)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	golden(t, "fit_adam.txt", mask(stdout, dir))
	if !strings.Contains(stdout, "inputs:      x2, x1\n") || !strings.Contains(stdout, " 120 training, 15 validation, 15 test") {
		t.Errorf("the inputs or the division are not as asked:\n%s", stdout)
	}
}

func TestCurvefitGolden(t *testing.T) {
	dir := t.TempDir()
	stdout, stderr, code := runCLI(t, "", "curvefit", "testdata/misra1a.csv", "--expr", "b1*(1-exp(-b2*x))", "--start", "b1=500,b2=1e-4", "--out", dir)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	golden(t, "curvefit.txt", mask(stdout, dir))
	// NIST's certified values for Misra1a.
	for _, want := range []string{"b1:  238.94212", "b2:  0.00055015643", "+/- 2.70701", "+/- 7.26687e-06"} {
		if !strings.Contains(stdout, want) {
			t.Errorf("the report lacks %q", want)
		}
	}
	report, err := os.ReadFile(filepath.Join(dir, "misra1a_curvefit_report.txt"))
	if err != nil || !strings.HasPrefix(stdout, string(report)) {
		t.Errorf("misra1a_curvefit_report.txt is not the report printed (%v)", err)
	}
	checkPNG(t, filepath.Join(dir, "misra1a_curvefit.png"), 400, 250)
	checkPNG(t, filepath.Join(dir, "misra1a_curvefit_residuals.png"), 400, 250)
}

func TestPredictGolden(t *testing.T) {
	// new.csv has an extra column before the input.
	stdout, stderr, code := runCLI(t, "", "predict", "testdata/model/sine.golem", "testdata/new.csv")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	golden(t, "predict.txt", stdout)
	// Standard input, flags after the arguments ("--" then nothing).
	in, err := os.ReadFile("testdata/new.csv")
	if err != nil {
		t.Fatal(err)
	}
	again, _, code := runCLI(t, string(in), "predict", "testdata/model/sine.golem", "-", "--")
	if code != 0 || again != stdout {
		t.Errorf("predict from standard input: exit %d, output\n%s", code, again)
	}
}

func TestExportGolden(t *testing.T) {
	stdout, stderr, code := runCLI(t, "", "export", "testdata/model/sine.golem", "--go", "--package", "sine", "--func", "Sine")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	golden(t, "export.txt", stdout)
	if strings.Contains(stdout, "github.com/") || !strings.Contains(stdout, "func Sine(x [1]float64) (y [1]float64)") {
		t.Errorf("the exported source imports golem or lacks the function:\n%s", stdout)
	}
}

func TestHelpGolden(t *testing.T) {
	var all strings.Builder
	for _, args := range [][]string{{"help"}, {"help", "fit"}, {"help", "curvefit"}, {"predict", "-h"}, {"export", "--help"}} {
		stdout, stderr, code := runCLI(t, "", args...)
		if code != 0 || stderr != "" {
			t.Errorf("golem %s: exit %d, stderr %q", strings.Join(args, " "), code, stderr)
		}
		all.WriteString("$ golem " + strings.Join(args, " ") + "\n" + stdout + "\n")
	}
	golden(t, "help.txt", all.String())
}
