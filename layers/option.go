package layers

import (
	"fmt"
	"slices"

	"github.com/golem-ml/golem/graph"
)

// Option configures a layer that has weights: Dense, the convolutions, the
// recurrent layers and Embedding. An Activation is an Option. A layer given
// an option it does not take (Strides for Dense, say) fails to build with an
// error naming both.
type Option interface{ applyOption(*config) }

// DenseOption is the Option type Dense has always taken.
type DenseOption = Option

// Padding is how a convolution or pool treats the border.
type Padding int

const (
	// Valid uses only windows that fit inside the input (the default).
	Valid Padding = iota
	// Same pads with zeros so that, at stride 1, the output has the
	// input's length (Keras's padding="same": the extra zero goes after).
	Same
)

func (p Padding) String() string {
	if p == Same {
		return "same"
	}
	return "valid"
}

// config is the union of every layer's options; each layer reads the fields
// it uses and rejects options it does not take (see only).
type config struct {
	given []string // option names, in the order given

	activation          Activation
	recurrentActivation Activation
	kernelInit          graph.Initializer
	recurrentInit       graph.Initializer
	biasInit            graph.Initializer
	noBias              bool

	kernelPenalty, recurrentPenalty, biasPenalty graph.Penalty

	strides         []int
	padding         Padding
	dilation        []int
	returnSequences bool
}

type optionFunc struct {
	name string
	f    func(*config)
}

func (o optionFunc) applyOption(c *config) {
	c.given = append(c.given, o.name)
	o.f(c)
}

func option(name string, f func(*config)) Option { return optionFunc{name, f} }

// newConfig applies opts over defaults.
func newConfig(defaults config, opts []Option) config {
	c := defaults
	c.given = nil
	for _, o := range opts {
		if o != nil {
			o.applyOption(&c)
		}
	}
	return c
}

// only returns an error naming the first option given that layer does not
// take.
func (c *config) only(layer string, allowed ...string) error {
	for _, g := range c.given {
		if !slices.Contains(allowed, g) {
			return fmt.Errorf("%s does not take the %s option", layer, g)
		}
	}
	return nil
}

// KernelInit sets the initializer of the kernel W (default
// graph.GlorotUniform, as Keras).
func KernelInit(init graph.Initializer) Option {
	return option("KernelInit", func(c *config) { c.kernelInit = init })
}

// RecurrentInit sets the initializer of a recurrent layer's recurrent kernel
// U (default graph.Orthogonal, as Keras).
func RecurrentInit(init graph.Initializer) Option {
	return option("RecurrentInit", func(c *config) { c.recurrentInit = init })
}

// BiasInit sets the initializer of the bias b (default graph.Zeros).
func BiasInit(init graph.Initializer) Option {
	return option("BiasInit", func(c *config) { c.biasInit = init })
}

// NoBias drops the bias term: out = act(x·W).
func NoBias() Option { return option("NoBias", func(c *config) { c.noBias = true }) }

// RecurrentActivation sets the gate activation of GRU and LSTM (default
// Sigmoid).
func RecurrentActivation(a Activation) Option {
	return option("RecurrentActivation", func(c *config) { c.recurrentActivation = a })
}

// Strides sets a convolution's or pool's step along each spatial axis: one
// value for 1D, one or two for 2D (one value applies to both axes). The
// default is 1 for convolutions and the pool size for pools.
func Strides(s ...int) Option {
	return option("Strides", func(c *config) { c.strides = append([]int(nil), s...) })
}

// WithPadding sets a convolution's or pool's border handling (default Valid).
func WithPadding(p Padding) Option {
	return option("WithPadding", func(c *config) { c.padding = p })
}

// Dilation sets a convolution's dilation rate along each spatial axis
// (default 1).
func Dilation(d ...int) Option {
	return option("Dilation", func(c *config) { c.dilation = append([]int(nil), d...) })
}

// ReturnSequences makes a recurrent layer return its output at every time
// step, (T, units) per sample, instead of only the last (units).
func ReturnSequences() Option {
	return option("ReturnSequences", func(c *config) { c.returnSequences = true })
}
