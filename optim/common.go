package optim

import (
	"context"
	"errors"
	"fmt"
	"math"
)

// Clipping limits gradients before an update, as Keras's global_clipnorm and
// clipvalue (PyTorch: clip_grad_norm_ and clip_grad_value_). Zero fields are
// off.
type Clipping struct {
	// Norm rescales the whole gradient to this Euclidean norm when it is
	// larger; default 0 (off). It must be finite and ≥ 0.
	Norm float64
	// Value clamps each entry to [-Value, Value]; default 0 (off). It is
	// applied before Norm. It must be finite and ≥ 0.
	Value float64
}

func (c Clipping) apply(g []float64) {
	if c.Value > 0 {
		for i, v := range g {
			g[i] = math.Max(-c.Value, math.Min(c.Value, v))
		}
	}
	if c.Norm > 0 {
		if n := norm(g); n > c.Norm {
			s := c.Norm / n
			for i := range g {
				g[i] *= s
			}
		}
	}
}

// norm is the Euclidean norm of finite g: √Σg², rescaled by the largest
// entry only when the plain sum of squares overflows, so the common case
// keeps torch's bits.
func norm(g []float64) float64 {
	var sq float64
	for _, v := range g {
		sq += v * v
	}
	if !math.IsInf(sq, 1) {
		return math.Sqrt(sq)
	}
	var big float64
	for _, v := range g {
		big = math.Max(big, math.Abs(v))
	}
	sq = 0
	for _, v := range g {
		sq += (v / big) * (v / big)
	}
	return big * math.Sqrt(sq)
}

// Validate reports a bound that is negative, NaN or infinite.
func (c Clipping) Validate() error {
	if !(c.Norm >= 0 && c.Value >= 0) || math.IsInf(c.Norm, 1) || math.IsInf(c.Value, 1) {
		return errorf("clipping bounds must be finite and not negative (norm %v, value %v)", c.Norm, c.Value)
	}
	return nil
}

// firstOrder is what every first-order optimizer shares: the bound θ and
// gradient buffer, the step counter, clipping, the learning-rate schedule,
// the optimizer's per-parameter state vectors, and the one step procedure
// (step) that guarantees no step leaves a non-finite weight.
type firstOrder struct {
	clip     Clipping
	schedule Schedule

	bound   *float64      // &θ[0] of the run's parameter vector; nil until its first step
	grad    []float64     // the gradient buffer, len P once sized
	steps   int           // steps taken in this run
	factor  float64       // ScaleRate's running product; 0 means 1
	vectors []stateVector // the optimizer's state, registered by track
	saved   [][]float64   // θ and each state vector as they were before the step in progress
}

// stateVector is one per-parameter state vector of an optimizer (a moment,
// an accumulator) and the value each entry starts from.
type stateVector struct {
	v    *[]float64
	init float64
}

func newFirstOrder(clip Clipping, s Schedule) firstOrder {
	return firstOrder{clip: clip, schedule: s}
}

// track registers the optimizer field v as state: it is sized (every entry
// init) when a run starts, and saved and restored by step. It keeps a
// pointer into the optimizer, which is therefore used only through the
// pointer its constructor returns.
func (f *firstOrder) track(v *[]float64, init float64) {
	f.vectors = append(f.vectors, stateVector{v: v, init: init})
}

// reset discards all state and sizes the buffers for n parameters.
func (f *firstOrder) reset(n int) {
	f.bound, f.steps, f.factor = nil, 0, 0
	if r, ok := f.schedule.(StatefulSchedule); ok {
		r.Reset()
	}
	f.size(n)
}

// size gives the gradient, the state vectors (each entry its initial
// value) and the saved copies n entries.
func (f *firstOrder) size(n int) {
	f.grad = resize(f.grad, n, 0)
	for _, s := range f.vectors {
		*s.v = resize(*s.v, n, s.init)
	}
	for len(f.saved) < len(f.vectors)+1 {
		f.saved = append(f.saved, nil)
	}
	for k := range f.saved {
		f.saved[k] = resize(f.saved[k], n, 0)
	}
}

