package layers

import (
	"encoding/json"
	"math"
	"os"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/golem-ml/golem/graph"
	"github.com/golem-ml/golem/internal/engine"
)

// torchCase is one reference of testdata/torch_conv.json (written by
// torch_conv.py): channels-last input and output, Keras-layout kernel.
type torchCase struct {
	Name     string    `json:"name"`
	Layer    string    `json:"layer"`
	Filters  int       `json:"filters"`
	Kernel   []int     `json:"kernel"`
	Strides  []int     `json:"strides"`
	Dilation []int     `json:"dilation"`
	Padding  string    `json:"padding"`
	Sample   []int     `json:"sample"`
	Batch    int       `json:"batch"`
	X        []float64 `json:"x"`
	W        []float64 `json:"W"`
	B        []float64 `json:"b"`
	OutShape []int     `json:"out_shape"`
	Out      []float64 `json:"out"`
}

func (c torchCase) layer(t *testing.T) Layer {
	pad := Valid
	if c.Padding == "same" {
		pad = Same
	}
	opts := []Option{Strides(c.Strides...), WithPadding(pad)}
	switch c.Layer {
	case "conv1d":
		return Conv1D(c.Filters, c.Kernel[0], append(opts, Dilation(c.Dilation...))...)
	case "conv2d":
		return Conv2D(c.Filters, c.Kernel[0], c.Kernel[1], append(opts, Dilation(c.Dilation...))...)
	case "maxpool1d":
		return MaxPool1D(c.Kernel[0], opts...)
	case "avgpool1d":
		return AvgPool1D(c.Kernel[0], opts...)
	case "maxpool2d":
		return MaxPool2D(c.Kernel[0], c.Kernel[1], opts...)
	case "avgpool2d":
		return AvgPool2D(c.Kernel[0], c.Kernel[1], opts...)
	case "globalavgpool1d":
		return GlobalAvgPool1D()
	case "globalavgpool2d":
		return GlobalAvgPool2D()
	}
	t.Fatalf("unknown layer %q", c.Layer)
	return nil
}

// forward builds l on sample shape in, sets its parameters from values
// (θ order), and runs it on the batch x.
func forward(t *testing.T, l Layer, in Shape, batch int, x []float64, values ...[]float64) (Shape, []int, []float64) {
	t.Helper()
	ps := graph.NewParams()
	out, err := l.Build(graph.NewScope(ps, l.Kind()+"_1"), in)
	require.NoError(t, err)
	ps.Init(1)
	require.Len(t, ps.List(), len(values))
	for i, p := range ps.List() {
		require.Len(t, values[i], p.Size(), p.Name)
		copy(ps.View(p), values[i])
	}
	b := graph.NewBuilder(ps, batch)
	xi := engine.Input(b, "x", append([]int{batch}, in...)...)
	copy(xi.Data, x)
	y, err := l.Forward(b, xi.Node)
	require.NoError(t, err)
	o := engine.Output(b, y)
	m, err := engine.Compile(b)
	require.NoError(t, err)
	require.NoError(t, m.Run())
	return out, y.Shape().Clone(), append([]float64(nil), o.Data()...)
}

func TestConvAndPoolMatchPyTorch(t *testing.T) {
	raw, err := os.ReadFile("testdata/torch_conv.json")
	require.NoError(t, err)
	var file struct{ Cases []torchCase }
	require.NoError(t, json.Unmarshal(raw, &file))
	require.Len(t, file.Cases, 23)
	for _, c := range file.Cases {
		t.Run(c.Name, func(t *testing.T) {
			var values [][]float64
			if c.W != nil {
				values = [][]float64{c.W, c.B}
			}
			out, nodeShape, got := forward(t, c.layer(t), Shape(c.Sample), c.Batch, c.X, values...)
			require.Equal(t, Shape(c.OutShape), out, "Build's output shape")
			require.Equal(t, append([]int{c.Batch}, c.OutShape...), nodeShape)
			require.Len(t, got, len(c.Out))
			worst := 0.0
			for i := range got {
				worst = math.Max(worst, math.Abs(got[i]-c.Out[i]))
			}
			assert.LessOrEqual(t, worst, 1e-10, "max |golem - torch|")
		})
	}
}

func TestConvStrings(t *testing.T) {
	for want, l := range map[string]Layer{
		"Conv2D(8, 3×3, strides 1×1, same, tanh)":                         Conv2D(8, 3, 3, Tanh, WithPadding(Same)),
		"Conv2D(4, 3×2, strides 2×1, dilation 1×2, valid, relu, no bias)": Conv2D(4, 3, 2, ReLU, Strides(2, 1), Dilation(1, 2), NoBias()),
		"Conv1D(5, 3, stride 2, valid, linear, kernel l2(0.01))":          Conv1D(5, 3, Strides(2), KernelRegularizer(L2(0.01))),
		"Conv1D(5, 3, stride 1, dilation 2, same, sigmoid)":               Conv1D(5, 3, Dilation(2), Sigmoid, WithPadding(Same)),
		"MaxPool2D(2×2, strides 2×2, valid)":                              MaxPool2D(2, 2),
		"AvgPool2D(3×3, strides 1×1, same)":                               AvgPool2D(3, 3, Strides(1), WithPadding(Same)),
		"MaxPool1D(3, stride 3, valid)":                                   MaxPool1D(3),
		"AvgPool1D(2, stride 1, same)":                                    AvgPool1D(2, Strides(1), WithPadding(Same)),
		"GlobalAvgPool1D()":                                               GlobalAvgPool1D(),
		"GlobalAvgPool2D()":                                               GlobalAvgPool2D(),
		"Flatten()":                                                       Flatten(),
		"Reshape(4, -1)":                                                  Reshape(4, -1),
	} {
		assert.Equal(t, want, l.(interface{ String() string }).String())
	}
	kinds := map[string]Layer{
		"conv1d": Conv1D(1, 1), "conv2d": Conv2D(1, 1, 1), "maxpool1d": MaxPool1D(2), "avgpool1d": AvgPool1D(2),
		"maxpool2d": MaxPool2D(2, 2), "avgpool2d": AvgPool2D(2, 2), "globalavgpool1d": GlobalAvgPool1D(),
		"globalavgpool2d": GlobalAvgPool2D(), "flatten": Flatten(), "reshape": Reshape(2),
	}
	for want, l := range kinds {
		assert.Equal(t, want, l.Kind())
	}
}

