package losses

import (
	"fmt"
	"math"

	G "gorgonia.org/gorgonia"

	"github.com/golem-ml/golem/graph"
	"github.com/golem-ml/golem/internal/graphrt"
)

// Reduction says how per-sample losses combine into the loss.
type Reduction int

const (
	// Mean averages over samples (weights 1/N).
	Mean Reduction = iota
	// Sum adds over samples (weights 1).
	Sum
)

// Loss is a training objective.
type Loss interface {
	// Name is the loss's lower-case name, e.g. "mse".
	Name() string
	// Reduction says whether per-sample losses are averaged or summed.
	Reduction() Reduction
	// TargetColumns is how many target columns a model with the given number
	// of outputs needs (outputs, or 1 for integer class labels).
	TargetColumns(outputs int) int
	// CheckTarget validates one target row, so bad labels are reported by
	// row before training starts.
	CheckTarget(target []float64, outputs int) error
	// PerSample adds ℓᵢ for every row to the graph: pred is the model output
	// (batch × outputs), target is (batch × TargetColumns); the result has
	// shape (batch).
	PerSample(b *graph.Builder, pred, target *G.Node) (*G.Node, error)
}

// Residual is implemented by losses with a least-squares form: per-sample
// loss ℓᵢ = Σₖ rᵢₖ², with r of shape (batch × R).
type Residual interface {
	Loss
	// Residuals adds r to the graph.
	Residuals(b *graph.Builder, pred, target *G.Node) (*G.Node, error)
}

// sumSquares returns Σₖ rᵢₖ² for each row, shape (batch).
func sumSquares(r *G.Node) (*G.Node, error) {
	sq, err := G.Square(r)
	if err != nil {
		return nil, err
	}
	return G.Sum(sq, 1)
}

// checkFinite is the default target check.
func checkFinite(target []float64) error {
	for j, v := range target {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return fmt.Errorf("column %d is %v", j, v)
		}
	}
	return nil
}

// residualLoss turns a residual builder into a Residual loss whose
// per-sample loss is Σₖ rᵢₖ².
type residualLoss struct {
	name      string
	reduction Reduction
	residuals func(b *graph.Builder, pred, target *G.Node) (*G.Node, error)
	check     func(target []float64, outputs int) error
	targetCol func(outputs int) int
	soft      bool // built with SoftTargets (recorded in its Spec)
}

func (l *residualLoss) Name() string         { return l.name }
func (l *residualLoss) Reduction() Reduction { return l.reduction }
func (l *residualLoss) String() string       { return l.name }

func (l *residualLoss) TargetColumns(outputs int) int {
	if l.targetCol != nil {
		return l.targetCol(outputs)
	}
	return outputs
}

func (l *residualLoss) CheckTarget(target []float64, outputs int) error {
	if err := checkFinite(target); err != nil {
		return err
	}
	if l.check != nil {
		return l.check(target, outputs)
	}
	return nil
}

func (l *residualLoss) Residuals(b *graph.Builder, pred, target *G.Node) (r *G.Node, err error) {
	err = graphrt.Catch(func() error {
		var e error
		r, e = l.residuals(b, pred, target)
		return e
	})
	if err != nil {
		return nil, fmt.Errorf("%s: %w", l.name, err)
	}
	return r, nil
}

func (l *residualLoss) PerSample(b *graph.Builder, pred, target *G.Node) (*G.Node, error) {
	r, err := l.Residuals(b, pred, target)
	if err != nil {
		return nil, err
	}
	var out *G.Node
	err = graphrt.Catch(func() error {
		var e error
		out, e = sumSquares(r)
		return e
	})
	return out, err
}
