package golem

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"os"
	"time"

	"gonum.org/v1/gonum/mat"

	"github.com/golem-ml/golem/internal/engine"
	"github.com/golem-ml/golem/internal/graphrt"
	"github.com/golem-ml/golem/losses"
	"github.com/golem-ml/golem/optim"
)

// FitConfig configures Fit. Zero fields take the defaults.
type FitConfig struct {
	// Epochs is the number of passes over the data; default 1, or the
	// optimizer's own default (1000 for Levenberg–Marquardt, as trainlm).
	Epochs int
	// BatchSize is the number of samples per optimizer step; default 32
	// (Keras), or all samples for optimizers that train on full batches
	// (Levenberg–Marquardt and BR, see MiniBatch). A value ≥ N, or -1,
	// uses all samples in every step (full-batch gradient descent); 1 is
	// stochastic gradient descent. When it does not divide N the last
	// batch of an epoch is smaller: it is padded with zero-weight copies
	// of a real sample, so every sample is used exactly once per epoch.
	BatchSize int
	// MiniBatch lets an optimizer that trains on full batches
	// (Levenberg–Marquardt, BR) step on mini-batches of BatchSize samples:
	// each iteration then linearizes one batch, which is a different
	// algorithm (in one trial a 5 times larger test error). Default false:
	// with such an optimizer a BatchSize below the number of training
	// samples is an error, so a BatchSize copied from a first-order
	// configuration cannot silently change the algorithm. Other
	// optimizers ignore it.
	MiniBatch bool
	// NoShuffle keeps the sample order; default false: samples are
	// reshuffled before every epoch.
	NoShuffle bool
	// Seed seeds the shuffling and the random Division; default 0. The same
	// seed, data and initial weights give a bit-identical History and
	// weights.
	Seed uint64

	// SampleWeight weights each sample's loss (length N, each ≥ 0); the
	// loss becomes Σᵢ wᵢℓᵢ/N for mean losses (Keras's convention) and
	// Σᵢ wᵢℓᵢ for sum losses. Levenberg–Marquardt uses the same weights in
	// JᵀWJ and JᵀWr. Default nil: all 1.
	SampleWeight []float64
	// ClassWeight multiplies the weight of each sample of class c by
	// ClassWeight[c] (classes as the loss sees them: integer labels, the
	// arg-max of one-hot rows, or 0/1 for one output); default nil.
	ClassWeight []float64

	// ValidationX and ValidationY are held-out data scored after every
	// epoch; default none.
	ValidationX, ValidationY mat.Matrix
	// ValidationSplit holds out the last fraction of x and y (before any
	// shuffling, as Keras) as validation data; default 0.
	ValidationSplit float64
	// Division splits x and y at random (by Seed) into training,
	// validation and test parts, as MATLAB's dividerand; the indices are
	// recorded in the History. Default nil. Use one of ValidationX,
	// ValidationSplit and Division.
	Division *Division
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
	// MinGrad stops training once the gradient norm of a step is below it;
	// default 0 (off; Levenberg–Marquardt has its own, LMConfig.MinGrad).
	MinGrad float64
	// TimeLimit stops training after the batch during which this much wall
	// time has passed; default 0 (off). A stopped partial epoch is recorded
	// with the mean loss of the batches it ran.
	TimeLimit time.Duration

	// Continue carries the optimizer's state over from the previous Fit
	// (moments, step counters, learning-rate schedules, LM's damping μ), so
	// that two Fits of E₁ and E₂ epochs train as one of E₁+E₂ would (with
	// NoShuffle; shuffling restarts from Seed in every Fit). Default false:
	// every Fit starts the optimizer afresh from the current weights, as
	// MATLAB's train does, so the same Fit from the same weights gives the
	// same bits whatever ran before. (Keras keeps the optimizer state:
	// Continue: true.)
	Continue bool

	// Callbacks run at the start and end of training, epochs and batches.
	Callbacks []Callback
	// Verbose sets the progress output: 0 none (default); 1 a live bar per
	// epoch on a terminal, else as 2; 2 one line per epoch.
	Verbose int
	// Output receives the progress; default os.Stdout.
	Output io.Writer
}

// Division is the fractions of a random train/validation/test split; they
// must add up to 1 (default MATLAB's 0.70/0.15/0.15, see RandomDivision).
type Division struct {
	Train, Val, Test float64
}

