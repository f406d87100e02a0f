package plots

import (
	"math"
	"path/filepath"
	"strings"
	"testing"

	"gonum.org/v1/gonum/mat"
)

// TestROCCurveSklearn: the points, thresholds and area are scikit-learn's
// roc_curve and roc_auc_score, ties, a perfect and a reversed ranking, a
// single score and collinear corners included.
func TestROCCurveSklearn(t *testing.T) {
	for _, c := range loadReference(t).ROC {
		got, err := ROCCurve(c.Positive, c.Scores)
		if err != nil {
			t.Fatalf("%s: %v", c.Name, err)
		}
		if i := closeAll(got.FPR, c.FPR, 1e-15); i >= 0 {
			t.Errorf("%s: FPR %v, sklearn %v", c.Name, got.FPR, c.FPR)
		}
		if i := closeAll(got.TPR, c.TPR, 1e-15); i >= 0 {
			t.Errorf("%s: TPR %v, sklearn %v", c.Name, got.TPR, c.TPR)
		}
		if !math.IsInf(got.Thresholds[0], 1) {
			t.Errorf("%s: first threshold %v, want +Inf", c.Name, got.Thresholds[0])
		}
		if i := closeAll(got.Thresholds[1:], c.Thresholds, 0); i >= 0 {
			t.Errorf("%s: thresholds %v, sklearn %v", c.Name, got.Thresholds[1:], c.Thresholds)
		}
		auc, err := AUC(got.FPR, got.TPR)
		if err != nil || math.Abs(auc-c.AUC) > 1e-12 {
			t.Errorf("%s: AUC %v (%v), sklearn %v", c.Name, auc, err, c.AUC)
		}
	}
}

// TestROCMulticlass: ROC's one-against-the-rest curves and areas are
// scikit-learn's, from labels (N × 1) and from one-hot targets (N × K)
// alike; their mean is roc_auc_score's multi_class="ovr".
func TestROCMulticlass(t *testing.T) {
	ref := loadReference(t).Multiclass
	n, k := len(ref.Labels), len(ref.PerClass)
	scores, labels, onehot := mat.NewDense(n, k, nil), mat.NewDense(n, 1, nil), mat.NewDense(n, k, nil)
	for i, l := range ref.Labels {
		scores.SetRow(i, ref.Scores[i])
		labels.Set(i, 0, float64(l))
		onehot.Set(i, l, 1)
	}
	classes := []string{"setosa", "versicolor", "virginica"}
	dir := t.TempDir()
	for _, targets := range []*mat.Dense{labels, onehot} {
		curves, err := rocCurves(targets, scores, classes)
		if err != nil {
			t.Fatal(err)
		}
		for c, want := range ref.PerClass {
			if closeAll(curves[c].FPR, want.FPR, 1e-15) >= 0 || closeAll(curves[c].TPR, want.TPR, 1e-15) >= 0 || closeAll(curves[c].Thresholds[1:], want.Thresholds, 0) >= 0 {
				t.Errorf("class %d: %+v, sklearn %+v", c, curves[c], want)
			}
		}
		path := filepath.Join(dir, "roc.png")
		aucs, err := ROC(path, targets, scores, classes)
		if err != nil {
			t.Fatal(err)
		}
		mean := 0.0
		for c, a := range aucs {
			if math.Abs(a-ref.PerClass[c].AUC) > 1e-12 {
				t.Errorf("class %d: AUC %v, sklearn %v", c, a, ref.PerClass[c].AUC)
			}
			mean += a / float64(k)
		}
		if math.Abs(mean-ref.MacroAUC) > 1e-12 {
			t.Errorf("mean AUC %v, sklearn's ovr %v", mean, ref.MacroAUC)
		}
		// One curve per class in the palette's first colours.
		if c := decodePNG(t, path, inches(5), inches(5), bluePx, redPx, greenPx); c[0] < 300 || c[1] < 300 || c[2] < 300 {
			t.Errorf("curves: blue %d, red %d, green %d pixels", c[0], c[1], c[2])
		}
	}

	// A binary model: one sigmoid column, 0/1 targets.
	bin := mat.NewDense(n, 1, nil)
	for i, l := range ref.Labels {
		if l == 2 {
			bin.Set(i, 0, 1)
		}
	}
	aucs, err := ROC(filepath.Join(dir, "binary.png"), bin, scores.Slice(0, n, 2, 3), []string{"virginica"})
	if err != nil || len(aucs) != 1 || math.Abs(aucs[0]-ref.PerClass[2].AUC) > 1e-12 {
		t.Errorf("binary: %v, %v, want AUC %v", aucs, err, ref.PerClass[2].AUC)
	}
}

// TestROCErrors: bad input is an error naming the problem; nothing is
// written.
func TestROCErrors(t *testing.T) {
	if _, err := ROCCurve([]bool{true, true}, []float64{1, 2}); err == nil || !strings.Contains(err.Error(), "2 of 2 samples are positive") {
		t.Errorf("one class: %v", err)
	}
	if _, err := ROCCurve([]bool{true}, []float64{1, 2}); err == nil || !strings.Contains(err.Error(), "1 labels but 2 scores") {
		t.Errorf("lengths: %v", err)
	}
	if _, err := ROCCurve([]bool{true, false}, []float64{math.NaN(), 2}); err == nil || !strings.Contains(err.Error(), "NaN") {
		t.Errorf("NaN: %v", err)
	}
	if _, err := AUC([]float64{0, 1, 0.5}, []float64{0, 1, 1}); err == nil || !strings.Contains(err.Error(), "neither increasing nor decreasing") {
		t.Errorf("AUC of unordered x: %v", err)
	}
	if a, err := AUC([]float64{1, 0.5, 0}, []float64{1, 1, 0}); err != nil || a != 0.75 {
		t.Errorf("AUC of decreasing x: %v, %v, want 0.75", a, err)
	}
	if _, err := AUC([]float64{0}, []float64{0}); err == nil {
		t.Error("AUC of one point: no error")
	}

	scores := mat.NewDense(4, 2, []float64{0.9, 0.1, 0.2, 0.8, 0.6, 0.4, 0.3, 0.7})
	classes := []string{"a", "b"}
	bad := filepath.Join(t.TempDir(), "bad.png")
	for _, c := range []struct {
		targets, scores mat.Matrix
		classes         []string
		want            string
	}{
		{mat.NewDense(4, 1, []float64{0, 1, 2, 1}), scores, classes, "targets row 2 is 2; want a label in 0..1"},
		{mat.NewDense(4, 1, []float64{0, 1, 0.5, 1}), scores, classes, "targets row 2 is 0.5"},
		{mat.NewDense(4, 2, []float64{1, 0, 0, 1, 1, 0, 0, 0.5}), scores, classes, "targets row 3, column 1 is 0.5; want 0 or 1"},
		{mat.NewDense(3, 1, []float64{0, 1, 0}), scores, classes, "targets are 3×1, want 4×2 or 4×1"},
		{mat.NewDense(4, 1, []float64{0, 1, 0, 1}), scores, []string{"a", "b", "c"}, "scores have 2 columns for 3 classes"},
		{mat.NewDense(4, 1, []float64{0, 0, 0, 0}), scores, classes, "class a: plots: ROCCurve: 4 of 4 samples are positive"},
		{nil, scores, classes, "nil"},
		{mat.NewDense(4, 1, []float64{0, 1, 0, 1}), scores, nil, "no classes"},
	} {
		if _, err := ROC(bad, c.targets, c.scores, c.classes); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("ROC: %v, want an error containing %q", err, c.want)
		}
	}
	noFile(t, bad)
}
