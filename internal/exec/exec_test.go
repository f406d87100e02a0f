package exec

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// Every kernel is checked against Gorgonia's tape machine on the same graph,
// bit for bit, values and gradients, on inputs that include the edges of
// each function's domain.

// edgeValues are inputs every elementwise function is tried on.
var edgeValues = []float64{0, math.Copysign(0, -1), 1, -1, 0.5, -0.5, 1e-300, -1e-300, 1e-8, 3, -3,
	16, 16.5, -20, 19.5, 20, -708.5, -709.5, 700, 710, 1e300, -1e300, math.Inf(1), math.Inf(-1), math.NaN(), 2.5e-5, 7.25}

// input is a graph input of the given shape holding values.
func input(g *G.ExprGraph, name string, shape []int, values []float64) *G.Node {
	if len(shape) == 0 {
		return G.NewScalar(g, tensor.Float64, G.WithName(name), G.WithValue(values[0]))
	}
	t := tensor.New(tensor.WithShape(shape...), tensor.WithBacking(append([]float64(nil), values...)))
	return G.NewTensor(g, tensor.Float64, len(shape), G.WithShape(shape...), G.WithName(name), G.WithValue(t))
}

func randomValues(rng *rand.Rand, n int) []float64 {
	v := make([]float64, n)
	for i := range v {
		v[i] = 4*rng.Float64() - 2
	}
	return v
}

// compare builds a graph twice, runs it on the tape machine and on a
// Program, and requires every output's bits to agree. It returns the
// program's step and fallback counts.
func compare(t *testing.T, build func(g *G.ExprGraph, rng *rand.Rand) ([]*G.Node, error)) (steps, fallbacks int) {
	t.Helper()
	return compareNonFinite(t, false, build)
}

// compareNonFinite is compare where, with lax, a gradient (an output after
// the first) that is not finite on the tape need only be non-finite on the
// executor too. Gorgonia's
// division by zero depends on how the tape machine runs the op: vecf64.Div
// (tensor ÷ tensor, and scalar ÷ tensor through Do) gives +Inf for any
// zero divisor, the incrementing and preallocated paths divide as IEEE
// does (±Inf, NaN for 0/0). Every finite value must still agree bit for
// bit.
func compareNonFinite(t *testing.T, lax bool, build func(g *G.ExprGraph, rng *rand.Rand) ([]*G.Node, error)) (steps, fallbacks int) {
	t.Helper()
	run := func(tape bool) [][]float64 {
		g := G.NewGraph()
		outs, err := build(g, rand.New(rand.NewPCG(21, 22))) // the same values both times
		require.NoError(t, err)
		vals := make([]G.Value, len(outs))
		if tape {
			for i, o := range outs {
				G.Read(o, &vals[i])
			}
			vm := G.NewTapeMachine(g)
			defer vm.Close()
			require.NoError(t, vm.RunAll())
			res := make([][]float64, len(outs))
			for i, v := range vals {
				switch d := v.Data().(type) {
				case []float64:
					res[i] = append([]float64(nil), d...)
				case float64:
					res[i] = []float64{d}
				}
			}
			return res
		}
		p, ok, err := New(g, outs)
		require.NoError(t, err)
		require.True(t, ok, "the executor refused the graph")
		require.NoError(t, p.Run())
		steps, fallbacks = p.Steps()
		res := make([][]float64, len(outs))
		for i, o := range outs {
			v := p.Value(o)
			if v == nil {
				v = p.LeafValue(o)
			}
			res[i] = append([]float64(nil), v...)
		}
		return res
	}
	want, got := run(true), run(false)
	require.Equal(t, len(want), len(got))
	for i := range want {
		require.Equal(t, len(want[i]), len(got[i]), "output %d", i)
		for j := range want[i] {
			w, v := want[i][j], got[i][j]
			if lax && i > 0 && (math.IsInf(w, 0) || math.IsNaN(w)) && (math.IsInf(v, 0) || math.IsNaN(v)) {
				continue
			}
			if math.Float64bits(w) != math.Float64bits(v) {
				t.Fatalf("output %d[%d]: tape %v (%#x), executor %v (%#x)", i, j, want[i][j], math.Float64bits(want[i][j]), got[i][j], math.Float64bits(got[i][j]))
			}
		}
	}
	return steps, fallbacks
}

