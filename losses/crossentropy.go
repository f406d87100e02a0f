package losses

import (
	"fmt"
	"math"

	G "gorgonia.org/gorgonia"

	"golem/graph"
)

// probEpsilon bounds probabilities away from 0 and 1 when a loss must work
// from probabilities rather than logits (Keras's epsilon).
const probEpsilon = 1e-7

// residualGuard keeps √ℓ differentiable where ℓ underflows to exactly 0.
const residualGuard = 1e-300

// BinaryCrossEntropy is -(1/N)·Σᵢ (1/K)·Σₖ [y·log p + (1-y)·log(1-p)] for
// targets in [0, 1]. When the output comes from a sigmoid (Dense(k,
// layers.Sigmoid)) it is computed from the logits z as
// y·softplus(-z) + (1-y)·softplus(z), with graph.Softplus: a sum of two
// non-negative terms, each accurate to rounding, so the loss keeps relative
// accuracy even where it is 1e-300 (it never overflows, and never rounds to
// 0 while its derivative does not). Otherwise p is squeezed into [ε, 1-ε]
// (ε = 1e-7) as x = ε + (1-2ε)·p, which bounds the loss of each output
// below by about ε, and -log x and -log(1-x) come from
// graph.NegLogSqueezed and graph.NegLog1mSqueezed, accurate near p = 1 and
// p = 0 respectively.
//
// Residual form (square-root): one residual per output,
// rᵢₖ = √(ℓᵢₖ/K), so Σₖ rᵢₖ² is the sample's loss. Because ℓᵢₖ is
// accurate relative to itself, rᵢₖ and its derivative ℓ'/(2√ℓ) stay finite
// and agree with finite differences at any logits.
func BinaryCrossEntropy() Residual {
	return &residualLoss{
		name: "binary_crossentropy", reduction: Mean,
		residuals: func(b *graph.Builder, pred, target *G.Node) (*G.Node, error) {
			l, err := binaryXent(b, pred, target)
			if err != nil {
				return nil, err
			}
			return sqrtResiduals(l, 1/float64(pred.Shape()[1]))
		},
		check: func(target []float64, _ int) error {
			for j, v := range target {
				if v < 0 || v > 1 {
					return fmt.Errorf("column %d is %v, outside [0, 1]", j, v)
				}
			}
			return nil
		},
	}
}

// CategoricalCrossEntropy is -(1/N)·Σᵢ Σₖ yᵢₖ·log pᵢₖ for one-hot (or
// probability) targets. When the output comes from a softmax it is computed
// from the logits as Σₖ yₖ·ℓₖ with ℓₖ = -log softmax(z)ₖ from
// graph.NegLogSoftmax, which keeps relative accuracy where the correct class
// dominates; otherwise from probabilities squeezed into [ε, 1-ε].
//
// Residual form: one residual per sample, rᵢ = √ℓᵢ, finite with a finite,
// consistent derivative at any logits (see BinaryCrossEntropy). With soft
// targets ℓᵢ is bounded below by the targets' entropy, so a per-sample
// optimum is a non-zero residual with a zero gradient: LM still converges
// there, but more slowly than on one-hot targets.
func CategoricalCrossEntropy() Residual {
	return &residualLoss{
		name: "categorical_crossentropy", reduction: Mean,
		residuals: func(b *graph.Builder, pred, target *G.Node) (*G.Node, error) {
			l, err := categoricalXent(b, pred, target)
			if err != nil {
				return nil, err
			}
			return sampleResiduals(l, pred.Shape()[0])
		},
		check: func(target []float64, _ int) error {
			for j, v := range target {
				if v < 0 {
					return fmt.Errorf("column %d is %v, a negative class probability", j, v)
				}
			}
			return nil
		},
	}
}

// SparseCategoricalCrossEntropy is CategoricalCrossEntropy with integer
// class labels 0..K-1 as targets (one column) instead of one-hot rows.
// Residual form: rᵢ = √ℓᵢ, as CategoricalCrossEntropy.
func SparseCategoricalCrossEntropy() Residual {
	return &residualLoss{
		name: "sparse_categorical_crossentropy", reduction: Mean,
		residuals: func(b *graph.Builder, pred, labels *G.Node) (*G.Node, error) {
			onehot, err := oneHot(b, labels, pred.Shape()[1])
			if err != nil {
				return nil, err
			}
			l, err := categoricalXent(b, pred, onehot)
			if err != nil {
				return nil, err
			}
			return sampleResiduals(l, pred.Shape()[0])
		},
		targetCol: func(int) int { return 1 },
		check: func(target []float64, outputs int) error {
			v := target[0]
			if v != math.Trunc(v) || v < 0 || int(v) >= outputs {
				return fmt.Errorf("label %v is not a class index in 0..%d", v, outputs-1)
			}
			return nil
		},
	}
}

