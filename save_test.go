package golem

import (
	"bytes"
	"context"
	"encoding/binary"
	"hash/crc32"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"reflect"
	"runtime"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"gonum.org/v1/gonum/mat"
	G "gorgonia.org/gorgonia"

	"github.com/golem-ml/golem/graph"
	"github.com/golem-ml/golem/layers"
	"github.com/golem-ml/golem/losses"
	"github.com/golem-ml/golem/optim"
)

// fileArch is one architecture of the saved-model fixtures in
// testdata/models (v1_NAME.golem, written by golem's Save of format
// version 1 after trained(t)) and of the fuzz corpus.
type fileArch struct {
	name         string
	layers       func() []layers.Layer
	input        layers.Shape
	in, out      Scaling
	loss         func() losses.Loss
	opt          func() optim.Optimizer
	xCols, yCols int
}

func misra1aCurve(e *graph.Expr, x, b []*G.Node) *G.Node {
	return e.Mul(b[0], e.Sub(e.Const(1), e.Exp(e.Neg(e.Mul(b[1], x[0])))))
}

var fileArchs = []fileArch{
	{name: "tanh", input: Input(1), xCols: 1, yCols: 1,
		layers: func() []layers.Layer { return []layers.Layer{layers.Dense(10, layers.Tanh), layers.Dense(1)} },
		loss:   func() losses.Loss { return losses.MSE() }, opt: func() optim.Optimizer { return optim.LM(optim.LMConfig{}) }},
	{name: "scaled", input: Input(2), in: MinMax, out: Standardize, xCols: 2, yCols: 1,
		layers: func() []layers.Layer {
			return []layers.Layer{layers.Dense(10, layers.Tanh, layers.NguyenWidrow(-1, 1)), layers.Dense(1)}
		},
		loss: func() losses.Loss { return losses.MSE() }, opt: func() optim.Optimizer { return optim.LM(optim.LMConfig{}) }},
	{name: "deep", input: Input(5), in: Standardize, xCols: 5, yCols: 2,
		layers: func() []layers.Layer {
			return []layers.Layer{layers.Dense(4, layers.Tanh), layers.Dense(3, layers.ReLU, layers.NoBias()), layers.Act(layers.Softmax), layers.Dense(2)}
		},
		loss: func() losses.Loss { return losses.MSE() }, opt: func() optim.Optimizer { return optim.Adam(optim.AdamConfig{}) }},
	{name: "curve", input: Input(1), out: MinMax, xCols: 1, yCols: 1,
		layers: func() []layers.Layer { return []layers.Layer{layers.Parametric("misra1a", misra1aCurve, 500, 1e-4)} },
		loss:   func() losses.Loss { return losses.SSE() }, opt: func() optim.Optimizer { return optim.LM(optim.LMConfig{}) }},
}

// compiled returns the architecture compiled with the given seed.
func (a fileArch) compiled(t testing.TB, seed uint64) *Sequential {
	m := NewSequential(a.layers()...)
	if err := m.Compile(a.input, a.loss(), a.opt(), WithSeed(seed), ScaleInputs(a.in), ScaleTargets(a.out)); err != nil {
		t.Fatal(err)
	}
	return m
}

// data returns a small deterministic training set for the architecture.
func (a fileArch) data() (x, y *mat.Dense) {
	rng := rand.New(rand.NewPCG(5, 6))
	n := 40
	x, y = mat.NewDense(n, a.xCols, nil), mat.NewDense(n, a.yCols, nil)
	for i := 0; i < n; i++ {
		s := 0.0
		for j := 0; j < a.xCols; j++ {
			v := 10 * rng.Float64()
			x.Set(i, j, v)
			s += v
		}
		for k := 0; k < a.yCols; k++ {
			y.Set(i, k, 200*(1-0.9*float64(k))*(1-1/(1+0.05*s))+rng.NormFloat64())
		}
	}
	return x, y
}

// trained returns the architecture after a few epochs of training.
func (a fileArch) trained(t testing.TB) *Sequential {
	m := a.compiled(t, 3)
	x, y := a.data()
	if _, err := m.Fit(context.Background(), x, y, FitConfig{Epochs: 5, BatchSize: -1}); err != nil {
		t.Fatal(err)
	}
	return m
}

func (a fileArch) bare() *Sequential { return NewSequential(a.layers()...) }

