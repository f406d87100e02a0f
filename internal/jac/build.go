package jac

import (
	"fmt"
	"math"

	G "gorgonia.org/gorgonia"

	"github.com/golem-ml/golem/graph"
	"github.com/golem-ml/golem/internal/engine"
	"github.com/golem-ml/golem/internal/graphrt"
)

// buildFast builds a fast graph with the given rows. When a layer fails to
// build with tiled parameters, its parameters move to the loop route and
// the build is retried.
func (e *Engine) buildFast(rows int) (*fastGraph, error) {
	for {
		f, failed, err := e.tryBuildFast(rows)
		if err == nil {
			return f, nil
		}
		moved := false
		for _, p := range failed {
			if !e.loop[p] {
				e.setLoop(p)
				moved = true
			}
		}
		if !moved {
			return nil, fmt.Errorf("jac: building the Jacobian graph: %w", err)
		}
	}
}

// setLoop moves p to the loop route; graphs built before are stale.
func (e *Engine) setLoop(p *graph.Param) {
	e.loop[p] = true
	e.workers = map[int][]*worker{}
}

func (e *Engine) tryBuildFast(rows int) (f *fastGraph, failed []*graph.Param, err error) {
	s := e.spec
	b := graph.NewBuilder(s.Params, rows)
	engine.JacobianMode(b, e.loop)
	f = &fastGraph{rows: rows}
	f.x = engine.Input(b, "x", rows, s.Inputs)
	f.y = engine.Input(b, "y", rows, s.Targets)
	f.seed = engine.Input(b, "seed", rows, s.Residuals)
	var r *G.Node
	if err = graphrt.Catch(func() error {
		var e error
		r, e = s.Build(b, f.x.Node, f.y.Node)
		return e
	}); err != nil {
		return nil, engine.LayerParams(b), err
	}
	if !graphrt.SameShape(r.Shape(), []int{rows, s.Residuals}) {
		return nil, nil, fmt.Errorf("residuals have shape %v, want (%d, %d)", r.Shape(), rows, s.Residuals)
	}
	f.r = engine.Output(b, r)
	var wrt G.Nodes
	for _, t := range engine.Taps(b) {
		wrt = append(wrt, t.E)
	}
	for _, t := range engine.Tiles(b) {
		wrt = append(wrt, t.T)
	}
	if len(wrt) > 0 {
		var grads G.Nodes
		if err = graphrt.Catch(func() error {
			cost, e := G.HadamardProd(r, f.seed.Node)
			if e != nil {
				return e
			}
			if cost, e = G.Sum(cost); e != nil {
				return e
			}
			grads, e = G.Grad(cost, wrt...)
			return e
		}); err != nil {
			return nil, nil, err
		}
		for i, t := range engine.Taps(b) {
			f.taps = append(f.taps, tapOut{tap: t, grad: engine.Output(b, grads[i])})
		}
		for i, t := range engine.Tiles(b) {
			f.tiles = append(f.tiles, tileOut{tile: t, grad: engine.Output(b, grads[len(engine.Taps(b))+i])})
		}
	}
	f.planWrites(s.Params, e.loop)
	f.elementwise = engine.Of(b).TilesUsedElementwise()
	if f.machine, err = engine.Compile(b); err != nil {
		return nil, nil, err
	}
	if e.perRow == 0 {
		e.perRow = max(valuesPerRow(b.Graph(), rows), 1)
	}
	f.proven = e.provenByConstruction(b, f)
	return f, nil, nil
}

// trustedOps are golem's own ops that the row-separability proof
// (exec.Program.RowSeparable) may look through, by package and type name.
var trustedOps = map[[2]string]string{
	{"github.com/golem-ml/golem/graph", "tileOp"}:      "tile",
	{"github.com/golem-ml/golem/graph", "unaryOp"}:     "elementwise",
	{"github.com/golem-ml/golem/graph", "reshapeCopy"}: "reshape",
}

