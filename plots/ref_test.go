package plots

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
)

// reference is testdata/roc_ref.json, written by testdata/roc_ref.py from
// scikit-learn and numpy.
type reference struct {
	ROC []struct {
		Name                 string
		Positive             []bool
		Scores               []float64
		FPR, TPR, Thresholds []float64
		AUC                  float64
	}
	Multiclass struct {
		Labels   []int
		Scores   [][]float64
		PerClass []struct {
			FPR, TPR, Thresholds []float64
			AUC                  float64
		} `json:"per_class"`
		MacroAUC float64 `json:"macro_auc"`
	}
	Hist []struct {
		Errors []float64
		Bins   int
		Counts []int
		Edges  []float64
	}
}

func loadReference(t *testing.T) *reference {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", "roc_ref.json"))
	if err != nil {
		t.Fatal(err)
	}
	var r reference
	if err := json.Unmarshal(b, &r); err != nil {
		t.Fatal(err)
	}
	if len(r.ROC) == 0 || len(r.Hist) == 0 || len(r.Multiclass.PerClass) == 0 {
		t.Fatal("testdata/roc_ref.json is missing cases")
	}
	return &r
}

// closeAll reports the first index where got and want differ by more than
// tol, or -1; a length mismatch is index len.
func closeAll(got, want []float64, tol float64) int {
	if len(got) != len(want) {
		return min(len(got), len(want))
	}
	for i := range got {
		if d := got[i] - want[i]; d > tol || d < -tol {
			return i
		}
	}
	return -1
}
