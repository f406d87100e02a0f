package optim

import (
	"fmt"
	"math"
)

// Schedule varies the learning rate over training. Rate is called once per
// optimizer step with the configured rate and the number of steps taken
// in the run before this one (0 for the first), as Keras's
// LearningRateSchedule. Rate must not change the schedule's state (a step
// that is undone has called it); a schedule that keeps state changes it in
// EndEpoch (EpochObserver) and implements StatefulSchedule. A schedule
// that can be misconfigured implements Validator; the optimizer's Validate
// calls it.
type Schedule interface {
	Rate(base float64, step int) float64
}

// StatefulSchedule is implemented by schedules that keep state between
// steps or epochs (Plateau). An optimizer's Init calls Reset at the start
// of every run that does not continue the previous one, so a schedule
// value gives every run the same rates.
type StatefulSchedule interface {
	Schedule
	// Reset returns the schedule to its state before the first step.
	Reset()
}

// validateSchedule checks s when it can be misconfigured; nil is a
// constant rate.
func validateSchedule(s Schedule) error {
	if v, ok := s.(Validator); ok {
		return v.Validate()
	}
	return nil
}

func errorf(format string, args ...any) error { return fmt.Errorf("optim: "+format, args...) }

// StepDecay multiplies the rate by Factor every Every steps:
// η·Factor^⌊step/Every⌋ (PyTorch's StepLR, counted in steps).
type StepDecay struct {
	Every  int     // steps between decays; must be positive
	Factor float64 // e.g. 0.5; must be finite and positive
}

// Validate reports a non-positive Every, or a Factor that is not a finite
// positive number.
func (s StepDecay) Validate() error {
	if s.Every <= 0 || !(s.Factor > 0) || math.IsInf(s.Factor, 1) {
		return errorf("StepDecay needs Every > 0 and a finite Factor > 0 (Every %d, Factor %v)", s.Every, s.Factor)
	}
	return nil
}

// Rate implements Schedule.
func (s StepDecay) Rate(base float64, step int) float64 {
	if s.Every <= 0 {
		return base
	}
	return base * math.Pow(s.Factor, float64(step/s.Every))
}

// ExponentialDecay is η·Decay^(step/Steps), Keras's ExponentialDecay; with
// Staircase the exponent is ⌊step/Steps⌋.
type ExponentialDecay struct {
	Decay     float64 // factor per Steps steps, e.g. 0.96; must be finite and positive
	Steps     int     // must be positive
	Staircase bool
}

// Validate reports a non-positive Steps, or a Decay that is not a finite
// positive number.
func (s ExponentialDecay) Validate() error {
	if s.Steps <= 0 || !(s.Decay > 0) || math.IsInf(s.Decay, 1) {
		return errorf("ExponentialDecay needs Steps > 0 and a finite Decay > 0 (Steps %d, Decay %v)", s.Steps, s.Decay)
	}
	return nil
}

// Rate implements Schedule.
func (s ExponentialDecay) Rate(base float64, step int) float64 {
	if s.Steps <= 0 {
		return base
	}
	p := float64(step) / float64(s.Steps)
	if s.Staircase {
		p = math.Floor(p)
	}
	return base * math.Pow(s.Decay, p)
}

// CosineDecay anneals from η to Alpha·η over Steps steps and stays there:
// η·((1-Alpha)·½(1+cos(π·min(step, Steps)/Steps)) + Alpha), Keras's
// CosineDecay (PyTorch's CosineAnnealingLR with eta_min = Alpha·η).
type CosineDecay struct {
	Steps int     // must be positive
	Alpha float64 // final fraction of η; default 0; must be finite and not negative
}

// Validate reports a non-positive Steps, or an Alpha that is negative, NaN
// or infinite.
func (s CosineDecay) Validate() error {
	if s.Steps <= 0 || !(s.Alpha >= 0) || math.IsInf(s.Alpha, 1) {
		return errorf("CosineDecay needs Steps > 0 and a finite Alpha ≥ 0 (Steps %d, Alpha %v)", s.Steps, s.Alpha)
	}
	return nil
}