// provenByConstruction reports whether f's tile route is right for every
// parameter without comparing it with the loop route: every parameter is
// tiled (no taps, none on the loop route), each tile is its own input used
// by one tile op only, and the residuals and every tile's gradient are
// proven to be computed row by row from the row inputs (x, y, the seed and
// the tiles) and the parameters, through ops that act row by row. Then row
// q's residual is the model's residual of sample q with every parameter
// read from row q of its tile, so the gradient with respect to that row is
// the sample's derivative, which is what the loop route computes, and the
// residuals are the model's own. When this is false, nothing is known and
// the route check compares with the loop route (ensureRoutes).
func (e *Engine) provenByConstruction(b *graph.Builder, f *fastGraph) bool {
	if e.noProof || len(e.loop) > 0 || len(f.taps) > 0 || len(f.tiles) != len(e.spec.Params.List()) {
		return false
	}
	g := b.Graph()
	rowLeaves := []*G.Node{f.x.Node, f.y.Node, f.seed.Node}
	outs := []*graphrt.Output{f.r}
	seen := map[*G.Node]bool{}
	for _, t := range f.tiles {
		if seen[t.tile.T] {
			return false
		}
		seen[t.tile.T] = true
		users := g.To(t.tile.T.ID())
		if users == nil || users.Len() != 1 {
			return false
		}
		rowLeaves = append(rowLeaves, t.tile.T)
		outs = append(outs, t.grad)
	}
	var globals []*G.Node
	for _, n := range engine.Of(b).Nodes {
		globals = append(globals, n)
	}
	return f.machine.RowSeparable(f.rows, rowLeaves, globals, trustedOps, outs...)
}

// valuesPerRow estimates the values a graph of the given rows holds per
// row: every node's size, parameters included (they are tiled per row in a
// Jacobian graph when they are not tapped), divided by the rows.
func valuesPerRow(g *G.ExprGraph, rows int) int {
	total := 0
	for _, n := range g.AllNodes() {
		total += n.Shape().TotalSize()
	}
	return total / max(rows, 1)
}

// planWrites marks the first contribution to each parameter's columns (taps
// first, then tiles; loop parameters are written last, by copy) and lists
// the parameters nothing writes.
func (f *fastGraph) planWrites(ps *graph.Params, loop map[*graph.Param]bool) {
	written := map[*graph.Param]bool{}
	first := func(p *graph.Param) bool {
		if written[p] {
			return false
		}
		written[p] = true
		return true
	}
	for i := range f.taps {
		t := &f.taps[i]
		t.assignW = first(t.tap.W)
		if t.tap.Bias != nil {
			t.assignBias = first(t.tap.Bias)
		}
	}
	for i := range f.tiles {
		f.tiles[i].assign = first(f.tiles[i].tile.Param)
	}
	for _, p := range ps.List() {
		if !written[p] && !loop[p] {
			f.unwritten = append(f.unwritten, p)
		}
	}
}