func archNamed(t testing.TB, name string) fileArch {
	for _, a := range fileArchs {
		if a.name == name {
			return a
		}
	}
	t.Fatalf("no architecture %q", name)
	return fileArch{}
}

// v1File is testdata/models/v1_NAME.golem.
func v1File(t testing.TB, name string) []byte {
	data, err := os.ReadFile(filepath.Join("testdata", "models", "v1_"+name+".golem"))
	require.NoError(t, err)
	return data
}

// saved is the file Save writes for the model.
func saved(t testing.TB, m *Sequential) []byte {
	var buf bytes.Buffer
	require.NoError(t, m.Save(&buf))
	return buf.Bytes()
}

// bodyStart is the offset of θ: after the first two lines.
func bodyStart(data []byte) int {
	first := bytes.IndexByte(data, '\n')
	return first + 1 + bytes.IndexByte(data[first+1:], '\n') + 1
}

// reseal recomputes a file's CRC as its version defines it (v1: θ only;
// v2: everything), as a deliberate edit would.
func reseal(data []byte) []byte {
	out := slices.Clone(data)
	covered := out[:len(out)-4]
	if bytes.HasPrefix(out, []byte("golem-weights 1\n")) {
		covered = out[bodyStart(out) : len(out)-4]
	}
	binary.LittleEndian.PutUint32(out[len(out)-4:], crc32.ChecksumIEEE(covered))
	return out
}

// edit replaces the first old in the header with new and reseals.
func edit(t testing.TB, data []byte, old, new string) []byte {
	t.Helper()
	end := bodyStart(data)
	i := bytes.Index(data[:end], []byte(old))
	require.GreaterOrEqual(t, i, 0, "%q is not in the header", old)
	out := append(append(append([]byte(nil), data[:i]...), new...), data[i+len(old):]...)
	return reseal(out)
}

// setWeight sets θ[i] in a file and reseals.
func setWeight(data []byte, i int, v float64) []byte {
	out := slices.Clone(data)
	binary.LittleEndian.PutUint64(out[bodyStart(out)+8*i:], math.Float64bits(v))
	return reseal(out)
}

// allocated is the bytes f allocates.
func allocated(f func()) uint64 {
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	f()
	runtime.ReadMemStats(&after)
	return after.TotalAlloc - before.TotalAlloc
}

// observedState is everything a failed Load must leave as it was.
type observedState struct {
	theta             []uint64
	state             []uint64 // the layers' non-trainable state
	params            *graph.Params
	input, output     layers.Shape
	names             []string
	nets              uintptr
	netCount          int
	jac               uintptr
	inScale, outScale *scaler
	inValue, outValue scaler
	loss              losses.Loss
}

func stateOf(m *Sequential) observedState {
	s := observedState{params: m.params, input: slices.Clone(m.input), output: slices.Clone(m.output), names: slices.Clone(m.names),
		nets: reflect.ValueOf(m.nets).Pointer(), netCount: m.nets.size(), jac: reflect.ValueOf(m.jac).Pointer(),
		inScale: m.inScale, outScale: m.outScale, loss: m.loss}
	if m.params != nil {
		for _, v := range m.params.Theta() {
			s.theta = append(s.theta, math.Float64bits(v))
		}
		for _, v := range m.params.StateValues() {
			s.state = append(s.state, math.Float64bits(v))
		}
	}
	copyScaler := func(p *scaler) scaler {
		if p == nil {
			return scaler{}
		}
		return scaler{Kind: p.Kind, Offset: slices.Clone(p.Offset), Scale: slices.Clone(p.Scale)}
	}
	s.inValue, s.outValue = copyScaler(m.inScale), copyScaler(m.outScale)
	return s
}

