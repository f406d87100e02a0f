package plots_test

import (
	"fmt"

	"github.com/golem-ml/golem/plots"
)

// ROCCurve gives the corners of the ROC curve as scikit-learn's roc_curve
// does, and AUC the area under them (roc_auc_score).
func ExampleROCCurve() {
	positive := []bool{false, false, true, true}
	scores := []float64{0.1, 0.4, 0.35, 0.8}
	c, err := plots.ROCCurve(positive, scores)
	if err != nil {
		fmt.Println(err)
		return
	}
	auc, _ := plots.AUC(c.FPR, c.TPR)
	fmt.Println("FPR", c.FPR)
	fmt.Println("TPR", c.TPR)
	fmt.Println("thresholds", c.Thresholds)
	fmt.Println("AUC", auc)
	// Output:
	// FPR [0 0 0.5 0.5 1]
	// TPR [0 0.5 0.5 1 1]
	// thresholds [+Inf 0.8 0.4 0.35 0.1]
	// AUC 0.75
}
