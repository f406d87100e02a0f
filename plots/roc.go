package plots

import (
	"errors"
	"fmt"
	"math"
	"sort"

	"gonum.org/v1/gonum/mat"
	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
)

// ROCPoints is a receiver operating characteristic curve: the corners of
// the step curve of true positive rate against false positive rate as the
// threshold falls, from (0, 0) to (1, 1), as scikit-learn's roc_curve
// returns them (drop_intermediate=True: corners on a straight line
// between their neighbours are dropped; the area is the same).
type ROCPoints struct {
	FPR, TPR []float64 // false and true positive rates, non-decreasing
	// Thresholds[i] is the score from which up samples count as positive at
	// point i; Thresholds[0] is +Inf (nothing positive), as in
	// scikit-learn ≥ 1.3.
	Thresholds []float64
}

// ROCCurve returns the ROC curve of scores for samples whose true class is
// positive[i] (true: the class the scores rate), higher scores meaning
// more likely positive. It fails when the lengths differ, a score is NaN,
// or there is no positive or no negative sample (the curve is undefined).
func ROCCurve(positive []bool, scores []float64) (*ROCPoints, error) {
	n := len(scores)
	if len(positive) != n {
		return nil, fmt.Errorf("plots: ROCCurve: %d labels but %d scores", len(positive), n)
	}
	pos := 0
	for i, s := range scores {
		if math.IsNaN(s) {
			return nil, fmt.Errorf("plots: ROCCurve: score %d is NaN", i)
		}
		if positive[i] {
			pos++
		}
	}
	if pos == 0 || pos == n {
		return nil, fmt.Errorf("plots: ROCCurve: %d of %d samples are positive; the curve needs both classes", pos, n)
	}
	order := make([]int, n)
	for i := range order {
		order[i] = i
	}
	sort.SliceStable(order, func(a, b int) bool { return scores[order[a]] > scores[order[b]] })
	// One point per distinct score: the counts of positives (tps) and
	// negatives (fps) scoring at least that.
	var tps, fps []int
	var thr []float64
	tp := 0
	for r, i := range order {
		if positive[i] {
			tp++
		}
		if r == n-1 || scores[order[r+1]] != scores[i] {
			tps, fps, thr = append(tps, tp), append(fps, r+1-tp), append(thr, scores[i])
		}
	}
	c := &ROCPoints{FPR: []float64{0}, TPR: []float64{0}, Thresholds: []float64{math.Inf(1)}}
	for j := range tps {
		if j > 0 && j < len(tps)-1 && // keep the ends and every corner
			fps[j+1]-2*fps[j]+fps[j-1] == 0 && tps[j+1]-2*tps[j]+tps[j-1] == 0 {
			continue
		}
		c.FPR = append(c.FPR, float64(fps[j])/float64(n-pos))
		c.TPR = append(c.TPR, float64(tps[j])/float64(pos))
		c.Thresholds = append(c.Thresholds, thr[j])
	}
	return c, nil
}

// AUC is the area under the curve through the points (x[i], y[i]) by the
// trapezoidal rule, as scikit-learn's auc: x must be monotonic, increasing
// or decreasing. AUC(c.FPR, c.TPR) of a ROCCurve is scikit-learn's
// roc_auc_score. It fails on fewer than two points, lengths that differ,
// or x that is not monotonic.
func AUC(x, y []float64) (float64, error) {
	if len(x) != len(y) {
		return 0, fmt.Errorf("plots: AUC: %d x but %d y", len(x), len(y))
	}
	if len(x) < 2 {
		return 0, fmt.Errorf("plots: AUC: %d points, want ≥ 2", len(x))
	}
	up, down := true, true
	for i := 1; i < len(x); i++ {
		up = up && x[i] >= x[i-1]
		down = down && x[i] <= x[i-1]
	}
	if !up && !down {
		return 0, errors.New("plots: AUC: x is neither increasing nor decreasing")
	}
	area := 0.0
	for i := 1; i < len(x); i++ {
		area += (x[i] - x[i-1]) * (y[i] + y[i-1]) / 2
	}
	if !up {
		area = -area
	}
	return area, nil
}

