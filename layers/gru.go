package layers

import (
	G "gorgonia.org/gorgonia"

	"github.com/golem-ml/golem/graph"
	"github.com/golem-ml/golem/internal/graphrt"
)

// GRU returns a gated recurrent unit layer with PyTorch's gate math
// (torch.nn.GRU; Keras's GRU with reset_after=True), gates in PyTorch's
// order r, z, n:
//
//	a = x_t·W + b,  c = h_{t−1}·U + bh
//	r = σ(a_r + c_r), z = σ(a_z + c_z)
//	n = act(a_n + r⊙c_n)
//	h_t = (1−z)⊙n + z⊙h_{t−1}
//
// with σ the recurrent activation. b is PyTorch's b_ih and bh its b_hh;
// NoBias drops both. Options: an Activation (default Tanh),
// RecurrentActivation (default Sigmoid), KernelInit (default
// graph.GlorotUniform), RecurrentInit (default graph.Orthogonal), BiasInit
// (default graph.Zeros, for both biases), NoBias, KernelRegularizer,
// RecurrentRegularizer, BiasRegularizer (both biases), ReturnSequences.
// See RecurrentLayer.
func GRU(units int, opts ...Option) *RecurrentLayer {
	return newRecurrent(gruCell{}, units, config{}, opts)
}

type gruCell struct{}

func (gruCell) kind() string        { return "gru" }
func (gruCell) name() string        { return "GRU" }
func (gruCell) gates() int          { return 3 }
func (gruCell) options() []string   { return []string{"RecurrentActivation"} }
func (gruCell) recurrentBias() bool { return true }

func (gruCell) step(l *RecurrentLayer, b *graph.Builder, x *G.Node, s state) (state, error) {
	u := l.units
	a, err := b.Affine(x, l.W, l.B)
	if err != nil {
		return state{}, err
	}
	hPrev := s.h
	if hPrev == nil { // the zero initial state; its product still adds bh
		hPrev = b.Tensor(l.U.Name+"/h0", []int{b.Batch(), u}, make([]float64, b.Batch()*u))
	}
	c, err := b.Affine(hPrev, l.U, l.BH)
	if err != nil {
		return state{}, err
	}
	var h *G.Node
	err = graphrt.Catch(func() error {
		ar, err := columns(a, 0, 2*u)
		if err != nil {
			return err
		}
		cr, err := columns(c, 0, 2*u)
		if err != nil {
			return err
		}
		rz, err := G.Add(ar, cr)
		if err != nil {
			return err
		}
		if rz, err = l.gate(b, rz); err != nil {
			return err
		}
		r, err := columns(rz, 0, u)
		if err != nil {
			return err
		}
		z, err := columns(rz, u, 2*u)
		if err != nil {
			return err
		}
		an, err := columns(a, 2*u, 3*u)
		if err != nil {
			return err
		}
		cn, err := columns(c, 2*u, 3*u)
		if err != nil {
			return err
		}
		rc, err := G.HadamardProd(r, cn)
		if err != nil {
			return err
		}
		n, err := G.Add(an, rc)
		if err != nil {
			return err
		}
		if n, err = l.act(b, n); err != nil {
			return err
		}
		// h = n + z⊙(h_prev − n)
		d, err := G.Sub(hPrev, n)
		if err != nil {
			return err
		}
		if d, err = G.HadamardProd(z, d); err != nil {
			return err
		}
		h, err = G.Add(n, d)
		return err
	})
	return state{h: h}, err
}
