package layers

import (
	"encoding/json"
	"math"
	"os"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"gonum.org/v1/gonum/mat"

	"github.com/golem-ml/golem/graph"
	"github.com/golem-ml/golem/internal/engine"
)

type torchRNNCase struct {
	Name                      string
	Kind                      string
	Activation                string
	N, Steps, Features, Units int
	X                         []float64
	Params                    map[string][]float64
	Sequences, Last           []float64
}

func loadTorchRNN(t *testing.T) []torchRNNCase {
	t.Helper()
	raw, err := os.ReadFile("testdata/torch_rnn.json")
	require.NoError(t, err)
	var f struct{ Cases []torchRNNCase }
	require.NoError(t, json.Unmarshal(raw, &f))
	require.NotEmpty(t, f.Cases)
	return f.Cases
}

func newRecurrentFor(kind string, units int, opts ...Option) *RecurrentLayer {
	switch kind {
	case "simplernn":
		return SimpleRNN(units, opts...)
	case "gru":
		return GRU(units, opts...)
	case "lstm":
		return LSTM(units, opts...)
	}
	panic("unknown kind " + kind)
}

// runRecurrent builds l for (steps, features) samples, sets its weights
// from params (by short name) and returns its output on x (n samples, flat).
func runRecurrent(t *testing.T, l *RecurrentLayer, n, steps, features int, params map[string][]float64, x []float64) []float64 {
	t.Helper()
	ps := graph.NewParams()
	_, err := l.Build(graph.NewScope(ps, l.Kind()+"_1"), Shape{steps, features})
	require.NoError(t, err)
	ps.Init(1)
	for _, p := range ps.List() {
		short := p.Name[len(l.Kind())+3:]
		v, ok := params[short]
		require.True(t, ok, "fixture has no %s", short)
		require.Len(t, v, p.Size(), short)
		copy(ps.View(p), v)
	}
	b := graph.NewBuilder(ps, n)
	in := engine.Input(b, "x", n, steps*features)
	copy(in.Data, x)
	x3, err := graph.Reshape(in.Node, n, steps, features)
	require.NoError(t, err)
	out, err := l.Forward(b, x3)
	require.NoError(t, err)
	o := engine.Output(b, out)
	m, err := engine.Compile(b)
	require.NoError(t, err)
	require.NoError(t, m.Run())
	return append([]float64(nil), o.Data()...)
}

// TestRecurrentMatchesPyTorch: SimpleRNN, GRU and LSTM give PyTorch's
// outputs (torch.nn.RNN/GRU/LSTM, batch_first) on the same weights, both
// the last state and every step's.
func TestRecurrentMatchesPyTorch(t *testing.T) {
	acts := map[string]Activation{"tanh": Tanh, "relu": ReLU}
	for _, c := range loadTorchRNN(t) {
		t.Run(c.Name, func(t *testing.T) {
			require.GreaterOrEqual(t, c.Steps, 4)
			last := runRecurrent(t, newRecurrentFor(c.Kind, c.Units, acts[c.Activation]), c.N, c.Steps, c.Features, c.Params, c.X)
			seq := runRecurrent(t, newRecurrentFor(c.Kind, c.Units, acts[c.Activation], ReturnSequences()), c.N, c.Steps, c.Features, c.Params, c.X)
			require.Len(t, last, len(c.Last))
			require.Len(t, seq, len(c.Sequences))
			worst := 0.0
			for i := range last {
				worst = math.Max(worst, math.Abs(last[i]-c.Last[i]))
			}
			for i := range seq {
				worst = math.Max(worst, math.Abs(seq[i]-c.Sequences[i]))
			}
			t.Logf("max |golem − torch| = %.2e", worst)
			assert.LessOrEqual(t, worst, 1e-10)
		})
	}
}

func TestRecurrentBuild(t *testing.T) {
	for _, c := range []struct {
		l         *RecurrentLayer
		kind, str string
		params    map[string][]int
		out       Shape
	}{
		{SimpleRNN(4), "simplernn", "SimpleRNN(4, tanh)", map[string][]int{"W": {3, 4}, "U": {4, 4}, "b": {4}}, Shape{4}},
		{GRU(4, ReturnSequences()), "gru", "GRU(4, tanh, sigmoid, return sequences)", map[string][]int{"W": {3, 12}, "U": {4, 12}, "b": {12}, "bh": {12}}, Shape{5, 4}},
		{LSTM(2, NoBias(), KernelRegularizer(L2(0.1)), RecurrentRegularizer(L2(0.2)), ReLU), "lstm", "LSTM(2, relu, sigmoid, no bias, kernel " + L2(0.1).String() + ", recurrent " + L2(0.2).String() + ")", map[string][]int{"W": {3, 8}, "U": {2, 8}}, Shape{2}},
		{GRU(3, NoBias()), "gru", "GRU(3, tanh, sigmoid, no bias)", map[string][]int{"W": {3, 9}, "U": {3, 9}}, Shape{3}},
	} {
		ps := graph.NewParams()
		out, err := c.l.Build(graph.NewScope(ps, "r"), Shape{5, 3})
		require.NoError(t, err, c.str)
		assert.Equal(t, c.out, out, c.str)
		assert.Equal(t, c.kind, c.l.Kind())
		assert.Equal(t, c.str, c.l.String())
		got := map[string][]int{}
		for _, p := range ps.List() {
			got[p.Name[2:]] = p.Shape
		}
		assert.Equal(t, c.params, got, c.str)
	}

	// LSTM's default bias is Keras's unit_forget_bias.
	l := LSTM(2)
	ps := graph.NewParams()
	_, err := l.Build(graph.NewScope(ps, "lstm_1"), Shape{4, 3})
	require.NoError(t, err)
	ps.Init(1)
	assert.Equal(t, []float64{0, 0, 1, 1, 0, 0, 0, 0}, ps.View(l.B))
	// The recurrent kernel (2 × 8) is orthogonal by default: U·Uᵀ = I.
	u := mat.NewDense(2, 8, ps.View(l.U))
	var uut mat.Dense
	uut.Mul(u, u.T())
	assert.True(t, mat.EqualApprox(&uut, mat.NewDiagDense(2, []float64{1, 1}), 1e-12), "U·Uᵀ = %v", mat.Formatted(&uut))

	for _, c := range []struct {
		l   *RecurrentLayer
		in  Shape
		err string
	}{
		{SimpleRNN(0), Shape{5, 3}, "SimpleRNN needs a positive number of units, got 0"},
		{GRU(2), Shape{5}, "GRU needs sequence samples (T, F), got input shape (batch, 5)"},
		{LSTM(2), Shape{5, 3, 1}, "LSTM needs sequence samples (T, F), got input shape (batch, 5, 3, 1)"},
		{SimpleRNN(2, RecurrentActivation(Tanh)), Shape{5, 3}, "SimpleRNN does not take the RecurrentActivation option"},
		{LSTM(2, Strides(2)), Shape{5, 3}, "LSTM does not take the Strides option"},
		{GRU(2, KernelRegularizer(L2(-1))), Shape{5, 3}, "GRU: "},
	} {
		_, err := c.l.Build(graph.NewScope(graph.NewParams(), "r"), c.in)
		assert.ErrorContains(t, err, c.err)
	}
}
