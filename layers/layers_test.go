package layers

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/golem-ml/golem/graph"
)

func TestDenseBuild(t *testing.T) {
	ps := graph.NewParams()
	d := Dense(4, Tanh, BiasInit(graph.Constant(0.5)))
	out, err := d.Build(graph.NewScope(ps, "dense_1"), Shape{3})
	require.NoError(t, err)
	assert.Equal(t, Shape{4}, out)
	assert.Equal(t, "Dense(4, tanh)", d.String())
	assert.Equal(t, []int{3, 4}, d.W.Shape)
	assert.Equal(t, []int{4}, d.B.Shape)
	ps.Init(1)
	assert.Equal(t, []float64{0.5, 0.5, 0.5, 0.5}, ps.View(d.B))

	// On samples of several axes Dense maps the last one (Keras).
	seq := Dense(2)
	out, err = seq.Build(graph.NewScope(graph.NewParams(), "d"), Shape{5, 3})
	require.NoError(t, err)
	assert.Equal(t, Shape{5, 2}, out)
	assert.Equal(t, []int{3, 2}, seq.W.Shape)
	_, err = Dense(2).Build(graph.NewScope(graph.NewParams(), "d"), Shape{})
	assert.ErrorContains(t, err, "Dense needs samples with a feature axis")
	_, err = Dense(-1).Build(graph.NewScope(graph.NewParams(), "d"), Shape{2})
	assert.ErrorContains(t, err, "positive number of units")

	nb := Dense(2, NoBias())
	_, err = nb.Build(graph.NewScope(graph.NewParams(), "d"), Shape{2})
	require.NoError(t, err)
	assert.Nil(t, nb.B)
	assert.Equal(t, "Dense(2, linear, no bias)", nb.String())
}

func TestActivationNames(t *testing.T) {
	for want, a := range map[string]Activation{"linear": Linear, "tanh": Tanh, "sigmoid": Sigmoid, "relu": ReLU, "softplus": Softplus, "softmax": Softmax} {
		assert.Equal(t, want, a.Name())
	}
	assert.Equal(t, "linear", Activation{}.Name())
	assert.Equal(t, "(batch, 8)", Shape{8}.String())
}
