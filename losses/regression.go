package losses

import (
	"fmt"
	"math"

	G "gorgonia.org/gorgonia"

	"github.com/golem-ml/golem/graph"
	"github.com/golem-ml/golem/internal/graphrt"
)

// MSE is the mean squared error, (1/N)·Σᵢ (1/K)·Σₖ (ŷᵢₖ - yᵢₖ)², as
// Keras's "mse". Residual form: rᵢₖ = (ŷᵢₖ - yᵢₖ)/√K, exact.
func MSE() Residual {
	return &residualLoss{name: "mse", reduction: Mean, residuals: func(_ *graph.Builder, pred, target *G.Node) (*G.Node, error) {
		d, err := G.Sub(pred, target)
		if err != nil {
			return nil, err
		}
		k := pred.Shape()[1]
		if k == 1 {
			return d, nil
		}
		return G.HadamardProd(d, G.NewConstant(1/math.Sqrt(float64(k))))
	}}
}

// SSE is the sum of squared errors, Σᵢ Σₖ (ŷᵢₖ - yᵢₖ)², the objective of
// classical nonlinear least squares (and of the NIST StRD problems).
// Residual form: rᵢₖ = ŷᵢₖ - yᵢₖ, exact.
func SSE() Residual {
	return &residualLoss{name: "sse", reduction: Sum, residuals: func(_ *graph.Builder, pred, target *G.Node) (*G.Node, error) {
		return G.Sub(pred, target)
	}}
}

// MAE is the mean absolute error, (1/N)·Σᵢ (1/K)·Σₖ |ŷᵢₖ - yᵢₖ|. It has no
// residual form (√|e| is not differentiable at 0), so Levenberg–Marquardt
// cannot train with it.
func MAE() Loss { return maeLoss{} }

type maeLoss struct{}

func (maeLoss) Name() string                  { return "mae" }
func (maeLoss) String() string                { return "mae" }
func (maeLoss) Reduction() Reduction          { return Mean }
func (maeLoss) TargetColumns(outputs int) int { return outputs }
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
