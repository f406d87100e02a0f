package optim

import (
	"context"
	"math"
)

// Clipping limits gradients before an update, as Keras's global_clipnorm and
// clipvalue (PyTorch: clip_grad_norm_ and clip_grad_value_). Zero fields are
// off.
type Clipping struct {
	// Norm rescales the whole gradient to this Euclidean norm when it is
	// larger; default 0 (off).
	Norm float64
	// Value clamps each entry to [-Value, Value]; default 0 (off). It is
	// applied before Norm.
	Value float64
}

func (c Clipping) apply(g []float64) {
	if c.Value > 0 {
		for i, v := range g {
			g[i] = math.Max(-c.Value, math.Min(c.Value, v))
		}
	}
	if c.Norm > 0 {
		var sq float64
		for _, v := range g {
			sq += v * v
		}
		if n := math.Sqrt(sq); n > c.Norm {
			s := c.Norm / n
			for i := range g {
				g[i] *= s
			}
		}
	}
}

func (c Clipping) validate() error {
	if c.Norm < 0 || c.Value < 0 {
		return errorf("clipping bounds must not be negative (norm %v, value %v)", c.Norm, c.Value)
	}
	return nil
}

// firstOrder is what every first-order optimizer shares: the bound θ and
// gradient buffer, the step counter, clipping and the learning-rate
// schedule.
type firstOrder struct {
	gradientState
	clip     Clipping
	schedule Schedule
	factor   float64 // ScaleRate's running product; 0 means 1
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
// any schedule); ReduceLROnPlateau uses it.
func (f *firstOrder) ScaleRate(factor float64) {
	if f.factor == 0 {
		f.factor = 1
	}
	f.factor *= factor
}

// RateScale is the product of all ScaleRate factors so far (1 at first).
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
}

// step evaluates and clips the gradient.
func (f *firstOrder) step(ctx context.Context, obj Objective) (theta, g []float64, info StepInfo, err error) {
	theta, g, info, err = f.gradient(ctx, obj)
	if err == nil {
		f.clip.apply(g)
	}
	return theta, g, info, err
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

// orDefault returns def for 0, 0 for a negative value, and v otherwise: the
// package's convention for fields whose zero value is meaningful.
func orDefault(v, def float64) float64 {
	switch {
	case v == 0:
		return def
	case v < 0:
		return 0
	}
	return v
}
