package golem

import (
	"fmt"

	"gonum.org/v1/gonum/mat"

	"github.com/golem-ml/golem/internal/graphrt"
)

// Evaluation is the result of Evaluate.
type Evaluation struct {
	Loss    float64            // the compiled loss over all samples
	Metrics map[string]float64 // each compiled metric over all samples
}

// Predict returns the model's outputs (N × outputs) for x (N × features),
// any N, computed in batches.
func (m *Model) Predict(x mat.Matrix) (*mat.Dense, error) {
	m.rw.RLock()
	defer m.rw.RUnlock()
	if m.params == nil {
		return nil, ErrNotCompiled
	}
	d, err := m.dataset(x, nil)
	if err != nil {
		return nil, err
	}
	pred, _, err := m.forward(d)
	if err != nil {
		return nil, err
	}
	if m.outScale != nil {
		m.outScale.invert(pred.RawMatrix().Data, m.Outputs())
	}
	return pred, nil
}

// Evaluate returns the loss and metrics of the model on x and y. With
// target scaling the loss is on scaled targets (as in training) and the
// metrics are in the targets' units.
func (m *Model) Evaluate(x, y mat.Matrix) (Evaluation, error) {
	m.rw.RLock()
	defer m.rw.RUnlock()
	if m.loss == nil {
		if m.file.why != nil {
			return Evaluation{}, notCompiledError{m.file.why}
		}
		return Evaluation{}, ErrNotCompiled
	}
	if y == nil {
		return Evaluation{}, fmt.Errorf("golem: Evaluate needs targets y")
	}
	d, err := m.dataset(x, y)
	if err != nil {
		return Evaluation{}, err
	}
	pred, loss, err := m.forward(d)
	if err != nil {
		return Evaluation{}, err
	}
	scores, err := m.metricScores(pred, d)
	return Evaluation{Loss: loss, Metrics: scores}, err
}

// forward runs the inference graph over d in batches and returns the
// predictions and, when d has targets, the loss.
func (m *Model) forward(d *dataset) (*mat.Dense, float64, error) {
	plan := graphrt.NewPlan(d.n, evalBatch(d.n))
	n, err := m.nets.get(m, evalBatch(d.n), false)
	if err != nil {
		return nil, 0, err
	}
	defer m.nets.put(n)
	k := m.Outputs()
	pred := mat.NewDense(d.n, k, nil)
	raw := pred.RawMatrix().Data
	weight := 0.0
	if d.y != nil {
		weight = sampleWeight(m.loss, d.n)
	}
	var loss float64
	for b := 0; b < plan.Count(); b++ {
		lo, hi := plan.Batch(b)
		n.bind(d, nil, lo, hi, weight)
		if err := n.run(); err != nil {
			return nil, 0, err
		}
		copy(raw[lo*k:hi*k], n.out.Data()[:(hi-lo)*k])
		if n.loss != nil {
			loss += n.loss.Scalar()
		}
	}
	if d.y != nil {
		loss += m.params.PenaltyValue(m.params.Theta())
	}
	return pred, loss, nil
}

// scoreMetrics evaluates the compiled metrics on d (nil when there are none).
func (m *Model) scoreMetrics(d *dataset) (map[string]float64, error) {
	if len(m.metrics) == 0 {
		return nil, nil
	}
	pred, _, err := m.forward(d)
	if err != nil {
		return nil, err
	}
	return m.metricScores(pred, d)
}

func (m *Model) metricScores(pred *mat.Dense, d *dataset) (map[string]float64, error) {
	scores := map[string]float64{}
	if len(m.metrics) == 0 {
		return scores, nil
	}
	target := mat.NewDense(d.n, d.yCols, d.y)
	if m.outScale != nil { // metrics in the targets' own units
		pred, target = mat.DenseCopyOf(pred), mat.DenseCopyOf(target)
		m.outScale.invert(pred.RawMatrix().Data, d.yCols)
		m.outScale.invert(target.RawMatrix().Data, d.yCols)
	}
	for _, mt := range m.metrics {
		v, err := mt.Score(pred, target)
		if err != nil {
			return nil, fmt.Errorf("golem: metric %s: %w", mt.Name(), err)
		}
		scores[mt.Name()] = v
	}
	return scores, nil
}