// ROC writes MATLAB's plotroc to path (5 × 5 inches; the format by path's
// extension, as Save): for each class, one against the rest, its ROCCurve
// with its area under the curve in the legend, and the chance diagonal. It
// returns each class's AUC.
//
// scores is N × K, one column per class (a model's outputs: class
// probabilities, or one sigmoid column for a binary model), K =
// len(classes). targets is N × K of 0 and 1 (MATLAB's one-hot targets; 1
// marks the class, several may be 1), or with K > 1 also N × 1 of labels
// in 0..K-1 (golem's sparse categorical targets). It fails on other shapes
// or values, a NaN score, and a class with no samples in it or none out
// of it.
func ROC(path string, targets, scores mat.Matrix, classes []string) ([]float64, error) {
	curves, err := rocCurves(targets, scores, classes)
	if err != nil {
		return nil, fmt.Errorf("plots: ROC: %w", err)
	}
	p := plot.New()
	p.Title.Text = "Receiver operating characteristic"
	if len(classes) > 1 {
		p.Title.Text += " (one against the rest)"
	}
	p.X.Label.Text = "false positive rate"
	p.Y.Label.Text = "true positive rate"
	p.X.Min, p.X.Max, p.Y.Min, p.Y.Max = 0, 1, 0, 1
	p.Add(plotter.NewGrid())
	chance, err := plotter.NewLine(plotter.XYs{{X: 0, Y: 0}, {X: 1, Y: 1}})
	if err != nil {
		return nil, fmt.Errorf("plots: ROC: %w", err)
	}
	chance.Color, chance.Dashes = grey, []vg.Length{vg.Points(4), vg.Points(3)}
	p.Add(chance)
	aucs := make([]float64, len(curves))
	for i, c := range curves {
		if aucs[i], err = AUC(c.FPR, c.TPR); err != nil {
			return nil, fmt.Errorf("plots: ROC: class %s: %w", classes[i], err)
		}
		xy := make(plotter.XYs, len(c.FPR))
		for j := range xy {
			xy[j] = plotter.XY{X: c.FPR[j], Y: c.TPR[j]}
		}
		l, err := plotter.NewLine(xy)
		if err != nil {
			return nil, fmt.Errorf("plots: ROC: class %s: %w", classes[i], err)
		}
		l.Color, l.Width = Color(i), vg.Points(1.6)
		p.Add(l)
		p.Legend.Add(fmt.Sprintf("%s (AUC = %.3f)", classes[i], aucs[i]), l)
	}
	p.Legend.Add("chance", chance) // the legend sits bottom right, under the curves
	return aucs, Save(p, path, 5*vg.Inch, 5*vg.Inch)
}

// rocCurves returns each class's one-against-the-rest ROC curve, checking
// the shapes and values ROC documents.
func rocCurves(targets, scores mat.Matrix, classes []string) ([]*ROCPoints, error) {
	k := len(classes)
	if k == 0 {
		return nil, errors.New("no classes")
	}
	if nilMatrix(targets) || nilMatrix(scores) {
		return nil, errors.New("targets or scores is nil")
	}
	n, sk := scores.Dims()
	tn, tk := targets.Dims()
	switch {
	case sk != k:
		return nil, fmt.Errorf("scores have %d columns for %d classes", sk, k)
	case tn != n || (tk != k && (tk != 1 || k == 1)):
		want := fmt.Sprintf("%d×%d", n, k)
		if k > 1 {
			want += fmt.Sprintf(" or %d×1", n)
		}
		return nil, fmt.Errorf("targets are %d×%d, want %s for %d×%d scores", tn, tk, want, n, sk)
	case n == 0:
		return nil, errors.New("no samples")
	}
	if err := checkFinite("scores", scores); err != nil {
		return nil, err
	}
	positive := make([][]bool, k)
	for c := range positive {
		positive[c] = make([]bool, n)
	}
	for i := 0; i < n; i++ {
		for j := 0; j < tk; j++ {
			v := targets.At(i, j)
			switch {
			case tk == k && (v == 0 || v == 1):
				positive[j][i] = v == 1
			case tk == k:
				return nil, fmt.Errorf("targets row %d, column %d is %v; want 0 or 1", i, j, v)
			case v >= 0 && v < float64(k) && v == math.Trunc(v):
				positive[int(v)][i] = true
			default:
				return nil, fmt.Errorf("targets row %d is %v; want a label in 0..%d", i, v, k-1)
			}
		}
	}
	curves := make([]*ROCPoints, k)
	col := make([]float64, n)
	for c := range curves {
		mat.Col(col, c, scores)
		var err error
		if curves[c], err = ROCCurve(positive[c], col); err != nil {
			return nil, fmt.Errorf("class %s: %w", classes[c], err)
		}
	}
	return curves, nil
}