// sqrtResiduals turns non-negative losses ℓ (any shape) into residuals
// √(scale·ℓ + tiny) of the same shape. The guard (1e-300, far below any
// loss that matters) only keeps √ differentiable where ℓ underflows to 0,
// which with the accurate losses above happens only where ℓ' has
// underflowed too.
func sqrtResiduals(l *G.Node, scale float64) (*G.Node, error) {
	var err error
	if scale != 1 {
		if l, err = G.HadamardProd(l, G.NewConstant(scale)); err != nil {
			return nil, err
		}
	}
	if l, err = G.Add(l, G.NewConstant(residualGuard)); err != nil {
		return nil, err
	}
	return G.Sqrt(l)
}

// sampleResiduals turns per-sample losses (batch) into residuals
// (batch × 1), rᵢ = √ℓᵢ.
func sampleResiduals(l *G.Node, rows int) (*G.Node, error) {
	r, err := sqrtResiduals(l, 1)
	if err != nil {
		return nil, err
	}
	return graph.Reshape(r, rows, 1)
}

// binaryXent is the binary cross-entropy of every output (batch × K).
func binaryXent(b *graph.Builder, pred, target *G.Node) (*G.Node, error) {
	if z, ok := b.Logits(pred, graph.LinkSigmoid); ok {
		// y·softplus(-z) + (1-y)·softplus(z): -log σ(z) and -log(1-σ(z)).
		negZ, err := G.Neg(z)
		if err != nil {
			return nil, err
		}
		spNeg, err := graph.Softplus(negZ)
		if err != nil {
			return nil, err
		}
		spPos, err := graph.Softplus(z)
		if err != nil {
			return nil, err
		}
		return weightedPair(target, spNeg, spPos)
	}
	// -(y·log x + (1-y)·log(1-x)), x = ε + (1-2ε)·p, each log accurate
	// where its loss is small.
	nlx, err := graph.NegLogSqueezed(pred, probEpsilon)
	if err != nil {
		return nil, err
	}
	nlq, err := graph.NegLog1mSqueezed(pred, probEpsilon)
	if err != nil {
		return nil, err
	}
	return weightedPair(target, nlx, nlq)
}

// weightedPair is y⊙a + (1-y)⊙b.
func weightedPair(y, a, b *G.Node) (*G.Node, error) {
	ya, err := G.HadamardProd(y, a)
	if err != nil {
		return nil, err
	}
	notY, err := G.Sub(G.NewConstant(1.0), y)
	if err != nil {
		return nil, err
	}
	nb, err := G.HadamardProd(notY, b)
	if err != nil {
		return nil, err
	}
	return G.Add(ya, nb)
}

// categoricalXent is the per-sample categorical cross-entropy (batch),
// Σₖ yₖ·(-log pₖ).
func categoricalXent(b *graph.Builder, pred, target *G.Node) (*G.Node, error) {
	var nlp *G.Node
	var err error
	if z, ok := b.Logits(pred, graph.LinkSoftmax); ok {
		if nlp, err = graph.NegLogSoftmax(z); err != nil {
			return nil, err
		}
	} else if nlp, err = graph.NegLogSqueezed(pred, probEpsilon); err != nil {
		return nil, err
	}
	ynlp, err := G.HadamardProd(target, nlp)
	if err != nil {
		return nil, err
	}
	return G.Sum(ynlp, 1)
}

// oneHot turns a (batch × 1) column of labels into (batch × k) one-hot rows.
func oneHot(b *graph.Builder, labels *G.Node, k int) (*G.Node, error) {
	classes := make([]float64, k)
	for i := range classes {
		classes[i] = float64(i)
	}
	row := b.Tensor("classes", []int{1, k}, classes)
	return G.BroadcastEq(labels, row, true, []byte{1}, []byte{0})
}