// RandomDivision is MATLAB's default division: 70% training, 15%
// validation, 15% test.
func RandomDivision() *Division { return &Division{Train: 0.70, Val: 0.15, Test: 0.15} }

// Validate reports a configuration that cannot work, before Fit touches
// the model or the data.
func (c FitConfig) Validate() error {
	finite := func(name string, v float64) error {
		if math.IsNaN(v) || math.IsInf(v, 0) || v < 0 {
			return fmt.Errorf("golem: %s is %v, want a finite value ≥ 0", name, v)
		}
		return nil
	}
	switch {
	case c.Epochs < 0:
		return fmt.Errorf("golem: Epochs is %d, want ≥ 1 (or 0 for the default)", c.Epochs)
	case c.BatchSize < -1:
		return fmt.Errorf("golem: BatchSize is %d, want ≥ 1 (or -1 for full batch)", c.BatchSize)
	case c.TimeLimit < 0:
		return fmt.Errorf("golem: TimeLimit is %v, want ≥ 0", c.TimeLimit)
	case c.Verbose < 0 || c.Verbose > 2:
		return fmt.Errorf("golem: Verbose is %d, want 0, 1 or 2", c.Verbose)
	case (c.ValidationX == nil) != (c.ValidationY == nil):
		return fmt.Errorf("golem: ValidationX needs ValidationY (and ValidationY needs ValidationX)")
	case math.IsNaN(c.ValidationSplit) || c.ValidationSplit < 0 || c.ValidationSplit >= 1:
		return fmt.Errorf("golem: ValidationSplit is %v, want a fraction in [0, 1)", c.ValidationSplit)
	}
	if err := finite("Goal", c.Goal); err != nil {
		return err
	}
	if err := finite("MinGrad", c.MinGrad); err != nil {
		return err
	}
	if d := c.Division; d != nil {
		for _, f := range []struct {
			name string
			v    float64
		}{{"Division.Train", d.Train}, {"Division.Val", d.Val}, {"Division.Test", d.Test}} {
			if err := finite(f.name, f.v); err != nil {
				return err
			}
		}
		if d.Train <= 0 || math.Abs(d.Train+d.Val+d.Test-1) > 1e-9 {
			return fmt.Errorf("golem: Division %v/%v/%v must have a positive training part and add up to 1", d.Train, d.Val, d.Test)
		}
	}
	for i, cb := range c.Callbacks {
		if cb == nil {
			return fmt.Errorf("golem: Callbacks[%d] is nil", i)
		}
	}
	return nil
}

// withDefaults fills in the defaults for n training samples and opt.
func (c FitConfig) withDefaults(n int, opt optim.Optimizer) FitConfig {
	if c.Patience == 0 {
		c.Patience = 6
	}
	if c.Output == nil {
		c.Output = os.Stdout
	}
	defaults, hasDefaults := opt.(optim.TrainingDefaults)
	if c.Epochs == 0 {
		c.Epochs = 1
		if hasDefaults {
			c.Epochs = defaults.DefaultEpochs()
		}
	}
	switch {
	case c.BatchSize == 0 && hasDefaults && defaults.FullBatch():
		c.BatchSize = n
	case c.BatchSize == 0:
		c.BatchSize = 32
	}
	if c.BatchSize == -1 || c.BatchSize > n {
		c.BatchSize = n
	}
	return c
}

// checkMiniBatch refuses mini-batches (cfg's BatchSize, after defaults,
// below the n training samples) for an optimizer that trains on full
// batches, unless cfg.MiniBatch chooses them.
func checkMiniBatch(cfg FitConfig, n int, opt optim.Optimizer) error {
	d, ok := opt.(optim.TrainingDefaults)
	if !ok || !d.FullBatch() || cfg.MiniBatch || cfg.BatchSize >= n {
		return nil
	}
	return fmt.Errorf("golem: BatchSize %d is below the %d training samples, and %T trains on full batches (Levenberg–Marquardt): "+
		"leave BatchSize 0 (or -1) for full-batch steps, or set FitConfig.MiniBatch to choose mini-batch steps, a different algorithm", cfg.BatchSize, n, opt)
}