// resize returns a slice of n entries, all v, reusing b when it fits.
func resize(b []float64, n int, v float64) []float64 {
	if cap(b) < n {
		b = make([]float64, n)
	}
	b = b[:n]
	for i := range b {
		b[i] = v
	}
	return b
}

// Init implements Initializer: unless p.Continue it discards the moments,
// accumulators, step counter, bound θ, the ScaleRate factor and the state
// of a StatefulSchedule, and sizes the buffers for p.Params; with
// p.Continue it keeps all of them, so continuing is exactly as if the runs
// were one. The next Step binds the optimizer to the θ it is given.
func (f *firstOrder) Init(p Problem) error {
	if p.Params <= 0 {
		return errorf("a problem with %d parameters", p.Params)
	}
	if p.Continue && f.grad != nil {
		if len(f.grad) != p.Params {
			return errorf("cannot continue a run of %d parameters with %d", len(f.grad), p.Params)
		}
		return nil
	}
	f.reset(p.Params)
	return nil
}

// bind ties the optimizer to θ at the first step of a run. An optimizer
// that was never initialized sizes itself here (lazy binding), so Step
// works without Init; a ScaleRate or EndEpoch before that first step
// still counts.
func (f *firstOrder) bind(theta []float64) error {
	if len(theta) == 0 {
		return errors.New("optim: the objective has no parameters")
	}
	switch {
	case f.bound == &theta[0] && len(f.grad) == len(theta):
		return nil
	case f.bound != nil:
		return ErrForeignParams
	case f.grad == nil:
		f.size(len(theta))
	case len(f.grad) != len(theta):
		return errorf("the optimizer was initialized for %d parameters, the objective has %d", len(f.grad), len(theta))
	}
	f.bound = &theta[0]
	return nil
}

// chunk is the number of entries step updates and checks at a time, so
// the saved copies are made while the entries are in cache.
const chunk = 1024

// step is every first-order step: it binds θ, evaluates the loss and
// gradient, rejects either when non-finite, clips, and calls update for
// consecutive ranges [lo, hi) of the entries with θ, the clipped gradient
// and the step's learning rate (from base, the schedule and ScaleRate),
// f.steps already counting this step. update changes θ[lo:hi] and the
// tracked state in [lo, hi) in place. When it leaves any entry of θ or of
// the state non-finite, θ, the state and the step counter are restored
// exactly and the error wraps ErrNotFinite.
func (f *firstOrder) step(ctx context.Context, obj Objective, base float64, update func(lo, hi int, theta, g []float64, lr float64)) (StepInfo, error) {
	if err := ctx.Err(); err != nil {
		return StepInfo{}, err
	}
	theta := obj.Params()
	if err := f.bind(theta); err != nil {
		return StepInfo{}, err
	}
	loss, err := obj.Gradient(f.grad)
	if err != nil {
		return StepInfo{}, err
	}
	info := StepInfo{Loss: loss}
	if !isFinite(loss) {
		return info, fmt.Errorf("%w: the loss is %v; weights left unchanged", ErrNotFinite, loss)
	}
	if i, v := firstNonFinite(f.grad); i >= 0 {
		return info, fmt.Errorf("%w: gradient of parameter %d is %v (loss %v); weights left unchanged", ErrNotFinite, i, v, loss)
	}
	info.GradNorm = norm(f.grad)
	f.clip.apply(f.grad)

	f.steps++
	lr := f.rate(base)
	for lo := 0; lo < len(theta); lo += chunk {
		hi := min(lo+chunk, len(theta))
		copy(f.saved[0][lo:hi], theta[lo:hi])
		for k, s := range f.vectors {
			copy(f.saved[k+1][lo:hi], (*s.v)[lo:hi])
		}
		update(lo, hi, theta, f.grad, lr)
		what, i, v := "parameter", -1, 0.0
		if i, v = firstNonFinite(theta[lo:hi]); i < 0 {
			what = "the optimizer's state of parameter"
			for _, s := range f.vectors {
				if i, v = firstNonFinite((*s.v)[lo:hi]); i >= 0 {
					break
				}
			}
		}
		if i >= 0 {
			f.restore(hi, theta)
			return info, fmt.Errorf("%w: the update (learning rate %v) would make %s %d %v; weights left unchanged", ErrNotFinite, lr, what, lo+i, v)
		}
	}
	return info, nil
}

