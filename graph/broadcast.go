package graph

import (
	"fmt"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// Add returns a+b with NumPy-style broadcasting: shapes are aligned on the
// right and a dimension of 1 (or a missing one) stretches to match. This is
// what layer authors use to combine a (batch × n) activation with an (n)
// bias, or a (batch × 1) column with a (1) scalar parameter.
func Add(a, b *G.Node) (*G.Node, error) { return broadcast("Add", a, b, G.Add, G.BroadcastAdd) }

// Sub returns a-b with broadcasting (see Add).
func Sub(a, b *G.Node) (*G.Node, error) { return broadcast("Sub", a, b, G.Sub, G.BroadcastSub) }

// Mul returns the elementwise product a⊙b with broadcasting (see Add).
func Mul(a, b *G.Node) (*G.Node, error) {
	return broadcast("Mul", a, b, G.HadamardProd, G.BroadcastHadamardProd)
}

// Div returns the elementwise quotient a/b with broadcasting (see Add).
func Div(a, b *G.Node) (*G.Node, error) {
	return broadcast("Div", a, b, G.HadamardDiv, G.BroadcastHadamardDiv)
}

type elemFn func(a, b *G.Node) (*G.Node, error)
type bcastFn func(a, b *G.Node, left, right []byte) (*G.Node, error)

func broadcast(name string, a, b *G.Node, elem elemFn, bc bcastFn) (out *G.Node, err error) {
	err = catch(func() error {
		out, err = broadcastNodes(a, b, elem, bc)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("graph.%s(%v, %v): %w", name, a.Shape(), b.Shape(), err)
	}
	return out, nil
}

func broadcastNodes(a, b *G.Node, elem elemFn, bc bcastFn) (*G.Node, error) {
	as, bs := a.Shape(), b.Shape()
	if a.IsScalar() || b.IsScalar() || sameShape(as, bs) {
		return elem(a, b)
	}
	dims := max(as.Dims(), bs.Dims())
	var err error
	if a, err = padLeading(a, dims); err != nil {
		return nil, err
	}
	if b, err = padLeading(b, dims); err != nil {
		return nil, err
	}
	as, bs = a.Shape(), b.Shape()
	if dims > 3 {
		// Gorgonia v0.9.18's broadcast ops differentiate wrongly at rank 4
		// and above (graph's TestBroadcastGradientsAtHighRank): fold runs
		// of axes that broadcast alike into one axis, compute at rank ≤ 3,
		// and restore the shape.
		return foldedBroadcast(a, b, elem, bc)
	}
	var left, right []byte
	for i := 0; i < dims; i++ {
		switch {
		case as[i] == bs[i]:
		case as[i] == 1:
			left = append(left, byte(i))
		case bs[i] == 1:
			right = append(right, byte(i))
		default:
			return nil, fmt.Errorf("shapes %v and %v do not broadcast", as, bs)
		}
	}
	if left == nil && right == nil {
		return elem(a, b)
	}
	return bc(a, b, left, right)
}

// padLeading reshapes n to dims dimensions by adding leading 1s.
func padLeading(n *G.Node, dims int) (*G.Node, error) {
	s := n.Shape()
	if s.Dims() == dims {
		return n, nil
	}
	shape := make(tensor.Shape, dims)
	for i := range shape {
		shape[i] = 1
	}
	copy(shape[dims-s.Dims():], s)
	return Reshape(n, shape...)
}

// foldedBroadcast computes a broadcast of two nodes of equal rank > 3 by
// merging adjacent axes that broadcast the same way (both sizes equal, or
// the same side of size 1), which leaves the values unchanged.
func foldedBroadcast(a, b *G.Node, elem elemFn, bc bcastFn) (*G.Node, error) {
	as, bs := a.Shape(), b.Shape()
	kind := func(i int) int {
		switch {
		case as[i] == bs[i]:
			return 0
		case as[i] == 1:
			return 1
		case bs[i] == 1:
			return 2
		}
		return -1
	}
	var fa, fb, out []int
	last := -2
	for i := range as {
		k := kind(i)
		if k < 0 {
			return nil, fmt.Errorf("shapes %v and %v do not broadcast", as, bs)
		}
		if k == last {
			fa[len(fa)-1] *= as[i]
			fb[len(fb)-1] *= bs[i]
		} else {
			fa, fb = append(fa, as[i]), append(fb, bs[i])
		}
		last = k
		out = append(out, max(as[i], bs[i]))
	}
	if len(fa) > 3 {
		return nil, fmt.Errorf("shapes %v and %v broadcast on alternating axes, which golem cannot differentiate exactly at rank %d", as, bs, len(as))
	}
	ra, err := Reshape(a, fa...)
	if err != nil {
		return nil, err
	}
	rb, err := Reshape(b, fb...)
	if err != nil {
		return nil, err
	}
	r, err := broadcastNodes(ra, rb, elem, bc)
	if err != nil {
		return nil, err
	}
	return Reshape(r, out...)
}
