package losses

import (
	"fmt"
	"math"

	"gonum.org/v1/gonum/mat"
	G "gorgonia.org/gorgonia"

	"github.com/golem-ml/golem/graph"
	"github.com/golem-ml/golem/internal/graphrt"
)

// MetricLoss is a loss that is also a Metric: golem.WithMetrics takes it
// as it is, and its Score is the loss of unweighted predictions, under the
// loss's name (so History records "mae", "val_mae", ...).
type MetricLoss interface {
	Loss
	Metric
}

// MetricResidual is a MetricLoss with a residual form: MSE and SSE.
type MetricResidual interface {
	Residual
	Metric
}

// metricResidual is a residual loss with a Score.
type metricResidual struct {
	*residualLoss
	score func(pred, target mat.Matrix) (float64, error)
}

// Score is the loss of pred against target, unweighted, as a metric.
func (l *metricResidual) Score(pred, target mat.Matrix) (float64, error) {
	return l.score(pred, target)
}

// squaredErrors is Σᵢ Σₖ (ŷᵢₖ - yᵢₖ)² and the number of entries N·K.
func squaredErrors(name string, pred, target mat.Matrix) (float64, int, error) {
	n, k, err := sameShape(name, pred, target)
	if err != nil {
		return 0, 0, err
	}
	var s float64
	for i := 0; i < n; i++ {
		for j := 0; j < k; j++ {
			d := pred.At(i, j) - target.At(i, j)
			s += d * d
		}
	}
	return s, n * k, nil
}

// MSE is the mean squared error, (1/N)·Σᵢ (1/K)·Σₖ (ŷᵢₖ - yᵢₖ)², as
// Keras's "mse". Residual form: rᵢₖ = (ŷᵢₖ - yᵢₖ)/√K, exact. It is also a
// metric ("mse"): golem.WithMetrics(losses.MSE()).
func MSE() MetricResidual {
	return &metricResidual{residualLoss: &residualLoss{name: "mse", reduction: Mean, residuals: func(_ *graph.Builder, pred, target *G.Node) (*G.Node, error) {
		d, err := G.Sub(pred, target)
		if err != nil {
			return nil, err
		}
		k := pred.Shape()[1]
		if k == 1 {
			return d, nil
		}
		return G.HadamardProd(d, G.NewConstant(1/math.Sqrt(float64(k))))
	}}, score: func(pred, target mat.Matrix) (float64, error) {
		s, n, err := squaredErrors("mse", pred, target)
		return s / float64(n), err
	}}
}

// SSE is the sum of squared errors, Σᵢ Σₖ (ŷᵢₖ - yᵢₖ)², the objective of
// classical nonlinear least squares (and of the NIST StRD problems).
// Residual form: rᵢₖ = ŷᵢₖ - yᵢₖ, exact. It is also a metric ("sse").
func SSE() MetricResidual {
	return &metricResidual{residualLoss: &residualLoss{name: "sse", reduction: Sum, residuals: func(_ *graph.Builder, pred, target *G.Node) (*G.Node, error) {
		return G.Sub(pred, target)
	}}, score: func(pred, target mat.Matrix) (float64, error) {
		s, _, err := squaredErrors("sse", pred, target)
		return s, err
	}}
}

// MAE is the mean absolute error, (1/N)·Σᵢ (1/K)·Σₖ |ŷᵢₖ - yᵢₖ|. It has no
// residual form (√|e| is not differentiable at 0), so Levenberg–Marquardt
// cannot train with it. It is also a metric ("mae", the same as
// MAEMetric).
func MAE() MetricLoss { return maeLoss{} }

type maeLoss struct{}

func (maeLoss) Name() string                  { return "mae" }
func (maeLoss) String() string                { return "mae" }
func (maeLoss) Reduction() Reduction          { return Mean }
func (maeLoss) TargetColumns(outputs int) int { return outputs }

// Score is the mean absolute error over all N·K entries (see MAEMetric).
func (maeLoss) Score(pred, target mat.Matrix) (float64, error) {
	return MAEMetric().Score(pred, target)
}

func (maeLoss) CheckTarget(target []float64, _ int) error {
	return checkFinite(target)
}

func (maeLoss) PerSample(_ *graph.Builder, pred, target *G.Node) (out *G.Node, err error) {
	err = graphrt.Catch(func() error {
		d, err := G.Sub(pred, target)
		if err != nil {
			return err
		}
		a, err := G.Abs(d)
		if err != nil {
			return err
		}
		out, err = G.Mean(a, 1)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("mae: %w", err)
	}
	return out, nil
}
