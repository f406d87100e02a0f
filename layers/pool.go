package layers

import (
	"fmt"

	G "gorgonia.org/gorgonia"

	"github.com/golem-ml/golem/graph"
)

// PoolLayer is a max or average pool over the spatial axes of
// channels-last samples, channel by channel: (T, C) → (T', C) or
// (H, W, C) → (H', W', C). Max pooling ignores the padding (a window's
// maximum is over its in-bounds elements, as Keras), and its gradient goes
// to the first maximum of each window; average pooling with Same padding
// averages only the in-bounds elements (as Keras).
type PoolLayer struct {
	rank int
	max  bool
	size []int
	cfg  config

	geom []axis
	ch   int
	idx  []int     // per output (positions..., channel), size taps
	w    []float64 // average pooling: 1/count of in-bounds taps
}

// MaxPool1D returns a max pool of the given length on (T, C) samples.
// Options: Strides (default: the pool size), WithPadding (default Valid).
func MaxPool1D(size int, opts ...Option) *PoolLayer { return newPool(true, []int{size}, opts) }

// AvgPool1D returns an average pool of the given length on (T, C) samples.
// Options as MaxPool1D.
func AvgPool1D(size int, opts ...Option) *PoolLayer { return newPool(false, []int{size}, opts) }

// MaxPool2D returns a ph×pw max pool on (H, W, C) samples. Options:
// Strides (one value for both axes or one per axis; default: the pool
// size), WithPadding (default Valid).
func MaxPool2D(ph, pw int, opts ...Option) *PoolLayer { return newPool(true, []int{ph, pw}, opts) }

// AvgPool2D returns a ph×pw average pool on (H, W, C) samples. Options as
// MaxPool2D.
func AvgPool2D(ph, pw int, opts ...Option) *PoolLayer {
	return newPool(false, []int{ph, pw}, opts)
}

func newPool(isMax bool, size []int, opts []Option) *PoolLayer {
	return &PoolLayer{rank: len(size), max: isMax, size: size, cfg: newConfig(config{}, opts)}
}

func (l *PoolLayer) name() string {
	if l.max {
		return fmt.Sprintf("MaxPool%dD", l.rank)
	}
	return fmt.Sprintf("AvgPool%dD", l.rank)
}

// Kind is "maxpool1d", "avgpool1d", "maxpool2d" or "avgpool2d".
func (l *PoolLayer) Kind() string {
	if l.max {
		return fmt.Sprintf("maxpool%dd", l.rank)
	}
	return fmt.Sprintf("avgpool%dd", l.rank)
}

func (l *PoolLayer) strides() []int {
	if len(l.cfg.strides) == 0 {
		return l.size
	}
	return expand(l.cfg.strides, l.rank, 1)
}

// String describes the configuration, e.g. "MaxPool2D(2×2, strides 2×2,
// valid)".
func (l *PoolLayer) String() string {
	return fmt.Sprintf("%s(%s, %s %s, %s)", l.name(), dims(l.size), plural("stride", l.rank), dims(l.strides()), l.cfg.padding)
}

