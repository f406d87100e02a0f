package golem

import (
	"fmt"
	"math"
)

// validationData splits off or validates the validation set of a Fit.
func (m *Sequential) validationData(d *dataset, cfg FitConfig) (train, val *dataset, err error) {
	switch {
	case cfg.ValidationSplit != 0 && cfg.ValidationX != nil:
		return nil, nil, fmt.Errorf("golem: use ValidationSplit or ValidationX, not both")
	case cfg.ValidationSplit < 0 || cfg.ValidationSplit >= 1:
		return nil, nil, fmt.Errorf("golem: ValidationSplit is %v, want a fraction in [0, 1)", cfg.ValidationSplit)
	case cfg.ValidationX != nil:
		if cfg.ValidationY == nil {
			return nil, nil, fmt.Errorf("golem: ValidationX needs ValidationY")
		}
		if val, err = m.dataset(cfg.ValidationX, cfg.ValidationY); err != nil {
			return nil, nil, fmt.Errorf("validation data: %w", err)
		}
		return d, val, nil
	case cfg.ValidationSplit > 0:
		nVal := int(math.Round(cfg.ValidationSplit * float64(d.n)))
		if nVal < 1 || nVal >= d.n {
			return nil, nil, fmt.Errorf("golem: ValidationSplit %v of %d samples leaves no training or no validation data", cfg.ValidationSplit, d.n)
		}
		return d.rows(0, d.n-nVal), d.rows(d.n-nVal, d.n), nil
	}
	return d, nil, nil
}

// rows is the dataset of samples [lo, hi), sharing d's storage.
func (d *dataset) rows(lo, hi int) *dataset {
	out := &dataset{n: hi - lo, xCols: d.xCols, yCols: d.yCols,
		x: d.x[lo*d.xCols : hi*d.xCols]}
	if d.y != nil {
		out.y = d.y[lo*d.yCols : hi*d.yCols]
	}
	if d.sw != nil {
		out.sw = d.sw[lo:hi]
	}
	return out
}

// validationTracker scores each epoch on the validation data, counts
// epochs without improvement and keeps the best weights.
type validationTracker struct {
	m        *Sequential
	val      *dataset
	patience int
	restore  bool
	best     float64
	fails    int
	bestW    []float64
}

func newValidationTracker(m *Sequential, val *dataset, cfg FitConfig) *validationTracker {
	return &validationTracker{m: m, val: val, patience: cfg.Patience, restore: !cfg.KeepLastWeights, best: math.Inf(1)}
}

// epoch scores the weights after an epoch and reports whether patience has
// run out.
func (t *validationTracker) epoch(epoch int, h *History) (bool, error) {
	if t.val == nil {
		return false, nil
	}
	pred, loss, err := t.m.forward(t.val)
	if err != nil {
		return false, err
	}
	scores, err := t.m.metricScores(pred, t.val)
	if err != nil {
		return false, err
	}
	h.ValLoss = append(h.ValLoss, loss)
	for name, v := range scores {
		h.Metrics["val_"+name] = append(h.Metrics["val_"+name], v)
	}
	if loss < t.best {
		t.best, t.fails, h.BestEpoch = loss, 0, epoch
		t.bestW = append(t.bestW[:0], t.m.params.Theta()...)
		return false, nil
	}
	t.fails++
	return t.patience > 0 && t.fails >= t.patience, nil
}

// finish restores the best validation weights, when asked to.
func (t *validationTracker) finish(h *History) {
	if t.val == nil || !t.restore || t.bestW == nil {
		return
	}
	copy(t.m.params.Theta(), t.bestW)
	h.Restored = true
}