// TestLoadChecksSizesBeforeAllocating (issue 11, item 2): a file that
// declares a huge input into an uncompiled model is refused before
// anything of that size is allocated. On the old Load, input [1e6] built
// a 10-million-weight model (80 MB) before refusing the file, and [1e9]
// killed the process.
func TestLoadChecksSizesBeforeAllocating(t *testing.T) {
	a := archNamed(t, "tanh")
	v1 := v1File(t, "tanh")
	loaded := a.bare()
	require.NoError(t, loaded.Load(bytes.NewReader(v1)))
	v2 := saved(t, loaded)
	check := func(t *testing.T, data []byte, want string) {
		m := a.bare()
		var err error
		n := allocated(func() { err = m.Load(bytes.NewReader(data)) })
		require.Error(t, err)
		assert.Contains(t, err.Error(), want)
		assert.Less(t, n, uint64(64*len(data)+256<<10), "Load allocated %d bytes for a %d-byte file", n, len(data))
		assert.Nil(t, m.Params())
	}
	for _, f := range []struct {
		version string
		data    []byte
	}{{"v1", v1}, {"v2", v2}} {
		if !t.Run(f.version+" input 1e6", func(t *testing.T) {
			check(t, edit(t, f.data, `"input":[1]`, `"input":[1000000]`), "parameter 1 (dense_1/W) has shape [1 10] in the file, [1000000 10] in the model")
		}) {
			continue // the larger sizes would exhaust memory where this fails
		}
		t.Run(f.version+" consistent header, short body", func(t *testing.T) {
			d := edit(t, f.data, `"input":[1]`, `"input":[100000000]`)
			d = edit(t, d, `"shape":[1,10]`, `"shape":[100000000,10]`)
			d = edit(t, d, `"count":31`, `"count":1000000021`)
			check(t, d, "reading 1000000021 weights")
		})
		for _, c := range []struct{ from, to, want string }{
			{`"input":[1]`, `"input":[1000000000]`, "parameter 1 (dense_1/W) has shape [1 10] in the file, [1000000000 10] in the model"},
			{`"input":[1]`, `"input":[1000000000000]`, "input shape"},
			{`"input":[1]`, `"input":[4294967296,4294967296]`, "input shape"},
			{`"input":[1]`, `"input":[-1]`, "input shape"},
			{`"input":[1]`, `"input":[]`, "input shape"},
			{`"count":31`, `"count":4611686018427387904`, "weights"},
			{`"shape":[1,10]`, `"shape":[4294967296,4294967296]`, "shape"},
			{`"shape":[1,10]`, `"shape":[0,10]`, "shape"},
		} {
			t.Run(f.version+" "+c.to, func(t *testing.T) { check(t, edit(t, f.data, c.from, c.to), c.want) })
		}
	}
}

// TestSaveWritesVersion2: the format line and a CRC over every byte.
func TestSaveWritesVersion2(t *testing.T) {
	data := saved(t, archNamed(t, "scaled").trained(t))
	assert.True(t, bytes.HasPrefix(data, []byte("golem-weights 2\n")))
	assert.Equal(t, crc32.ChecksumIEEE(data[:len(data)-4]), binary.LittleEndian.Uint32(data[len(data)-4:]))
}

// TestLoadChecksumCoversTheHeader (item 3): an edit of a scaler, a layer
// or the input in a saved file is caught by the checksum. The old format's
// CRC covered only θ, so an edited offset silently changed predictions.
func TestLoadChecksumCoversTheHeader(t *testing.T) {
	a := archNamed(t, "scaled")
	good := saved(t, a.trained(t))
	head := string(good[:bodyStart(good)])
	offset := head[strings.Index(head, `"offset":[`)+len(`"offset":[`):][:3]
	for _, c := range []struct{ from, to string }{
		{`"offset":[` + offset, `"offset":[9` + offset[1:]},
		{`"scale":[0.2`, `"scale":[0.3`},
		{`Dense(10, tanh)`, `Dense(10, relu)`},
	} {
		t.Run(c.to, func(t *testing.T) {
			i := strings.Index(head, c.from)
			require.GreaterOrEqual(t, i, 0)
			bad := append([]byte(head[:i]+c.to+head[i+len(c.from):]), good[bodyStart(good):]...)
			m := a.bare()
			err := m.Load(bytes.NewReader(bad))
			require.Error(t, err)
			assert.Contains(t, err.Error(), "checksum mismatch")
		})
	}
}

