package golem

import (
	"context"
	"math"
	"slices"

	"gonum.org/v1/gonum/mat"

	"github.com/golem-ml/golem/internal/jac"
)

// The batch objective offers optim.LeastSquares when the loss has a
// residual form; the methods below compute through internal/jac on the
// samples of the current batch.

// lsState is the least-squares view of the batch being trained on.
type lsState struct {
	engine *jac.Engine
	data   jac.Data
	sqrtW  []float64 // √W per J row, when sqrtWReady
	// weights is the per-sample weight buffer, reused between batches.
	weights    []float64
	sqrtWReady bool

	// The last SumSquares: its value at θ = sumTheta, valid while the batch
	// stays the same. LM's baseline is the θ of its last accepted trial, so
	// the cache saves one pass over the data per iteration.
	sum      float64
	sumTheta []float64
	sumValid bool
}

// batchRef is the batch an objective stands for: samples order[lo:hi] of d.
type batchRef struct {
	d      *dataset
	order  []int
	lo, hi int
	// materialize, when set, brings order up to date (deferred shuffles,
	// see run.lazyShuffle) and must be called before order is read.
	materialize func()
}

// orderNow is the batch's sample order, up to date.
func (b batchRef) orderNow() []int {
	if b.materialize != nil {
		b.materialize()
	}
	return b.order
}

// samples lists the batch's sample indices.
func (b batchRef) samples() []int {
	b.order = b.orderNow()
	if b.order == nil {
		idx := make([]int, b.hi-b.lo)
		for i := range idx {
			idx[i] = b.lo + i
		}
		return idx
	}
	return b.order[b.lo:b.hi]
}

// setBatch records the batch (order nil means samples in data order); it is
// bound into a graph, or gathered for the Jacobian engine, only when an
// optimizer asks for it.
func (o *batchObjective) setBatch(d *dataset, order []int, lo, hi int) {
	// A batch of all samples is the same least-squares problem whatever the
	// order (it uses d in data order), so its view and caches stay.
	sameFull := o.lsReady && o.batch.d == d && hi-lo == d.n && o.batch.hi-o.batch.lo == d.n
	o.batch = batchRef{d: d, order: order, lo: lo, hi: hi}
	o.gradBound, o.fwdBound = false, false
	if !sameFull {
		o.version++
		o.lsReady = false
		if o.ls != nil {
			o.ls.sumValid = false
		}
	}
}

// leastSquares returns the view of the current batch, building it on first
// use: a batch of all samples uses d itself, in data order; a mini-batch is
// gathered.
func (o *batchObjective) leastSquares() (*lsState, error) {
	if o.lsReady {
		return o.ls, nil
	}
	m, b := o.model, o.batch
	if o.ls == nil {
		e, err := m.jacobianEngine()
		if err != nil {
			return nil, err
		}
		o.ls = &lsState{engine: e}
	}
	rows := b.hi - b.lo
	data := jac.Data{N: rows}
	var idx []int // the batch's samples, when it is not all of them
	if rows == b.d.n {
		data.X, data.Y = b.d.x, b.d.y
	} else {
		idx = b.samples()
		data.X = gather(o.ls.data.X, b.d.x, b.d.xCols, idx)
		data.Y = gather(o.ls.data.Y, b.d.y, b.d.yCols, idx)
	}
	if b.d.sw == nil {
		// One weight for every sample: no per-sample slice, so the memory
		// kept between steps does not grow with N.
		data.Weight = sampleWeight(m.loss, rows)
	} else {
		data.Weights = resize(o.ls.weights, rows)
		o.ls.weights = data.Weights
		for i := range data.Weights {
			sample := b.lo + i
			if idx != nil {
				sample = idx[i]
			}
			data.Weights[i] = sampleWeight(m.loss, rows) * b.d.weight(sample)
		}
	}
	o.ls.data = data
	o.ls.sqrtWReady = false
	o.lsReady = true
	return o.ls, nil
}

// rowScale returns √W per J row, built on first use for the batch (only
// the full-J paths need it).
func (ls *lsState) rowScale() []float64 {
	if ls.sqrtWReady {
		return ls.sqrtW
	}
	R := ls.engine.Rows(1)
	ls.sqrtW = resize(ls.sqrtW, ls.data.N*R)
	for q := range ls.sqrtW {
		w := ls.data.Weight
		if ls.data.Weights != nil {
			w = ls.data.Weights[q/R]
		} else if w == 0 {
			w = 1
		}
		ls.sqrtW[q] = math.Sqrt(w)
	}
	ls.sqrtWReady = true
	return ls.sqrtW
}

// jacobianEngine returns the model's Jacobian engine, built on first use
// and kept until the next Compile, so repeated Fit calls reuse its graphs.
func (m *Model) jacobianEngine() (*jac.Engine, error) {
	if m.jac != nil {
		return m.jac, nil
	}
	spec, err := m.jacobianSpec()
	if err != nil {
		return nil, err
	}
	if m.jac, err = jac.New(spec, jac.Config{}); err != nil {
		return nil, err
	}
	return m.jac, nil
}

