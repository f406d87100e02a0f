package jac

import (
	"context"
	"fmt"
	"math"
)

// forwardChunkRows is the most residual rows one forward run of Residuals
// or SumSquares evaluates: their memory is O(chunk), whatever N is.
const forwardChunkRows = 4096

// forwardChunks evaluates the residuals of d chunk by chunk with one
// forward graph of a fixed number of samples, min(N, forwardChunkRows/R),
// and calls use(first, count, r) for samples [first, first+count) with r
// their count·R residuals (valid only during the call). The rows of a last
// partial chunk are filled by repeating the chunk's first sample, never with
// zeros (a model undefined at 0 would put NaN there), and are ignored.
func (e *Engine) forwardChunks(ctx context.Context, d Data, use func(first, count int, r []float64)) error {
	s := e.spec
	per := min(d.N, max(forwardChunkRows/s.Residuals, 1))
	f, ok := e.forward[per]
	if !ok {
		var err error
		if f, err = e.buildForward(per); err != nil {
			return err
		}
		e.forward[per] = f
	}
	for first := 0; first < d.N; first += per {
		if err := ctx.Err(); err != nil {
			return err
		}
		count := min(per, d.N-first)
		copy(f.x.Data, d.X[first*s.Inputs:(first+count)*s.Inputs])
		copy(f.y.Data, d.Y[first*s.Targets:(first+count)*s.Targets])
		for i := count; i < per; i++ {
			copy(f.x.Data[i*s.Inputs:(i+1)*s.Inputs], d.X[first*s.Inputs:(first+1)*s.Inputs])
			copy(f.y.Data[i*s.Targets:(i+1)*s.Targets], d.Y[first*s.Targets:(first+1)*s.Targets])
		}
		if err := f.machine.Run(); err != nil {
			return err
		}
		use(first, count, f.r.Data()[:count*s.Residuals])
	}
	return nil
}

// Residuals writes the residuals of d (N·R, row-major) into r, without J,
// evaluating them in chunks (memory O(chunk) beside r itself).
func (e *Engine) Residuals(ctx context.Context, d Data, r []float64) error {
	if err := e.check(d); err != nil {
		return err
	}
	if len(r) != e.Rows(d.N) {
		return fmt.Errorf("jac: %d residuals, want %d", len(r), e.Rows(d.N))
	}
	R := e.spec.Residuals
	return e.forwardChunks(ctx, d, func(first, _ int, res []float64) {
		copy(r[first*R:], res)
	})
}

// SumSquares returns Σ W·r² over d (sample weights times output weights):
// the least-squares loss, from residuals evaluated chunk by chunk, so its
// memory is O(chunk) whatever N is. The terms are added in row order with
// Neumaier's compensated summation, so the sum's rounding error is at most
// about 2ε relative whatever N is, and the same θ and d give the same bits
// every time (nothing depends on worker counts or GOMAXPROCS).
func (e *Engine) SumSquares(ctx context.Context, d Data) (float64, error) {
	if err := e.check(d); err != nil {
		return 0, err
	}
	R := e.spec.Residuals
	var sum, comp float64
	add := func(first, _ int, res []float64) {
		for q, v := range res {
			w := d.weight(first + q/R)
			if d.OutputWeights != nil {
				w *= d.OutputWeights[q%R]
			}
			if w == 0 {
				continue // a zero weight removes the row, even when r is not finite
			}
			term := w * v * v
			t := sum + term
			if math.Abs(sum) >= math.Abs(term) {
				comp += (sum - t) + term
			} else {
				comp += (term - t) + sum
			}
			sum = t
		}
	}
	done, err := e.residualsFromChunkGraph(ctx, d, add)
	if !done && err == nil {
		err = e.forwardChunks(ctx, d, add)
	}
	if err != nil {
		return 0, err
	}
	return sum + comp, nil
}

// residualsFromChunkGraph evaluates the residuals of d with the Jacobian
// graph of the first worker, when d is that graph's one chunk and the
// graph runs on golem's executor: only the part of the graph the
// residuals depend on runs (no gradients), and no forward graph is built.
// It calls use(0, N, r) as forwardChunks would, and reports false when it
// cannot (the caller then uses forwardChunks).
//
// It is used only when every tiled parameter is used elementwise
// (graph.Builder.TilesUsedElementwise): then the residuals are the forward
// graph's, value for value, except that a zero tap or tile input added to
// a −0 gives +0. Residuals can differ in the sign of a zero, never in a
// square, which is why SumSquares uses this path and Residuals does not.
func (e *Engine) residualsFromChunkGraph(ctx context.Context, d Data, use func(first, count int, r []float64)) (bool, error) {
	R := e.spec.Residuals
	rows := d.N * R
	if !e.verified || rows > minShare {
		return false, nil
	}
	if perChunk, chunks := e.chunkSamples(d.N); chunks != 1 || perChunk != d.N {
		return false, nil
	}
	ws := e.workers[rows]
	if len(ws) == 0 || ws[0] == nil {
		return false, nil
	}
	f := ws[0].fast
	if f.noPartial || !f.elementwise {
		return false, nil
	}
	if f.partial == nil {
		p, ok := f.machine.Partial(f.r)
		if !ok {
			f.noPartial = true
			return false, nil
		}
		f.partial = p
	}
	if err := ctx.Err(); err != nil {
		return true, err
	}
	f.bind(e.spec, d, 0, d.N)
	if err := f.partial.Run(); err != nil {
		f.noPartial, f.partial = true, nil
		return false, nil
	}
	res := f.partial.Value(f.r)
	if len(res) != rows*R {
		f.noPartial, f.partial = true, nil
		return false, nil
	}
	f.sumR = resize(f.sumR, rows)
	for q := range f.sumR {
		f.sumR[q] = res[q*R+q%R]
	}
	use(0, d.N, f.sumR)
	return true, nil
}

func resize(buf []float64, n int) []float64 {
	if cap(buf) >= n {
		return buf[:n]
	}
	return make([]float64, n)
}