// TestLoadRejectsInvalidScalers (item 3): a zero, negative or infinite
// scale, in either version and whatever the CRC, is refused. The old Load
// took a target scale of 0 and predicted -Inf.
func TestLoadRejectsInvalidScalers(t *testing.T) {
	a := archNamed(t, "scaled")
	v1 := v1File(t, "scaled")
	m := a.bare()
	require.NoError(t, m.Load(bytes.NewReader(v1)))
	v2 := saved(t, m)
	for _, f := range []struct {
		version string
		data    []byte
	}{{"v1", v1}, {"v2", v2}} {
		for _, c := range []struct{ from, to, want string }{
			{`"scale":[0.05091943914144003]`, `"scale":[0]`, "target scaling: the scale of column 1 is 0; it must be positive and finite"},
			{`"scale":[0.05091943914144003]`, `"scale":[-0.05]`, "target scaling: the scale of column 1 is -0.05"},
			{`"scale":[0.2174796865824743,`, `"scale":[0.2174796865824743e999,`, "bad header"},
			{`"offset":[62.052044255839384]`, `"offset":[62,1]`, "target scaling has 2 offsets and 1 scales"},
			{`"kind":"minmax"`, `"kind":"none"`, `input scaling: kind "none" with values`},
			{`"kind":"minmax"`, `"kind":"maxmin"`, `unknown scaling "maxmin"`},
			{`"offset":[4.64225188700984,4.99880859442439]`, `"offset":[4.64225188700984]`, "input scaling has 1 offsets and 2 scales"},
		} {
			t.Run(f.version+" "+c.to, func(t *testing.T) {
				target := a.compiled(t, 1)
				before := stateOf(target)
				err := target.Load(bytes.NewReader(edit(t, f.data, c.from, c.to)))
				require.Error(t, err)
				assert.Contains(t, err.Error(), c.want)
				assert.Equal(t, before, stateOf(target))
			})
		}
	}
}

// TestSaveRefusesWhatLoadRefuses: a model whose scaler or weights Load
// would refuse is not written.
func TestSaveRefusesWhatLoadRefuses(t *testing.T) {
	m := archNamed(t, "scaled").trained(t)
	m.outScale.Scale[0] = 0
	var buf bytes.Buffer
	assert.ErrorContains(t, m.Save(&buf), "target scaling: the scale of column 1 is 0")
	m.outScale.Scale[0] = 1
	m.inScale.Offset[1] = math.NaN()
	assert.ErrorContains(t, m.Save(&buf), "input scaling: the offset of column 2 is NaN")
	m.inScale.Offset[1] = 0
	m.Params().Theta()[22] = math.Inf(-1)
	assert.ErrorContains(t, m.Save(&buf), "weight 3 of dense_1/b (θ[22]) is -Inf")
	assert.Zero(t, buf.Len())
}

// TestLoadRejectsNonFiniteWeights (item 3): NaN or ±Inf weights with a
// recomputed CRC are refused, naming the weight.
func TestLoadRejectsNonFiniteWeights(t *testing.T) {
	a := archNamed(t, "tanh")
	v1 := v1File(t, "tanh")
	m := a.bare()
	require.NoError(t, m.Load(bytes.NewReader(v1)))
	v2 := saved(t, m)
	for _, data := range [][]byte{v1, v2} {
		for _, c := range []struct {
			i    int
			v    float64
			want string
		}{
			{3, math.NaN(), "weight 4 of dense_1/W (θ[3]) is NaN"},
			{30, math.Inf(1), "weight 1 of dense_2/b (θ[30]) is +Inf"},
			{12, math.Inf(-1), "weight 3 of dense_1/b (θ[12]) is -Inf"},
		} {
			target := a.compiled(t, 1)
			before := stateOf(target)
			err := target.Load(bytes.NewReader(setWeight(data, c.i, c.v)))
			require.Error(t, err)
			assert.Contains(t, err.Error(), c.want)
			assert.Equal(t, before, stateOf(target))
		}
	}
}

// TestLoadRejectsTrailingBytes (item 3): junk after the checksum, or two
// files concatenated, are refused; the old Load stopped reading at the CRC.
func TestLoadRejectsTrailingBytes(t *testing.T) {
	a := archNamed(t, "tanh")
	v1 := v1File(t, "tanh")
	m := a.bare()
	require.NoError(t, m.Load(bytes.NewReader(v1)))
	v2 := saved(t, m)
	for name, data := range map[string][]byte{
		"v1 + newline": append(slices.Clone(v1), '\n'),
		"v2 + newline": append(slices.Clone(v2), '\n'),
		"v2 + v2":      append(slices.Clone(v2), v2...),
		"v1 + v2":      append(slices.Clone(v1), v2...),
		"v2 + zero":    append(slices.Clone(v2), 0),
	} {
		t.Run(name, func(t *testing.T) {
			target := a.compiled(t, 1)
			before := stateOf(target)
			err := target.Load(bytes.NewReader(data))
			require.Error(t, err)
			assert.Contains(t, err.Error(), "data after the checksum")
			assert.Equal(t, before, stateOf(target))
		})
	}
}

