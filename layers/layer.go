// Package layers defines the Layer interface and golem's built-in layers.
//
// A layer is built once, from the shape of one input sample, when its model
// is compiled: Build declares the layer's parameters in a graph.Scope (so
// they get stable names like "dense_1/W" and live in the model's flat θ) and
// returns the output shape. Forward then adds the layer's computation to any
// number of graphs (training, inference, Jacobian), always on a whole batch:
// x has shape (batch, sample shape...). Samples are channels-last, as in
// Keras: vectors (n), sequences (T, features), images (H, W, channels).
//
// The built-in layers: Dense, Act and Parametric; Conv1D and Conv2D; the
// pools MaxPool1D/2D, AvgPool1D/2D and GlobalAvgPool1D/2D; Flatten and
// Reshape; the recurrent SimpleRNN, GRU and LSTM; BatchNormalization and
// LayerNormalization; Dropout; Embedding; and the merges Concatenate, Add
// and Multiply (a Merge takes several inputs in a functional model). Every
// one has a fast per-sample Jacobian for Levenberg–Marquardt.
//
// Dropout and BatchNormalization behave differently while a first-order
// optimizer trains (graph.Builder.Training); Levenberg–Marquardt, whose
// objective must be deterministic and per sample, always sees their
// inference form: Dropout is the identity and BatchNormalization uses its
// moving statistics, which LM does not change.
//
// A layer value belongs to one model; build a fresh value for each model.
// Within a functional model, calling one value twice shares its weights.
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
