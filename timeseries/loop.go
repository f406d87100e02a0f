package timeseries

import (
	"context"
	"errors"
	"fmt"

	"gonum.org/v1/gonum/mat"
	G "gorgonia.org/gorgonia"

	"github.com/golem-ml/golem"
	"github.com/golem-ml/golem/graph"
	"github.com/golem-ml/golem/layers"
	"github.com/golem-ml/golem/losses"
	"github.com/golem-ml/golem/optim"
)

// loopLayer is a net unrolled over L steps, as one golem layer: a sample
// is a segment, laid out as
//
//	u at steps −D … L−1 (D = MaxDelay), (D+L)·m values, step by step;
//	y at steps −D … −1, D·k values (nets with feedback only),
//
// and its output is the net's y at steps 0 … L−1, L·k values, each step's
// feedback being the net's own earlier outputs (the given y before step
// 0). Every Dense is the same layer value at every step, so the
// per-sample Jacobian is the one of the unrolled graph, through the
// recurrence, on the fast tap route.
type loopLayer struct {
	net  *Net
	L    int
	cell []*layers.DenseLayer // NARX, NAR, time-delay

	// Layer-recurrent: per hidden layer, the input kernel and bias and one
	// recurrent kernel per layer delay; then the output layer.
	w, b []*graph.Param
	u    [][]*graph.Param
	out  *layers.DenseLayer
}

func (l *loopLayer) Kind() string { return "timeloop" }

func (l *loopLayer) String() string {
	c := l.net.cfg
	return fmt.Sprintf("TimeLoop(%v, %d steps, input delays %v, feedback delays %v, layer delays %v, hidden %v, %s)",
		c.Kind, l.L, c.InputDelays, c.FeedbackDelays, c.LayerDelays, c.Hidden, c.Activation)
}

// sampleSize is the width of one segment's row.
func (n *Net) sampleSize(L int) int {
	D := n.MaxDelay()
	size := (D + L) * n.m
	if n.hasFeedback() {
		size += D * n.k
	}
	return size
}

func (l *loopLayer) Build(s *graph.Scope, in layers.Shape) (layers.Shape, error) {
	n := l.net
	if len(in) != 1 || in[0] != n.sampleSize(l.L) {
		return nil, fmt.Errorf("TimeLoop needs segments of %d values, got %v", n.sampleSize(l.L), in)
	}
	if n.cfg.Kind != KindLayerRecurrent {
		shape := layers.Shape{n.features()}
		for i, ly := range n.cellLayers() {
			d := ly.(*layers.DenseLayer)
			out, err := d.Build(s.Sub(fmt.Sprintf("dense_%d", i+1)), shape)
			if err != nil {
				return nil, err
			}
			l.cell = append(l.cell, d)
			shape = out
		}
		return layers.Shape{l.L * n.k}, nil
	}
	width := len(n.cfg.InputDelays) * n.m
	for i, h := range n.cfg.Hidden {
		sc := s.Sub(fmt.Sprintf("layer_%d", i+1))
		w, err := sc.Param("W", []int{width, h}, graph.GlorotUniform(), width, h)
		if err != nil {
			return nil, err
		}
		b, err := sc.Param("b", []int{h}, graph.Zeros(), width, h)
		if err != nil {
			return nil, err
		}
		var us []*graph.Param
		for _, d := range n.cfg.LayerDelays {
			u, err := sc.Param(fmt.Sprintf("U%d", d), []int{h, h}, graph.Orthogonal(), h, h)
			if err != nil {
				return nil, err
			}
			us = append(us, u)
		}
		l.w, l.b, l.u = append(l.w, w), append(l.b, b), append(l.u, us)
		width = h
	}
	l.out = layers.Dense(n.k)
	if _, err := l.out.Build(s.Sub("output"), layers.Shape{width}); err != nil {
		return nil, err
	}
	return layers.Shape{l.L * n.k}, nil
}

