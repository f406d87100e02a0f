package golem

import (
	"context"
	"math"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/golem-ml/golem/layers"
	"github.com/golem-ml/golem/losses"
	"github.com/golem-ml/golem/optim"
)

// lossReadingLM is LM that also reads the batch's loss through the
// objective's graph (which sums the samples in the shuffled order) before
// every step, recording its bits.
type lossReadingLM struct {
	*optim.LMOptimizer
	seen []uint64
}

func (o *lossReadingLM) Step(ctx context.Context, obj optim.Objective) (optim.StepInfo, error) {
	l, err := obj.Loss()
	if err != nil {
		return optim.StepInfo{}, err
	}
	o.seen = append(o.seen, math.Float64bits(l))
	return o.LMOptimizer.Step(ctx, obj)
}

// TestDeferredShufflesGiveTheSameBits: a full-batch least-squares Fit
// defers its per-epoch shuffles until the order is read, which LM never
// does; an optimizer that does read it (through Loss) sees the order the
// eager shuffles give, and the Fit's bits (history, weights, the losses it
// read) equal the eager Fit's, with a Division drawn from the same RNG.
func TestDeferredShufflesGiveTheSameBits(t *testing.T) {
	x, y := sinData(90, 6)
	fit := func(eager bool, readLoss bool) (hist []float64, theta []float64, seen []uint64) {
		defer func(old bool) { eagerShuffles = old }(eagerShuffles)
		eagerShuffles = eager
		m := NewSequential(layers.Dense(5, layers.Tanh), layers.Dense(1))
		var opt optim.Optimizer = optim.LM(optim.LMConfig{})
		lr := &lossReadingLM{LMOptimizer: optim.LM(optim.LMConfig{})}
		if readLoss {
			opt = lr
		}
		require.NoError(t, m.Compile(Input(1), losses.MSE(), opt, WithSeed(2)))
		h, err := m.Fit(context.Background(), x, y, FitConfig{Epochs: 6, Seed: 4, Division: RandomDivision(), Patience: -1})
		require.NoError(t, err)
		return h.Loss, append([]float64(nil), m.Params().Theta()...), lr.seen
	}
	for _, readLoss := range []bool{false, true} {
		h1, th1, s1 := fit(true, readLoss)
		h2, th2, s2 := fit(false, readLoss)
		assert.Equal(t, h1, h2, "read loss %v: history", readLoss)
		assert.Equal(t, th1, th2, "read loss %v: weights", readLoss)
		assert.Equal(t, s1, s2, "read loss %v: the losses the optimizer read", readLoss)
		if readLoss {
			require.Len(t, s2, 6)
		}
	}
}