func TestConvBuildErrors(t *testing.T) {
	build := func(l Layer, in Shape) error {
		_, err := l.Build(graph.NewScope(graph.NewParams(), "l"), in)
		return err
	}
	assert.ErrorContains(t, build(Conv2D(4, 3, 3), Shape{8, 3}), "Conv2D needs samples of shape (height, width, channels), got input shape (batch, 8, 3)")
	assert.ErrorContains(t, build(Conv1D(4, 3), Shape{8, 8, 1}), "Conv1D needs samples of shape (steps, channels), got input shape (batch, 8, 8, 1)")
	assert.ErrorContains(t, build(Conv2D(4, 5, 5), Shape{4, 8, 1}), "Conv2D(5×5 kernel, dilation 1×1, valid) on input shape (batch, 4, 8, 1): a window of 5 does not fit in 4")
	assert.ErrorContains(t, build(Conv1D(4, 3, Dilation(3)), Shape{6, 1}), "a window of 7 does not fit in 6")
	assert.ErrorContains(t, build(Conv1D(0, 3), Shape{6, 1}), "Conv1D needs a positive number of filters, got 0")
	assert.ErrorContains(t, build(Conv2D(2, 3, 3, Strides(1, 2, 3)), Shape{6, 6, 1}), "Conv2D takes 1 or 2 strides values, got [1 2 3]")
	assert.ErrorContains(t, build(Conv2D(2, 3, 3, Strides(0)), Shape{6, 6, 1}), "Conv2D needs positive strides, got [0]")
	assert.ErrorContains(t, build(Conv1D(2, 3, Dilation(2, 2)), Shape{6, 1}), "Conv1D takes one dilation value, got [2 2]")
	assert.ErrorContains(t, build(MaxPool1D(2, Strides(1, 1)), Shape{6, 1}), "MaxPool1D takes one strides value, got [1 1]")
	assert.ErrorContains(t, build(Conv2D(2, 3, 3, ReturnSequences()), Shape{6, 6, 1}), "Conv2D does not take the ReturnSequences option")
	assert.ErrorContains(t, build(MaxPool2D(2, 2, Tanh), Shape{6, 6, 1}), "MaxPool2D does not take the Activation option")
	assert.ErrorContains(t, build(AvgPool1D(4), Shape{3, 2}), "AvgPool1D(4, valid) on input shape (batch, 3, 2): a window of 4 does not fit in 3")
	assert.ErrorContains(t, build(MaxPool1D(2), Shape{6}), "MaxPool1D needs samples of shape (steps, channels), got input shape (batch, 6)")
	assert.ErrorContains(t, build(GlobalAvgPool2D(), Shape{6, 2}), "GlobalAvgPool2D needs samples of shape (height, width, channels), got input shape (batch, 6, 2)")
	assert.ErrorContains(t, build(Reshape(5, -1), Shape{4, 3}), "Reshape(5, -1) cannot reshape input shape (batch, 4, 3) (12 values per sample)")
	assert.ErrorContains(t, build(Reshape(-1, -1), Shape{4, 3}), "only one dimension may be -1")
	assert.ErrorContains(t, build(Reshape(2, 2), Shape{4, 3}), "Reshape(2, 2) cannot reshape input shape (batch, 4, 3) (12 values per sample) to (batch, 2, 2)")

	c := Conv2D(8, 3, 2, WithPadding(Same))
	ps := graph.NewParams()
	out, err := c.Build(graph.NewScope(ps, "conv2d_1"), Shape{5, 7, 3})
	require.NoError(t, err)
	assert.Equal(t, Shape{5, 7, 8}, out)
	assert.Equal(t, []int{18, 8}, c.W.Shape)
	assert.Equal(t, []int{8}, c.B.Shape)
	r := Reshape(-1, 4)
	out, err = r.Build(nil, Shape{2, 3, 2})
	require.NoError(t, err)
	assert.Equal(t, Shape{3, 4}, out)
	out, err = Flatten().Build(nil, Shape{2, 3, 2})
	require.NoError(t, err)
	assert.Equal(t, Shape{12}, out)
}

// TestConvInitFans checks Keras's fans: GlorotUniform's limit is
// √(6/(k·C + k·filters)).
func TestConvInitFans(t *testing.T) {
	c := Conv2D(16, 3, 3)
	ps := graph.NewParams()
	_, err := c.Build(graph.NewScope(ps, "conv2d_1"), Shape{10, 10, 4})
	require.NoError(t, err)
	ps.Init(5)
	limit := math.Sqrt(6 / float64(9*4+9*16))
	big := 0.0
	for _, v := range ps.View(c.W) {
		big = math.Max(big, math.Abs(v))
	}
	assert.LessOrEqual(t, big, limit)
	assert.Greater(t, big, 0.9*limit, "576 draws should come near the limit")
}