func (l *loopLayer) Forward(b *graph.Builder, x *G.Node) (*G.Node, error) {
	n := l.net
	D, m, k := n.MaxDelay(), n.m, n.k
	uAt := func(t int) (*G.Node, error) { // u at step t ∈ [−D, L), (batch × m)
		c := (t + D) * m
		return graph.Columns(x, c, c+m)
	}
	yBase := (D + l.L) * m
	outs := make([]*G.Node, l.L)
	yAt := func(t int) (*G.Node, error) { // the fed-back y at step t < current
		if t >= 0 {
			return outs[t], nil
		}
		c := yBase + (t+D)*k
		return graph.Columns(x, c, c+k)
	}
	var hist [][]*G.Node // layer-recurrent: hidden states per layer and step
	if n.cfg.Kind == KindLayerRecurrent {
		hist = make([][]*G.Node, len(n.cfg.Hidden))
		for i := range hist {
			hist[i] = make([]*G.Node, l.L)
		}
	}
	act, _ := layers.ActivationNamed(n.cfg.Activation)
	for t := 0; t < l.L; t++ {
		var feats []*G.Node
		for _, d := range n.cfg.InputDelays {
			f, err := uAt(t - d)
			if err != nil {
				return nil, err
			}
			feats = append(feats, f)
		}
		for _, d := range n.cfg.FeedbackDelays {
			f, err := yAt(t - d)
			if err != nil {
				return nil, err
			}
			feats = append(feats, f)
		}
		h, err := joinColumns(feats)
		if err != nil {
			return nil, err
		}
		if n.cfg.Kind != KindLayerRecurrent {
			for _, d := range l.cell {
				if h, err = d.Forward(b, h); err != nil {
					return nil, err
				}
			}
			outs[t] = h
			continue
		}
		for i := range n.cfg.Hidden {
			z, err := b.Affine(h, l.w[i], l.b[i])
			if err != nil {
				return nil, err
			}
			for j, d := range n.cfg.LayerDelays {
				if t-d < 0 {
					continue // zero initial hidden state
				}
				r, err := b.Affine(hist[i][t-d], l.u[i][j], nil)
				if err != nil {
					return nil, err
				}
				if z, err = graph.Add(z, r); err != nil {
					return nil, err
				}
			}
			if h, err = act.Apply(b, z); err != nil {
				return nil, err
			}
			hist[i][t] = h
		}
		if outs[t], err = l.out.Forward(b, h); err != nil {
			return nil, err
		}
	}
	return joinColumns(outs)
}

func joinColumns(ns []*G.Node) (*G.Node, error) {
	if len(ns) == 1 {
		return ns[0], nil
	}
	return graph.ConcatColumns(ns...)
}

// segments cuts scaled series into loop samples of L steps: x rows laid
// out as loopLayer documents, y rows the L targets.
func (n *Net) segments(su, sy *mat.Dense, L int, starts []int) (x, y *mat.Dense) {
	D := n.MaxDelay()
	x = mat.NewDense(len(starts), n.sampleSize(L), nil)
	y = mat.NewDense(len(starts), L*n.k, nil)
	for r, t0 := range starts {
		row := x.RawRowView(r)
		c := 0
		for t := t0 - D; t < t0+L; t++ {
			for j := 0; j < n.m; j++ {
				row[c] = su.At(t, j)
				c++
			}
		}
		if n.hasFeedback() {
			for t := t0 - D; t < t0; t++ {
				for j := 0; j < n.k; j++ {
					row[c] = sy.At(t, j)
					c++
				}
			}
		}
		yr := y.RawRowView(r)
		for s := 0; s < L; s++ {
			for j := 0; j < n.k; j++ {
				yr[s*n.k+j] = sy.At(t0+s, j)
			}
		}
	}
	return x, y
}

