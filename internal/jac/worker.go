package jac

import (
	"context"
	"math"

	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/blas64"

	"github.com/golem-ml/golem/graph"
	"github.com/golem-ml/golem/internal/engine"
	"github.com/golem-ml/golem/internal/graphrt"
)

// worker owns one fast graph (and, when needed, one loop graph) and the
// buffers of one chunk; each worker runs on its own goroutine.
type worker struct {
	index int
	fast  *fastGraph
	loop  *loopGraph
	j     []float64 // chunk of J, rows × P
	r     []float64 // chunk of residuals

	// Normal-equation accumulators (see startAccumulating).
	gramWorkers  int // goroutines for the rank-k update
	accumulating bool
	gram         []float64 // P×P, upper triangle
	jtr          []float64
	loss         float64
}

// compute writes the J rows of samples [first, first+count) into j (row
// stride P) and their residuals into r.
func (w *worker) compute(e *Engine, d Data, first, count int, j, r []float64) error {
	s, f, P := e.spec, w.fast, e.p
	R := s.Residuals
	rows := f.rows
	valid := count * R
	// Bind: row q is (sample first+q/R, residual q%R). Padding rows repeat
	// the chunk's last sample with a zero seed: a real sample keeps every
	// value finite wherever the model is (zero inputs need not be in its
	// domain).
	f.bind(s, d, first, count)
	// The seeds depend only on the number of valid rows: set them when it
	// changes.
	if f.seeded != valid {
		for q := 0; q < rows; q++ {
			sr := f.seed.Data[q*R : (q+1)*R]
			clear(sr)
			if q < valid {
				sr[q%R] = 1
			}
		}
		f.seeded = valid
	}
	if err := f.machine.Run(); err != nil {
		return err
	}
	res := f.r.Data()
	for q := 0; q < valid; q++ {
		r[q] = res[q*R+q%R]
	}
	// Each parameter's columns are assigned by its first contribution and
	// accumulated by later ones (a parameter used twice); columns nothing
	// writes are cleared.
	for _, p := range f.unwritten {
		for q := 0; q < valid; q++ {
			clear(j[q*P+p.Offset : q*P+p.Offset+p.Size()])
		}
	}
	for _, t := range f.taps {
		writeTap(j, P, valid, t)
	}
	for _, t := range f.tiles {
		g := t.grad.Data()
		size := t.tile.Param.Size()
		off := t.tile.Param.Offset
		for q := 0; q < valid; q++ {
			row, src := j[q*P+off:q*P+off+size], g[q*size:(q+1)*size]
			if t.assign {
				copy(row, src)
				continue
			}
			for k, v := range src {
				row[k] += v
			}
		}
	}
	if len(e.loop) > 0 {
		if err := w.computeLoop(e, d, first, count, j); err != nil {
			return err
		}
	}
	return nil
}

// bind writes the inputs of samples [first, first+count) into the graph's
// rows (row q is sample first+q/R); padding rows repeat the last sample.
func (f *fastGraph) bind(s Spec, d Data, first, count int) {
	R, rows := s.Residuals, f.rows
	if R == 1 {
		// One row per sample: the chunk's samples are one block.
		copy(f.x.Data, d.X[first*s.Inputs:(first+count)*s.Inputs])
		copy(f.y.Data, d.Y[first*s.Targets:(first+count)*s.Targets])
		for q := count; q < rows; q++ {
			copy(f.x.Data[q*s.Inputs:(q+1)*s.Inputs], d.X[(first+count-1)*s.Inputs:(first+count)*s.Inputs])
			copy(f.y.Data[q*s.Targets:(q+1)*s.Targets], d.Y[(first+count-1)*s.Targets:(first+count)*s.Targets])
		}
		return
	}
	valid := count * R
	for q := 0; q < rows; q++ {
		i := first + min(q, valid-1)/R
		copy(f.x.Data[q*s.Inputs:(q+1)*s.Inputs], d.X[i*s.Inputs:(i+1)*s.Inputs])
		copy(f.y.Data[q*s.Targets:(q+1)*s.Targets], d.Y[i*s.Targets:(i+1)*s.Targets])
	}
}

// writeTap writes x ⊗ δ (for W) and δ (for the bias) into each row; with
// G rows per sample (t.tap.Group), Σ_g x_g ⊗ δ_g and Σ_g δ_g, as one small
// GEMM XᵀΔ per row.
func writeTap(j []float64, P, valid int, t tapOut) {
	if t.tap.Group > 1 {
		writeGroupTap(j, P, valid, t)
		return
	}
	x, delta := t.tap.X.Data(), t.grad.Data()
	in, out := t.tap.W.Shape[0], t.tap.W.Shape[1]
	offW := t.tap.W.Offset
	for q := 0; q < valid; q++ {
		row := j[q*P : (q+1)*P]
		dq := delta[q*out : (q+1)*out]
		for a, xa := range x[q*in : (q+1)*in] {
			dst := row[offW+a*out : offW+(a+1)*out]
			if t.assignW {
				for b, v := range dq {
					dst[b] = xa * v
				}
			} else {
				for b, v := range dq {
					dst[b] += xa * v
				}
			}
		}
		if t.tap.Bias != nil {
			dst := row[t.tap.Bias.Offset : t.tap.Bias.Offset+out]
			if t.assignBias {
				copy(dst, dq)
			} else {
				for b, v := range dq {
					dst[b] += v
				}
			}
		}
	}
}

