package graph

import (
	"fmt"
	"math/rand/v2"

	G "gorgonia.org/gorgonia"
)

// Graph modes.
//
// A layer can behave differently while it is being trained: Dropout drops
// units and BatchNormalization normalizes by the statistics of the batch.
// A Builder carries the mode of the graph it builds:
//
//   - Training mode (SetTraining(true)) is for the graph of first-order
//     training, the one whose gradient an optimizer such as SGD or Adam
//     follows. Its owner, before each run, fills the random inputs
//     (FillRandom(b.RandomInputs(), rng)) and the row mask (RowMaskInput),
//     and after each run applies the state updates
//     (ApplyStateUpdates(params, b.StateUpdates())).
//   - Every other graph is not in training mode (the default): inference,
//     Evaluate, Levenberg–Marquardt's loss graphs and every Jacobian graph.
//     There layers are deterministic and treat rows independently (Dropout is
//     the identity, BatchNormalization uses its moving statistics), which is
//     what Levenberg–Marquardt's accept/reject test and per-sample Jacobians
//     need.

// modeState is the part of a Builder that modes, random inputs, the row
// mask and state add.
type modeState struct {
	training   bool
	randoms    []*Input
	rowMask    *Input
	stateNodes map[*Param]*G.Node
	updates    []StateUpdate
}

// SetTraining puts the graph in training mode (on) or not. Call it before
// adding any layer: layers read the mode when their Forward runs.
func (b *Builder) SetTraining(on bool) { b.mode.training = on }

// Training reports whether the graph is built for first-order training
// (see SetTraining); false unless set.
func (b *Builder) Training() bool { return b.mode.training }

// Random adds an input of the given shape holding uniform values on [0, 1)
// that the graph's owner refills before each run with FillRandom (until
// then it holds zeros). Dropout draws its masks from one. The name is made
// unique within the graph, so two layers asking for the same name get two
// independent inputs.
func (b *Builder) Random(name string, shape ...int) *G.Node {
	in := b.Input(fmt.Sprintf("%s/random_%d", name, len(b.mode.randoms)+1), shape...)
	b.mode.randoms = append(b.mode.randoms, in)
	return in.Node
}

// RandomInputs lists the inputs added by Random, in the order they were
// added.
func (b *Builder) RandomInputs() []*Input { return b.mode.randoms }

// FillRandom fills every input of ins, in order, with uniform values on
// [0, 1) from rng, so the same seeded rng gives the same masks.
func FillRandom(ins []*Input, rng *rand.Rand) {
	for _, in := range ins {
		for i := range in.Data {
			in.Data[i] = rng.Float64()
		}
	}
}

// RowMask returns the graph's row mask, a (batch) input that holds 1 for a
// real row and 0 for a padding row, creating it on first use. Batches are
// padded to the graph's fixed size by repeating a real sample with weight 0
// (see Plan); a layer that computes statistics over the batch
// (BatchNormalization in training mode) weights rows by the mask so that
// padding rows do not count. The mask starts as all ones; the owner fills
// RowMaskInput().Data before each run when a batch is padded.
func (b *Builder) RowMask() *G.Node {
	if b.mode.rowMask == nil {
		in := b.Input("rowmask", b.batch)
		for i := range in.Data {
			in.Data[i] = 1
		}
		b.mode.rowMask = in
	}
	return b.mode.rowMask.Node
}

// RowMaskInput returns the row mask input, or nil if no layer asked for it.
func (b *Builder) RowMaskInput() *Input { return b.mode.rowMask }
