package losses

import (
	"fmt"
	"math"

	"gonum.org/v1/gonum/mat"
)

// Metric scores predictions against targets after a pass over the data; it
// is reported, never trained on.
type Metric interface {
	// Name is the key under which the value appears in logs and History.
	Name() string
	// Score compares predictions (N × K) with targets (N × T).
	Score(pred, target mat.Matrix) (float64, error)
}

type metricFunc struct {
	name  string
	score func(pred, target mat.Matrix) (float64, error)
}

func (m metricFunc) Name() string                                   { return m.name }
func (m metricFunc) Score(pred, target mat.Matrix) (float64, error) { return m.score(pred, target) }

func sameShape(name string, pred, target mat.Matrix) (n, k int, err error) {
	n, k = pred.Dims()
	tn, tk := target.Dims()
	if n != tn || k != tk {
		return 0, 0, fmt.Errorf("%s: predictions are %d×%d but targets are %d×%d", name, n, k, tn, tk)
	}
	if n == 0 {
		return 0, 0, fmt.Errorf("%s: no samples", name)
	}
	return n, k, nil
}

// MAEMetric is the mean absolute error over all N·K entries.
func MAEMetric() Metric {
	return metricFunc{"mae", func(pred, target mat.Matrix) (float64, error) {
		n, k, err := sameShape("mae", pred, target)
		if err != nil {
			return 0, err
		}
		var s float64
		for i := 0; i < n; i++ {
			for j := 0; j < k; j++ {
				s += math.Abs(pred.At(i, j) - target.At(i, j))
			}
		}
		return s / float64(n*k), nil
	}}
}

// RMSE is the root mean squared error over all N·K entries.
func RMSE() Metric {
	return metricFunc{"rmse", func(pred, target mat.Matrix) (float64, error) {
		n, k, err := sameShape("rmse", pred, target)
		if err != nil {
			return 0, err
		}
		var s float64
		for i := 0; i < n; i++ {
			for j := 0; j < k; j++ {
				d := pred.At(i, j) - target.At(i, j)
				s += d * d
			}
		}
		return math.Sqrt(s / float64(n*k)), nil
	}}
}

// R2 is the coefficient of determination 1 - SS_res/SS_tot, computed per
// output and averaged uniformly over outputs (Keras's and scikit-learn's
// default). An output with constant targets scores 1 if predicted exactly,
// else 0 (scikit-learn's convention).
func R2() Metric {
	return metricFunc{"r2", func(pred, target mat.Matrix) (float64, error) {
		n, k, err := sameShape("r2", pred, target)
		if err != nil {
			return 0, err
		}
		var total float64
		for j := 0; j < k; j++ {
			var mean float64
			for i := 0; i < n; i++ {
				mean += target.At(i, j)
			}
			mean /= float64(n)
			var res, tot float64
			for i := 0; i < n; i++ {
				y := target.At(i, j)
				d := pred.At(i, j) - y
				res += d * d
				tot += (y - mean) * (y - mean)
			}
			switch {
			case tot > 0:
				total += 1 - res/tot
			case res == 0:
				total++
			}
		}
		return total / float64(k), nil
	}}
}

// Accuracy is the fraction of samples classified correctly. With one output
// it thresholds the prediction at 0.5 against 0/1 targets; with K > 1
// outputs it compares the arg-max of the prediction with the arg-max of a
// one-hot target row, or with an integer label when targets have one column.
func Accuracy() Metric {
	return metricFunc{"accuracy", func(pred, target mat.Matrix) (float64, error) {
		n, k := pred.Dims()
		tn, tk := target.Dims()
		if n != tn || n == 0 || (tk != k && tk != 1) {
			return 0, fmt.Errorf("accuracy: predictions are %d×%d but targets are %d×%d", n, k, tn, tk)
		}
		correct := 0
		for i := 0; i < n; i++ {
			var hit bool
			switch {
			case k == 1:
				hit = (pred.At(i, 0) >= 0.5) == (target.At(i, 0) >= 0.5)
			case tk == 1:
				hit = float64(argmax(pred, i, k)) == target.At(i, 0)
			default:
				hit = argmax(pred, i, k) == argmax(target, i, k)
			}
			if hit {
				correct++
			}
		}
		return float64(correct) / float64(n), nil
	}}
}

func argmax(m mat.Matrix, row, k int) int {
	best := 0
	for j := 1; j < k; j++ {
		if m.At(row, j) > m.At(row, best) {
			best = j
		}
	}
	return best
}
