package golem

import (
	"time"

	"github.com/golem-ml/golem/losses"
	"github.com/golem-ml/golem/optim"
)

// History records a Fit run: one entry per completed epoch in each
// per-epoch slice, and every optimizer step's report.
type History struct {
	Epoch    []int                // epoch numbers, from 1
	Loss     []float64            // training loss: mean of the epoch's batch losses, weighted by batch size (as Keras)
	Metrics  map[string][]float64 // each compiled metric on the training data after the epoch; "val_"+name and "test_"+name on those sets
	Mu       []float64            // Levenberg–Marquardt's μ after the epoch's last step (0 for first-order optimizers)
	GradNorm []float64            // ‖∇loss‖ at the epoch's last step
	Time     []time.Duration      // wall time since Fit began, at the end of each epoch
	Steps    []optim.StepInfo     // one per optimizer step: loss, gradient norm, and for LM μ, tries, condition, warnings

	// With Bayesian regularization (optim.BR), after each epoch, as
	// MATLAB's trainbr window shows them; nil for other optimizers:
	Gamma []float64  // γ, the effective number of parameters
	SSW   []float64  // E_W, the sum of squared weights
	Alpha []float64  // α, the weight of E_W in the objective
	Beta  []float64  // β, the weight of the sum of squared errors
	Stop  optim.Stop // why training stopped (StopEpochs, StopGoal, optim.StopMuMax, ...)

	// With validation (and test) data:
	ValLoss   []float64 // validation loss after each epoch
	TestLoss  []float64 // test loss after each epoch (never used to stop)
	ValChecks []int     // consecutive epochs without a better validation loss (MATLAB's validation checks)
	BestEpoch int       // the epoch with the lowest validation loss (0 without validation data)
	Restored  bool      // whether Fit ended with BestEpoch's weights

	// With FitConfig.Division, the samples of each part, as indices into x.
	TrainIndex, ValIndex, TestIndex []int
}

func newHistory(ms []losses.Metric) *History {
	h := &History{Metrics: map[string][]float64{}}
	for _, m := range ms {
		h.Metrics[m.Name()] = nil
	}
	return h
}

// Len is the number of recorded epochs.
func (h *History) Len() int { return len(h.Epoch) }

// FinalLoss is the training loss of the last epoch (0 when empty).
func (h *History) FinalLoss() float64 {
	if len(h.Loss) == 0 {
		return 0
	}
	return h.Loss[len(h.Loss)-1]
}
