package plots

import (
	"path/filepath"
	"strings"
	"testing"

	"gonum.org/v1/gonum/mat"

	"github.com/golem-ml/golem"
)

// column is v as an N × 1 matrix.
func column(v []float64) *mat.Dense { return mat.NewDense(len(v), 1, append([]float64(nil), v...)) }

// TestBinErrorsNumpy: counts and edges are numpy.histogram's, errors on
// the edges and a single repeated value included.
func TestBinErrorsNumpy(t *testing.T) {
	for ci, c := range loadReference(t).Hist {
		// targets − outputs = errors, with outputs 0.
		h, err := BinErrors(column(c.Errors), mat.NewDense(len(c.Errors), 1, nil), c.Bins)
		if err != nil {
			t.Fatal(err)
		}
		if i := closeAll(h.Edges, c.Edges, 1e-15); i >= 0 {
			t.Errorf("case %d: edges %v, numpy %v", ci, h.Edges, c.Edges)
		}
		if len(h.Counts) != 1 || h.Names[0] != "Errors" {
			t.Fatalf("case %d: sets %v", ci, h.Names)
		}
		for b := range c.Counts {
			if h.Counts[0][b] != c.Counts[b] {
				t.Errorf("case %d: counts %v, numpy %v", ci, h.Counts[0], c.Counts)
				break
			}
		}
	}
}

// TestBinErrorsSplits: one set of counts per split, over its rows only,
// every column of a row counted; 0 bins means 20.
func TestBinErrorsSplits(t *testing.T) {
	// Errors (targets − outputs) by row: 0: -1, 1; 1: 0, 0; 2: 3, 3; 3: 1, -1.
	targets := mat.NewDense(4, 2, []float64{0, 2, 1, 1, 5, 5, 2, 0})
	outputs := mat.NewDense(4, 2, []float64{1, 1, 1, 1, 2, 2, 1, 1})
	h, err := BinErrors(targets, outputs, 4, Split{"Training", []int{0, 1}}, Split{"Test", []int{3}})
	if err != nil {
		t.Fatal(err)
	}
	// Row 2 is in no split: the range is [-1, 1], bins of 0.5.
	if i := closeAll(h.Edges, []float64{-1, -0.5, 0, 0.5, 1}, 0); i >= 0 {
		t.Errorf("edges %v", h.Edges)
	}
	want := [][]int{{1, 0, 2, 1}, {1, 0, 0, 1}}
	for s := range want {
		for b := range want[s] {
			if h.Counts[s][b] != want[s][b] {
				t.Errorf("counts %v, want %v", h.Counts, want)
			}
		}
	}
	if c := h.Centers(); closeAll(c, []float64{-0.75, -0.25, 0.25, 0.75}, 1e-15) >= 0 {
		t.Errorf("centres %v", c)
	}
	if h, err = BinErrors(targets, outputs, 0); err != nil || len(h.Edges) != 21 || h.Counts[0][0] != 2 || h.Counts[0][19] != 2 {
		t.Errorf("default bins: %v, %+v", err, h)
	}

	for _, c := range []struct {
		t, o   mat.Matrix
		bins   int
		splits []Split
		want   string
	}{
		{targets, outputs, -1, nil, "-1 bins"},
		{targets, outputs.Slice(0, 3, 0, 2), 0, nil, "targets are 4×2, outputs 3×2"},
		{targets, nil, 0, nil, "nil"},
		{targets, outputs, 0, []Split{{"Validation", nil}}, `"Validation") has no rows`},
		{targets, outputs, 0, []Split{{"Test", []int{4}}}, `split "Test" names row 4 of 4`},
	} {
		if _, err := BinErrors(c.t, c.o, c.bins, c.splits...); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("BinErrors: %v, want an error containing %q", err, c.want)
		}
	}
}

// TestErrorHistogram: the stacked histogram of a division is 7 × 4.5
// inches with training (blue), validation (green) and test (red) bars;
// Splits names the History's parts as MATLAB does.
func TestErrorHistogram(t *testing.T) {
	n := 200
	targets, outputs := mat.NewDense(n, 1, nil), mat.NewDense(n, 1, nil)
	for i := 0; i < n; i++ {
		targets.Set(i, 0, float64(i%17)/17-0.4)
	}
	h := &golem.History{}
	for i := 0; i < n; i++ {
		switch {
		case i%10 < 7:
			h.TrainIndex = append(h.TrainIndex, i)
		case i%10 < 8:
			h.ValIndex = append(h.ValIndex, i)
		default:
			h.TestIndex = append(h.TestIndex, i)
		}
	}
	splits := Splits(h)
	if len(splits) != 3 || splits[0].Name != "Training" || splits[1].Name != "Validation" || splits[2].Name != "Test" || len(splits[2].Rows) != 40 {
		t.Fatalf("Splits: %+v", splits)
	}
	if s := Splits(&golem.History{TrainIndex: []int{0}}); len(s) != 1 {
		t.Errorf("Splits of a training part alone: %+v", s)
	}
	if Splits(&golem.History{}) != nil || Splits(nil) != nil {
		t.Error("Splits without a division is not nil")
	}
	dir := t.TempDir()
	path := filepath.Join(dir, "errhist.png")
	if err := ErrorHistogram(path, targets, outputs, 0, splits...); err != nil {
		t.Fatal(err)
	}
	c := decodePNG(t, path, inches(7), inches(4.5), bluePx, greenPx, redPx)
	if c[0] < 2000 || c[1] < 300 || c[2] < 600 || c[0] < c[2] || c[2] < c[1] {
		t.Errorf("training (blue) %d, validation (green) %d, test (red) %d pixels: want 7:1:2", c[0], c[1], c[2])
	}
	path = filepath.Join(dir, "all.png")
	if err := ErrorHistogram(path, targets, outputs, 10); err != nil {
		t.Fatal(err)
	}
	if c := decodePNG(t, path, inches(7), inches(4.5), bluePx, greenPx, redPx, [3]uint8{230, 140, 0}); c[0] < 2000 || c[1]+c[2] > 50 || c[3] < 300 {
		t.Errorf("one set: blue %d, green %d, red %d pixels, zero line (orange) %d", c[0], c[1], c[2], c[3])
	}
	bad := filepath.Join(dir, "bad.png")
	if err := ErrorHistogram(bad, targets, outputs, -3); err == nil {
		t.Error("-3 bins: no error")
	}
	noFile(t, bad)
}
