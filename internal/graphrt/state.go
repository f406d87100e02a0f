// Package graphrt is the runtime half of golem's graphs, which only the
// engine uses: compiled machines, bound inputs and read outputs, batch
// plans, and the state a graph.Builder records for the engine while layers
// build (Jacobian taps and tiles, training mode, random inputs, the row
// mask, state updates, logits and parts marks). Package graph keeps what a
// layer author needs; internal/engine reaches a Builder's State.
package graphrt

import G "gorgonia.org/gorgonia"

// Link names the squashing function that turned logits into an output, so a
// loss can work from the logits instead (log-sum-exp stable).
type Link int

const (
	// LinkSigmoid: out = 1/(1+exp(-logits)), elementwise.
	LinkSigmoid Link = iota + 1
	// LinkSoftmax: out = softmax(logits) along the last axis.
	LinkSoftmax
)

// Logits records that an output is Link(Node).
type Logits struct {
	Node *G.Node
	Link Link
}

// Tap records one Affine use in a Jacobian graph. When x has Group rows per
// sample (a convolution's patches: one row per output position), the rows
// of sample q are q·Group, ..., q·Group+Group-1, and the sample's Jacobian
// entries are Σ_g x_g ⊗ δ_g for W and Σ_g δ_g for b.
type Tap[P comparable] struct {
	W, Bias P       // Bias may be the zero P (nil)
	X       *Output // the layer input x (batch·Group × in)
	E       *G.Node // the zero input added at z (batch·Group × out)
	Group   int     // rows of x per sample, ≥ 1
}

// Tile records one tiled parameter in a Jacobian graph.
type Tile[P comparable] struct {
	Param P
	T     *G.Node // the zero input (batch × shape...)
}

// StateUpdate is one moving-average update recorded by
// graph.Builder.UpdateState: after a run, Param ← Momentum·Param +
// (1−Momentum)·Value.
type StateUpdate[P comparable] struct {
	Param    P
	Value    *Output
	Momentum float64
}

// State is what a graph.Builder records for the engine (P is *graph.Param).
type State[P comparable] struct {
	Params any           // the builder's *graph.Params
	Nodes  map[P]*G.Node // each parameter's node, created on first use

	// Jacobian mode: Affine taps and Param tiles, except for the
	// parameters in Loop, which are used as they are.
	Jacobian bool
	Loop     map[P]bool
	Taps     []*Tap[P]
	Tiles    []*Tile[P]
	Tiled    map[P]*G.Node
	// TilesUsedElementwise reports whether every use of every tiled
	// parameter is elementwise, so the graph's values equal those of the
	// same model built without tiles (graph.Builder sets it).
	TilesUsedElementwise func() bool

	// Accessed lists the parameters used since the last BeginLayer.
	Accessed []P

	// Training mode, the inputs added by Random, the row mask (nil until a
	// layer asks for it) and the updates recorded by UpdateState.
	Training bool
	Randoms  []*Input
	RowMask  *Input
	Updates  []StateUpdate[P]

	// Outputs lists every output read after a run, for the machine that
	// binds them (Compile).
	Outputs []*Output

	// Logits and parts marks (MarkLogits, MarkParts).
	Logits map[*G.Node]Logits
	Parts  map[*G.Node][]*G.Node
}

// NewState returns an empty state for a builder over params.
func NewState[P comparable](params any) *State[P] {
	return &State[P]{
		Params: params,
		Nodes:  map[P]*G.Node{},
		Tiled:  map[P]*G.Node{},
		Logits: map[*G.Node]Logits{},
		Parts:  map[*G.Node][]*G.Node{},
	}
}

// Touch records that the layer being built uses p.
func (s *State[P]) Touch(p P) {
	for _, q := range s.Accessed {
		if q == p {
			return
		}
	}
	s.Accessed = append(s.Accessed, p)
}

// StateOf returns a *graph.Builder's *State[*graph.Param]; package graph
// sets it at init (graph imports this package, so it cannot be called
// directly). internal/engine wraps it with the types filled in.
var StateOf func(builder any) any
