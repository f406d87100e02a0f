package layers

import (
	"fmt"
	"strings"

	G "gorgonia.org/gorgonia"

	"github.com/golem-ml/golem/graph"
)

// ConvLayer is a 1D or 2D convolution over channels-last samples (Keras's
// layout): (T, C) → (T', filters) or (H, W, C) → (H', W', filters). It is
// computed as an affine map of patches: im2col (graph.Gather) gives P, one
// row of k·C values per output position, and out = act(P·W + b) with W of
// shape (k·C × filters) — Keras's kernel (k..., C, filters) flattened — and
// b (filters). Because the affine map goes through graph.Builder.Affine
// with one row per output position, per-sample Jacobians take the tap
// route.
type ConvLayer struct {
	rank    int
	filters int
	kernel  []int
	cfg     config
	W, B    *graph.Param

	geom  []axis // per spatial axis, set by Build
	inCh  int
	idx   []int // im2col indices into one sample
	patch int   // k·C
}

// Conv1D returns a 1D convolution with the given number of filters and
// kernel length, on samples of shape (T, C). Options: an Activation
// (default Linear), KernelInit (default GlorotUniform, fan-in k·C, fan-out
// k·filters), BiasInit (default Zeros), NoBias, KernelRegularizer,
// BiasRegularizer, Strides (default 1), WithPadding (default Valid),
// Dilation (default 1).
func Conv1D(filters, kernel int, opts ...Option) *ConvLayer {
	return newConv(1, filters, []int{kernel}, opts)
}

// Conv2D returns a 2D convolution with the given number of filters and a
// kh×kw kernel, on samples of shape (H, W, C). Options as Conv1D; Strides
// and Dilation take one value for both axes or one per axis.
func Conv2D(filters, kh, kw int, opts ...Option) *ConvLayer {
	return newConv(2, filters, []int{kh, kw}, opts)
}

func newConv(rank, filters int, kernel []int, opts []Option) *ConvLayer {
	return &ConvLayer{rank: rank, filters: filters, kernel: kernel, cfg: newConfig(config{
		activation: Linear,
		kernelInit: graph.GlorotUniform(),
		biasInit:   graph.Zeros(),
	}, opts)}
}

// Kind is "conv1d" or "conv2d".
func (l *ConvLayer) Kind() string { return fmt.Sprintf("conv%dd", l.rank) }

func (l *ConvLayer) name() string { return fmt.Sprintf("Conv%dD", l.rank) }

// Filters is the number of output channels.
func (l *ConvLayer) Filters() int { return l.filters }

// Activation is the layer's activation.
func (l *ConvLayer) Activation() Activation { return l.cfg.activation }

// String describes the configuration, e.g.
// "Conv2D(8, 3×3, strides 1×1, same, tanh)"; a dilation other than 1, no
// bias and penalties are added when set.
func (l *ConvLayer) String() string {
	var s strings.Builder
	fmt.Fprintf(&s, "%s(%d, %s, %s %s", l.name(), l.filters, dims(l.kernel), plural("stride", l.rank), dims(expand(l.cfg.strides, l.rank, 1)))
	if d := expand(l.cfg.dilation, l.rank, 1); !allOnes(d) {
		fmt.Fprintf(&s, ", dilation %s", dims(d))
	}
	fmt.Fprintf(&s, ", %s, %s", l.cfg.padding, l.cfg.activation.Name())
	if l.cfg.noBias {
		s.WriteString(", no bias")
	}
	if !l.cfg.kernelPenalty.IsZero() {
		s.WriteString(", kernel " + l.cfg.kernelPenalty.String())
	}
	if !l.cfg.biasPenalty.IsZero() {
		s.WriteString(", bias " + l.cfg.biasPenalty.String())
	}
	s.WriteString(")")
	return s.String()
}