// restore undoes the step in progress, whose update reached entry hi: θ,
// the state and the step counter are bit for bit what they were before it.
func (f *firstOrder) restore(hi int, theta []float64) {
	copy(theta[:hi], f.saved[0][:hi])
	for k, s := range f.vectors {
		copy((*s.v)[:hi], f.saved[k+1][:hi])
	}
	f.steps--
}

// isFinite reports whether v is neither NaN nor ±Inf (for both, v-v is
// NaN).
func isFinite(v float64) bool { return v-v == 0 }

// firstNonFinite returns the index and value of x's first NaN or ±Inf, or
// -1.
func firstNonFinite(x []float64) (int, float64) {
	for i, v := range x {
		if !isFinite(v) {
			return i, v
		}
	}
	return -1, 0
}

// rate is the learning rate of the step being taken (steps counts it).
func (f *firstOrder) rate(base float64) float64 {
	if f.factor != 0 {
		base *= f.factor
	}
	if f.schedule == nil {
		return base
	}
	return f.schedule.Rate(base, f.steps-1)
}

// ScaleRate multiplies the learning rate from now on by factor (on top of
// any schedule); ReduceLROnPlateau uses it. Init without Continue undoes
// it.
func (f *firstOrder) ScaleRate(factor float64) {
	if f.factor == 0 {
		f.factor = 1
	}
	f.factor *= factor
}

// RateScale is the product of all ScaleRate factors since the run began (1
// at first).
func (f *firstOrder) RateScale() float64 {
	if f.factor == 0 {
		return 1
	}
	return f.factor
}

// RateScaler is implemented by optimizers whose learning rate can be scaled
// during training: every first-order optimizer.
type RateScaler interface {
	ScaleRate(factor float64)
	RateScale() float64
	BaseRate() float64 // the configured learning rate, before schedules and ScaleRate
}

// EndEpoch passes the monitored loss of an epoch to a schedule that adapts
// to it (Plateau); Fit calls it after every epoch.
func (f *firstOrder) EndEpoch(monitored float64) {
	if o, ok := f.schedule.(EpochObserver); ok {
		o.EndEpoch(monitored)
	}
}

// EpochObserver is implemented by optimizers and schedules that adapt at
// the end of an epoch, given the monitored loss (the validation loss when
// there is validation data, else the training loss).
type EpochObserver interface {
	EndEpoch(monitored float64)
}

// orDefault returns def for 0, 0 for a finite negative value, and v
// otherwise (NaN and -Inf are kept for Validate to reject): the package's
// convention for fields whose zero value is meaningful.
func orDefault(v, def float64) float64 {
	switch {
	case v == 0:
		return def
	case v < 0 && !math.IsInf(v, -1):
		return 0
	}
	return v
}

// checkRate rejects a learning rate that is negative, NaN or infinite.
func checkRate(name string, lr float64) error {
	if !(lr >= 0) || math.IsInf(lr, 1) {
		return errorf("%s learning rate %v must be finite and not negative", name, lr)
	}
	return nil
}

// checkFinite rejects a NaN or infinite field (one whose negative values
// mean 0).
func checkFinite(name string, v float64) error {
	if !isFinite(v) {
		return errorf("%s = %v is not finite", name, v)
	}
	return nil
}

// checkUnit rejects a decay rate outside [0, 1), NaN included.
func checkUnit(name string, v float64) error {
	if !(v >= 0 && v < 1) {
		return errorf("%s = %v is outside [0, 1)", name, v)
	}
	return nil
}

// checkBelowOne rejects a decay rate ≥ 1, NaN or -Inf: for fields whose
// negative values mean 0.
func checkBelowOne(name string, v float64) error {
	if !(v < 1) || math.IsInf(v, -1) {
		return errorf("%s = %v must be below 1 (a finite negative value means 0)", name, v)
	}
	return nil
}

// firstError returns the first non-nil error.
func firstError(errs ...error) error {
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}
