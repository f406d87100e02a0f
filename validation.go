package golem

import (
	"fmt"
	"math"
	"math/rand/v2"
)

// divide splits d into training, validation and test data as cfg asks:
// explicit validation data, the last ValidationSplit of the samples, or a
// random Division (whose indices go into the History).
func (m *Model) divide(d *dataset, cfg FitConfig, rng *rand.Rand, h *History) (train, val, test *dataset, err error) {
	ways := 0
	for _, set := range []bool{cfg.ValidationX != nil, cfg.ValidationSplit != 0, cfg.Division != nil} {
		if set {
			ways++
		}
	}
	if ways > 1 {
		return nil, nil, nil, fmt.Errorf("golem: use one of ValidationX, ValidationSplit and Division, not several")
	}
	switch {
	case cfg.ValidationX != nil:
		if cfg.ValidationY == nil {
			return nil, nil, nil, fmt.Errorf("golem: ValidationX needs ValidationY")
		}
		if val, err = m.dataset(cfg.ValidationX, cfg.ValidationY); err != nil {
			return nil, nil, nil, fmt.Errorf("validation data: %w", err)
		}
		return d, val, nil, nil
	case cfg.ValidationSplit != 0:
		if cfg.ValidationSplit < 0 || cfg.ValidationSplit >= 1 {
			return nil, nil, nil, fmt.Errorf("golem: ValidationSplit is %v, want a fraction in [0, 1)", cfg.ValidationSplit)
		}
		nVal := int(math.Round(cfg.ValidationSplit * float64(d.n)))
		if nVal < 1 || nVal >= d.n {
			return nil, nil, nil, fmt.Errorf("golem: ValidationSplit %v of %d samples leaves no training or no validation data", cfg.ValidationSplit, d.n)
		}
		return d.rows(0, d.n-nVal), d.rows(d.n-nVal, d.n), nil, nil
	case cfg.Division != nil:
		return d.divide(*cfg.Division, rng, h)
	}
	return d, nil, nil, nil
}

// divide draws a random train/validation/test split.
func (d *dataset) divide(div Division, rng *rand.Rand, h *History) (train, val, test *dataset, err error) {
	if div.Train <= 0 || div.Val < 0 || div.Test < 0 || math.Abs(div.Train+div.Val+div.Test-1) > 1e-9 {
		return nil, nil, nil, fmt.Errorf("golem: Division %v/%v/%v must have a positive training part and add up to 1", div.Train, div.Val, div.Test)
	}
	perm := rng.Perm(d.n)
	nVal := int(math.Round(div.Val * float64(d.n)))
	nTest := int(math.Round(div.Test * float64(d.n)))
	nTrain := d.n - nVal - nTest
	if nTrain < 1 || (div.Val > 0 && nVal < 1) || (div.Test > 0 && nTest < 1) {
		return nil, nil, nil, fmt.Errorf("golem: Division %v/%v/%v of %d samples leaves a part empty", div.Train, div.Val, div.Test, d.n)
	}
	h.TrainIndex = append([]int(nil), perm[:nTrain]...)
	h.ValIndex = append([]int(nil), perm[nTrain:nTrain+nVal]...)
	h.TestIndex = append([]int(nil), perm[nTrain+nVal:]...)
	train = d.pick(h.TrainIndex)
	if nVal > 0 {
		val = d.pick(h.ValIndex)
	}
	if nTest > 0 {
		test = d.pick(h.TestIndex)
	}
	return train, val, test, nil
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

// pick copies the samples idx into a new dataset.
func (d *dataset) pick(idx []int) *dataset {
	out := &dataset{n: len(idx), xCols: d.xCols, yCols: d.yCols, x: gather(nil, d.x, d.xCols, idx)}
	if d.y != nil {
		out.y = gather(nil, d.y, d.yCols, idx)
	}
	if d.sw != nil {
		out.sw = make([]float64, len(idx))
		for i, j := range idx {
			out.sw[i] = d.sw[j]
		}
	}
	return out
}
