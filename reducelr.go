package golem

import (
	"fmt"
	"math"

	"github.com/golem-ml/golem/optim"
)

// ReduceLROnPlateau multiplies a first-order optimizer's learning rate by
// cfg.Factor when the monitored value (default "val_loss", or "loss"
// without validation data) has not improved for cfg.Patience epochs, with
// the semantics of Keras's callback (see optim.PlateauConfig). It is the
// callback form of the optim.NewPlateau schedule.
//
// Every Fit starts it afresh (best value, patience and cooldown counters),
// so one value can serve several Fits.
func ReduceLROnPlateau(monitor string, cfg optim.PlateauConfig) Callback {
	return &reduceLR{cfg: cfg, requested: monitor}
}

type reduceLR struct {
	BaseCallback
	cfg       optim.PlateauConfig
	requested string // the monitor asked for; "" for this Fit's default
	monitor   string
	plateau   *optim.Plateau
	opt       optim.RateScaler
	scale     float64
}

func (r *reduceLR) OnTrainBegin(s *State) error {
	opt, ok := s.Model.opt.(optim.RateScaler)
	if !ok {
		return fmt.Errorf("golem: ReduceLROnPlateau needs a first-order optimizer (one with a learning rate)")
	}
	if err := r.cfg.Validate(); err != nil {
		return fmt.Errorf("golem: ReduceLROnPlateau: %w", err)
	}
	r.plateau = optim.NewPlateau(r.cfg)
	r.opt, r.scale = opt, r.plateau.Scale()
	r.monitor = r.requested
	if r.monitor == "" {
		r.monitor = s.defaultMonitor()
	}
	return nil
}

func (r *reduceLR) OnEpochEnd(s *State) error {
	v, ok := s.Monitor(r.monitor)
	if !ok {
		return fmt.Errorf("golem: ReduceLROnPlateau monitors %q, which this Fit does not record", r.monitor)
	}
	r.plateau.EndEpoch(v)
	scale := r.plateau.Scale()
	if base := r.opt.BaseRate(); base > 0 && r.cfg.MinRate > 0 {
		// The rate is base·RateScale(); never let it go below MinRate.
		current := r.opt.RateScale()
		scale = math.Max(scale, r.cfg.MinRate/base*r.scale/current)
	}
	if scale < r.scale {
		r.opt.ScaleRate(scale / r.scale)
		r.scale = scale
	}
	return nil
}
