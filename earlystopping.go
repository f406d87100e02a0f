package golem

import (
	"fmt"
	"math"
)

// EarlyStoppingConfig configures EarlyStopping. Zero fields take the
// defaults.
type EarlyStoppingConfig struct {
	Monitor  string  // the value watched (see State.Monitor); default "val_loss"
	Patience int     // epochs in a row without improvement before stopping; default 6 (trainlm's max_fail); negative: never stop
	MinDelta float64 // a smaller decrease does not count as improvement; default 0
	KeepLast bool    // keep the final weights; default false: end with the best epoch's (MATLAB; Keras's restore_best_weights)
}

// EarlyStopping stops training when the monitored value (lower is better)
// has not improved for Patience epochs, and restores the weights of the
// best epoch when training ends, for whatever reason. Fit adds one
// monitoring val_loss whenever it has validation data.
func EarlyStopping(cfg EarlyStoppingConfig) Callback {
	if cfg.Monitor == "" {
		cfg.Monitor = "val_loss"
	}
	if cfg.Patience == 0 {
		cfg.Patience = 6
	}
	return &earlyStopping{cfg: cfg}
}

type earlyStopping struct {
	BaseCallback
	cfg   EarlyStoppingConfig
	best  float64
	fails int
	bestW []float64
}

func (e *earlyStopping) OnTrainBegin(*State) error {
	e.best, e.fails, e.bestW = math.Inf(1), 0, nil
	return nil
}

func (e *earlyStopping) OnEpochEnd(s *State) error {
	v, ok := s.Monitor(e.cfg.Monitor)
	if !ok {
		return fmt.Errorf("golem: EarlyStopping monitors %q, which this Fit does not record", e.cfg.Monitor)
	}
	h := s.History
	if v < e.best-e.cfg.MinDelta {
		e.best, e.fails = v, 0
		h.BestEpoch = s.Epoch
		e.bestW = s.Model.appendWeights(e.bestW[:0])
	} else {
		e.fails++
	}
	h.ValChecks = append(h.ValChecks, e.fails)
	if e.cfg.Patience > 0 && e.fails >= e.cfg.Patience {
		s.StopTraining(StopPatience)
	}
	return nil
}

func (e *earlyStopping) OnTrainEnd(s *State) error {
	if !e.cfg.KeepLast && e.bestW != nil {
		s.Model.setWeights(e.bestW)
		s.History.Restored = true
	}
	return nil
}