// loopModel returns the unrolled model for L steps, compiled with the
// net's loss and optimizer and carrying its current weights.
func (n *Net) loopModel(L int) (*golem.Model, error) {
	if n.loop != nil && n.loopLen == L {
		return n.loop, nil
	}
	theta := n.weights()
	m := golem.NewSequential(&loopLayer{net: n, L: L})
	loss, opt := n.loss, n.opt
	if loss == nil {
		return nil, golem.ErrNotCompiled
	}
	opts := append(append([]golem.CompileOption(nil), n.copts...), golem.ScaleInputs(golem.NoScaling), golem.ScaleTargets(golem.NoScaling))
	if n.loop != nil {
		// The optimizer belongs to the old loop model: a new one of the
		// same configuration would need copying it; compile the new length
		// with a fresh default of the same kind instead.
		return nil, fmt.Errorf("timeseries: the net's loop model is built for %d steps, not %d; compile the net again to change the length", n.loopLen, L)
	}
	if err := m.Compile(golem.Input(n.sampleSize(L)), loss, opt, opts...); err != nil {
		return nil, err
	}
	if theta != nil {
		th := m.Params().Theta()
		if len(th) != len(theta) {
			return nil, fmt.Errorf("timeseries: the loop model has %d weights, the net %d", len(th), len(theta))
		}
		copy(th, theta)
	}
	n.loop, n.loopLen = m, L
	return m, nil
}

// fitLoop trains the unrolled net on segments (closed loop; layer-
// recurrent nets).
func (n *Net) fitLoop(ctx context.Context, su, sy *mat.Dense, cfg golem.FitConfig) (*golem.History, error) {
	T, _ := sy.Dims()
	D := n.MaxDelay()
	avail := T - D
	if avail < 1 {
		return nil, fmt.Errorf("timeseries: the series has %d steps; delays up to %d need at least %d", T, D, D+1)
	}
	L := n.segment
	if L == 0 {
		L = min(20, avail)
	}
	if n.cfg.Kind == KindLayerRecurrent && n.segment == 0 {
		L = avail // a layer-recurrent net starts from zero hidden states: one sequence
	}
	if L > avail {
		return nil, fmt.Errorf("timeseries: segments of %d steps do not fit a series of %d steps after %d of delay", L, avail, D)
	}
	var starts []int
	for t0 := D; t0+L <= T; t0 += L {
		starts = append(starts, t0)
	}
	if last := starts[len(starts)-1]; last+L < T { // the tail, overlapping
		starts = append(starts, T-L)
	}
	x, y := n.segments(su, sy, L, starts)
	m, err := n.loopModel(L)
	if err != nil {
		return nil, err
	}
	h, err := m.Fit(ctx, x, y, cfg)
	if err == nil && n.cell != nil {
		copy(n.cell.Params().Theta(), m.Params().Theta()) // the cell predicts with the trained weights
	}
	return h, err
}

// predictClosed runs a NARX/NAR net in closed loop over the series, from
// the first MaxDelay steps of y, one step at a time through the cell.
func (n *Net) predictClosed(su, sy *mat.Dense) (*mat.Dense, []int, error) {
	T, _ := sy.Dims()
	D := n.MaxDelay()
	if T <= D {
		return nil, nil, fmt.Errorf("timeseries: the series has %d steps; delays up to %d need at least %d", T, D, D+1)
	}
	var uRows *mat.Dense
	if su != nil {
		uRows = su
	}
	out, err := n.runClosed(uRows, sliceRows(sy, 0, D), T-D)
	if err != nil {
		return nil, nil, err
	}
	times := make([]int, T-D)
	for i := range times {
		times[i] = D + i
	}
	return out, times, nil
}

// runClosed predicts steps outputs (scaled) in closed loop: u holds the
// scaled inputs from D steps before the first prediction (D+steps rows;
// nil without inputs), y0 the scaled D targets before it.
func (n *Net) runClosed(u, y0 *mat.Dense, steps int) (*mat.Dense, error) {
	if n.cell == nil {
		return nil, errors.New("timeseries: the net has no one-step network")
	}
	D := n.MaxDelay()
	hist := mat.NewDense(D+steps, n.k, nil)
	if D > 0 {
		hist.Slice(0, D, 0, n.k).(*mat.Dense).Copy(y0)
	}
	row := mat.NewDense(1, n.features(), nil)
	for s := 0; s < steps; s++ {
		t := D + s
		c := 0
		for _, d := range n.cfg.InputDelays {
			for j := 0; j < n.m; j++ {
				row.Set(0, c, u.At(t-d, j))
				c++
			}
		}
		for _, d := range n.cfg.FeedbackDelays {
			for j := 0; j < n.k; j++ {
				row.Set(0, c, hist.At(t-d, j))
				c++
			}
		}
		p, err := n.cell.Predict(row)
		if err != nil {
			return nil, err
		}
		hist.SetRow(t, p.RawRowView(0))
	}
	return mat.DenseCopyOf(hist.Slice(D, D+steps, 0, n.k)), nil
}