// Build checks the input shape (spatial..., C), computes the output shape
// and the im2col table, and declares W (k·C × filters) and b (filters).
func (l *ConvLayer) Build(s *graph.Scope, in Shape) (Shape, error) {
	name := l.name()
	if l.filters <= 0 {
		return nil, fmt.Errorf("%s needs a positive number of filters, got %d", name, l.filters)
	}
	if err := l.cfg.only(name, "Activation", "KernelInit", "BiasInit", "NoBias", "KernelRegularizer", "BiasRegularizer", "Strides", "WithPadding", "Dilation"); err != nil {
		return nil, err
	}
	for _, p := range []graph.Penalty{l.cfg.kernelPenalty, l.cfg.biasPenalty} {
		if err := p.Validate(); err != nil {
			return nil, err
		}
	}
	strides, err := spatialOption(name, "strides", l.cfg.strides, l.rank, 1)
	if err != nil {
		return nil, err
	}
	dilation, err := spatialOption(name, "dilation", l.cfg.dilation, l.rank, 1)
	if err != nil {
		return nil, err
	}
	for _, k := range l.kernel {
		if k <= 0 {
			return nil, fmt.Errorf("%s needs a positive kernel size, got %s", name, dims(l.kernel))
		}
	}
	if len(in) != l.rank+1 {
		return nil, fmt.Errorf("%s needs samples of shape (%s, channels), got input shape %v", name, spatialNames(l.rank), in)
	}
	l.geom = make([]axis, l.rank)
	for i := range l.geom {
		if l.geom[i], err = newAxis(in[i], l.kernel[i], strides[i], dilation[i], l.cfg.padding); err != nil {
			return nil, fmt.Errorf("%s(%s kernel, dilation %s, %s) on input shape %v: %w", name, dims(l.kernel), dims(dilation), l.cfg.padding, in, err)
		}
	}
	l.inCh = in[l.rank]
	k := 1
	for _, v := range l.kernel {
		k *= v
	}
	l.patch = k * l.inCh
	l.idx = im2col(l.geom, l.inCh)
	if l.W, err = s.Param("W", []int{l.patch, l.filters}, l.cfg.kernelInit, l.patch, k*l.filters); err != nil {
		return nil, err
	}
	l.W.Penalty = l.cfg.kernelPenalty
	if !l.cfg.noBias {
		if l.B, err = s.Param("b", []int{l.filters}, l.cfg.biasInit, l.patch, k*l.filters); err != nil {
			return nil, err
		}
		l.B.Penalty = l.cfg.biasPenalty
	}
	out := outShape(l.geom)
	return append(out, l.filters), nil
}

// Forward gathers the patches P (batch·positions × k·C), computes
// act(P·W + b) through graph.Builder.Affine and reshapes the result to
// (batch, out..., filters).
func (l *ConvLayer) Forward(b *graph.Builder, x *G.Node) (*G.Node, error) {
	if l.idx == nil {
		return nil, fmt.Errorf("%s: Forward before Build", l.name())
	}
	batch := x.Shape()[0]
	positions := len(l.idx) / l.patch
	p, err := graph.Gather(x, l.idx, batch*positions, l.patch)
	if err != nil {
		return nil, err
	}
	z, err := b.Affine(p, l.W, l.B)
	if err != nil {
		return nil, err
	}
	if z, err = l.cfg.activation.Apply(b, z); err != nil {
		return nil, err
	}
	shape := append([]int{batch}, outShape(l.geom)...)
	return graph.Reshape(z, append(shape, l.filters)...)
}

// axis is the geometry of one spatial axis of a convolution or pool.
type axis struct {
	in, k, stride, dilation int
	out, padBefore          int
}

// newAxis computes the output length and the padding before the first
// element, as Keras (TensorFlow): Valid keeps the windows that fit; Same
// gives ⌈in/stride⌉ outputs and pads max((out-1)·stride + (k-1)·dilation +
// 1 - in, 0) zeros, the extra one at the end.
func newAxis(in, k, stride, dilation int, p Padding) (axis, error) {
	a := axis{in: in, k: k, stride: stride, dilation: dilation}
	span := (k-1)*dilation + 1
	if p == Same {
		a.out = (in + stride - 1) / stride
		a.padBefore = max((a.out-1)*stride+span-in, 0) / 2
		return a, nil
	}
	if in < span {
		return a, fmt.Errorf("a window of %d does not fit in %d (valid padding)", span, in)
	}
	a.out = (in-span)/stride + 1
	return a, nil
}

