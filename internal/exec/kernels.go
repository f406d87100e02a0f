package exec

import (
	"errors"
	"fmt"
	"math"
	"reflect"
	"strings"

	"gonum.org/v1/gonum/blas"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

const gorgonia = "gorgonia.org/gorgonia"

// choose picks the kernel of node n with children ch: a native one when
// the op is recognised with shapes it handles, otherwise the op's own Do.
func (p *Program) choose(n *G.Node, ch []*G.Node) (kernel, bool) {
	op := n.Op()
	if k := p.native(n, op, ch); k != nil {
		return k, false
	}
	return doOp, true
}

// native returns the slice kernel of a recognised op, or nil.
func (p *Program) native(n *G.Node, op G.Op, ch []*G.Node) kernel {
	if so, ok := op.(SliceOp); ok {
		in := make([][]float64, len(ch))
		return func(p *Program, s *step) error {
			for i, c := range s.in {
				in[i] = p.vals[c]
			}
			if !so.DoSlices(p.vals[s.node], in...) {
				return doOp(p, s)
			}
			return nil
		}
	}
	pkg, name := opType(op)
	if pkg != gorgonia {
		return nil
	}
	size := p.sizes[p.index[n.ID()]]
	switch name {
	case "elemBinOp":
		if len(ch) != 2 {
			return nil
		}
		return binary(binarySymbol(op), size, p.sizeOf(ch[0]), p.sizeOf(ch[1]), p.shapeOf(ch[0]).IsScalar(), p.shapeOf(ch[1]).IsScalar())
	case "elemUnaryOp":
		if len(ch) != 1 || p.sizeOf(ch[0]) != size {
			return nil
		}
		return unary(op.String())
	case "reshapeOp":
		if len(ch) != 1 || p.sizeOf(ch[0]) != size {
			return nil
		}
		return copyKernel
	case "sizeOp":
		return sizeKernel(p, op, ch)
	case "repeatOp":
		return repeatKernel(p, op, n, ch)
	case "sumOp":
		return sumKernel(p, op, n, ch)
	case "linAlgBinOp":
		return matMulKernel(p, op, n, ch)
	case "sliceOp":
		return sliceKernel(p, op, n, ch)
	}
	return nil
}

// binarySymbol is an elemBinOp's operator ("+", "-", "⊙", "÷", "^", or a
// comparison), read from its type byte (ʘBinOpStrs' order), or from its
// String when the layout is not the expected one.
func binarySymbol(op G.Op) string {
	if f, ok := field(op, "ʘBinaryOperator"); ok && f.Kind() == reflect.Interface && !f.IsNil() {
		v := f.Elem()
		if v.Kind() == reflect.Struct {
			v = v.FieldByName("ʘBinaryOperatorType")
		}
		if v.IsValid() && v.Kind() == reflect.Uint8 {
			if t := v.Uint(); t < uint64(len(binarySymbols)) {
				return binarySymbols[t]
			}
			return ""
		}
	}
	sym, _, _ := strings.Cut(op.String(), " ")
	return sym
}

// binarySymbols are Gorgonia v0.9.18's arithmetic operators by type byte.
var binarySymbols = []string{"+", "-", "⊙", "÷", "^"}

// sizeOf is the number of values of a node the program holds.
func (p *Program) sizeOf(n *G.Node) int {
	if p.shapeOf(n).IsScalar() {
		return 1
	}
	return p.shapeOf(n).TotalSize()
}

func copyKernel(p *Program, s *step) error {
	copy(p.vals[s.node], p.vals[s.in[0]])
	return nil
}

// binary is an elementwise arithmetic op on operands of the output's size
// or Gorgonia scalars (broadcast), as tensor's kernels compute it.
func binary(sym string, size, sa, sb int, scalarA, scalarB bool) kernel {
	var f func(a, b float64) float64
	switch sym {
	case "+":
		f = func(a, b float64) float64 { return a + b }
	case "-":
		f = func(a, b float64) float64 { return a - b }
	case "⊙":
		f = func(a, b float64) float64 { return a * b }
	case "÷":
		f = func(a, b float64) float64 { return a / b }
	case "^":
		f = math.Pow
	default:
		return nil // comparisons: through Do
	}
	okA := sa == size || (scalarA && sa == 1)
	okB := sb == size || (scalarB && sb == 1)
	if !okA || !okB {
		return nil
	}
	if sym == "÷" && !(scalarA && scalarB) && !(scalarB && !scalarA) {
		// Tensor ÷ tensor runs through vecf64.Div, and scalar ÷ tensor
		// fills a tensor with the scalar first: both give +Inf wherever
		// the divisor is zero (±0), not IEEE's ±Inf or NaN. Tensor ÷
		// scalar and scalar ÷ scalar divide plainly.
		if scalarA {
			return func(p *Program, s *step) error {
				out, a, b := p.vals[s.node], p.vals[s.in[0]][0], p.vals[s.in[1]]
				for i := range out {
					out[i] = divVec(a, b[i])
				}
				return nil
			}
		}
		return func(p *Program, s *step) error {
			out, a, b := p.vals[s.node], p.vals[s.in[0]], p.vals[s.in[1]]
			for i := range out {
				out[i] = divVec(a[i], b[i])
			}
			return nil
		}
	}
	switch {
	case sa == size && sb == size:
		switch sym { // the common ones without a call per value
		case "+":
			return func(p *Program, s *step) error {
				out, a, b := p.vals[s.node], p.vals[s.in[0]], p.vals[s.in[1]]
				for i := range out {
					out[i] = a[i] + b[i]
				}
				return nil
			}
		case "-":
			return func(p *Program, s *step) error {
				out, a, b := p.vals[s.node], p.vals[s.in[0]], p.vals[s.in[1]]
				for i := range out {
					out[i] = a[i] - b[i]
				}
				return nil
			}
		case "⊙":
			return func(p *Program, s *step) error {
				out, a, b := p.vals[s.node], p.vals[s.in[0]], p.vals[s.in[1]]
				for i := range out {
					out[i] = a[i] * b[i]
				}
				return nil
			}
		}
		return func(p *Program, s *step) error {
			out, a, b := p.vals[s.node], p.vals[s.in[0]], p.vals[s.in[1]]
			for i := range out {
				out[i] = f(a[i], b[i])
			}
			return nil
		}
	case sa == size:
		return func(p *Program, s *step) error {
			out, a, b := p.vals[s.node], p.vals[s.in[0]], p.vals[s.in[1]][0]
			for i := range out {
				out[i] = f(a[i], b)
			}
			return nil
		}
	case sb == size:
		return func(p *Program, s *step) error {
			out, a, b := p.vals[s.node], p.vals[s.in[0]][0], p.vals[s.in[1]]
			for i := range out {
				out[i] = f(a, b[i])
			}
			return nil
		}
	}
	return nil
}

// divVec is vecf64.Div's division (Gorgonia's tensor ÷ tensor).
func divVec(a, b float64) float64 {
	if b == 0 {
		return math.Inf(0)
	}
	return a / b
}

// unary is an elementwise function as Gorgonia v0.9.18 computes it on
// float64 tensors (tensor's engine kernels, or Gorgonia's scalar function
// where the engine has none; Gorgonia built without the fastmath tag).
func unary(name string) kernel {
	var f func(float64) float64
	switch name {
	case "abs":
		f = math.Abs
	case "sin":
		f = math.Sin
	case "cos":
		f = math.Cos
	case "exp":
		f = math.Exp
	case "ln":
		f = math.Log
	case "log2":
		f = math.Log2
	case "neg":
		f = func(x float64) float64 { return -x }
	case "square":
		f = func(x float64) float64 { return x * x }
	case "sqrt":
		f = math.Sqrt
	case "inv":
		f = func(x float64) float64 { return 1 / x }
	case "invSqrt":
		f = func(x float64) float64 { return float64(1) / math.Sqrt(x) }
	case "cube":
		f = func(x float64) float64 { return x * x * x }
	case "tanh":
		f = math.Tanh
	case "sigmoid":
		f = func(x float64) float64 {
			if x < -709 {
				return 0
			}
			if x > 19 {
				return 1
			}
			return 1.0 / (1.0 + math.Exp(-x))
		}
	case "log1p":
		f = math.Log1p
	case "expm1":
		f = math.Expm1
	case "softplus":
		f = func(x float64) float64 {
			if x < -708 {
				return 0
			}
			if x > 16 {
				return x
			}
			return math.Log1p(math.Exp(x))
		}
	default:
		return nil // sign, ceil, floor and anything else: through Do
	}
	return func(p *Program, s *step) error {
		out, a := p.vals[s.node], p.vals[s.in[0]]
		for i := range out {
			out[i] = f(a[i])
		}
		return nil
	}
}

// sizeKernel is SizeOf: the child's length along an axis, as a scalar.
func sizeKernel(p *Program, op G.Op, ch []*G.Node) kernel {
	f, ok := field(op, "axis")
	if !ok || len(ch) != 1 {
		return nil
	}
	axis := int(f.Int())
	v := 1.0
	if !p.shapeOf(ch[0]).IsScalar() {
		sh := p.shapeOf(ch[0])
		if axis < 0 || axis >= len(sh) {
			return nil
		}
		v = float64(sh[axis])
	}
	return func(p *Program, s *step) error {
		p.vals[s.node][0] = v
		return nil
	}
}

// repeatKernel is Repeat along an axis where the input has length 1 (or is
// a scalar): a broadcast. The repeat count comes from the output's shape,
// checked against the count input at each run.
func repeatKernel(p *Program, op G.Op, n *G.Node, ch []*G.Node) kernel {
	f, ok := field(op, "along")
	if !ok || len(ch) != 2 || !p.shapeOf(ch[1]).IsScalar() {
		return nil
	}
	along := int(f.Int())
	out, in := p.shapeOf(n), p.shapeOf(ch[0])
	if in.IsScalar() || in.TotalSize() == 1 {
		if in.TotalSize() != 1 && !in.IsScalar() {
			return nil
		}
		reps := out.TotalSize()
		if out.IsScalar() {
			reps = 1
		}
		return func(p *Program, s *step) error {
			if int(p.vals[s.in[1]][0]) != reps && len(out) == 1 {
				return errors.New("repeat count differs from the output's shape")
			}
			v, dst := p.vals[s.in[0]][0], p.vals[s.node]
			for i := range dst {
				dst[i] = v
			}
			return nil
		}
	}
	if len(in) != len(out) || along < 0 || along >= len(out) || in[along] != 1 {
		return nil
	}
	for i := range in {
		if i != along && in[i] != out[i] {
			return nil
		}
	}
	reps := out[along]
	outer, inner := 1, 1
	for i := 0; i < along; i++ {
		outer *= out[i]
	}
	for i := along + 1; i < len(out); i++ {
		inner *= out[i]
	}
	return func(p *Program, s *step) error {
		if int(p.vals[s.in[1]][0]) != reps {
			return errors.New("repeat count differs from the output's shape")
		}
		src, dst := p.vals[s.in[0]], p.vals[s.node]
		for o := 0; o < outer; o++ {
			row := src[o*inner : (o+1)*inner]
			for r := 0; r < reps; r++ {
				copy(dst[(o*reps+r)*inner:], row)
			}
		}
		return nil
	}
}

// sumKernel is Σ over every axis (in flat order from 0, as tensor's
// monotonic sum), over the first axis of a matrix (from the first row, as
// tensor's ReduceFirst) or over its last axis (each row from 0, as
// ReduceLast).
func sumKernel(p *Program, op G.Op, n *G.Node, ch []*G.Node) kernel {
	f, ok := field(op, "along")
	if !ok || len(ch) != 1 || p.shapeOf(ch[0]).IsScalar() {
		return nil
	}
	var along []int
	for i := 0; i < f.Len(); i++ {
		along = append(along, int(f.Index(i).Int()))
	}
	in := p.shapeOf(ch[0])
	all := len(along) == 0
	if len(along) == len(in) {
		all = true
		for i, a := range along {
			if a != i {
				all = false
			}
		}
	}
	if all {
		if !p.shapeOf(n).IsScalar() {
			return nil
		}
		return func(p *Program, s *step) error {
			var sum float64
			for _, v := range p.vals[s.in[0]] {
				sum += v
			}
			p.vals[s.node][0] = sum
			return nil
		}
	}
	if len(in) != 2 || len(along) != 1 || p.shapeOf(n).TotalSize() != in[1-along[0]] {
		return nil
	}
	rows, cols := in[0], in[1]
	if along[0] == 0 {
		return func(p *Program, s *step) error {
			a, out := p.vals[s.in[0]], p.vals[s.node]
			copy(out, a[:cols])
			for i := 1; i < rows; i++ {
				row := a[i*cols : (i+1)*cols]
				for j, v := range row {
					out[j] += v
				}
			}
			return nil
		}
	}
	return func(p *Program, s *step) error {
		a, out := p.vals[s.in[0]], p.vals[s.node]
		for i := range out {
			var sum float64
			for _, v := range a[i*cols : (i+1)*cols] {
				sum += v
			}
			out[i] = sum
		}
		return nil
	}
}

// matMulKernel is the matrix product of two matrices (either transposed),
// through the BLAS Dgemm call tensor's engine makes.
func matMulKernel(p *Program, op G.Op, n *G.Node, ch []*G.Node) kernel {
	kind, ok1 := field(op, "āBinaryOperator")
	ta, ok2 := field(op, "transA")
	tb, ok3 := field(op, "transB")
	if !ok1 || !ok2 || !ok3 || kind.Uint() != 0 || len(ch) != 2 { // 0: matMulOperator
		return nil
	}
	as, bs, cs := p.shapeOf(ch[0]), p.shapeOf(ch[1]), p.shapeOf(n)
	if len(as) != 2 || len(bs) != 2 || len(cs) != 2 {
		return nil
	}
	transA, transB := ta.Bool(), tb.Bool()
	m, k := as[0], as[1]
	if transA {
		m, k = k, m
	}
	k2, nn := bs[0], bs[1]
	if transB {
		k2, nn = nn, k2
	}
	if k != k2 || cs[0] != m || cs[1] != nn {
		return nil
	}
	tA, tB := blas.NoTrans, blas.NoTrans
	lda, ldb := k, nn
	if transA {
		tA, lda = blas.Trans, m
	}
	if transB {
		tB, ldb = blas.Trans, k
	}
	impl := tensor.WhichBLAS()
	return func(p *Program, s *step) error {
		impl.Dgemm(tA, tB, m, nn, k, 1, p.vals[s.in[0]], lda, p.vals[s.in[1]], ldb, 0, p.vals[s.node], nn)
		return nil
	}
}

// sliceKernel is a slice of a matrix along one axis with step 1 (or the
// whole matrix), copied as sliceOp's Do materializes it: rows [s, e) of
// the matrix, or columns [s, e) of every row. (A single index, S(j, j+1),
// carries step 0; a wider range must have step 1.)
func sliceKernel(p *Program, op G.Op, n *G.Node, ch []*G.Node) kernel {
	sl, ok := op.(interface{ IsSlice() tensor.Slice })
	f, ok2 := field(op, "along")
	if !ok || !ok2 || len(ch) != 1 {
		return nil
	}
	in := p.shapeOf(ch[0])
	if len(in) != 2 {
		return nil
	}
	rows, cols := in[0], in[1]
	size := p.sizeOf(n)
	s := sl.IsSlice()
	if s == nil {
		if size != rows*cols {
			return nil
		}
		return copyKernel
	}
	along := int(f.Int())
	lo, hi := s.Start(), s.End()
	if !(s.Step() == 1 || s.Step() == 0 && hi == lo+1) || along < 0 || along > 1 || lo < 0 || hi <= lo || hi > in[along] {
		return nil
	}
	if along == 0 {
		if size != (hi-lo)*cols {
			return nil
		}
		return func(p *Program, st *step) error {
			copy(p.vals[st.node], p.vals[st.in[0]][lo*cols:hi*cols])
			return nil
		}
	}
	w := hi - lo
	if size != rows*w {
		return nil
	}
	return func(p *Program, st *step) error {
		src, dst := p.vals[st.in[0]], p.vals[st.node]
		for i := 0; i < rows; i++ {
			copy(dst[i*w:(i+1)*w], src[i*cols+lo:i*cols+hi])
		}
		return nil
	}
}

// doOp runs the op through its own Do on fresh tensors holding copies of
// its inputs (an op may keep or reshape what it is given), and copies the
// result into the node's buffer.
func doOp(p *Program, s *step) error {
	n := p.nodes[s.node]
	in := make([]G.Value, len(s.in))
	for i, c := range s.in {
		if p.scalar[c] {
			in[i] = G.NewF64(p.vals[c][0])
			continue
		}
		in[i] = tensor.New(tensor.WithShape(p.nodes[c].Shape().Clone()...), tensor.WithBacking(append([]float64(nil), p.vals[c]...)))
	}
	var v G.Value
	err := catch(func() error {
		var err error
		v, err = n.Op().Do(in...)
		return err
	})
	if err != nil {
		return err
	}
	out := p.vals[s.node]
	switch t := v.(type) {
	case *G.F64:
		if len(out) != 1 {
			return fmt.Errorf("a scalar result for %d values", len(out))
		}
		out[0] = float64(*t)
		return nil
	case *tensor.Dense:
		if t.IsView() {
			t = t.Materialize().(*tensor.Dense)
		}
		switch d := t.Data().(type) {
		case []float64:
			if len(d) != len(out) {
				return fmt.Errorf("%d values, want %d", len(d), len(out))
			}
			copy(out, d)
			return nil
		case float64:
			if len(out) != 1 {
				return fmt.Errorf("a scalar result for %d values", len(out))
			}
			out[0] = d
			return nil
		}
	}
	return fmt.Errorf("unsupported result %T", v)
}

// catch turns a panic in an op into an error.
func catch(f func() error) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("panic: %v", r)
		}
	}()
	return f()
}