// TestLoadNamesTheDifference (item 3): a mismatch names what differs. The
// old message for a changed kind was "layer 1 is dense_1 Dense(10, tanh)
// in the file, dense_1 Dense(10, tanh) in the model".
func TestLoadNamesTheDifference(t *testing.T) {
	v1 := v1File(t, "tanh")
	tanh := func() *Sequential { return NewSequential(layers.Dense(10, layers.Tanh), layers.Dense(1)) }
	cases := []struct {
		name  string
		model func() *Sequential
		data  []byte
		want  string
	}{
		{"kind", tanh, edit(t, v1, `"kind":"dense"`, `"kind":"dance"`), `layer 1 (dense_1 in the model) has kind "dance" in the file, "dense" in the model`},
		{"name", tanh, edit(t, v1, `"name":"dense_2"`, `"name":"dense_9"`), `layer 2 is named "dense_9" in the file, "dense_2" in the model`},
		{"units", func() *Sequential { return NewSequential(layers.Dense(11, layers.Tanh), layers.Dense(1)) }, v1,
			"layer 1 (dense_1) is Dense(10, tanh) in the file, Dense(11, tanh) in the model: units 10 in the file, 11 in the model"},
		{"activation", func() *Sequential { return NewSequential(layers.Dense(10, layers.ReLU), layers.Dense(1)) }, v1,
			"activation tanh in the file, relu in the model"},
		{"bias", func() *Sequential {
			return NewSequential(layers.Dense(10, layers.Tanh, layers.NoBias()), layers.Dense(1))
		}, v1,
			"bias present in the file, none in the model"},
		{"layer type", func() *Sequential { return NewSequential(layers.Act(layers.Tanh), layers.Dense(1)) }, v1,
			`layer 1 (activation_1 in the model) has kind "dense" in the file, "activation" in the model`},
		{"layer count", func() *Sequential {
			return NewSequential(layers.Dense(10, layers.Tanh), layers.Dense(10), layers.Dense(1))
		}, v1,
			"2 layers in the file, 3 in the model"},
		{"parameter shape", tanh, edit(t, v1, `"shape":[1,10]`, `"shape":[10,1]`), "parameter 1 (dense_1/W) has shape [10 1] in the file, [1 10] in the model"},
		{"parameter name", tanh, edit(t, v1, `"dense_1/b"`, `"dense_1/c"`), "parameter 2 is dense_1/c in the file, dense_1/b in the model"},
		{"input", func() *Sequential {
			m := tanh()
			require.NoError(t, m.Compile(Input(3), losses.MSE(), optim.SGD(optim.SGDConfig{})))
			return m
		}, v1, "input shape [1] in the file, [3] in the model"},
		{"scaling kinds", func() *Sequential { return archNamed(t, "scaled").compiled(t, 1) }, edit(t, v1File(t, "scaled"), `"kind":"minmax"`, `"kind":"standardize"`),
			"scaling of inputs/targets is standardize/standardize in the file, minmax/standardize in the model"},
		{"target columns", func() *Sequential { return archNamed(t, "scaled").bare() },
			edit(t, edit(t, v1File(t, "scaled"), `"offset":[62.052044255839384]`, `"offset":[62.052044255839384,1]`), `"scale":[0.05091943914144003]`, `"scale":[0.05091943914144003,1]`),
			"target scaling has 2 columns for 1 outputs"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			m := c.model()
			before := stateOf(m)
			err := m.Load(bytes.NewReader(c.data))
			require.Error(t, err)
			assert.Contains(t, err.Error(), c.want)
			assert.Equal(t, before, stateOf(m))
		})
	}
}

