package golem

import (
	"fmt"
	"sync"

	G "gorgonia.org/gorgonia"

	"github.com/golem-ml/golem/graph"
	"github.com/golem-ml/golem/internal/engine"
	"github.com/golem-ml/golem/internal/graphrt"
	"github.com/golem-ml/golem/losses"
)

// netKey identifies one compiled graph of a model.
type netKey struct {
	batch int
	grad  bool
}

// net is the model compiled at one fixed batch size: inputs x (batch × in),
// targets y (batch × T) and row weights w (batch); outputs the predictions
// and the weighted loss Σᵢ wᵢℓᵢ, and, when built with gradients, ∂loss/∂θ.
type net struct {
	key     netKey
	batch   int
	x, y, w *graphrt.Input
	out     *graphrt.Output
	loss    *graphrt.Output
	params  []*graph.Param
	grads   []*graphrt.Output
	machine *graphrt.Machine

	// Training mode (the gradient graph; see graph.Builder.SetTraining):
	// Dropout's random inputs, the mask of real rows that batch statistics
	// use, and BatchNormalization's moving-statistic updates.
	randoms []*graphrt.Input
	rowMask *graphrt.Input
	updates []engine.StateUpdate
}

// netCache keeps a model's compiled graphs by (batch, grad). A graph holds
// the data bound into it, so one graph serves one call at a time: get hands
// out an idle graph (compiling a new one when all are in use) and put
// returns it. Safe for concurrent use.
type netCache struct {
	mu   sync.Mutex
	idle map[netKey][]*net
}

func newNetCache() *netCache { return &netCache{idle: map[netKey][]*net{}} }

// get returns an idle graph for (batch, grad) of m, compiling one if none is
// idle.
func (c *netCache) get(m *Model, batch int, grad bool) (*net, error) {
	key := netKey{batch, grad}
	c.mu.Lock()
	if free := c.idle[key]; len(free) > 0 {
		n := free[len(free)-1]
		c.idle[key] = free[:len(free)-1]
		c.mu.Unlock()
		return n, nil
	}
	c.mu.Unlock()
	n, err := m.buildNet(batch, grad)
	if err != nil {
		return nil, err
	}
	n.key = key
	return n, nil
}

// size is the number of idle graphs (nil: 0).
func (c *netCache) size() int {
	if c == nil {
		return 0
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	n := 0
	for _, free := range c.idle {
		n += len(free)
	}
	return n
}

// put returns a graph obtained from get.
func (c *netCache) put(n *net) {
	c.mu.Lock()
	c.idle[n.key] = append(c.idle[n.key], n)
	c.mu.Unlock()
}

func (m *Model) buildNet(batch int, grad bool) (*net, error) {
	b := graph.NewBuilder(m.params, batch)
	engine.SetTraining(b, grad) // the gradient graph trains; every other graph infers
	n := &net{batch: batch}
	n.x = engine.Input(b, "x", batch, m.input.Size())
	h, err := m.forwardLayers(b, n.x.Node)
	if err != nil {
		return nil, err
	}
	n.out = engine.Output(b, h)
	n.w = engine.Input(b, "w", batch)
	if m.loss != nil { // a model loaded but not compiled can still predict
		n.y = engine.Input(b, "y", batch, m.loss.TargetColumns(m.Outputs()))
		total, err := m.lossNode(b, h, n.y.Node, n.w.Node)
		if err != nil {
			return nil, err
		}
		n.loss = engine.Output(b, total)
		if grad {
			ps, gs, err := engine.Gradients(b, total)
			if err != nil {
				return nil, fmt.Errorf("golem: %w", err)
			}
			n.params = ps
			for _, g := range gs {
				n.grads = append(n.grads, engine.Output(b, g))
			}
		}
	}
	n.randoms, n.rowMask, n.updates = engine.RandomInputs(b), engine.RowMaskInput(b), engine.StateUpdates(b)
	if n.machine, err = engine.Compile(b); err != nil {
		return nil, fmt.Errorf("golem: %w", err)
	}
	return n, nil
}

// lossNode adds the weighted loss Σᵢ wᵢℓᵢ of the predictions h.
func (m *Model) lossNode(b *graph.Builder, h, y, w *G.Node) (total *G.Node, err error) {
	batch := b.Batch()
	err = graphrt.Catch(func() error {
		per, err := m.loss.PerSample(b, h, y)
		if err != nil {
			return err
		}
		if !graphrt.SameShape(per.Shape(), []int{batch}) {
			return fmt.Errorf("per-sample loss has shape %v, want (%d)", per.Shape(), batch)
		}
		weighted, err := G.HadamardProd(per, w)
		if err != nil {
			return err
		}
		total, err = G.Sum(weighted)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("golem: loss %s: %w", m.loss.Name(), err)
	}
	return total, nil
}

// bind fills the graph's rows from samples order[lo:hi] of d (order nil
// means 0, 1, 2, ...) and gives them weight times their sample weight. The
// padding rows of a partial batch repeat the batch's first sample with
// weight 0: a copy of a real sample keeps every value finite wherever the
// model is (zero inputs need not be in a model's domain, and 0·NaN is NaN).
func (n *net) bind(d *dataset, order []int, lo, hi int, weight float64) {
	xc := n.x.Shape[1]
	rows := hi - lo
	for r := 0; r < n.batch; r++ {
		xr := n.x.Data[r*xc : (r+1)*xc]
		var yr []float64
		if n.y != nil {
			yc := n.y.Shape[1]
			yr = n.y.Data[r*yc : (r+1)*yc]
		}
		i := lo + min(r, rows-1)
		if order != nil {
			i = order[i]
		}
		copy(xr, d.x[i*xc:(i+1)*xc])
		if d.y != nil && yr != nil {
			copy(yr, d.y[i*len(yr):(i+1)*len(yr)])
		} else {
			clear(yr)
		}
		n.w.Data[r] = 0
		if r < rows {
			n.w.Data[r] = weight * d.weight(i)
		}
		if n.rowMask != nil {
			n.rowMask.Data[r] = 0
			if r < rows {
				n.rowMask.Data[r] = 1
			}
		}
	}
}

// run executes the graph once.
func (n *net) run() error {
	if err := n.machine.Run(); err != nil {
		return fmt.Errorf("golem: %w", err)
	}
	return nil
}

// sampleWeight is the weight of one sample in a pass over count samples.
func sampleWeight(l losses.Loss, count int) float64 {
	if l.Reduction() == losses.Sum {
		return 1
	}
	return 1 / float64(count)
}

// evalBatch picks the inference batch size for n samples: the next power of
// two, capped at 1024, so few graphs are compiled whatever n is.
func evalBatch(n int) int {
	b := 1
	for b < n && b < 1024 {
		b *= 2
	}
	return b
}
