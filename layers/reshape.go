package layers

import (
	"fmt"
	"strings"

	G "gorgonia.org/gorgonia"

	"github.com/golem-ml/golem/graph"
)

// ReshapeLayer gives each sample a new shape of the same size (a copy,
// through graph.Reshape).
type ReshapeLayer struct {
	dims    []int // as given; one may be -1
	flatten bool
	out     Shape
}

// Reshape returns the layer that reshapes each sample to dims (the sample
// shape, without the batch); one entry may be -1, inferred from the size.
func Reshape(dims ...int) *ReshapeLayer {
	return &ReshapeLayer{dims: append([]int(nil), dims...)}
}

// Flatten returns the layer that turns each sample into a vector, in
// row-major order: (H, W, C) → (H·W·C).
func Flatten() *ReshapeLayer { return &ReshapeLayer{flatten: true} }

// Kind is "flatten" or "reshape".
func (l *ReshapeLayer) Kind() string {
	if l.flatten {
		return "flatten"
	}
	return "reshape"
}

// String is "Flatten()" or, e.g., "Reshape(4, -1)".
func (l *ReshapeLayer) String() string {
	if l.flatten {
		return "Flatten()"
	}
	parts := make([]string, len(l.dims))
	for i, d := range l.dims {
		parts[i] = fmt.Sprint(d)
	}
	return "Reshape(" + strings.Join(parts, ", ") + ")"
}

// Build resolves the output shape.
func (l *ReshapeLayer) Build(_ *graph.Scope, in Shape) (Shape, error) {
	size := in.Size()
	if l.flatten {
		l.out = Shape{size}
		return l.out, nil
	}
	if len(l.dims) == 0 {
		return nil, fmt.Errorf("%v needs at least one dimension", l)
	}
	out := make(Shape, len(l.dims))
	known, infer := 1, -1
	for i, d := range l.dims {
		switch {
		case d == -1 && infer < 0:
			infer = i
		case d == -1:
			return nil, fmt.Errorf("%v: only one dimension may be -1", l)
		case d <= 0:
			return nil, fmt.Errorf("%v: dimension %d is %d; dimensions must be positive (or one -1)", l, i, d)
		default:
			known *= d
		}
		out[i] = d
	}
	if infer >= 0 {
		if size%known != 0 {
			return nil, fmt.Errorf("%v cannot reshape input shape %v (%d values per sample)", l, in, size)
		}
		out[infer] = size / known
	}
	if out.Size() != size {
		return nil, fmt.Errorf("%v cannot reshape input shape %v (%d values per sample) to %v", l, in, size, out)
	}
	l.out = out
	return out, nil
}

// Forward reshapes x (batch, in...) to (batch, out...).
func (l *ReshapeLayer) Forward(_ *graph.Builder, x *G.Node) (*G.Node, error) {
	if l.out == nil {
		return nil, fmt.Errorf("%v: Forward before Build", l)
	}
	return graph.Reshape(x, append([]int{x.Shape()[0]}, l.out...)...)
}
