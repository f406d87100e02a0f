package golem

import (
	"math"

	"github.com/golem-ml/golem/optim"
)

// Callback hooks into Fit. Each hook may stop training (State.StopTraining)
// or return an error, which ends Fit with that error. Embed BaseCallback to
// implement only the hooks you need.
type Callback interface {
	OnTrainBegin(s *State) error
	OnEpochBegin(s *State) error
	OnBatchBegin(s *State) error
	OnBatchEnd(s *State) error
	OnEpochEnd(s *State) error
	OnTrainEnd(s *State) error
}

// BaseCallback implements every Callback hook as a no-op.
type BaseCallback struct{}

// OnTrainBegin does nothing.
func (BaseCallback) OnTrainBegin(*State) error { return nil }

// OnEpochBegin does nothing.
func (BaseCallback) OnEpochBegin(*State) error { return nil }

// OnBatchBegin does nothing.
func (BaseCallback) OnBatchBegin(*State) error { return nil }

// OnBatchEnd does nothing.
func (BaseCallback) OnBatchEnd(*State) error { return nil }

// OnEpochEnd does nothing.
func (BaseCallback) OnEpochEnd(*State) error { return nil }

// OnTrainEnd does nothing.
func (BaseCallback) OnTrainEnd(*State) error { return nil }

// State is what callbacks see of a Fit in progress.
type State struct {
	Model   *Sequential
	Config  FitConfig      // with defaults filled in
	Epoch   int            // the current epoch, from 1
	Batch   int            // the current batch within the epoch, from 1
	Batches int            // batches per epoch
	Step    optim.StepInfo // the last optimizer step's report (from OnBatchEnd on)
	// StepErr is set, during OnBatchEnd, when the step failed because a
	// value stopped being finite (it wraps optim.ErrNotFinite; the weights
	// are those from before the step). A callback that stops training then
	// (TerminateOnNaN) ends Fit without an error.
	StepErr error
	History *History
	stop    optim.Stop
}

// StopTraining asks Fit to stop after the current batch, recording reason.
func (s *State) StopTraining(reason optim.Stop) {
	if s.stop == "" {
		s.stop = reason
	}
}

// Stopping is the reason training was asked to stop, or "".
func (s *State) Stopping() optim.Stop { return s.stop }

// Monitor returns the named value of the last completed epoch: "loss",
// "val_loss", "test_loss", a metric name or "val_"+name, "mu", "grad_norm",
// and with Bayesian regularization "gamma", "ssw", "alpha", "beta".
// The second result is false when there is no such value.
func (s *State) Monitor(name string) (float64, bool) {
	h := s.History
	last := func(v []float64) (float64, bool) {
		if len(v) == 0 || len(v) != h.Len() {
			return math.NaN(), false
		}
		return v[len(v)-1], true
	}
	switch name {
	case "loss":
		return last(h.Loss)
	case "val_loss":
		return last(h.ValLoss)
	case "test_loss":
		return last(h.TestLoss)
	case "mu":
		return last(h.Mu)
	case "grad_norm":
		return last(h.GradNorm)
	case "gamma":
		return last(h.Gamma)
	case "ssw":
		return last(h.SSW)
	case "alpha":
		return last(h.Alpha)
	case "beta":
		return last(h.Beta)
	}
	return last(h.Metrics[name])
}

// HasValidation reports whether this Fit scores validation data.
func (s *State) HasValidation() bool {
	c := s.Config
	return c.ValidationX != nil || c.ValidationSplit != 0 || (c.Division != nil && c.Division.Val > 0)
}

// defaultMonitor is what a callback watches when not told: the validation
// loss when there is validation data, else the training loss.
func (s *State) defaultMonitor() string {
	if s.HasValidation() {
		return "val_loss"
	}
	return "loss"
}

// callbacks runs hooks in order, stopping at the first error.
type callbacks []Callback

func (cs callbacks) each(s *State, hook func(Callback, *State) error) error {
	for _, c := range cs {
		if err := hook(c, s); err != nil {
			return err
		}
	}
	return nil
}