// The reasons Fit stops, in History.Stop; optimizers add their own
// (optim.StopMinGrad, optim.StopMuMax).
const (
	StopEpochs    optim.Stop = "epochs"    // the configured number of epochs ran
	StopGoal      optim.Stop = "goal"      // the loss reached FitConfig.Goal
	StopMinGrad   optim.Stop = "min_grad"  // the gradient norm fell below FitConfig.MinGrad
	StopTimeLimit optim.Stop = "time"      // FitConfig.TimeLimit passed
	StopCancelled optim.Stop = "cancelled" // the context was cancelled
	StopPatience  optim.Stop = "patience"  // validation loss did not improve for Patience epochs
	StopNaN       optim.Stop = "nan"       // the loss or gradient stopped being finite
)

// Fit trains the model on x (N × features) and y (N × targets). It returns
// the History of every completed epoch and why training stopped. When ctx
// is cancelled Fit stops before the next optimizer step and returns the
// History so far together with ctx's error. However training ends, the
// weights are those after the last completed step or, with validation data
// (and without KeepLastWeights), those of the best validation epoch.
//
// Fit first checks the whole configuration and the data; a rejected Fit
// changes nothing (not even the scalers of a first Fit). Every Fit starts
// the optimizer afresh unless cfg.Continue is set.
func (m *Model) Fit(ctx context.Context, x, y mat.Matrix, cfg FitConfig) (*History, error) {
	if err := m.acquire(); err != nil {
		return nil, err
	}
	defer m.release()
	r, err := m.newRun(x, y, cfg)
	if err != nil {
		return nil, err
	}
	defer r.obj.close()
	return r.fit(ctx)
}

// run is one Fit in progress: the training problem, built and checked
// before anything about the model changes, and the loop's state.
type run struct {
	m                *Sequential
	cfg              FitConfig
	train, val, test *dataset
	plan             graphrt.Plan
	obj              *batchObjective
	order            []int
	rng              *rand.Rand
	// lazyShuffle defers the per-epoch shuffles until the order is read:
	// with one batch of all samples and an optimizer that steps through
	// the least-squares methods alone, which use the samples in data
	// order, it never is. pendingShuffles counts the deferred ones.
	lazyShuffle     bool
	pendingShuffles int
	hist            *History
	state           *State
	callbacks       callbacks
	start           time.Time
}

func (m *Model) newRun(x, y mat.Matrix, cfg FitConfig) (*run, error) {
	if m.opt == nil {
		return nil, ErrNotCompiled
	}
	if y == nil {
		return nil, fmt.Errorf("golem: Fit needs targets y")
	}
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	d, err := m.dataset(x, y)
	if err != nil {
		return nil, err
	}
	if err := d.setSampleWeights(cfg.SampleWeight); err != nil {
		return nil, err
	}
	if err := m.applyClassWeights(d, cfg.ClassWeight); err != nil {
		return nil, err
	}
	r := &run{m: m, hist: newHistory(m.metrics), rng: rand.New(rand.NewPCG(cfg.Seed, 0x5851f42d4c957f2d))}
	if r.train, r.val, r.test, err = m.divide(d, cfg, r.rng, r.hist); err != nil {
		return nil, err
	}
	inScale, outScale := m.fitScalers(r.train, r.val, r.test)
	r.cfg = cfg.withDefaults(r.train.n, m.opt)
	if err := checkMiniBatch(r.cfg, r.train.n, m.opt); err != nil {
		return nil, err
	}
	r.plan = graphrt.NewPlan(r.train.n, r.cfg.BatchSize)
	r.obj = newBatchObjective(m, r.plan.Size)
	r.obj.seed = cfg.Seed
	ok := false
	defer func() {
		if !ok {
			r.obj.close()
		}
	}()
	// Build the gradient graph a first-order optimizer steps with now, so a
	// model that does not build fails before training starts. A
	// least-squares optimizer steps through the Jacobian engine alone and
	// never needs a graph of the whole batch.
	if !leastSquaresOnly(m.opt) {
		if _, err := r.obj.graph(true); err != nil {
			return nil, err
		}
	}
	if err := m.initOptimizer(r); err != nil {
		return nil, err
	}
	// Everything is checked: commit what the run changes in the model.
	m.rw.Lock()
	m.inScale, m.outScale = inScale, outScale
	m.rw.Unlock()

	r.order = make([]int, r.train.n)
	for i := range r.order {
		r.order[i] = i
	}
	r.lazyShuffle = leastSquaresOnly(m.opt) && r.plan.Count() == 1 && !eagerShuffles
	if r.val != nil {
		r.callbacks = append(r.callbacks, EarlyStopping(EarlyStoppingConfig{Patience: r.cfg.Patience, KeepLast: r.cfg.KeepLastWeights}))
	}
	r.callbacks = append(r.callbacks, r.cfg.Callbacks...)
	if r.cfg.Verbose > 0 {
		r.callbacks = append(r.callbacks, newProgress(r.cfg.Output, r.cfg.Verbose))
	}
	r.state = &State{Model: m, Config: r.cfg, Batches: r.plan.Count(), History: r.hist}
	ok = true
	return r, nil
}

