package golem

import (
	"context"
	"fmt"
	"math"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/golem-ml/golem/losses"
	"github.com/golem-ml/golem/optim"
)

// The "run twice, same answer" family: for every optimizer, a Fit
// continued in a second Fit equals one Fit of all the epochs; a second Fit
// that does not continue equals a fresh optimizer started from the same
// weights; and a Fit after a rejected Fit or Compile equals a Fit on a
// fresh model.
// Each holds bit for bit (NoShuffle, so the batches are the same).

type optimizerCase struct {
	name string
	make func() optim.Optimizer
}

func everyOptimizer() []optimizerCase {
	schedule := optim.ExponentialDecay{Decay: 0.9, Steps: 3}
	return []optimizerCase{
		{"sgd", func() optim.Optimizer { return optim.SGD(optim.SGDConfig{LearningRate: 0.05, Schedule: schedule}) }},
		{"momentum", func() optim.Optimizer { return optim.Momentum(optim.MomentumConfig{LearningRate: 0.02}) }},
		{"nesterov", func() optim.Optimizer { return optim.Nesterov(optim.MomentumConfig{LearningRate: 0.02}) }},
		{"adagrad", func() optim.Optimizer { return optim.Adagrad(optim.AdagradConfig{LearningRate: 0.1}) }},
		{"adadelta", func() optim.Optimizer { return optim.Adadelta(optim.AdadeltaConfig{LearningRate: 1}) }},
		{"rmsprop", func() optim.Optimizer {
			return optim.RMSprop(optim.RMSpropConfig{LearningRate: 0.01, Centered: true, Momentum: 0.5})
		}},
		{"adam", func() optim.Optimizer { return optim.Adam(optim.AdamConfig{LearningRate: 0.01}) }},
		{"amsgrad", func() optim.Optimizer { return optim.Adam(optim.AdamConfig{LearningRate: 0.01, AMSGrad: true}) }},
		{"adamw", func() optim.Optimizer {
			return optim.AdamW(optim.AdamWConfig{AdamConfig: optim.AdamConfig{LearningRate: 0.01}, WeightDecay: 0.01})
		}},
		{"lm", func() optim.Optimizer { return optim.LM(optim.LMConfig{}) }},
		{"lm-nielsen", func() optim.Optimizer { return optim.LM(optim.LMConfig{Update: optim.UpdateNielsen}) }},
		{"lm-minibatch", func() optim.Optimizer { return optim.LM(optim.LMConfig{}) }},
	}
}

func TestRunTwiceSameAnswer(t *testing.T) {
	x, y := sinData(40, 7)
	ctx := context.Background()
	for _, c := range everyOptimizer() {
		t.Run(c.name, func(t *testing.T) {
			cfg := func(epochs int, cont bool) FitConfig {
				f := FitConfig{Epochs: epochs, NoShuffle: true, Continue: cont, BatchSize: 16, MiniBatch: c.name == "lm-minibatch"}
				if c.name == "lm" || c.name == "lm-nielsen" {
					f.BatchSize = 0 // LM's full batch
				}
				return f
			}
			fit := func(m *Sequential, f FitConfig) *History {
				t.Helper()
				h, err := m.Fit(ctx, x, y, f)
				require.NoError(t, err)
				return h
			}

			// Continued: 3 + 2 epochs equal 5.
			a := tanhNet(t, c.make())
			h1 := fit(a, cfg(3, false))
			h2 := fit(a, cfg(2, true))
			b := tanhNet(t, c.make())
			h := fit(b, cfg(5, false))
			assert.Equal(t, h.Loss, append(append([]float64(nil), h1.Loss...), h2.Loss...), "continued losses")
			assert.Equal(t, b.Params().Theta(), a.Params().Theta(), "continued weights")

			// Restarted: a second Fit without Continue equals a fresh
			// optimizer on a fresh model from the same weights.
			start := append([]float64(nil), a.Params().Theta()...)
			hr := fit(a, cfg(2, false))
			fresh := tanhNet(t, c.make())
			copy(fresh.Params().Theta(), start)
			hf := fit(fresh, cfg(2, false))
			assert.Equal(t, hf.Loss, hr.Loss, "restarted losses")
			assert.Equal(t, fresh.Params().Theta(), a.Params().Theta(), "restarted weights")

			// After a rejected Fit.
			r := tanhNet(t, c.make())
			_, err := r.Fit(ctx, x, y, FitConfig{Epochs: 2, BatchSize: -7})
			require.Error(t, err)
			hrej := fit(r, cfg(5, false))
			assert.Equal(t, h.Loss, hrej.Loss, "after a rejected Fit")
			assert.Equal(t, b.Params().Theta(), r.Params().Theta(), fmt.Sprintf("%s after a rejected Fit", c.name))

			// After a rejected Compile (the optimizer stays the compiled one).
			rc := tanhNet(t, c.make())
			require.Error(t, rc.Compile(Input(1), losses.MSE(), optim.Adam(optim.AdamConfig{LearningRate: math.NaN()})))
			hrc := fit(rc, cfg(5, false))
			assert.Equal(t, h.Loss, hrc.Loss, "after a rejected Compile")
			assert.Equal(t, b.Params().Theta(), rc.Params().Theta(), "after a rejected Compile")
		})
	}
}