// Rate implements Schedule.
func (s CosineDecay) Rate(base float64, step int) float64 {
	if s.Steps <= 0 {
		return base
	}
	t := math.Min(float64(step), float64(s.Steps)) / float64(s.Steps)
	return base * ((1-s.Alpha)*0.5*(1+math.Cos(math.Pi*t)) + s.Alpha)
}

// PlateauConfig configures Plateau. Zero fields take the defaults, which
// are Keras's ReduceLROnPlateau's.
type PlateauConfig struct {
	Factor   float64 // multiplies the rate on a plateau; default 0.1; must be in (0, 1)
	Patience int     // epochs without improvement before reducing; default 10; must not be negative
	MinDelta float64 // improvement smaller than this does not count; default 1e-4; a finite negative value means 0
	Cooldown int     // epochs to wait after a reduction; default 0; must not be negative
	MinRate  float64 // the rate never goes below this; default 0; must be finite and not negative
}

func (c PlateauConfig) withDefaults() PlateauConfig {
	if c.Factor == 0 {
		c.Factor = 0.1
	}
	if c.Patience == 0 {
		c.Patience = 10
	}
	c.MinDelta = orDefault(c.MinDelta, 1e-4)
	return c
}

// Validate reports a field out of range, NaN or infinite.
func (c PlateauConfig) Validate() error {
	c = c.withDefaults()
	switch {
	case !(c.Factor > 0 && c.Factor < 1):
		return errorf("Plateau factor %v is outside (0, 1)", c.Factor)
	case c.Patience < 0 || c.Cooldown < 0:
		return errorf("Plateau patience (%d) and cooldown (%d) must not be negative", c.Patience, c.Cooldown)
	}
	return firstError(checkFinite("Plateau MinDelta", c.MinDelta), checkRate("Plateau minimum", c.MinRate))
}

// Plateau reduces the rate when the monitored loss stops improving. Fit
// reports each epoch's validation loss (or training loss without
// validation data) through the optimizer's EndEpoch. It keeps state: the
// optimizer's Init resets it for every run that does not continue.
type Plateau struct {
	cfg      PlateauConfig
	scale    float64
	best     float64
	wait     int
	cooldown int
}

// NewPlateau returns a plateau schedule with cfg's zero fields defaulted.
func NewPlateau(cfg PlateauConfig) *Plateau {
	p := &Plateau{cfg: cfg.withDefaults()}
	p.Reset()
	return p
}

// Config returns the configuration in use, defaults filled in.
func (p *Plateau) Config() PlateauConfig { return p.cfg }

// Validate checks the configuration.
func (p *Plateau) Validate() error {
	if p == nil {
		return errorf("a nil *Plateau schedule")
	}
	return p.cfg.Validate()
}

// Reset implements StatefulSchedule: the scale returns to 1 and no epoch
// has been seen.
func (p *Plateau) Reset() {
	p.scale, p.best, p.wait, p.cooldown = 1, math.Inf(1), 0, 0
}

// Rate implements Schedule.
func (p *Plateau) Rate(base float64, _ int) float64 {
	return math.Max(base*p.scale, p.cfg.MinRate)
}

// Scale is the factor applied to the base rate so far.
func (p *Plateau) Scale() float64 { return p.scale }

// EndEpoch records an epoch's monitored loss.
func (p *Plateau) EndEpoch(monitored float64) {
	if p.cooldown > 0 {
		p.cooldown--
		p.wait = 0
	}
	if monitored < p.best-p.cfg.MinDelta {
		p.best, p.wait = monitored, 0
		return
	}
	if p.cooldown > 0 {
		return
	}
	p.wait++
	if p.wait >= p.cfg.Patience {
		p.scale *= p.cfg.Factor
		p.wait, p.cooldown = 0, p.cfg.Cooldown
	}
}
