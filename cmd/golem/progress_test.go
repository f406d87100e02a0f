package main

import (
	"bytes"
	"context"
	"flag"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/golem-ml/golem"
	"github.com/golem-ml/golem/layers"
	"github.com/golem-ml/golem/losses"
	"github.com/golem-ml/golem/optim"
	"gonum.org/v1/gonum/mat"
)

// The terminal bar redraws one line per epoch and ends with the stop.
func TestProgressBar(t *testing.T) {
	x := mat.NewDense(20, 1, nil)
	y := mat.NewDense(20, 1, nil)
	for i := 0; i < 20; i++ {
		x.Set(i, 0, float64(i)/10)
		y.Set(i, 0, float64(i%3))
	}
	m := golem.NewSequential(layers.Dense(3, layers.Tanh), layers.Dense(1))
	if err := m.Compile(golem.Input(1), losses.MSE(), optim.LM(optim.LMConfig{})); err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	_, err := m.Fit(context.Background(), x, y, golem.FitConfig{Epochs: 4, Division: golem.RandomDivision(), Patience: 100,
		Callbacks: []golem.Callback{&progressBar{w: &buf, maxFail: 6}}})
	if err != nil {
		t.Fatal(err)
	}
	out := buf.String()
	if n := strings.Count(out, "\r\033[Kepoch "); n != 4 {
		t.Errorf("%d redraws, want 4:\n%q", n, out)
	}
	for _, want := range []string{"epoch 4/4 [" + strings.Repeat("=", barWidth) + "]", " val ", " checks ", " mu ", "\nstopped: epochs after 4 epochs\n"} {
		if !strings.Contains(out, want) {
			t.Errorf("the bar lacks %q:\n%q", want, out)
		}
	}
	if strings.Count(out, "\n") != 2 {
		t.Errorf("the bar should stay on one line until the end:\n%q", out)
	}
}

// Ctrl-C (a cancelled context) stops training after the current step and
// still writes the network and the report.
func TestFitInterrupted(t *testing.T) {
	dir := t.TempDir()
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	var out, errOut bytes.Buffer
	code := run(ctx, []string{"fit", "testdata/sine.csv", "--target", "y", "--out", dir}, strings.NewReader(""), &out, &errOut)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut.String())
	}
	if !strings.Contains(out.String(), "stopped:     interrupted after 1 epochs") {
		t.Errorf("the report does not say training was interrupted:\n%s", out.String())
	}
	if _, err := os.Stat(filepath.Join(dir, "sine.golem")); err != nil {
		t.Error(err)
	}
}

func TestParseInterspersed(t *testing.T) {
	for _, c := range []struct {
		args []string
		pos  []string
		tgt  string
	}{
		{[]string{"a.csv", "--target", "y"}, []string{"a.csv"}, "y"},
		{[]string{"--target", "y", "a.csv"}, []string{"a.csv"}, "y"},
		{[]string{"a", "-target=y", "b"}, []string{"a", "b"}, "y"},
		{[]string{"a", "--", "--target", "y"}, []string{"a", "--target", "y"}, ""},
		{[]string{"-", "--target", "y"}, []string{"-"}, "y"},
		{nil, nil, ""},
	} {
		fs := flag.NewFlagSet("t", flag.ContinueOnError)
		tgt := fs.String("target", "", "")
		pos, err := parseInterspersed(fs, c.args)
		if err != nil || !slices.Equal(pos, c.pos) || *tgt != c.tgt {
			t.Errorf("%q: positional %q, target %q, error %v; want %q, %q", c.args, pos, *tgt, err, c.pos, c.tgt)
		}
	}
}
