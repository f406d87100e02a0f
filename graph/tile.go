package graph

import (
	"fmt"
	"hash"
	"hash/fnv"
	"reflect"

	"github.com/chewxy/hm"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// tileParam returns t + p for a zero input t of shape (batch, p's
// shape...) and a parameter node p: every row holds p, and ∂/∂t is each
// row's own derivative (see Tile). It is one op, where broadcasting Add
// would take five (a reshape, a size, a repeat, an add, and their
// gradients), with the same values: row r is t[r, ·] + p[·], added in that
// order, as the broadcast sum adds them.
func tileParam(t, p *G.Node) (out *G.Node, err error) {
	ts, ps := t.Shape(), p.Shape()
	if ts.Dims() != ps.Dims()+1 || ts.TotalSize() != ts[0]*ps.TotalSize() {
		return nil, fmt.Errorf("graph: tiling %v over %v", p.Shape(), t.Shape())
	}
	for i, d := range ps {
		if ts[i+1] != d {
			return nil, fmt.Errorf("graph: tiling %v over %v", p.Shape(), t.Shape())
		}
	}
	err = catch(func() error {
		var e error
		out, e = G.ApplyOp(tileOp{rows: ts[0], shape: ps.Clone()}, t, p)
		return e
	})
	return out, err
}

// tileOp is tileParam's op: (t, p) ↦ t + p in every row.
type tileOp struct {
	rows  int
	shape tensor.Shape // p's
}

func (tileOp) Arity() int { return 2 }

func (op tileOp) Type() hm.Type {
	a := hm.TypeVariable('a')
	return hm.NewFnType(tensorType(op.shape.Dims()+1, a), tensorType(op.shape.Dims(), a), tensorType(op.shape.Dims()+1, a))
}

func (op tileOp) InferShape(...G.DimSizer) (tensor.Shape, error) {
	return append(tensor.Shape{op.rows}, op.shape...), nil
}

func (op tileOp) Do(vals ...G.Value) (G.Value, error) {
	if len(vals) != 2 {
		return nil, fmt.Errorf("tile: want 2 inputs, got %d", len(vals))
	}
	t, ok1 := vals[0].Data().([]float64)
	p, ok2 := floats(vals[1])
	if !ok1 || !ok2 || len(t) != op.rows*len(p) {
		return nil, fmt.Errorf("tile: inputs %v and %v, want (%d, %v) and %v", vals[0].Shape(), vals[1].Shape(), op.rows, op.shape, op.shape)
	}
	out := make([]float64, len(t))
	op.DoSlices(out, t, p)
	return tensor.New(tensor.WithShape(append(tensor.Shape{op.rows}, op.shape...)...), tensor.WithBacking(out)), nil
}

// floats is a value's float64 data, a scalar as one value.
func floats(v G.Value) ([]float64, bool) {
	switch d := v.Data().(type) {
	case []float64:
		return d, true
	case float64:
		return []float64{d}, true
	}
	return nil, false
}

// DoSlices computes the op on slices (internal/exec.SliceOp), as Do does.
func (op tileOp) DoSlices(out []float64, in ...[]float64) bool {
	if len(in) != 2 || len(in[1]) == 0 || len(in[0]) != len(out) || len(out) != op.rows*len(in[1]) {
		return false
	}
	t, p := in[0], in[1]
	n := len(p)
	if n == 1 { // a scalar parameter: one value per row
		v := p[0]
		for r, tr := range t[:op.rows] {
			out[r] = tr + v
		}
		return true
	}
	for r := 0; r < op.rows; r++ {
		row, tr := out[r*n:(r+1)*n], t[r*n:(r+1)*n]
		for k, v := range p {
			row[k] = tr[k] + v
		}
	}
	return true
}

func (tileOp) ReturnsPtr() bool         { return false }
func (tileOp) CallsExtern() bool        { return false }
func (tileOp) OverwritesInput() int     { return -1 }
func (op tileOp) String() string        { return fmt.Sprintf("Tile%v×%d", op.shape, op.rows) }
func (op tileOp) WriteHash(h hash.Hash) { fmt.Fprintf(h, "golem.tile%v×%d", op.shape, op.rows) }
func (op tileOp) Hashcode() uint32 {
	h := fnv.New32a()
	op.WriteHash(h)
	return h.Sum32()
}

// DiffWRT: both inputs are differentiable.
func (tileOp) DiffWRT(int) []bool { return []bool{true, true} }

// SymDiff: ∂/∂t is the incoming gradient itself; ∂/∂p is its sum over
// the rows.
func (op tileOp) SymDiff(in G.Nodes, _, grad *G.Node) (G.Nodes, error) {
	dp, err := G.Sum(grad, 0)
	if err != nil {
		return nil, err
	}
	if !sameShape(dp.Shape(), op.shape) {
		if dp, err = Reshape(dp, op.shape...); err != nil {
			return nil, err
		}
	}
	return G.Nodes{grad, dp}, nil
}

// tilesUsedElementwise reports whether every use of every tiled parameter
// in the graph is an elementwise function or arithmetic: then the graph's
// values equal those of the same model built without tiles, value for
// value (broadcasting commutes with elementwise ops), except that adding
// the zero tile input to a −0 gives +0. The engine reads it as
// State.TilesUsedElementwise.
func (b *Builder) tilesUsedElementwise() bool {
	for _, n := range b.g.AllNodes() {
		it := b.g.From(n.ID())
		if it == nil {
			continue
		}
		for it.Next() {
			c, ok := it.Node().(*G.Node)
			if !ok {
				return false
			}
			if _, tile := c.Op().(tileOp); tile && !elementwise(n.Op()) {
				return false
			}
		}
	}
	return true
}

// elementwise reports whether op maps its inputs value by value: Gorgonia's
// elementwise arithmetic, comparisons and functions, or golem's own
// elementwise functions.
func elementwise(op G.Op) bool {
	if _, ok := op.(unaryOp); ok {
		return true
	}
	t := reflect.TypeOf(op)
	if t == nil {
		return false
	}
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	return t.PkgPath() == "gorgonia.org/gorgonia" && (t.Name() == "elemBinOp" || t.Name() == "elemUnaryOp")
}
