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
	err = Catch(func() error {
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
	if a.IsScalar() || b.IsScalar() || SameShape(as, bs) {
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
