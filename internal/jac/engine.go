package jac

import (
	"context"
	"errors"
	"fmt"
	"math"
	"sync"

	"gonum.org/v1/gonum/mat"
	G "gorgonia.org/gorgonia"

	"github.com/golem-ml/golem/graph"
)

// Spec describes a model's residuals.
type Spec struct {
	Params    *graph.Params
	Inputs    int // features per sample
	Targets   int // target columns per sample
	Residuals int // R, residuals per sample
	// Build adds the model and its residuals for x (rows × Inputs) and
	// y (rows × Targets) to b and returns r (rows × Residuals). It calls
	// b.BeginLayer before each layer's Forward.
	Build func(b *graph.Builder, x, y *G.Node) (*G.Node, error)
}

// Data is the data of one call: row-major samples with optional weights.
type Data struct {
	N             int
	X             []float64 // N × Inputs
	Y             []float64 // N × Targets
	Weights       []float64 // per sample, ≥ 0; nil means Weight for every sample
	Weight        float64   // every sample's weight when Weights is nil, ≥ 0; 0 means 1
	OutputWeights []float64 // per residual, ≥ 0; nil means 1
}

// Config tunes an Engine. Zero fields take the defaults.
type Config struct {
	// ChunkRows is the number of J rows computed per graph run; default
	// MemoryBudget/(8·(P + A)) clamped to [256, 2048], rounded to whole
	// samples, where A is the number of values the Jacobian graph holds
	// per row (activations, a convolution's patches, their gradients),
	// measured on the first graph built.
	ChunkRows int
	// MemoryBudget bounds one worker's chunk of J and of its graph's
	// values, in bytes; default 32 MiB.
	MemoryBudget int
	// Workers is the number of goroutines, each with its own graphs;
	// default 2, whatever GOMAXPROCS is (on one processor the goroutines
	// take turns). The chunk plan and the order of every reduction depend
	// only on Workers and the data, so results are bit-identical run to run
	// and across GOMAXPROCS for a given Workers.
	Workers int
}

// DefaultWorkers is Config.Workers' default. It is a constant, not
// GOMAXPROCS, because the chunk plan (and so the rounding of the normal
// equations) depends on it.
const DefaultWorkers = 2

// Route is how the engine differentiates a parameter per sample.
type Route int

const (
	// RouteTap: the parameter's layer uses graph.Builder.Affine.
	RouteTap Route = iota + 1
	// RouteTile: the parameter is tiled per row.
	RouteTile
	// RouteLoop: a one-sample graph per residual.
	RouteLoop
)

func (r Route) String() string {
	switch r {
	case RouteTap:
		return "tap"
	case RouteTile:
		return "tile"
	case RouteLoop:
		return "loop"
	}
	return "unknown"
}

// Engine computes Jacobians and normal equations for one model. It is not
// safe for concurrent use; it runs its own goroutines.
type Engine struct {
	spec     Spec
	cfg      Config
	p        int
	loop     map[*graph.Param]bool
	routes   map[*graph.Param]Route
	verified bool
	// references counts the loop-route references the route check built
	// (for tests: a route proven by construction needs none).
	references int
	noProof    bool              // tests: always compare with the loop route
	perRow     int               // values the fast graph holds per row (see Config.ChunkRows)
	workers    map[int][]*worker // by chunk rows
	forward    map[int]*forwardGraph
}

// New validates spec and returns an engine. Graphs are built on first use.
func New(spec Spec, cfg Config) (*Engine, error) {
	switch {
	case spec.Params == nil || spec.Params.Theta() == nil:
		return nil, errors.New("jac: the parameters are not initialized")
	case spec.Inputs <= 0 || spec.Targets <= 0 || spec.Residuals <= 0:
		return nil, fmt.Errorf("jac: invalid sizes: %d inputs, %d targets, %d residuals", spec.Inputs, spec.Targets, spec.Residuals)
	case spec.Build == nil:
		return nil, errors.New("jac: Spec.Build is nil")
	case cfg.ChunkRows < 0 || cfg.MemoryBudget < 0 || cfg.Workers < 0:
		return nil, errors.New("jac: negative Config field")
	}
	if cfg.MemoryBudget == 0 {
		cfg.MemoryBudget = 32 << 20
	}
	if cfg.Workers == 0 {
		cfg.Workers = DefaultWorkers
	}
	return &Engine{spec: spec, cfg: cfg, p: spec.Params.Len(), loop: map[*graph.Param]bool{}, workers: map[int][]*worker{}, forward: map[int]*forwardGraph{}}, nil
}

// Routes reports the route of each parameter, by name, once the engine has
// been used.
func (e *Engine) Routes() map[string]Route {
	out := map[string]Route{}
	for p, r := range e.routes {
		out[p.Name] = r
	}
	return out
}