// pos is the input index of kernel tap t at output o, or -1 in the padding.
func (a axis) pos(o, t int) int {
	i := o*a.stride + t*a.dilation - a.padBefore
	if i < 0 || i >= a.in {
		return -1
	}
	return i
}

func outShape(geom []axis) Shape {
	s := make(Shape, len(geom))
	for i, a := range geom {
		s[i] = a.out
	}
	return s
}

// forWindows calls f for every output position (row-major over the output
// axes) and, within it, every kernel tap (row-major over the kernel axes),
// with the input's flat spatial index of that tap (-1 in the padding).
func forWindows(geom []axis, f func(in int)) {
	switch len(geom) {
	case 1:
		a := geom[0]
		for o := 0; o < a.out; o++ {
			for t := 0; t < a.k; t++ {
				f(a.pos(o, t))
			}
		}
	case 2:
		a, c := geom[0], geom[1]
		for oh := 0; oh < a.out; oh++ {
			for ow := 0; ow < c.out; ow++ {
				for th := 0; th < a.k; th++ {
					h := a.pos(oh, th)
					for tw := 0; tw < c.k; tw++ {
						w := c.pos(ow, tw)
						if h < 0 || w < 0 {
							f(-1)
						} else {
							f(h*c.in + w)
						}
					}
				}
			}
		}
	default:
		panic(fmt.Sprintf("layers: %d spatial axes", len(geom))) // programmer error
	}
}

// im2col is the gather table of the patches: row-major (positions..., taps...,
// channels) indices into a (spatial..., C) sample.
func im2col(geom []axis, channels int) []int {
	var idx []int
	forWindows(geom, func(in int) {
		for c := 0; c < channels; c++ {
			if in < 0 {
				idx = append(idx, -1)
			} else {
				idx = append(idx, in*channels+c)
			}
		}
	})
	return idx
}

// spatialOption expands a Strides or Dilation option to one positive value
// per axis (one value given applies to every axis).
func spatialOption(layer, what string, v []int, rank, def int) ([]int, error) {
	if len(v) != 0 && len(v) != 1 && len(v) != rank {
		if rank == 1 {
			return nil, fmt.Errorf("%s takes one %s value, got %v", layer, what, v)
		}
		return nil, fmt.Errorf("%s takes 1 or %d %s values, got %v", layer, rank, what, v)
	}
	out := expand(v, rank, def)
	for _, x := range out {
		if x <= 0 {
			return nil, fmt.Errorf("%s needs positive %s, got %v", layer, what, v)
		}
	}
	return out, nil
}

// expand gives v one value per axis: def when v is empty, v[0] everywhere
// when it has one value, v itself otherwise.
func expand(v []int, rank, def int) []int {
	switch len(v) {
	case 0:
		out := make([]int, rank)
		for i := range out {
			out[i] = def
		}
		return out
	case 1:
		out := make([]int, rank)
		for i := range out {
			out[i] = v[0]
		}
		return out
	}
	return v
}

func allOnes(v []int) bool {
	for _, x := range v {
		if x != 1 {
			return false
		}
	}
	return true
}

// dims formats sizes as "3" or "3×3".
func dims(v []int) string {
	parts := make([]string, len(v))
	for i, x := range v {
		parts[i] = fmt.Sprint(x)
	}
	return strings.Join(parts, "×")
}

func plural(word string, rank int) string {
	if rank > 1 {
		return word + "s"
	}
	return word
}

func spatialNames(rank int) string {
	if rank == 1 {
		return "steps"
	}
	return "height, width"
}
