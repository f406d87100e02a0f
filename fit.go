package golem

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"time"

	"gonum.org/v1/gonum/mat"

	"golem/graph"
	"golem/losses"
	"golem/optim"
)

// FitConfig configures Fit. Zero fields take the defaults.
type FitConfig struct {
	// Epochs is the number of passes over the data; default 1, or the
	// optimizer's own default (1000 for Levenberg–Marquardt, as trainlm).
	Epochs int
	// BatchSize is the number of samples per optimizer step; default 32
	// (Keras), or all samples for optimizers that prefer full batches
	// (Levenberg–Marquardt). A value ≥ N, or -1, uses all samples in every
	// step (full-batch gradient descent); 1 is stochastic gradient descent.
	// When it does not divide N the last batch of an epoch is smaller: it
	// is padded with zero-weight rows, so every sample is used exactly once
	// per epoch.
	BatchSize int
	// SampleWeight weights each sample's loss (length N, each ≥ 0); the
	// loss becomes Σᵢ wᵢℓᵢ/N for mean losses (Keras's convention) and
	// Σᵢ wᵢℓᵢ for sum losses. Levenberg–Marquardt uses the same weights in
	// JᵀWJ and JᵀWr. Default nil: all 1.
	SampleWeight []float64
	// ValidationX and ValidationY are held-out data scored after every
	// epoch; default none.
	ValidationX, ValidationY mat.Matrix
	// ValidationSplit holds out the last fraction of x and y (before any
	// shuffling, as Keras) as validation data; default 0. It cannot be
	// combined with ValidationX.
	ValidationSplit float64
	// Patience stops training after this many epochs in a row without a
	// lower validation loss (MATLAB's max_fail, Keras's EarlyStopping);
	// default 6, trainlm's, whenever there is validation data; negative:
	// never.
	Patience int
	// KeepLastWeights keeps the final weights; default false: with
	// validation data, Fit ends with the weights of the epoch with the
	// lowest validation loss (as MATLAB does; Keras's restore_best_weights).
	KeepLastWeights bool
	// Goal stops training once an epoch's loss is ≤ Goal; default 0 (off).
	Goal float64
	// TimeLimit stops training after this much wall time; default 0 (off).
	TimeLimit time.Duration
	// NoShuffle keeps the sample order; default false: samples are
	// reshuffled before every epoch.
	NoShuffle bool
	// Seed seeds the shuffling; default 0. The same seed, data and initial
	// weights give a bit-identical History and weights.
	Seed uint64
}

func (c FitConfig) withDefaults(n int, opt optim.Optimizer) (FitConfig, error) {
	if c.Epochs < 0 {
		return c, fmt.Errorf("golem: Epochs is %d, want ≥ 1", c.Epochs)
	}
	if c.Goal < 0 || c.TimeLimit < 0 {
		return c, fmt.Errorf("golem: Goal (%v) and TimeLimit (%v) must not be negative", c.Goal, c.TimeLimit)
	}
	if c.Patience == 0 {
		c.Patience = 6
	}
	if c.Epochs == 0 {
		c.Epochs = 1
		if d, ok := opt.(interface{ DefaultEpochs() int }); ok {
			c.Epochs = d.DefaultEpochs()
		}
	}
	fullBatch := false
	if f, ok := opt.(interface{ FullBatch() bool }); ok {
		fullBatch = f.FullBatch()
	}
	switch {
	case c.BatchSize == 0 && fullBatch:
		c.BatchSize = n
	case c.BatchSize == 0:
		c.BatchSize = 32
	case c.BatchSize < -1:
		return c, fmt.Errorf("golem: BatchSize is %d, want ≥ 1 (or -1 for full batch)", c.BatchSize)
	}
	if c.BatchSize == -1 || c.BatchSize > n {
		c.BatchSize = n
	}
	return c, nil
}

// The reasons Fit stops, in History.Stop; optimizers add their own
// (optim.StopMinGrad, optim.StopMuMax).
const (
	StopEpochs    optim.Stop = "epochs"    // the configured number of epochs ran
	StopGoal      optim.Stop = "goal"      // the loss reached FitConfig.Goal
	StopTimeLimit optim.Stop = "time"      // FitConfig.TimeLimit passed
	StopCancelled optim.Stop = "cancelled" // the context was cancelled
	StopPatience  optim.Stop = "patience"  // validation loss did not improve for Patience epochs
)

