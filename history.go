package golem

import (
	"golem/losses"
	"golem/optim"
)

// History records a Fit run, one entry per completed epoch, and every
// optimizer step's report.
type History struct {
	Epoch   []int                // epoch numbers, from 1
	Loss    []float64            // training loss: mean of the epoch's batch losses, weighted by batch size (as Keras)
	Metrics map[string][]float64 // each compiled metric on the whole training set after the epoch
	Steps   []optim.StepInfo     // one per optimizer step: loss, gradient norm, and for LM μ, tries, condition, warnings
	Stop    optim.Stop           // why training stopped (StopEpochs, StopGoal, optim.StopMuMax, ...)

	// With validation data:
	ValLoss   []float64 // validation loss after each epoch (metrics appear in Metrics as "val_" + name)
	BestEpoch int       // the epoch with the lowest validation loss (0 without validation data)
	Restored  bool      // whether Fit ended with BestEpoch's weights
}

func newHistory(ms []losses.Metric) *History {
	h := &History{Metrics: map[string][]float64{}}
	for _, m := range ms {
		h.Metrics[m.Name()] = nil
	}
	return h
}

func (h *History) add(epoch int, loss float64, scores map[string]float64) {
	h.Epoch = append(h.Epoch, epoch)
	h.Loss = append(h.Loss, loss)
	for name, v := range scores {
		h.Metrics[name] = append(h.Metrics[name], v)
	}
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
