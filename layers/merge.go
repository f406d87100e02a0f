package layers

import (
	"errors"
	"fmt"

	G "gorgonia.org/gorgonia"

	"github.com/golem-ml/golem/graph"
	"github.com/golem-ml/golem/internal/graphrt"
)

// Merge is implemented by layers of several inputs. golem.Call hands a
// Merge all its nodes through BuildMerge and ForwardMerge; its one-input
// Build and Forward return an error.
type Merge interface {
	Layer
	// BuildMerge declares parameters (if any) for inputs of the given
	// sample shapes and returns the output sample shape.
	BuildMerge(s *graph.Scope, in []Shape) (Shape, error)
	// ForwardMerge adds the layer to the graph for inputs xs, each
	// (batch, shape...).
	ForwardMerge(b *graph.Builder, xs []*G.Node) (*G.Node, error)
}

// mergeBase gives a merge the one-input methods of Layer, which fail.
type mergeBase struct{ name string }

var errOneInput = errors.New("a merge needs two or more inputs: call it with golem.Call(layer, a, b, ...)")

func (m mergeBase) Build(*graph.Scope, Shape) (Shape, error) {
	return nil, fmt.Errorf("%s: %w", m.name, errOneInput)
}

func (m mergeBase) Forward(*graph.Builder, *G.Node) (*G.Node, error) {
	return nil, fmt.Errorf("%s: %w", m.name, errOneInput)
}

// ConcatenateLayer joins its inputs along the last axis.
type ConcatenateLayer struct{ mergeBase }

// Concatenate joins its inputs along the last axis (Keras's Concatenate):
// inputs of shapes (…, a) and (…, b) with equal leading axes give (…, a+b).
func Concatenate() *ConcatenateLayer {
	return &ConcatenateLayer{mergeBase{"Concatenate"}}
}

// Kind is "concatenate".
func (l *ConcatenateLayer) Kind() string { return "concatenate" }

// String is "Concatenate()".
func (l *ConcatenateLayer) String() string { return "Concatenate()" }

// BuildMerge checks that the inputs differ only in their last axis.
func (l *ConcatenateLayer) BuildMerge(_ *graph.Scope, in []Shape) (Shape, error) {
	if len(in) < 2 {
		return nil, fmt.Errorf("Concatenate: %w", errOneInput)
	}
	out := append(Shape(nil), in[0]...)
	for _, s := range in[1:] {
		if len(s) != len(out) || !graphrt.SameShape(s[:len(s)-1], out[:len(out)-1]) {
			return nil, fmt.Errorf("Concatenate: input shapes %v differ in more than the last axis", in)
		}
		out[len(out)-1] += s[len(s)-1]
	}
	return out, nil
}

// ForwardMerge joins xs along the last axis: each (batch, ..., cᵢ) is seen
// as (batch·..., cᵢ), whose columns graph.ConcatColumns joins.
func (l *ConcatenateLayer) ForwardMerge(_ *graph.Builder, xs []*G.Node) (*G.Node, error) {
	shape := append([]int(nil), xs[0].Shape()...)
	last := len(shape) - 1
	rows := 1
	for _, d := range shape[:last] {
		rows *= d
	}
	flat := make([]*G.Node, len(xs))
	shape[last] = 0
	for i, x := range xs {
		c := x.Shape()[last]
		shape[last] += c
		f := x
		if x.Dims() != 2 {
			var err error
			if f, err = graph.Reshape(x, rows, c); err != nil {
				return nil, err
			}
		}
		flat[i] = f
	}
	out, err := graph.ConcatColumns(flat...)
	if err != nil || len(shape) == 2 {
		return out, err
	}
	return graph.Reshape(out, shape...)
}

// ElementwiseMerge combines inputs of one shape elementwise.
type ElementwiseMerge struct {
	mergeBase
	kind string
	op   func(a, b *G.Node) (*G.Node, error)
}

// Add sums its inputs, which must have the same shape (Keras's Add).
func Add() *ElementwiseMerge { return &ElementwiseMerge{mergeBase{"Add"}, "add", graph.Add} }

// Multiply multiplies its inputs elementwise, which must have the same
// shape (Keras's Multiply).
func Multiply() *ElementwiseMerge {
	return &ElementwiseMerge{mergeBase{"Multiply"}, "multiply", graph.Mul}
}

// Kind is "add" or "multiply".
func (l *ElementwiseMerge) Kind() string { return l.kind }

// String is "Add()" or "Multiply()".
func (l *ElementwiseMerge) String() string { return l.name + "()" }

// BuildMerge checks that every input has the same shape.
func (l *ElementwiseMerge) BuildMerge(_ *graph.Scope, in []Shape) (Shape, error) {
	if len(in) < 2 {
		return nil, fmt.Errorf("%s: %w", l.name, errOneInput)
	}
	for _, s := range in[1:] {
		if !graphrt.SameShape(s, in[0]) {
			return nil, fmt.Errorf("%s: input shapes %v differ", l.name, in)
		}
	}
	return append(Shape(nil), in[0]...), nil
}

// ForwardMerge combines xs from left to right.
func (l *ElementwiseMerge) ForwardMerge(_ *graph.Builder, xs []*G.Node) (*G.Node, error) {
	out := xs[0]
	for _, x := range xs[1:] {
		var err error
		if out, err = l.op(out, x); err != nil {
			return nil, err
		}
	}
	return out, nil
}