// withGrad returns the outputs followed by the gradients of Σ(out ⊙ seed)
// with respect to the inputs.
func withGrad(out *G.Node, seed *G.Node, wrt ...*G.Node) ([]*G.Node, error) {
	c, err := G.HadamardProd(out, seed)
	if err != nil {
		return nil, err
	}
	if c, err = G.Sum(c); err != nil {
		return nil, err
	}
	grads, err := G.Grad(c, wrt...)
	if err != nil {
		return nil, err
	}
	return append([]*G.Node{out}, grads...), nil
}

func TestUnaryFunctionsMatchGorgonia(t *testing.T) {
	type fn struct {
		name string
		f    func(*G.Node) (*G.Node, error)
		diff bool
	}
	fns := []fn{{"abs", G.Abs, false}, {"sin", G.Sin, true}, {"cos", G.Cos, true}, {"exp", G.Exp, true},
		{"ln", G.Log, true}, {"log2", G.Log2, true}, {"neg", G.Neg, true}, {"square", G.Square, true},
		{"sqrt", G.Sqrt, true}, {"inv", G.Inverse, true}, {"invSqrt", G.InverseSqrt, true}, {"cube", G.Cube, true},
		{"tanh", G.Tanh, true}, {"sigmoid", G.Sigmoid, true}, {"log1p", G.Log1p, true}, {"expm1", G.Expm1, true},
		{"softplus", G.Softplus, true}, {"sign", G.Sign, false}, {"ceil", G.Ceil, false}, {"floor", G.Floor, false}}
	vals := append(append([]float64(nil), edgeValues...), randomValues(rand.New(rand.NewPCG(1, 2)), 37)...)
	n := len(vals)
	for _, f := range fns {
		t.Run(f.name, func(t *testing.T) {
			// The gradients of ln, sqrt, ... divide by zero at 0.
			steps, fallbacks := compareNonFinite(t, true, func(g *G.ExprGraph, rng *rand.Rand) ([]*G.Node, error) {
				x := input(g, "x", []int{n}, vals)
				y, err := f.f(x)
				if err != nil {
					return nil, err
				}
				if !f.diff {
					return []*G.Node{y}, nil
				}
				seed := input(g, "seed", []int{n}, randomValues(rng, n))
				return withGrad(y, seed, x)
			})
			assert.Positive(t, steps)
			if f.name == "sign" || f.name == "ceil" || f.name == "floor" {
				assert.Equal(t, 1, fallbacks, "%s runs through Gorgonia's Do", f.name)
			}
		})
	}
}

func TestBinaryOpsMatchGorgonia(t *testing.T) {
	type op struct {
		name string
		f    func(a, b *G.Node) (*G.Node, error)
	}
	ops := []op{{"add", G.Add}, {"sub", G.Sub}, {"mul", G.HadamardProd}, {"div", G.HadamardDiv}, {"pow", G.Pow}}
	n := len(edgeValues)
	a := append([]float64(nil), edgeValues...)
	b := make([]float64, n)
	for i := range b {
		b[i] = edgeValues[(i*7+3)%n]
	}
	for _, o := range ops {
		for _, form := range []string{"tensor-tensor", "scalar-tensor", "tensor-scalar", "scalar-scalar", "tensor-zero", "zero-zero", "one-tensor"} {
			t.Run(o.name+" "+form, func(t *testing.T) {
				steps, fallbacks := compareNonFinite(t, o.name == "div" || o.name == "pow", func(g *G.ExprGraph, rng *rand.Rand) ([]*G.Node, error) {
					sa, sb := []int{n}, []int{n}
					va, vb := a, b
					if form == "scalar-tensor" || form == "scalar-scalar" {
						sa, va = nil, []float64{1.75}
					}
					if form == "tensor-scalar" || form == "scalar-scalar" {
						sb, vb = nil, []float64{-0.5}
					}
					if form == "tensor-zero" || form == "zero-zero" {
						sb, vb = nil, []float64{math.Copysign(0, -1)}
					}
					if form == "zero-zero" {
						sa, va = nil, []float64{0}
					}
					if form == "one-tensor" { // (1)-shaped tensors
						sa, va, sb, vb = []int{1}, []float64{2.5}, []int{1}, []float64{0}
					}
					x, y := input(g, "a", sa, va), input(g, "b", sb, vb)
					z, err := o.f(x, y)
					if err != nil {
						return nil, err
					}
					size := n
					if form == "one-tensor" {
						size = 1
					}
					if form == "scalar-scalar" || form == "zero-zero" {
						return []*G.Node{z}, nil
					}
					seed := input(g, "seed", []int{size}, randomValues(rng, size))
					// Differentiate with finite operands only (NaN
					// gradients are compared too, but through every path).
					return withGrad(z, seed, x, y)
				})
				assert.Positive(t, steps)
				_ = fallbacks
			})
		}
	}
}

