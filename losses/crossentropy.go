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
// layers.Sigmoid)) it is computed from the logits z as softplus(z) - y·z,
// which never overflows; otherwise p is squeezed into [ε, 1-ε] (ε = 1e-7)
// as ε + (1-2ε)·p.
//
// Residual form (square-root): one residual per sample, rᵢ = √ℓᵢ, so
// Σ rᵢ² is the loss exactly.
func BinaryCrossEntropy() Residual {
	return &residualLoss{
		name: "binary_crossentropy", reduction: Mean,
		residuals: sqrtResiduals(binaryXent),
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
// from the logits as log-sum-exp(z) - Σₖ yₖzₖ; otherwise from probabilities
// squeezed into [ε, 1-ε]. Residual form: rᵢ = √ℓᵢ (see BinaryCrossEntropy).
func CategoricalCrossEntropy() Residual {
	return &residualLoss{
		name: "categorical_crossentropy", reduction: Mean,
		residuals: sqrtResiduals(categoricalXent),
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
func SparseCategoricalCrossEntropy() Residual {
	return &residualLoss{
		name: "sparse_categorical_crossentropy", reduction: Mean,
		residuals: sqrtResiduals(func(b *graph.Builder, pred, labels *G.Node) (*G.Node, error) {
			onehot, err := oneHot(b, labels, pred.Shape()[1])
			if err != nil {
				return nil, err
			}
			return categoricalXent(b, pred, onehot)
		}),
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

// sqrtResiduals turns a per-sample loss (batch) into residuals (batch × 1)
// with rᵢ = √(ℓᵢ + tiny).
func sqrtResiduals(perSample func(b *graph.Builder, pred, target *G.Node) (*G.Node, error)) func(b *graph.Builder, pred, target *G.Node) (*G.Node, error) {
	return func(b *graph.Builder, pred, target *G.Node) (*G.Node, error) {
		l, err := perSample(b, pred, target)
		if err != nil {
			return nil, err
		}
		if l, err = G.Add(l, G.NewConstant(residualGuard)); err != nil {
			return nil, err
		}
		if l, err = G.Sqrt(l); err != nil {
			return nil, err
		}
		return graph.Reshape(l, pred.Shape()[0], 1)
	}
}

// binaryXent is the per-sample binary cross-entropy, averaged over outputs.
func binaryXent(b *graph.Builder, pred, target *G.Node) (*G.Node, error) {
	var elem *G.Node
	if z, ok := b.Logits(pred, graph.LinkSigmoid); ok {
		// softplus(z) - y·z
		sp, err := G.Softplus(z)
		if err != nil {
			return nil, err
		}
		yz, err := G.HadamardProd(target, z)
		if err != nil {
			return nil, err
		}
		if elem, err = G.Sub(sp, yz); err != nil {
			return nil, err
		}
	} else {
		p, err := squeeze(pred)
		if err != nil {
			return nil, err
		}
		// -(y·log p + (1-y)·log(1-p))
		lp, err := G.Log(p)
		if err != nil {
			return nil, err
		}
		q, err := G.Sub(G.NewConstant(1.0), p)
		if err != nil {
			return nil, err
		}
		lq, err := G.Log(q)
		if err != nil {
			return nil, err
		}
		ylp, err := G.HadamardProd(target, lp)
		if err != nil {
			return nil, err
		}
		notY, err := G.Sub(G.NewConstant(1.0), target)
		if err != nil {
			return nil, err
		}
		ylq, err := G.HadamardProd(notY, lq)
		if err != nil {
			return nil, err
		}
		s, err := G.Add(ylp, ylq)
		if err != nil {
			return nil, err
		}
		if elem, err = G.Neg(s); err != nil {
			return nil, err
		}
	}
	return G.Mean(elem, 1)
}

// categoricalXent is the per-sample categorical cross-entropy.
func categoricalXent(b *graph.Builder, pred, target *G.Node) (*G.Node, error) {
	var logp *G.Node
	var err error
	if z, ok := b.Logits(pred, graph.LinkSoftmax); ok {
		if logp, err = graph.LogSoftmax(z); err != nil {
			return nil, err
		}
	} else {
		p, err := squeeze(pred)
		if err != nil {
			return nil, err
		}
		if logp, err = G.Log(p); err != nil {
			return nil, err
		}
	}
	ylp, err := G.HadamardProd(target, logp)
	if err != nil {
		return nil, err
	}
	s, err := G.Sum(ylp, 1)
	if err != nil {
		return nil, err
	}
	return G.Neg(s)
}

// squeeze maps probabilities p into [ε, 1-ε] as ε + (1-2ε)·p.
func squeeze(p *G.Node) (*G.Node, error) {
	s, err := G.HadamardProd(p, G.NewConstant(1-2*probEpsilon))
	if err != nil {
		return nil, err
	}
	return G.Add(s, G.NewConstant(probEpsilon))
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