// writeGroupTap is writeTap for G > 1 rows per sample: row q of J gets
// XᵀΔ for W, with X (G × in) and Δ (G × out) the sample's rows, and the
// column sums of Δ for the bias.
func writeGroupTap(j []float64, P, valid int, t tapOut) {
	x, delta := t.tap.X.Data(), t.grad.Data()
	G := t.tap.Group
	in, out := t.tap.W.Shape[0], t.tap.W.Shape[1]
	offW := t.tap.W.Offset
	beta := 1.0
	if t.assignW {
		beta = 0
	}
	for q := 0; q < valid; q++ {
		row := j[q*P : (q+1)*P]
		dq := delta[q*G*out : (q+1)*G*out]
		xq := blas64.General{Rows: G, Cols: in, Stride: in, Data: x[q*G*in : (q+1)*G*in]}
		dm := blas64.General{Rows: G, Cols: out, Stride: out, Data: dq}
		c := blas64.General{Rows: in, Cols: out, Stride: out, Data: row[offW : offW+in*out]}
		blas64.Gemm(blas.Trans, blas.NoTrans, 1, xq, dm, beta, c)
		if t.tap.Bias != nil {
			dst := row[t.tap.Bias.Offset : t.tap.Bias.Offset+out]
			if t.assignBias {
				clear(dst)
			}
			for g := 0; g < G; g++ {
				for b, v := range dq[g*out : (g+1)*out] {
					dst[b] += v
				}
			}
		}
	}
}

// computeLoop adds the loop-route columns, one sample and residual at a time.
func (w *worker) computeLoop(e *Engine, d Data, first, count int, j []float64) error {
	if w.loop == nil {
		l, err := e.buildLoop()
		if err != nil {
			return err
		}
		w.loop = l
	}
	P, R := e.p, e.spec.Residuals
	for c := 0; c < count; c++ {
		err := w.loop.run(e.spec, d, first+c, func(k int, _ float64) {
			row := j[(c*R+k)*P : (c*R+k+1)*P]
			for pi, p := range w.loop.params {
				if e.loop[p] {
					copy(row[p.Offset:p.Offset+p.Size()], w.loop.grads[pi].Data())
				}
			}
		})
		if err != nil {
			return err
		}
	}
	return nil
}

func (w *worker) startAccumulating(ctx context.Context, P int) error {
	if w.gram == nil {
		w.gram = make([]float64, P*P)
		w.jtr = make([]float64, P)
	}
	// Clear (and, the first time, fault in) the P×P accumulator in blocks,
	// checking ctx between them: at P in the thousands this is hundreds of
	// milliseconds that a cancel must be able to interrupt.
	const block = 1 << 20
	for lo := 0; lo < len(w.gram); lo += block {
		if err := ctx.Err(); err != nil {
			return err
		}
		clear(w.gram[lo:min(lo+block, len(w.gram))])
	}
	clear(w.jtr)
	w.loss = 0
	w.accumulating = true
	return nil
}

// accumulate folds the chunk into JᵀWJ, JᵀWr and Σ W·r²: each row is scaled
// by √W so one symmetric rank-k update gives JᵀWJ.
func (w *worker) accumulate(d Data, R, first, valid, P int) {
	for q := 0; q < valid; q++ {
		weight := d.weight(first + q/R)
		if d.OutputWeights != nil {
			weight *= d.OutputWeights[q%R]
		}
		row := w.j[q*P : (q+1)*P]
		rq := w.r[q]
		w.loss += weight * rq * rq
		if weight == 0 {
			clear(row)
			continue
		}
		sw := math.Sqrt(weight)
		for k := range row {
			row[k] *= sw
		}
		scale := sw * rq
		for k, v := range row {
			w.jtr[k] += scale * v
		}
	}
	addGram(w.gram, P, w.j, valid, P, P, w.gramWorkers)
}

// addGram is the rank-k update the normal equations use: AddGram, or
// OpenBLAS's Dsyrk when built with -tags openblas.
var addGram = AddGram

// fastGraph is the chunk graph: taps and tiles, seeded residuals.
type fastGraph struct {
	rows   int
	seeded int // valid rows the seed input is set for (0: not set)

	// The residuals alone, for SumSquares (residualsFromChunkGraph).
	elementwise bool // tiled parameters are used only elementwise
	proven      bool // every route is right by construction (provenByConstruction)
	partial     *graphrt.Partial
	noPartial   bool
	sumR        []float64
	x, y, seed  *graphrt.Input
	r           *graphrt.Output
	taps        []tapOut
	tiles       []tileOut
	unwritten   []*graph.Param // parameters no tap, tile or loop writes
	machine     *graphrt.Machine
}

type tapOut struct {
	tap                 *engine.Tap
	grad                *graphrt.Output
	assignW, assignBias bool // first writer of W's (bias's) columns
}

type tileOut struct {
	tile   *engine.Tile
	grad   *graphrt.Output
	assign bool // first writer of the parameter's columns
}

// loopGraph is the one-sample graph of the loop route: gradients of one
// seeded residual with respect to every parameter.
type loopGraph struct {
	x, y, seed *graphrt.Input
	r          *graphrt.Output
	params     []*graph.Param
	grads      []*graphrt.Output
	machine    *graphrt.Machine
}

// run binds sample i and, for each residual k, runs the graph and calls
// use(k, r_k) while l.grads hold that residual's gradients.
func (l *loopGraph) run(s Spec, d Data, i int, use func(k int, r float64)) error {
	copy(l.x.Data, d.X[i*s.Inputs:(i+1)*s.Inputs])
	copy(l.y.Data, d.Y[i*s.Targets:(i+1)*s.Targets])
	for k := 0; k < s.Residuals; k++ {
		clear(l.seed.Data)
		l.seed.Data[k] = 1
		if err := l.machine.Run(); err != nil {
			return err
		}
		use(k, l.r.Data()[k])
	}
	return nil
}
