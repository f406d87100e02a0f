package layers

import (
	"math/rand/v2"

	G "gorgonia.org/gorgonia"

	"github.com/golem-ml/golem/graph"
	"github.com/golem-ml/golem/internal/graphrt"
)

// LSTM returns a long short-term memory layer with PyTorch's gate math
// (torch.nn.LSTM), gates in PyTorch's order i, f, g, o:
//
//	z = x_t·W + h_{t−1}·U + b
//	i = σ(z_i), f = σ(z_f), g = act(z_g), o = σ(z_o)
//	c_t = f⊙c_{t−1} + i⊙g,  h_t = o⊙act(c_t)
//
// with σ the recurrent activation. Options: an Activation (default Tanh),
// RecurrentActivation (default Sigmoid), KernelInit (default
// graph.GlorotUniform), RecurrentInit (default graph.Orthogonal), BiasInit,
// NoBias, KernelRegularizer, RecurrentRegularizer, BiasRegularizer,
// ReturnSequences. See RecurrentLayer.
//
// The default bias is Keras's unit_forget_bias: zeros except 1 for the
// forget gate, so that the cell remembers from the start of training
// (Jozefowicz et al., 2015). A BiasInit replaces it for the whole bias.
func LSTM(units int, opts ...Option) *RecurrentLayer {
	return newRecurrent(lstmCell{}, units, config{biasInit: UnitForgetBias(units)}, opts)
}

// UnitForgetBias is the LSTM's default bias initializer for the given
// number of units: 1 for the forget gate's block [units, 2·units), 0
// elsewhere.
func UnitForgetBias(units int) graph.Initializer {
	return graph.InitFunc(func(_ *rand.Rand, _, _ int, dst []float64) {
		for i := range dst {
			dst[i] = 0
			if i >= units && i < 2*units {
				dst[i] = 1
			}
		}
	})
}

type lstmCell struct{}

func (lstmCell) kind() string        { return "lstm" }
func (lstmCell) name() string        { return "LSTM" }
func (lstmCell) gates() int          { return 4 }
func (lstmCell) options() []string   { return []string{"RecurrentActivation"} }
func (lstmCell) recurrentBias() bool { return false }

func (lstmCell) step(l *RecurrentLayer, b *graph.Builder, x *G.Node, s state) (state, error) {
	u := l.units
	z, err := b.Affine(x, l.W, l.B)
	if err != nil {
		return state{}, err
	}
	if s.h != nil {
		r, err := b.Affine(s.h, l.U, nil)
		if err != nil {
			return state{}, err
		}
		if z, err = graph.Add(z, r); err != nil {
			return state{}, err
		}
	}
	var i, f, g, o, c, h *G.Node
	err = graphrt.Catch(func() error {
		sig, err := l.gate(b, z)
		if err != nil {
			return err
		}
		if i, err = columns(sig, 0, u); err != nil {
			return err
		}
		if f, err = columns(sig, u, 2*u); err != nil {
			return err
		}
		if o, err = columns(sig, 3*u, 4*u); err != nil {
			return err
		}
		if g, err = columns(z, 2*u, 3*u); err != nil {
			return err
		}
		if g, err = l.act(b, g); err != nil {
			return err
		}
		if c, err = G.HadamardProd(i, g); err != nil {
			return err
		}
		if s.c != nil {
			fc, err := G.HadamardProd(f, s.c)
			if err != nil {
				return err
			}
			if c, err = G.Add(fc, c); err != nil {
				return err
			}
		}
		ac, err := l.act(b, c)
		if err != nil {
			return err
		}
		h, err = G.HadamardProd(o, ac)
		return err
	})
	return state{h: h, c: c}, err
}