// predictLoop runs a layer-recurrent net over the whole series as one
// unrolled sequence.
func (n *Net) predictLoop(su, sy *mat.Dense) (*mat.Dense, []int, error) {
	T, _ := sy.Dims()
	D := n.MaxDelay()
	L := T - D
	if L < 1 {
		return nil, nil, fmt.Errorf("timeseries: the series has %d steps; delays up to %d need at least %d", T, D, D+1)
	}
	m := n.loop
	if m == nil || n.loopLen != L {
		// An unrolled model for this length, kept for the next series of
		// the same length, given the net's current weights at every call.
		if m = n.unrolled[L]; m == nil {
			m = golem.NewSequential(&loopLayer{net: n, L: L})
			if err := m.Compile(golem.Input(n.sampleSize(L)), losses.MSE(), optim.LM(optim.LMConfig{}), golem.ScaleInputs(golem.NoScaling)); err != nil {
				return nil, nil, err
			}
			if n.unrolled == nil {
				n.unrolled = map[int]*golem.Model{}
			}
			n.unrolled[L] = m
		}
		copy(m.Params().Theta(), n.weights())
	}
	x, _ := n.segments(su, sy, L, []int{D})
	p, err := m.Predict(x)
	if err != nil {
		return nil, nil, err
	}
	out := mat.NewDense(L, n.k, nil)
	copy(out.RawMatrix().Data, p.RawRowView(0))
	times := make([]int, L)
	for i := range times {
		times[i] = D + i
	}
	return out, times, nil
}

func sliceRows(a *mat.Dense, lo, hi int) *mat.Dense {
	_, c := a.Dims()
	if hi <= lo {
		return mat.NewDense(1, c, nil)
	}
	return mat.DenseCopyOf(a.Slice(lo, hi, 0, c))
}

// Forecast predicts the next steps of y in closed loop from the delay
// states the net last saw (the end of the series of its last Fit or
// Predict): future holds the exogenous inputs of those steps (steps × m;
// nil for NAR). It is MATLAB's multi-step prediction after closeloop.
func (n *Net) Forecast(future mat.Matrix, steps int) (*mat.Dense, error) {
	if n.k == 0 {
		return nil, golem.ErrNotCompiled
	}
	if n.cfg.Kind == KindLayerRecurrent {
		return nil, errors.New("timeseries: a layer-recurrent net forecasts through Predict on the whole input series")
	}
	if steps <= 0 {
		return nil, fmt.Errorf("timeseries: Forecast of %d steps", steps)
	}
	D := n.MaxDelay()
	if n.lastY == nil {
		return nil, errors.New("timeseries: Forecast needs the delay states of a series: Fit or Predict one first")
	}
	var u *mat.Dense
	if n.hasInput() {
		if future == nil {
			return nil, fmt.Errorf("timeseries: Forecast of a %v net needs the future inputs", n.cfg.Kind)
		}
		if err := checkSeries("future", future, n.m); err != nil {
			return nil, err
		}
		if r, _ := future.Dims(); r != steps {
			return nil, fmt.Errorf("timeseries: %d future input steps for %d steps", r, steps)
		}
		all := mat.NewDense(D+steps, n.m, nil)
		if D > 0 {
			all.Slice(0, D, 0, n.m).(*mat.Dense).Copy(n.scaleU.apply(n.lastU))
		}
		all.Slice(D, D+steps, 0, n.m).(*mat.Dense).Copy(n.scaleU.apply(future))
		u = all
	} else if future != nil {
		return nil, fmt.Errorf("timeseries: a %v net takes no inputs", n.cfg.Kind)
	}
	y0 := sliceRows(n.scaleY.apply(n.lastY), max(0, n.lastY.RawMatrix().Rows-D), n.lastY.RawMatrix().Rows)
	out, err := n.runClosed(u, y0, steps)
	if err != nil {
		return nil, err
	}
	n.scaleY.invert(out)
	return out, nil
}