// Fit trains the model on x (N × features) and y (N × targets). It returns
// the History of every completed epoch and why training stopped. When ctx
// is cancelled Fit stops before the next optimizer step and returns the
// History so far together with ctx's error. However training ends, the
// weights are those after the last completed step or, with validation data
// (and without KeepLastWeights), those of the best validation epoch.
func (m *Sequential) Fit(ctx context.Context, x, y mat.Matrix, cfg FitConfig) (*History, error) {
	if m.opt == nil {
		return nil, ErrNotCompiled
	}
	if y == nil {
		return nil, fmt.Errorf("golem: Fit needs targets y")
	}
	d, err := m.dataset(x, y)
	if err != nil {
		return nil, err
	}
	if err := d.setSampleWeights(cfg.SampleWeight); err != nil {
		return nil, err
	}
	var val *dataset
	if d, val, err = m.validationData(d, cfg); err != nil {
		return nil, err
	}
	if cfg, err = cfg.withDefaults(d.n, m.opt); err != nil {
		return nil, err
	}
	start := time.Now()
	plan := graph.NewPlan(d.n, cfg.BatchSize)
	n, err := m.net(plan.Size, true)
	if err != nil {
		return nil, err
	}
	obj := &batchObjective{model: m, net: n}
	rng := rand.New(rand.NewPCG(cfg.Seed, 0x5851f42d4c957f2d))
	order := make([]int, d.n)
	for i := range order {
		order[i] = i
	}
	hist := newHistory(m.metrics)
	hist.Stop = StopEpochs
	track := newValidationTracker(m, val, cfg)
	defer track.finish(hist)
	for epoch := 1; epoch <= cfg.Epochs; epoch++ {
		if !cfg.NoShuffle {
			rng.Shuffle(len(order), func(i, j int) { order[i], order[j] = order[j], order[i] })
		}
		var epochLoss float64
		var stop optim.Stop
		for k := 0; k < plan.Count() && stop == ""; k++ {
			if err := ctx.Err(); err != nil {
				hist.Stop = StopCancelled
				return hist, fmt.Errorf("golem: Fit stopped in epoch %d: %w", epoch, err)
			}
			lo, hi := plan.Batch(k)
			n.bind(d, order, lo, hi, sampleWeight(m.loss, hi-lo))
			obj.setBatch(d, order, lo, hi)
			stepStart := time.Now()
			info, err := m.opt.Step(ctx, obj)
			info.Time = time.Since(stepStart)
			if err != nil {
				if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
					hist.Stop = StopCancelled
				}
				return hist, fmt.Errorf("golem: epoch %d, step %d: %w", epoch, k+1, err)
			}
			hist.Steps = append(hist.Steps, info)
			epochLoss += info.Loss * batchShare(m.loss, hi-lo, d.n)
			stop = info.Stop
		}
		scores, err := m.scoreMetrics(d)
		if err != nil {
			return hist, err
		}
		hist.add(epoch, epochLoss, scores)
		patienceOut, err := track.epoch(epoch, hist)
		if err != nil {
			return hist, err
		}
		if obs, ok := m.opt.(optim.EpochObserver); ok {
			monitored := epochLoss
			if len(hist.ValLoss) > 0 {
				monitored = hist.ValLoss[len(hist.ValLoss)-1]
			}
			obs.EndEpoch(monitored)
		}
		switch {
		case stop != "":
			hist.Stop = stop
		case patienceOut:
			hist.Stop = StopPatience
		case cfg.Goal > 0 && epochLoss <= cfg.Goal:
			hist.Stop = StopGoal
		case cfg.TimeLimit > 0 && time.Since(start) >= cfg.TimeLimit:
			hist.Stop = StopTimeLimit
		default:
			continue
		}
		break
	}
	return hist, nil
}

// batchShare is the factor that turns a batch's loss into its contribution
// to the epoch's loss: its share of the samples for a Mean loss, 1 for Sum.
func batchShare(l losses.Loss, rows, n int) float64 {
	if l.Reduction() == losses.Sum {
		return 1
	}
	return float64(rows) / float64(n)
}

// batchObjective is the optim.Objective of the batch currently bound to net.
type batchObjective struct {
	model   *Sequential
	net     *net
	batch   batchRef
	ls      *lsState // the least-squares view, built on demand
	lsReady bool     // ls describes batch
}

// Params returns θ.
func (o *batchObjective) Params() []float64 { return o.model.params.Theta() }

// Gradient runs the batch forward and backward and writes ∇loss into g.
func (o *batchObjective) Gradient(g []float64) (float64, error) {
	if len(g) != o.model.params.Len() {
		return 0, fmt.Errorf("golem: gradient buffer has %d entries, the model has %d parameters", len(g), o.model.params.Len())
	}
	if err := o.net.run(); err != nil {
		return 0, err
	}
	clear(g)
	for i, p := range o.net.params {
		copy(g[p.Offset:p.Offset+p.Size()], o.net.grads[i].Data())
	}
	return o.net.loss.Scalar(), nil
}

// Loss runs the batch forward only, on a graph without gradients.
func (o *batchObjective) Loss() (float64, error) {
	fwd, err := o.model.net(o.net.batch, false)
	if err != nil {
		return 0, err
	}
	copy(fwd.x.Data, o.net.x.Data)
	copy(fwd.y.Data, o.net.y.Data)
	copy(fwd.w.Data, o.net.w.Data)
	if err := fwd.run(); err != nil {
		return 0, err
	}
	return fwd.loss.Scalar(), nil
}
