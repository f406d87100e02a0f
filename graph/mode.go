package graph

import (
	"fmt"

	G "gorgonia.org/gorgonia"
)

// Graph modes.
//
// A layer can behave differently while it is being trained: Dropout drops
// units and BatchNormalization normalizes by the statistics of the batch.
// A Builder carries the mode of the graph it builds:
//
//   - Training mode is for the graph of first-order training, the one whose
//     gradient an optimizer such as SGD or Adam follows. The engine, before
//     each run, fills the random inputs and the row mask, and after each
//     run applies the state updates.
//   - Every other graph is not in training mode (the default): inference,
//     Evaluate, Levenberg–Marquardt's loss graphs and every Jacobian graph.
//     There layers are deterministic and treat rows independently (Dropout is
//     the identity, BatchNormalization uses its moving statistics), which is
//     what Levenberg–Marquardt's accept/reject test and per-sample Jacobians
//     need.

// Training reports whether the graph is built for first-order training;
// false unless the engine set it.
func (b *Builder) Training() bool { return b.st.Training }

// Random adds an input of the given shape holding uniform values on [0, 1)
// that the engine refills before each run from the Fit's seeded stream
// (until then it holds zeros). Dropout draws its masks from one. The name is made
// unique within the graph, so two layers asking for the same name get two
// independent inputs.
func (b *Builder) Random(name string, shape ...int) *G.Node {
	in := b.input(fmt.Sprintf("%s/random_%d", name, len(b.st.Randoms)+1), shape...)
	b.st.Randoms = append(b.st.Randoms, in)
	return in.Node
}

// RowMask returns the graph's row mask, a (batch) input that holds 1 for a
// real row and 0 for a padding row, creating it on first use. Batches are
// padded to the graph's fixed size by repeating a real sample with weight
// 0; a layer that computes statistics over the batch
// (BatchNormalization in training mode) weights rows by the mask so that
// padding rows do not count. The mask starts as all ones; the engine sets
// it before each run when a batch is padded.
func (b *Builder) RowMask() *G.Node {
	if b.st.RowMask == nil {
		in := b.input("rowmask", b.batch)
		for i := range in.Data {
			in.Data[i] = 1
		}
		b.st.RowMask = in
	}
	return b.st.RowMask.Node
}
