package golem

import (
	"errors"
	"fmt"
	"math"

	"gonum.org/v1/gonum/mat"
	"gorgonia.org/tensor"
)

// dataset is validated data copied row-major, one sample per row.
type dataset struct {
	n     int
	x, y  []float64
	xCols int
	yCols int
	sw    []float64 // sample weights; nil means 1
}

// setSampleWeights validates and attaches per-sample weights.
func (d *dataset) setSampleWeights(w []float64) error {
	if w == nil {
		return nil
	}
	if len(w) != d.n {
		return fmt.Errorf("golem: %d sample weights for %d samples", len(w), d.n)
	}
	for i, v := range w {
		if !(v >= 0) || math.IsInf(v, 0) {
			return fmt.Errorf("golem: sample weight %d is %v; weights must be finite and ≥ 0", i, v)
		}
	}
	d.sw = w
	return nil
}

// weight is sample i's weight.
func (d *dataset) weight(i int) float64 {
	if d.sw == nil {
		return 1
	}
	return d.sw[i]
}

// dataset validates x (and y, when not nil) against the model and loss,
// copies them row-major and applies the model's fitted scalers.
func (m *Model) dataset(x, y mat.Matrix) (*dataset, error) {
	if x == nil {
		return nil, errors.New("golem: x is nil")
	}
	n, c := x.Dims()
	if n == 0 {
		return nil, errors.New("golem: x has no rows")
	}
	if want := m.input.Size(); c != want {
		return nil, fmt.Errorf("golem: x has %d columns, the model's input has %d features", c, want)
	}
	d := &dataset{n: n, xCols: c}
	var err error
	if d.x, err = copyRows("x", x, nil); err != nil {
		return nil, err
	}
	if m.inScale != nil {
		m.inScale.apply(d.x, c)
	}
	if y == nil || m.loss == nil {
		return d, nil
	}
	yn, yc := y.Dims()
	if yn != n {
		return nil, fmt.Errorf("golem: y has %d rows, x has %d", yn, n)
	}
	k := m.Outputs()
	if want := m.loss.TargetColumns(k); yc != want {
		return nil, fmt.Errorf("golem: y has %d columns, the loss %s needs %d for a model with %d outputs", yc, m.loss.Name(), want, k)
	}
	d.yCols = yc
	check := func(row []float64) error { return m.loss.CheckTarget(row, k) }
	if d.y, err = copyRows("y", y, check); err != nil {
		return nil, err
	}
	if m.outScale != nil {
		m.outScale.apply(d.y, yc)
	}
	return d, nil
}

// copyRows copies a matrix row-major, rejecting NaN and ±Inf, and applies
// check to each row.
func copyRows(name string, a mat.Matrix, check func([]float64) error) ([]float64, error) {
	n, c := a.Dims()
	out := make([]float64, n*c)
	for i := 0; i < n; i++ {
		row := out[i*c : (i+1)*c]
		for j := range row {
			v := a.At(i, j)
			if math.IsNaN(v) || math.IsInf(v, 0) {
				return nil, fmt.Errorf("golem: %s row %d, column %d is %v", name, i, j, v)
			}
			row[j] = v
		}
		if check != nil {
			if err := check(row); err != nil {
				return nil, fmt.Errorf("golem: %s row %d: %w", name, i, err)
			}
		}
	}
	return out, nil
}

// FromRows copies rows of equal length into an N × d matrix.
func FromRows(rows [][]float64) (*mat.Dense, error) {
	if len(rows) == 0 || len(rows[0]) == 0 {
		return nil, errors.New("golem: FromRows needs at least one non-empty row")
	}
	c := len(rows[0])
	data := make([]float64, 0, len(rows)*c)
	for i, r := range rows {
		if len(r) != c {
			return nil, fmt.Errorf("golem: FromRows: row %d has %d values, row 0 has %d", i, len(r), c)
		}
		data = append(data, r...)
	}
	return mat.NewDense(len(rows), c, data), nil
}

// FromTensor copies a float64 tensor of shape (N) or (N × d) into an
// N × d matrix (a vector becomes one column).
func FromTensor(t tensor.Tensor) (*mat.Dense, error) {
	if t == nil {
		return nil, errors.New("golem: FromTensor: nil tensor")
	}
	if t.Dtype() != tensor.Float64 {
		return nil, fmt.Errorf("golem: FromTensor: dtype %v, want float64", t.Dtype())
	}
	shape := t.Shape()
	var n, c int
	switch len(shape) {
	case 1:
		n, c = shape[0], 1
	case 2:
		n, c = shape[0], shape[1]
	default:
		return nil, fmt.Errorf("golem: FromTensor: shape %v, want (N) or (N × d)", shape)
	}
	if n == 0 || c == 0 {
		return nil, fmt.Errorf("golem: FromTensor: empty shape %v", shape)
	}
	out := mat.NewDense(n, c, nil)
	for i := 0; i < n; i++ {
		for j := 0; j < c; j++ {
			var v any
			var err error
			if len(shape) == 1 {
				v, err = t.At(i)
			} else {
				v, err = t.At(i, j)
			}
			if err != nil {
				return nil, fmt.Errorf("golem: FromTensor: %w", err)
			}
			out.Set(i, j, v.(float64))
		}
	}
	return out, nil
}

// applyClassWeights multiplies each sample's weight by its class's weight.
// The class is the integer label of a one-column target with several
// outputs, the arg-max of a one-hot row, or 0/1 for a single output.
func (m *Model) applyClassWeights(d *dataset, cw []float64) error {
	if cw == nil {
		return nil
	}
	for c, w := range cw {
		if !(w >= 0) || math.IsInf(w, 0) {
			return fmt.Errorf("golem: class weight %d is %v; weights must be finite and ≥ 0", c, w)
		}
	}
	k := m.Outputs()
	sw := make([]float64, d.n)
	for i := range sw {
		row := d.y[i*d.yCols : (i+1)*d.yCols]
		var class int
		switch {
		case d.yCols == 1 && k > 1:
			class = int(row[0])
		case d.yCols == 1:
			if row[0] >= 0.5 {
				class = 1
			}
		default:
			for j, v := range row {
				if v > row[class] {
					class = j
				}
			}
		}
		if class < 0 || class >= len(cw) {
			return fmt.Errorf("golem: y row %d is class %d, but ClassWeight has %d entries", i, class, len(cw))
		}
		sw[i] = d.weight(i) * cw[class]
	}
	d.sw = sw
	return nil
}