// initOptimizer tells the optimizer about the run (optim.Initializer).
func (m *Model) initOptimizer(r *run) error {
	in, ok := m.opt.(optim.Initializer)
	if !ok {
		return nil
	}
	p := optim.Problem{
		Params:    m.params.Len(),
		Samples:   r.train.n,
		BatchSize: r.cfg.BatchSize,
		Batches:   r.plan.Count(),
		Continue:  r.cfg.Continue,
	}
	if leastSquaresOnly(m.opt) {
		e, err := m.jacobianEngine()
		if err != nil {
			return err
		}
		p.Rows = e.Rows(r.cfg.BatchSize)
	}
	if err := in.Init(p); err != nil {
		return fmt.Errorf("golem: %w", err)
	}
	return nil
}

// fit runs the epochs; the callbacks' OnTrainEnd (restoring the best
// weights, among others) runs however training ends.
func (r *run) fit(ctx context.Context) (hist *History, err error) {
	r.start = time.Now()
	r.hist.Stop = StopEpochs
	if err := r.callbacks.each(r.state, Callback.OnTrainBegin); err != nil {
		return r.hist, err
	}
	defer func() {
		if endErr := r.callbacks.each(r.state, Callback.OnTrainEnd); err == nil {
			err = endErr
		}
	}()
	for epoch := 1; epoch <= r.cfg.Epochs; epoch++ {
		if stop := r.stopReason(); stop != "" {
			r.hist.Stop = stop
			break
		}
		r.state.Epoch = epoch
		if err := r.epoch(ctx); err != nil {
			return r.hist, err
		}
	}
	if stop := r.stopReason(); stop != "" {
		r.hist.Stop = stop
	}
	return r.hist, nil
}

// epoch runs one pass over the training data and records it. A callback
// may stop training before the first batch, in which case nothing is
// recorded.
func (r *run) epoch(ctx context.Context) error {
	m, s, d := r.m, r.state, r.train
	if err := r.callbacks.each(s, Callback.OnEpochBegin); err != nil {
		return err
	}
	if !r.cfg.NoShuffle {
		r.pendingShuffles++
		if !r.lazyShuffle {
			r.applyShuffles()
		}
	}
	var epochLoss float64
	processed := 0
	for k := 0; k < r.plan.Count() && s.stop == ""; k++ {
		s.Batch = k + 1
		if err := ctx.Err(); err != nil {
			r.hist.Stop = StopCancelled
			return fmt.Errorf("golem: Fit stopped in epoch %d: %w", s.Epoch, err)
		}
		if err := r.callbacks.each(s, Callback.OnBatchBegin); err != nil {
			return err
		}
		if s.stop != "" {
			break
		}
		lo, hi := r.plan.Batch(k)
		r.obj.setBatch(d, r.order, lo, hi)
		if r.lazyShuffle {
			r.obj.batch.materialize = r.applyShuffles
		}
		stepStart := time.Now()
		m.rw.Lock() // readers (Predict) see θ between steps only
		info, err := m.opt.Step(ctx, r.obj)
		m.rw.Unlock()
		info.Time = time.Since(stepStart)
		if err != nil {
			if stop, handled := r.stepFailed(info, err); handled {
				s.StopTraining(stop)
				break
			}
			return fmt.Errorf("golem: epoch %d, step %d: %w", s.Epoch, k+1, err)
		}
		r.hist.Steps = append(r.hist.Steps, info)
		s.Step, s.StepErr = info, nil
		epochLoss += info.Loss * batchShare(m.loss, hi-lo, d.n)
		processed += hi - lo
		if info.Stop != "" {
			s.StopTraining(info.Stop)
		}
		if r.cfg.MinGrad > 0 && info.GradNorm < r.cfg.MinGrad {
			s.StopTraining(StopMinGrad)
		}
		if r.cfg.TimeLimit > 0 && time.Since(r.start) >= r.cfg.TimeLimit {
			s.StopTraining(StopTimeLimit)
		}
		if err := r.callbacks.each(s, Callback.OnBatchEnd); err != nil {
			return err
		}
	}
	if processed == 0 { // stopped before any step of this epoch
		return nil
	}
	if processed < d.n { // stopped mid-epoch: the mean over the batches run
		epochLoss *= float64(d.n) / float64(processed)
	}
	if err := r.record(epochLoss); err != nil {
		return err
	}
	return r.callbacks.each(s, Callback.OnEpochEnd)
}

