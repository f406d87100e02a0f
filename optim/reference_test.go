package optim_test

import (
	"context"
	"encoding/json"
	"math"
	"os"
	"testing"

	"github.com/stretchr/testify/require"
	"gonum.org/v1/gonum/mat"

	"github.com/golem-ml/golem"
	"github.com/golem-ml/golem/layers"
	"github.com/golem-ml/golem/losses"
	"github.com/golem-ml/golem/optim"
)

// reference is testdata/reference_trajectories.json, written by
// testdata/gen_reference.py from torch.optim.
type reference struct {
	Torch  string      `json:"torch"`
	X      [][]float64 `json:"x"`
	Y      []float64   `json:"y"`
	Theta0 []float64   `json:"theta0"`
	Steps  int         `json:"steps"`
	Cases  []struct {
		Name  string      `json:"name"`
		Theta [][]float64 `json:"theta"`
		Loss  []float64   `json:"loss"`
	} `json:"cases"`
}

// optimizers maps each fixture case to golem's optimizer with the same
// hyper-parameters (see gen_reference.py for the convention mapping; a
// negative ε means exactly 0).
var optimizers = map[string]func() optim.Optimizer{
	"sgd":      func() optim.Optimizer { return optim.SGD(optim.SGDConfig{LearningRate: 0.1}) },
	"momentum": func() optim.Optimizer { return optim.Momentum(optim.MomentumConfig{LearningRate: 0.05, Momentum: 0.9}) },
	"nesterov": func() optim.Optimizer { return optim.Nesterov(optim.MomentumConfig{LearningRate: 0.05, Momentum: 0.9}) },
	"adagrad": func() optim.Optimizer {
		return optim.Adagrad(optim.AdagradConfig{LearningRate: 0.1, InitialAccumulator: 0.1, Epsilon: -1})
	},
	"adadelta": func() optim.Optimizer {
		return optim.Adadelta(optim.AdadeltaConfig{LearningRate: 1, Rho: 0.95, Epsilon: 1e-7})
	},
	"rmsprop": func() optim.Optimizer {
		return optim.RMSprop(optim.RMSpropConfig{LearningRate: 0.01, Rho: 0.9, Epsilon: -1})
	},
	"rmsprop_centered_momentum": func() optim.Optimizer {
		return optim.RMSprop(optim.RMSpropConfig{LearningRate: 0.01, Rho: 0.9, Epsilon: -1, Centered: true, Momentum: 0.5})
	},
	"adam": func() optim.Optimizer {
		return optim.Adam(optim.AdamConfig{LearningRate: 0.05, Beta1: 0.9, Beta2: 0.999, Epsilon: -1})
	},
	"amsgrad": func() optim.Optimizer {
		return optim.Adam(optim.AdamConfig{LearningRate: 0.05, Beta1: 0.9, Beta2: 0.999, Epsilon: -1, AMSGrad: true})
	},
	"adamw": func() optim.Optimizer {
		return optim.AdamW(optim.AdamWConfig{AdamConfig: optim.AdamConfig{LearningRate: 0.05, Beta1: 0.9, Beta2: 0.999, Epsilon: -1}, WeightDecay: 0.1})
	},
}

// trajectory records the loss before, and θ after, every optimizer step.
type trajectory struct {
	golem.BaseCallback
	loss  []float64
	theta [][]float64
}

func (r *trajectory) OnBatchEnd(s *golem.State) error {
	r.loss = append(r.loss, s.Step.Loss)
	r.theta = append(r.theta, append([]float64(nil), s.Model.Params().Theta()...))
	return nil
}

// TestMatchesTorchOptimTrajectories: 20 full-batch steps of each optimizer
// (one Fit of 20 epochs) on a 2-3-1 tanh network match torch.optim to
// 1e-10 relative, in θ and in the loss.
func TestMatchesTorchOptimTrajectories(t *testing.T) {
	raw, err := os.ReadFile("testdata/reference_trajectories.json")
	require.NoError(t, err)
	var ref reference
	require.NoError(t, json.Unmarshal(raw, &ref))
	n := len(ref.X)
	x := mat.NewDense(n, 2, nil)
	y := mat.NewDense(n, 1, ref.Y)
	for i, row := range ref.X {
		x.SetRow(i, row)
	}
	require.Len(t, ref.Cases, len(optimizers))
	for _, c := range ref.Cases {
		t.Run(c.Name, func(t *testing.T) {
			makeOpt, ok := optimizers[c.Name]
			require.True(t, ok, "no golem optimizer for %q", c.Name)
			m := golem.NewSequential(layers.Dense(3, layers.Tanh), layers.Dense(1))
			require.NoError(t, m.Compile(golem.Input(2), losses.MSE(), makeOpt()))
			copy(m.Params().Theta(), ref.Theta0)
			rec := &trajectory{}
			_, err := m.Fit(context.Background(), x, y, golem.FitConfig{Epochs: ref.Steps, BatchSize: -1, NoShuffle: true,
				Callbacks: []golem.Callback{rec}})
			require.NoError(t, err)
			require.Len(t, rec.loss, ref.Steps)
			worst := 0.0
			for step := 0; step < ref.Steps; step++ {
				require.InDelta(t, c.Loss[step], rec.loss[step], 1e-10*c.Loss[step], "loss before step %d", step+1)
				for i, got := range rec.theta[step] {
					want := c.Theta[step][i]
					rel := math.Abs(got-want) / math.Max(math.Abs(want), 1e-3)
					worst = math.Max(worst, rel)
					require.LessOrEqualf(t, rel, 1e-10, "θ[%d] after step %d: golem %.17g, torch %.17g", i, step+1, got, want)
				}
			}
			t.Logf("worst relative difference over %d steps: %.2e", ref.Steps, worst)
		})
	}
}