// Build checks the input shape and computes the output shape and the
// window tables.
func (l *PoolLayer) Build(_ *graph.Scope, in Shape) (Shape, error) {
	name := l.name()
	if err := l.cfg.only(name, "Strides", "WithPadding"); err != nil {
		return nil, err
	}
	for _, k := range l.size {
		if k <= 0 {
			return nil, fmt.Errorf("%s needs a positive pool size, got %s", name, dims(l.size))
		}
	}
	strides := l.size
	if len(l.cfg.strides) > 0 {
		var err error
		if strides, err = spatialOption(name, "strides", l.cfg.strides, l.rank, 1); err != nil {
			return nil, err
		}
	}
	if len(in) != l.rank+1 {
		return nil, fmt.Errorf("%s needs samples of shape (%s, channels), got input shape %v", name, spatialNames(l.rank), in)
	}
	l.geom = make([]axis, l.rank)
	for i := range l.geom {
		var err error
		if l.geom[i], err = newAxis(in[i], l.size[i], strides[i], 1, l.cfg.padding); err != nil {
			return nil, fmt.Errorf("%s(%s, %s) on input shape %v: %w", name, dims(l.size), l.cfg.padding, in, err)
		}
	}
	l.ch = in[l.rank]
	k := 1
	for _, v := range l.size {
		k *= v
	}
	// Tables ordered (positions..., channel, taps...): gather the window
	// of each output, then reduce its last axis.
	var windows [][]int
	var cur []int
	forWindows(l.geom, func(i int) {
		cur = append(cur, i)
		if len(cur) == k {
			windows = append(windows, cur)
			cur = nil
		}
	})
	l.idx, l.w = nil, nil
	for _, win := range windows {
		count := 0
		for _, i := range win {
			if i >= 0 {
				count++
			}
		}
		for c := 0; c < l.ch; c++ {
			for _, i := range win {
				if i < 0 {
					l.idx = append(l.idx, -1)
				} else {
					l.idx = append(l.idx, i*l.ch+c)
				}
				if !l.max {
					l.w = append(l.w, 1/float64(max(count, 1)))
				}
			}
		}
	}
	return append(outShape(l.geom), l.ch), nil
}

// Forward pools each window: graph.WindowMax or graph.WindowSum.
func (l *PoolLayer) Forward(_ *graph.Builder, x *G.Node) (*G.Node, error) {
	if l.idx == nil {
		return nil, fmt.Errorf("%s: Forward before Build", l.name())
	}
	k := 1
	for _, v := range l.size {
		k *= v
	}
	shape := append([]int{x.Shape()[0]}, outShape(l.geom)...)
	shape = append(shape, l.ch)
	if l.max {
		return graph.WindowMax(x, l.idx, k, shape...)
	}
	return graph.WindowSum(x, l.idx, l.w, k, shape...)
}

// GlobalAvgPoolLayer averages each channel over every spatial position:
// (T, C) or (H, W, C) → (C).
type GlobalAvgPoolLayer struct {
	rank int
	ch   int
	idx  []int
	w    []float64
}

// GlobalAvgPool1D returns the layer that averages (T, C) samples over T.
func GlobalAvgPool1D() *GlobalAvgPoolLayer { return &GlobalAvgPoolLayer{rank: 1} }

// GlobalAvgPool2D returns the layer that averages (H, W, C) samples over H
// and W.
func GlobalAvgPool2D() *GlobalAvgPoolLayer { return &GlobalAvgPoolLayer{rank: 2} }

// Kind is "globalavgpool1d" or "globalavgpool2d".
func (l *GlobalAvgPoolLayer) Kind() string { return fmt.Sprintf("globalavgpool%dd", l.rank) }

// String is "GlobalAvgPool1D()" or "GlobalAvgPool2D()".
func (l *GlobalAvgPoolLayer) String() string { return fmt.Sprintf("GlobalAvgPool%dD()", l.rank) }

// Build checks the input shape and returns (C).
func (l *GlobalAvgPoolLayer) Build(_ *graph.Scope, in Shape) (Shape, error) {
	if len(in) != l.rank+1 {
		return nil, fmt.Errorf("GlobalAvgPool%dD needs samples of shape (%s, channels), got input shape %v", l.rank, spatialNames(l.rank), in)
	}
	l.ch = in[l.rank]
	n := in.Size() / l.ch
	l.idx, l.w = make([]int, 0, n*l.ch), make([]float64, 0, n*l.ch)
	for c := 0; c < l.ch; c++ {
		for p := 0; p < n; p++ {
			l.idx = append(l.idx, p*l.ch+c)
			l.w = append(l.w, 1/float64(n))
		}
	}
	return Shape{l.ch}, nil
}

// Forward is a graph.WindowSum over all positions.
func (l *GlobalAvgPoolLayer) Forward(_ *graph.Builder, x *G.Node) (*G.Node, error) {
	if l.idx == nil {
		return nil, fmt.Errorf("%s: Forward before Build", l.String())
	}
	return graph.WindowSum(x, l.idx, l.w, len(l.idx)/l.ch, x.Shape()[0], l.ch)
}