// eagerShuffles turns the deferred shuffles off (tests).
var eagerShuffles bool

// applyShuffles shuffles the sample order once for every epoch that has
// not shuffled it yet, in epoch order. The run's RNG draws nothing else
// once the data are divided, so shuffling late, or never, leaves every
// other draw as it was, and an order applied when first read is the order
// shuffling at each epoch's start would have given.
func (r *run) applyShuffles() {
	for ; r.pendingShuffles > 0; r.pendingShuffles-- {
		r.rng.Shuffle(len(r.order), func(i, j int) { r.order[i], r.order[j] = r.order[j], r.order[i] })
	}
}

// stepFailed sets the stop reason of a failed step. A step that failed on a
// non-finite value is shown to the callbacks (State.StepErr, then
// OnBatchEnd); when one of them stops training (TerminateOnNaN), Fit ends
// without an error, and handled is true.
func (r *run) stepFailed(info optim.StepInfo, err error) (stop optim.Stop, handled bool) {
	switch {
	case errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded):
		r.hist.Stop = StopCancelled
	case errors.Is(err, optim.ErrNotFinite):
		r.hist.Stop = StopNaN
		s := r.state
		s.Step, s.StepErr = info, err
		if cbErr := r.callbacks.each(s, Callback.OnBatchEnd); cbErr == nil && s.stop != "" {
			return s.stop, true
		}
	}
	return "", false
}

// record appends the epoch's values to the History.
func (r *run) record(loss float64) error {
	h, m := r.hist, r.m
	h.Epoch = append(h.Epoch, r.state.Epoch)
	h.Loss = append(h.Loss, loss)
	last := h.Steps[len(h.Steps)-1]
	h.Mu = append(h.Mu, last.Mu)
	h.GradNorm = append(h.GradNorm, last.GradNorm)
	if ev := last.Evidence; ev != nil {
		h.Gamma, h.SSW = append(h.Gamma, ev.Gamma), append(h.SSW, ev.SSW)
		h.Alpha, h.Beta = append(h.Alpha, ev.Alpha), append(h.Beta, ev.Beta)
	}
	scores, err := m.scoreMetrics(r.train)
	if err != nil {
		return err
	}
	for name, v := range scores {
		h.Metrics[name] = append(h.Metrics[name], v)
	}
	for _, part := range []struct {
		prefix string
		d      *dataset
		losses *[]float64
	}{{"val_", r.val, &h.ValLoss}, {"test_", r.test, &h.TestLoss}} {
		if part.d == nil {
			continue
		}
		pred, l, err := m.forward(part.d)
		if err != nil {
			return err
		}
		*part.losses = append(*part.losses, l)
		scores, err := m.metricScores(pred, part.d)
		if err != nil {
			return err
		}
		for name, v := range scores {
			h.Metrics[part.prefix+name] = append(h.Metrics[part.prefix+name], v)
		}
	}
	h.Time = append(h.Time, time.Since(r.start))
	if obs, ok := m.opt.(optim.EpochObserver); ok {
		monitored := loss
		if len(h.ValLoss) > 0 {
			monitored = h.ValLoss[len(h.ValLoss)-1]
		}
		obs.EndEpoch(monitored)
	}
	return nil
}

// stopReason says whether training ends after this epoch.
func (r *run) stopReason() optim.Stop {
	switch {
	case r.state.stop != "":
		return r.state.stop
	case r.cfg.Goal > 0 && r.hist.Len() > 0 && r.hist.FinalLoss() <= r.cfg.Goal:
		return StopGoal
	}
	return ""
}

// batchShare is the factor that turns a batch's loss into its contribution
// to the epoch's loss: its share of the samples for a Mean loss, 1 for Sum.
func batchShare(l losses.Loss, rows, n int) float64 {
	if l.Reduction() == losses.Sum {
		return 1
	}
	return float64(rows) / float64(n)
}