func TestComparisonsFallBackToDo(t *testing.T) {
	steps, fallbacks := compare(t, func(g *G.ExprGraph, rng *rand.Rand) ([]*G.Node, error) {
		x := input(g, "x", []int{6}, []float64{1, -2, 3, 0, math.NaN(), 5})
		y := input(g, "y", []int{6}, []float64{1, 2, -3, 0, 1, 6})
		gt, err := G.Gt(x, y, true)
		if err != nil {
			return nil, err
		}
		return []*G.Node{gt}, nil
	})
	assert.Equal(t, 1, steps)
	assert.Equal(t, 1, fallbacks)
}

func TestSumsMatchGorgonia(t *testing.T) {
	for _, c := range []struct {
		shape []int
		along []int
	}{{[]int{7}, nil}, {[]int{5, 4}, nil}, {[]int{5, 4}, []int{0}}, {[]int{5, 4}, []int{1}}, {[]int{1, 6}, []int{0}},
		{[]int{6, 1}, []int{1}}, {[]int{2, 3, 4}, []int{1}}, {[]int{2, 3, 4}, nil}} {
		t.Run(fmt.Sprint(c.shape, c.along), func(t *testing.T) {
			size := 1
			for _, s := range c.shape {
				size *= s
			}
			vals := randomValues(rand.New(rand.NewPCG(5, 6)), size)
			vals[0] = math.Copysign(0, -1) // a sum from the first row keeps −0
			compare(t, func(g *G.ExprGraph, rng *rand.Rand) ([]*G.Node, error) {
				x := input(g, "x", c.shape, vals)
				s, err := G.Sum(x, c.along...)
				if err != nil {
					return nil, err
				}
				if s.Shape().IsScalar() {
					grads, err := G.Grad(s, x)
					if err != nil {
						return nil, err
					}
					return []*G.Node{s, grads[0]}, nil
				}
				seed := input(g, "seed", s.Shape(), randomValues(rng, s.Shape().TotalSize()))
				return withGrad(s, seed, x)
			})
		})
	}
}

func TestMatMulMatchesGorgonia(t *testing.T) {
	for _, c := range []struct{ m, k, n int }{{1, 1, 1}, {3, 4, 5}, {17, 9, 2}, {64, 33, 20}} {
		t.Run(fmt.Sprint(c), func(t *testing.T) {
			steps, fallbacks := compare(t, func(g *G.ExprGraph, rng *rand.Rand) ([]*G.Node, error) {
				a := input(g, "a", []int{c.m, c.k}, randomValues(rng, c.m*c.k))
				b := input(g, "b", []int{c.k, c.n}, randomValues(rng, c.k*c.n))
				z, err := G.Mul(a, b)
				if err != nil {
					return nil, err
				}
				h, err := G.Tanh(z)
				if err != nil {
					return nil, err
				}
				seed := input(g, "seed", []int{c.m, c.n}, randomValues(rng, c.m*c.n))
				return withGrad(h, seed, a, b) // the gradients use transposed products
			})
			assert.Positive(t, steps)
			assert.Zero(t, fallbacks)
		})
	}
}

func TestBroadcastAndReshapeMatchGorgonia(t *testing.T) {
	steps, fallbacks := compare(t, func(g *G.ExprGraph, rng *rand.Rand) ([]*G.Node, error) {
		x := input(g, "x", []int{6, 4}, randomValues(rng, 24))
		row := input(g, "row", []int{1, 4}, randomValues(rng, 4))
		col := input(g, "col", []int{6, 1}, randomValues(rng, 6))
		a, err := G.BroadcastAdd(x, row, nil, []byte{0})
		if err != nil {
			return nil, err
		}
		if a, err = G.BroadcastHadamardProd(a, col, nil, []byte{1}); err != nil {
			return nil, err
		}
		r, err := G.Reshape(a, tensor.Shape{4, 6})
		if err != nil {
			return nil, err
		}
		if r, err = G.Exp(r); err != nil {
			return nil, err
		}
		seed := input(g, "seed", []int{4, 6}, randomValues(rng, 24))
		return withGrad(r, seed, x, row, col)
	})
	assert.Positive(t, steps)
	assert.Zero(t, fallbacks)
}