// Rows is the number of rows of J for n samples.
func (e *Engine) Rows(n int) int { return n * e.spec.Residuals }

// Jacobian writes J (N·R × P) into dst and the residuals (N·R) into r.
func (e *Engine) Jacobian(ctx context.Context, d Data, dst *mat.Dense, r []float64) error {
	if err := e.check(d); err != nil {
		return err
	}
	rows, cols := dst.Dims()
	if rows != e.Rows(d.N) || cols != e.p || len(r) != e.Rows(d.N) {
		return fmt.Errorf("jac: J must be %d×%d with %d residuals, got %d×%d and %d", e.Rows(d.N), e.p, e.Rows(d.N), rows, cols, len(r))
	}
	raw := dst.RawMatrix()
	if raw.Stride != e.p {
		return fmt.Errorf("jac: J must be contiguous (stride %d, want %d)", raw.Stride, e.p)
	}
	_, err := e.run(ctx, d, func(first int) ([]float64, []float64) {
		base := first * e.spec.Residuals
		return raw.Data[base*e.p:], r[base:]
	}, nil)
	return err
}

// NormalEquations computes JᵀWJ (into jtj, upper and lower) and JᵀWr (into
// jtr) and returns Σ W·r², streaming J chunk by chunk: memory stays
// O(P² + chunk·P).
func (e *Engine) NormalEquations(ctx context.Context, d Data, jtj *mat.SymDense, jtr []float64) (float64, error) {
	if err := e.check(d); err != nil {
		return 0, err
	}
	if jtj.SymmetricDim() != e.p || len(jtr) != e.p {
		return 0, fmt.Errorf("jac: JᵀWJ must be %d×%d and JᵀWr %d long, got %d and %d", e.p, e.p, e.p, jtj.SymmetricDim(), len(jtr))
	}
	used, err := e.run(ctx, d, nil, func(w *worker, first, valid int) error {
		if !w.accumulating { // each worker touches only itself: no race
			if err := w.startAccumulating(ctx, e.p); err != nil {
				return err
			}
		}
		w.accumulate(d, e.spec.Residuals, first, valid, e.p)
		return nil
	})
	if err != nil {
		for _, w := range used {
			w.accumulating = false
		}
		return 0, err
	}
	// Reduce in worker order, whatever order the workers finished in,
	// checking ctx every few rows (at large P this is a pass over
	// several P×P matrices).
	raw := jtj.RawSymmetric()
	var loss float64
	clear(jtr)
	defer func() {
		for _, w := range used {
			w.accumulating = false
		}
	}()
	for i := 0; i < e.p; i++ {
		if i%256 == 0 {
			if err := ctx.Err(); err != nil {
				return 0, err
			}
		}
		dst := raw.Data[i*raw.Stride : i*raw.Stride+e.p]
		clear(dst)
		for _, w := range used { // in worker order
			if !w.accumulating {
				continue
			}
			src := w.gram[i*e.p : (i+1)*e.p]
			for j := i; j < e.p; j++ {
				dst[j] += src[j]
			}
		}
	}
	for _, w := range used {
		if !w.accumulating {
			continue
		}
		for i := range jtr {
			jtr[i] += w.jtr[i]
		}
		loss += w.loss
	}
	return loss, nil
}

// weight is sample i's weight.
func (d Data) weight(i int) float64 {
	switch {
	case d.Weights != nil:
		return d.Weights[i]
	case d.Weight != 0:
		return d.Weight
	}
	return 1
}

func (e *Engine) check(d Data) error {
	s := e.spec
	switch {
	case d.N <= 0:
		return errors.New("jac: no samples")
	case len(d.X) != d.N*s.Inputs:
		return fmt.Errorf("jac: X has %d values, want %d×%d", len(d.X), d.N, s.Inputs)
	case len(d.Y) != d.N*s.Targets:
		return fmt.Errorf("jac: Y has %d values, want %d×%d", len(d.Y), d.N, s.Targets)
	case d.Weights != nil && len(d.Weights) != d.N:
		return fmt.Errorf("jac: %d sample weights for %d samples", len(d.Weights), d.N)
	case d.OutputWeights != nil && len(d.OutputWeights) != s.Residuals:
		return fmt.Errorf("jac: %d output weights for %d residuals", len(d.OutputWeights), s.Residuals)
	}
	if !(d.Weight >= 0) || math.IsInf(d.Weight, 0) {
		return fmt.Errorf("jac: sample weight %v", d.Weight)
	}
	for i, w := range d.Weights {
		if !(w >= 0) || math.IsInf(w, 0) {
			return fmt.Errorf("jac: sample weight %d is %v", i, w)
		}
	}
	for k, w := range d.OutputWeights {
		if !(w >= 0) || math.IsInf(w, 0) {
			return fmt.Errorf("jac: output weight %d is %v", k, w)
		}
	}
	return nil
}