// leastSquaresOnly reports whether the optimizer steps through
// optim.LeastSquares alone (Levenberg–Marquardt): it never asks for a
// gradient graph.
func leastSquaresOnly(opt optim.Optimizer) bool {
	ls, ok := opt.(optim.LeastSquaresOptimizer)
	return ok && ls.NeedsLeastSquares()
}

// batchObjective is the optim.Objective of one batch. It binds the batch
// into a graph only when an optimizer asks for what that graph computes:
// the gradient graph for Gradient, the forward-only one for Loss, the
// Jacobian engine for the LeastSquares methods.
type batchObjective struct {
	model     *Sequential
	size      int // rows of the graphs (the plan's batch size)
	batch     batchRef
	grad, fwd *net
	gradBound bool     // grad holds batch
	fwdBound  bool     // fwd holds batch
	ls        *lsState // the least-squares view, built on demand
	lsReady   bool     // ls describes batch
	version   uint64   // optim.BatchVersion: changes with the batch
	// pen lists the L2 penalty's residual rows, built on first use
	// (penalties are fixed once the model is compiled).
	pen      []penaltyRow
	penReady bool
	// seed and noise draw Dropout's masks (see noiseRNG).
	seed  uint64
	noise *rand.Rand
}

// noiseRNG is the stream of Dropout's masks: seeded by the Fit's seed, so
// the same seed gives the same masks.
func (o *batchObjective) noiseRNG() *rand.Rand {
	if o.noise == nil {
		o.noise = rand.New(rand.NewPCG(o.seed, 0xd40f0e7))
	}
	return o.noise
}

// BatchVersion changes whenever the batch does (see optim.BatchVersion).
func (o *batchObjective) BatchVersion() uint64 { return o.version }

func newBatchObjective(m *Sequential, size int) *batchObjective {
	return &batchObjective{model: m, size: size}
}

// graph returns the gradient (or forward-only) graph, taking it from the
// model's cache on first use.
func (o *batchObjective) graph(withGrad bool) (*net, error) {
	n := &o.fwd
	if withGrad {
		n = &o.grad
	}
	if *n == nil {
		built, err := o.model.nets.get(o.model, o.size, withGrad)
		if err != nil {
			return nil, err
		}
		*n = built
	}
	return *n, nil
}

// bound returns the gradient (or forward-only) graph with the current batch
// bound into it.
func (o *batchObjective) bound(withGrad bool) (*net, error) {
	n, err := o.graph(withGrad)
	if err != nil {
		return nil, err
	}
	ready := &o.fwdBound
	if withGrad {
		ready = &o.gradBound
	}
	if !*ready {
		b := o.batch
		n.bind(b.d, b.orderNow(), b.lo, b.hi, sampleWeight(o.model.loss, b.hi-b.lo))
		*ready = true
	}
	return n, nil
}

// close returns the objective's graphs to the model's cache.
func (o *batchObjective) close() {
	for _, n := range []*net{o.grad, o.fwd} {
		if n != nil {
			o.model.nets.put(n)
		}
	}
	o.grad, o.fwd = nil, nil
}

// Params returns θ.
func (o *batchObjective) Params() []float64 { return o.model.params.Theta() }

// Gradient runs the batch forward and backward and writes ∇loss into g.
func (o *batchObjective) Gradient(g []float64) (float64, error) {
	if len(g) != o.model.params.Len() {
		return 0, fmt.Errorf("golem: gradient buffer has %d entries, the model has %d parameters", len(g), o.model.params.Len())
	}
	n, err := o.bound(true)
	if err != nil {
		return 0, err
	}
	if len(n.randoms) > 0 {
		graphrt.FillRandom(n.randoms, o.noiseRNG())
	}
	if err := n.run(); err != nil {
		return 0, err
	}
	// A training step moves BatchNormalization's moving statistics.
	engine.ApplyStateUpdates(o.model.params, n.updates)
	clear(g)
	for i, p := range n.params {
		copy(g[p.Offset:p.Offset+p.Size()], n.grads[i].Data())
	}
	ps := o.model.params
	ps.AddPenaltyGradient(ps.Theta(), g)
	return n.loss.Scalar() + ps.PenaltyValue(ps.Theta()), nil
}

// Loss runs the batch forward only, on a graph without gradients.
func (o *batchObjective) Loss() (float64, error) {
	n, err := o.bound(false)
	if err != nil {
		return 0, err
	}
	if err := n.run(); err != nil {
		return 0, err
	}
	ps := o.model.params
	return n.loss.Scalar() + ps.PenaltyValue(ps.Theta()), nil
}