func gather(buf, src []float64, cols int, idx []int) []float64 {
	buf = resize(buf, len(idx)*cols)
	for r, i := range idx {
		copy(buf[r*cols:(r+1)*cols], src[i*cols:(i+1)*cols])
	}
	return buf
}

func resize(buf []float64, n int) []float64 {
	if cap(buf) >= n {
		return buf[:n]
	}
	return make([]float64, n)
}

// Rows is the number of residuals in the batch (0 when the loss has no
// residual form).
func (o *batchObjective) Rows() int {
	ls, err := o.leastSquares()
	if err != nil {
		return 0
	}
	return ls.engine.Rows(ls.data.N) + len(o.penaltyRows())
}

// penaltyRow is one extra residual √λ·θᵢ of an L2 penalty: least squares
// on the data's residuals and these rows minimizes loss + Σ λ·θᵢ².
type penaltyRow struct {
	index int     // i in θ
	scale float64 // √λ
}

// penaltyRows lists the L2 penalty's residual rows, in θ order, built
// once per objective.
func (o *batchObjective) penaltyRows() []penaltyRow {
	if o.penReady {
		return o.pen
	}
	for _, p := range o.model.params.Penalized() {
		if p.Penalty.L2 > 0 {
			for i := p.Offset; i < p.Offset+p.Size(); i++ {
				o.pen = append(o.pen, penaltyRow{i, math.Sqrt(p.Penalty.L2)})
			}
		}
	}
	o.penReady = true
	return o.pen
}

// SumSquares returns Σ W·r² for the batch at the current θ, from the
// Jacobian engine's residual-only pass (chunked, so memory is O(chunk) and
// no graph over all rows is built; compensated summation in row order, so
// the same θ gives the same bits). Levenberg–Marquardt compares its
// baseline and trial losses by this one function.
func (o *batchObjective) SumSquares(ctx context.Context) (float64, error) {
	ls, err := o.leastSquares()
	if err != nil {
		return 0, err
	}
	theta := o.Params()
	if ls.sumValid && slices.Equal(theta, ls.sumTheta) {
		return ls.sum, nil
	}
	v, err := ls.engine.SumSquares(ctx, ls.data)
	if err != nil {
		ls.sumValid = false
		return 0, err
	}
	v += o.model.params.PenaltyValue(theta)
	ls.sum, ls.sumTheta, ls.sumValid = v, append(ls.sumTheta[:0], theta...), true
	return v, nil
}

// NormalEquations fills JᵀWJ and JᵀWr for the batch and returns its loss.
func (o *batchObjective) NormalEquations(ctx context.Context, jtj *mat.SymDense, jtr []float64) (float64, error) {
	ls, err := o.leastSquares()
	if err != nil {
		return 0, err
	}
	loss, err := ls.engine.NormalEquations(ctx, ls.data, jtj, jtr)
	if err != nil {
		return 0, err
	}
	theta := o.Params()
	for _, pr := range o.penaltyRows() {
		l := pr.scale * pr.scale
		jtj.SetSym(pr.index, pr.index, jtj.At(pr.index, pr.index)+l)
		jtr[pr.index] += l * theta[pr.index]
		loss += l * theta[pr.index] * theta[pr.index]
	}
	return loss, nil
}

// Jacobian fills √W·J and √W·r for the batch.
func (o *batchObjective) Jacobian(ctx context.Context, dst *mat.Dense, r []float64) error {
	ls, err := o.leastSquares()
	if err != nil {
		return err
	}
	rows := ls.engine.Rows(ls.data.N)
	data := dst
	if pen := o.penaltyRows(); len(pen) > 0 {
		_, P := dst.Dims()
		data = dst.Slice(0, rows, 0, P).(*mat.Dense)
		o.fillPenaltyRows(dst, r, rows, pen)
	}
	if err := ls.engine.Jacobian(ctx, ls.data, data, r[:rows]); err != nil {
		return err
	}
	for q, sw := range ls.rowScale() {
		row := dst.RawRowView(q)
		for i := range row {
			row[i] *= sw
		}
		r[q] *= sw
	}
	return nil
}

// fillPenaltyRows writes the L2 penalty's rows of J (√λ at θᵢ's column)
// and r (√λ·θᵢ), after the data's rows.
func (o *batchObjective) fillPenaltyRows(dst *mat.Dense, r []float64, first int, pen []penaltyRow) {
	theta := o.Params()
	for k, pr := range pen {
		if dst != nil {
			row := dst.RawRowView(first + k)
			clear(row)
			row[pr.index] = pr.scale
		}
		r[first+k] = pr.scale * theta[pr.index]
	}
}

// Residuals fills √W·r for the batch.
func (o *batchObjective) Residuals(ctx context.Context, r []float64) error {
	ls, err := o.leastSquares()
	if err != nil {
		return err
	}
	rows := ls.engine.Rows(ls.data.N)
	if pen := o.penaltyRows(); len(pen) > 0 {
		o.fillPenaltyRows(nil, r, rows, pen)
	}
	if err := ls.engine.Residuals(ctx, ls.data, r[:rows]); err != nil {
		return err
	}
	for q, sw := range ls.rowScale() {
		r[q] *= sw
	}
	return nil
}