// cancelWork bounds rows·P² of one chunk's rank-k update (about 80 ms on
// one core at AddGram's ~55 GF/s; AddGram needs ~128+ rows per call to
// reach that rate, so fewer rows would leave it bound by memory).
const cancelWork = 1 << 32

// minShare is the fewest J rows worth handing to a second worker.
const minShare = 256

// chunkSamples picks the samples per chunk for n samples: within the row
// budget, with a chunk count that is a multiple of the workers so they
// share the work evenly.
func (e *Engine) chunkSamples(n int) (perChunk, chunks int) {
	R := e.spec.Residuals
	maxRows := e.cfg.ChunkRows
	if maxRows == 0 {
		maxRows = min(max(e.cfg.MemoryBudget/(8*(e.p+e.perRow)), 256), 2048)
		// The context is checked between chunks: keep a chunk's rank-k
		// update (rows·P² multiply–adds) to about a tenth of a second on
		// one core, so a cancel is honoured promptly at any P.
		maxRows = min(maxRows, max(cancelWork/(e.p*e.p), 16))
	}
	maxSamples := max(maxRows/R, 1)
	w := e.cfg.Workers
	// One chunk when the work is too small to share (under minShare rows
	// per worker); otherwise a multiple of the workers.
	if n <= maxSamples && (w == 1 || n*R < w*minShare) {
		return n, 1
	}
	chunks = w * ((n + w*maxSamples - 1) / (w * maxSamples))
	perChunk = (n + chunks - 1) / chunks
	return perChunk, (n + perChunk - 1) / perChunk
}

// run computes every chunk of J for d. With into, a chunk is written where
// into(firstSample) says (rows of J and residuals); otherwise into w.j and
// w.r, after which use(w, firstSample, validRows) consumes it. Chunk c goes
// to worker c mod W, so which worker computes what is fixed. run returns
// the workers that took part, in index order.
func (e *Engine) run(ctx context.Context, d Data, into func(first int) (j, r []float64), use func(w *worker, first, valid int) error) ([]*worker, error) {
	if err := e.ensureRoutes(d); err != nil {
		return nil, err
	}
	perChunk, chunks := e.chunkSamples(d.N) // after the probe has measured the graph
	nw := min(e.cfg.Workers, chunks)
	ws, err := e.workersFor(perChunk*e.spec.Residuals, nw)
	if err != nil {
		return nil, err
	}
	// A single chunk leaves the other cores to the symmetric rank-k update,
	// which gives the same bits for any number of goroutines.
	for _, w := range ws[:nw] {
		w.gramWorkers = 1
	}
	if nw == 1 {
		ws[0].gramWorkers = e.cfg.Workers
	}
	work := func(wi int) error {
		w := ws[wi]
		for c := wi; c < chunks; c += nw {
			if err := ctx.Err(); err != nil {
				return err
			}
			first := c * perChunk
			count := min(perChunk, d.N-first)
			j, r := w.j, w.r
			if into != nil {
				j, r = into(first)
			}
			if err := w.compute(e, d, first, count, j, r); err != nil {
				return err
			}
			if use != nil {
				if err := use(w, first, count*e.spec.Residuals); err != nil {
					return err
				}
			}
		}
		return nil
	}
	if nw == 1 {
		return ws[:1], work(0)
	}
	errs := make([]error, nw)
	var wg sync.WaitGroup
	for wi := 0; wi < nw; wi++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[wi] = work(wi)
		}()
	}
	wg.Wait()
	return ws[:nw], errors.Join(errs...)
}

// workersFor returns the workers whose fast graphs have the given rows,
// with the first need of them built (a worker's graph is built when a
// chunk plan first needs it: a single chunk never builds the others).
func (e *Engine) workersFor(rows, need int) ([]*worker, error) {
	ws, ok := e.workers[rows]
	if !ok {
		ws = make([]*worker, e.cfg.Workers)
		e.workers[rows] = ws
	}
	for i := range ws[:need] {
		if ws[i] != nil {
			continue
		}
		f, err := e.buildFast(rows)
		if err != nil {
			return nil, err
		}
		if e.workers[rows] == nil { // buildFast moved parameters to the loop route
			return e.workersFor(rows, need)
		}
		ws[i] = &worker{index: i, fast: f, j: make([]float64, rows*e.p), r: make([]float64, rows)}
	}
	return ws, nil
}

// ChunkRows is the number of J rows one graph run computes for n samples,
// once the engine has been used (see Config.ChunkRows).
func (e *Engine) ChunkRows(n int) int {
	perChunk, _ := e.chunkSamples(n)
	return perChunk * e.spec.Residuals
}
