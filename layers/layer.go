package layers

import (
	"fmt"
	"strings"

	G "gorgonia.org/gorgonia"

	"github.com/golem-ml/golem/graph"
)

// Shape is the shape of one sample, without the batch dimension; a vector of
// n features is Shape{n}.
type Shape []int

// Size is the number of scalars in one sample.
func (s Shape) Size() int {
	n := 1
	for _, d := range s {
		n *= d
	}
	return n
}

// String formats the shape as (batch, d1, d2, ...).
func (s Shape) String() string {
	parts := []string{"batch"}
	for _, d := range s {
		parts = append(parts, fmt.Sprint(d))
	}
	return "(" + strings.Join(parts, ", ") + ")"
}

// Layer is one stage of a model.
type Layer interface {
	// Kind is the layer type in lower case ("dense"); models name layers
	// kind_1, kind_2, ... in order of appearance.
	Kind() string
	// Build declares the layer's parameters in s for input samples of shape
	// in and returns the output sample shape. It is called once per model.
	Build(s *graph.Scope, in Shape) (Shape, error)
	// Forward adds the layer to the graph under construction: x is
	// (batch, in...), the result (batch, out...).
	Forward(b *graph.Builder, x *G.Node) (*G.Node, error)
}

// IndexInput is implemented by layers whose input values are indices
// (Embedding): a model with such a layer never scales its inputs, since a
// scaled index is no longer an index.
type IndexInput interface {
	TakesIndices() bool
}