// buildLoop builds the one-sample graph of the loop route.
func (e *Engine) buildLoop() (*loopGraph, error) {
	s := e.spec
	b := graph.NewBuilder(s.Params, 1)
	l := &loopGraph{}
	l.x = engine.Input(b, "x", 1, s.Inputs)
	l.y = engine.Input(b, "y", 1, s.Targets)
	l.seed = engine.Input(b, "seed", 1, s.Residuals)
	err := graphrt.Catch(func() error {
		r, err := s.Build(b, l.x.Node, l.y.Node)
		if err != nil {
			return err
		}
		l.r = engine.Output(b, r)
		cost, err := G.HadamardProd(r, l.seed.Node)
		if err != nil {
			return err
		}
		if cost, err = G.Sum(cost); err != nil {
			return err
		}
		ps, grads, err := engine.Gradients(b, cost)
		if err != nil {
			return err
		}
		l.params = ps
		for _, g := range grads {
			l.grads = append(l.grads, engine.Output(b, g))
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("jac: building the one-sample graph: %w", err)
	}
	if l.machine, err = engine.Compile(b); err != nil {
		return nil, err
	}
	return l, nil
}

// probeSamples is how many samples the first call uses to verify routes.
const probeSamples = 3

// ensureRoutes verifies, once, that the fast graph gives the same residuals
// and, for each parameter, the same J columns as the loop route on the
// first few samples of d. Parameters where the columns differ move to the
// loop route; if the residuals differ, a tiled layer changed the model's
// value (it mixes rows), and every tiled parameter moves to the loop route.
func (e *Engine) ensureRoutes(d Data) error {
	if e.verified {
		return nil
	}
	n := min(d.N, probeSamples)
	R := e.spec.Residuals
	// When all of d is one small chunk whatever the graph measures (see
	// chunkSamples), the probe runs the chunk's own graph on every sample,
	// compares the first few, and becomes the first worker's graph: no
	// graph is built only to probe.
	all := d.N*R <= minShare
	rows := n * R
	if all {
		rows = d.N * R
	}
	for !e.allLoop() {
		f, err := e.buildFast(rows)
		if err != nil {
			return err
		}
		probe := &worker{fast: f, j: make([]float64, rows*e.p), r: make([]float64, rows)}
		if f.proven {
			// Every route is right by construction: no reference is
			// needed (and the chunk's first run computes what the probe
			// would).
			e.keepProbe(f, probe, d.N, all, rows)
			break
		}
		if err := probe.compute(e, d, 0, rows/R, probe.j, probe.r); err != nil {
			return err
		}
		refJ, refR, err := e.loopReference(d, n)
		if err != nil {
			return err
		}
		moved := false
		if !sameColumns(probe.r, refR, 1, n*R, 0, 1) {
			for _, t := range f.tiles {
				e.setLoop(t.tile.Param)
				moved = true
			}
		}
		if !moved {
			for _, p := range e.spec.Params.List() {
				if !e.loop[p] && !sameColumns(probe.j, refJ, e.p, n*R, p.Offset, p.Size()) {
					e.setLoop(p)
					moved = true
				}
			}
		}
		if !moved {
			e.keepProbe(f, probe, d.N, all, rows)
			break
		}
	}
	if e.allLoop() {
		e.setRoutes(nil)
	}
	e.verified = true
	return nil
}

// keepProbe records f's routes and, when the probe's graph is the one
// chunk's graph for n samples, makes it the first worker.
func (e *Engine) keepProbe(f *fastGraph, probe *worker, n int, all bool, rows int) {
	e.setRoutes(f)
	if perChunk, chunks := e.chunkSamples(n); all && chunks == 1 && perChunk*e.spec.Residuals == rows {
		ws := make([]*worker, e.cfg.Workers)
		probe.index = 0
		ws[0] = probe
		e.workers[rows] = ws
	}
}

// setRoutes records each parameter's route as the fast graph f uses it.
func (e *Engine) setRoutes(f *fastGraph) {
	e.routes = map[*graph.Param]Route{}
	for _, p := range e.spec.Params.List() {
		e.routes[p] = RouteLoop
	}
	if f == nil {
		return
	}
	for _, t := range f.tiles {
		e.routes[t.tile.Param] = RouteTile
	}
	for _, t := range f.taps {
		e.routes[t.tap.W] = RouteTap
		if t.tap.Bias != nil {
			e.routes[t.tap.Bias] = RouteTap
		}
	}
}

func (e *Engine) allLoop() bool { return len(e.loop) == len(e.spec.Params.List()) }

// loopReference computes the probe rows of J for every parameter, and the
// residuals, through the loop route.
func (e *Engine) loopReference(d Data, n int) (J, r []float64, err error) {
	l, err := e.buildLoop()
	if err != nil {
		return nil, nil, err
	}
	e.references++
	P, R := e.p, e.spec.Residuals
	ref := make([]float64, n*R*P)
	r = make([]float64, n*R)
	for i := 0; i < n; i++ {
		err := l.run(e.spec, d, i, func(k int, rk float64) {
			r[i*R+k] = rk
			row := ref[(i*R+k)*P : (i*R+k+1)*P]
			for pi, p := range l.params {
				copy(row[p.Offset:p.Offset+p.Size()], l.grads[pi].Data())
			}
		})
		if err != nil {
			return nil, nil, err
		}
	}
	return ref, r, nil
}

// sameColumns compares columns [off, off+size) of two row-major blocks,
// relative to the largest entry of those columns.
func sameColumns(a, b []float64, P, rows, off, size int) bool {
	var scale, diff float64
	for q := 0; q < rows; q++ {
		for c := off; c < off+size; c++ {
			x, y := a[q*P+c], b[q*P+c]
			scale = math.Max(scale, math.Max(math.Abs(x), math.Abs(y)))
			diff = math.Max(diff, math.Abs(x-y))
			if math.IsNaN(x) != math.IsNaN(y) {
				return false
			}
		}
	}
	return diff <= 1e-9*scale+1e-300
}
