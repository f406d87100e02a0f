package layers

import (
	G "gorgonia.org/gorgonia"

	"github.com/golem-ml/golem/graph"
)

// SimpleRNN returns a fully connected recurrent layer (PyTorch's
// torch.nn.RNN, Keras's SimpleRNN): h_t = act(x_t·W + h_{t−1}·U + b).
// Options: an Activation (default Tanh), KernelInit (default
// graph.GlorotUniform), RecurrentInit (default graph.Orthogonal), BiasInit
// (default graph.Zeros), NoBias, KernelRegularizer, RecurrentRegularizer,
// BiasRegularizer, ReturnSequences. See RecurrentLayer.
func SimpleRNN(units int, opts ...Option) *RecurrentLayer {
	return newRecurrent(simpleCell{}, units, config{}, opts)
}

type simpleCell struct{}

func (simpleCell) kind() string        { return "simplernn" }
func (simpleCell) name() string        { return "SimpleRNN" }
func (simpleCell) gates() int          { return 1 }
func (simpleCell) options() []string   { return nil }
func (simpleCell) recurrentBias() bool { return false }

func (simpleCell) step(l *RecurrentLayer, b *graph.Builder, x *G.Node, s state) (state, error) {
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
	h, err := l.act(b, z)
	return state{h: h}, err
}