// TestUnknownOpsRunThroughDo: ops the executor has no kernel for (a slice,
// a softmax, a max) run through their own Do, with Gorgonia's bits.
func TestUnknownOpsRunThroughDo(t *testing.T) {
	steps, fallbacks := compare(t, func(g *G.ExprGraph, rng *rand.Rand) ([]*G.Node, error) {
		x := input(g, "x", []int{5, 4}, randomValues(rng, 20))
		s, err := G.Slice(x, nil, G.S(1, 3))
		if err != nil {
			return nil, err
		}
		sm, err := G.SoftMax(x)
		if err != nil {
			return nil, err
		}
		mx, err := G.Max(x, 1)
		if err != nil {
			return nil, err
		}
		seed := input(g, "seed", []int{5, 4}, randomValues(rng, 20))
		outs, err := withGrad(sm, seed, x)
		if err != nil {
			return nil, err
		}
		return append(outs, s, mx), nil
	})
	assert.Positive(t, steps)
	assert.Positive(t, fallbacks)
}

// TestRunsAgainAfterInputsChange: a second run sees new input values (the
// program reads leaves at every run).
func TestRunsAgainAfterInputsChange(t *testing.T) {
	g := G.NewGraph()
	data := []float64{1, 2, 3}
	x := G.NewTensor(g, tensor.Float64, 1, G.WithShape(3), G.WithName("x"),
		G.WithValue(tensor.New(tensor.WithShape(3), tensor.WithBacking(data))))
	y, err := G.Square(x)
	require.NoError(t, err)
	p, ok, err := New(g, []*G.Node{y})
	require.NoError(t, err)
	require.True(t, ok)
	require.NoError(t, p.Run())
	assert.Equal(t, []float64{1, 4, 9}, p.Value(y))
	data[1] = 5
	require.NoError(t, p.Run())
	assert.Equal(t, []float64{1, 25, 9}, p.Value(y))
}

// TestRefusesWhatItCannotHold: a graph above Limit, or with a value that
// is not float64, is refused, not run.
func TestRefusesWhatItCannotHold(t *testing.T) {
	g := G.NewGraph()
	x := G.NewMatrix(g, tensor.Float64, G.WithShape(1024, 1025), G.WithName("x"), G.WithInit(G.Zeroes()))
	y, err := G.Tanh(x)
	require.NoError(t, err)
	_, ok, err := New(g, []*G.Node{y})
	require.NoError(t, err)
	assert.False(t, ok, "a graph of more than Limit values")

	g = G.NewGraph()
	f := G.NewVector(g, tensor.Float32, G.WithShape(3), G.WithName("f"), G.WithInit(G.Zeroes()))
	z, err := G.Tanh(f)
	require.NoError(t, err)
	_, ok, err = New(g, []*G.Node{z})
	require.NoError(t, err)
	assert.False(t, ok, "float32 values")
}

// TestSlicesMatchGorgonia: column and row slices of a matrix run natively
// with Gorgonia's values, also under a gradient (whose slice increments
// run through Do).
func TestSlicesMatchGorgonia(t *testing.T) {
	for _, c := range []struct {
		name string
		s    []tensor.Slice
	}{
		{"column", []tensor.Slice{nil, G.S(1, 2)}},
		{"columns", []tensor.Slice{nil, G.S(1, 3)}},
		{"rows", []tensor.Slice{G.S(1, 4)}},
		{"row", []tensor.Slice{G.S(2, 3)}},
	} {
		for _, grad := range []bool{false, true} {
			t.Run(fmt.Sprintf("%s/grad%v", c.name, grad), func(t *testing.T) {
				_, fallbacks := compare(t, func(g *G.ExprGraph, rng *rand.Rand) ([]*G.Node, error) {
					a := input(g, "a", []int{5, 3}, randomValues(rng, 15))
					s, err := G.Slice(a, c.s...)
					if err != nil {
						return nil, err
					}
					h, err := G.Tanh(s)
					if err != nil {
						return nil, err
					}
					if !grad {
						return []*G.Node{h}, nil
					}
					seed := input(g, "seed", h.Shape(), randomValues(rng, h.Shape().TotalSize()))
					return withGrad(h, seed, a)
				})
				if !grad {
					assert.Zero(t, fallbacks)
				}
			})
		}
	}
}
