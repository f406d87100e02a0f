package optim

import (
	"fmt"
	"math"
)

// Schedule varies the learning rate over training. Rate is called once per
// optimizer step with the configured rate and the number of steps taken
// before this one (0 for the first), as Keras's LearningRateSchedule.
type Schedule interface {
	Rate(base float64, step int) float64
}

func errorf(format string, args ...any) error { return fmt.Errorf("optim: "+format, args...) }

// StepDecay multiplies the rate by Factor every Every steps:
// η·Factor^⌊step/Every⌋ (PyTorch's StepLR, counted in steps).
type StepDecay struct {
	Every  int     // steps between decays; must be positive
	Factor float64 // e.g. 0.5
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
	Decay     float64 // factor per Steps steps, e.g. 0.96
	Steps     int     // must be positive
	Staircase bool
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
	Alpha float64 // final fraction of η; default 0
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
	Factor   float64 // multiplies the rate on a plateau; default 0.1
	Patience int     // epochs without improvement before reducing; default 10
	MinDelta float64 // improvement smaller than this does not count; default 1e-4
	Cooldown int     // epochs to wait after a reduction; default 0
	MinRate  float64 // the rate never goes below this; default 0
}

// Plateau reduces the rate when the monitored loss stops improving. Fit
// reports each epoch's validation loss (or training loss without
// validation data) through the optimizer's EndEpoch.
type Plateau struct {
	cfg      PlateauConfig
	scale    float64
	best     float64
	wait     int
	cooldown int
}

// NewPlateau returns a plateau schedule with cfg's zero fields defaulted.
func NewPlateau(cfg PlateauConfig) *Plateau {
	if cfg.Factor == 0 {
		cfg.Factor = 0.1
	}
	if cfg.Patience == 0 {
		cfg.Patience = 10
	}
	if cfg.MinDelta == 0 {
		cfg.MinDelta = 1e-4
	}
	return &Plateau{cfg: cfg, scale: 1, best: math.Inf(1)}
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