// TestLoadReadsVersion1Files: files written by the old Save load into
// compiled and uncompiled models with their exact weights and scalers;
// saving converts them to version 2, which round-trips byte for byte.
func TestLoadReadsVersion1Files(t *testing.T) {
	for _, a := range fileArchs {
		t.Run(a.name, func(t *testing.T) {
			v1 := v1File(t, a.name)
			body := v1[bodyStart(v1) : len(v1)-4]
			for _, m := range []*Sequential{a.bare(), a.compiled(t, 9)} {
				require.NoError(t, m.Load(bytes.NewReader(v1)))
				theta := m.Params().Theta()
				require.Len(t, theta, len(body)/8)
				for i, v := range theta {
					assert.Equal(t, binary.LittleEndian.Uint64(body[8*i:]), math.Float64bits(v))
				}
				assert.Equal(t, a.in, m.inScale.kind())
				assert.Equal(t, a.out, m.outScale.kind())
				x, _ := a.data()
				_, err := m.Predict(x)
				require.NoError(t, err)

				v2 := saved(t, m)
				assert.True(t, bytes.HasPrefix(v2, []byte("golem-weights 2\n")))
				again := a.bare()
				require.NoError(t, again.Load(bytes.NewReader(v2)))
				assert.Equal(t, theta, again.Params().Theta())
				assert.Equal(t, stateOf(m).inValue, stateOf(again).inValue)
				assert.Equal(t, stateOf(m).outValue, stateOf(again).outValue)
				assert.Equal(t, v2, saved(t, again))
			}
		})
	}
}

// TestFailedLoadLeavesATrainedModelUntouched: after a Predict (compiled
// graphs cached), a failed Load changes nothing and predictions stay
// bit-identical.
func TestFailedLoadLeavesATrainedModelUntouched(t *testing.T) {
	a := archNamed(t, "scaled")
	m := a.trained(t)
	x, _ := a.data()
	want, err := m.Predict(x)
	require.NoError(t, err)
	good := saved(t, m)
	other := saved(t, a.compiled(t, 77))
	before := stateOf(m)
	for _, bad := range [][]byte{
		good[:len(good)-1],
		append(slices.Clone(other), 1),
		setWeight(other, 0, math.NaN()),
		edit(t, other, `"count":41`, `"count":42`),
		edit(t, good, `"scale":[`, `"scale":[0,`),
		v1File(t, "tanh"),
		{},
		[]byte("golem-weights 2\n"),
	} {
		require.Error(t, m.Load(bytes.NewReader(bad)))
		assert.Equal(t, before, stateOf(m))
		got, err := m.Predict(x)
		require.NoError(t, err)
		assert.Equal(t, want.RawMatrix().Data, got.RawMatrix().Data)
	}
}

func (s *scaler) kind() Scaling {
	if s == nil {
		return NoScaling
	}
	return s.Kind
}

// TestLoadAllocationIsLinear: a large model and a header-heavy file (a
// curve on 50,000 scaled input columns: 2 weights, a 300 kB header) stay
// within FuzzLoad's bound.
func TestLoadAllocationIsLinear(t *testing.T) {
	wide := func(cols int, ls ...layers.Layer) []byte {
		m := NewSequential(ls...)
		require.NoError(t, m.Compile(Input(cols), losses.MSE(), optim.SGD(optim.SGDConfig{}), ScaleInputs(Standardize)))
		m.inScale.Offset, m.inScale.Scale = make([]float64, cols), make([]float64, cols)
		for j := range m.inScale.Scale {
			m.inScale.Offset[j], m.inScale.Scale[j] = float64(j%3), 1
		}
		return saved(t, m)
	}
	curve := func(e *graph.Expr, x, b []*G.Node) *G.Node { return e.Add(e.Mul(b[0], x[0]), b[1]) }
	for name, c := range map[string]struct {
		data   []byte
		layers func() []layers.Layer
	}{
		"dense 300-200-1": {wide(300, layers.Dense(200, layers.Tanh), layers.Dense(1)),
			func() []layers.Layer { return []layers.Layer{layers.Dense(200, layers.Tanh), layers.Dense(1)} }},
		"curve on 50000 columns": {wide(50000, layers.Parametric("c", curve, 1, 2)),
			func() []layers.Layer { return []layers.Layer{layers.Parametric("c", curve, 1, 2)} }},
	} {
		m := NewSequential(c.layers()...)
		var err error
		n := allocated(func() { err = m.Load(bytes.NewReader(c.data)) })
		require.NoError(t, err)
		t.Logf("%s: %d bytes, %d allocated (%.1f per byte)", name, len(c.data), n, float64(n)/float64(len(c.data)))
		assert.Less(t, n, uint64(loadAllocPerByte*len(c.data)+loadAllocSlack))
	}
}
