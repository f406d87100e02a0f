package graph

// golem's own ops evaluate themselves on slices for the executor
// (internal/exec.SliceOp), computing exactly what their Do computes.

// DoSlices copies the input (reshapeCopy.Do is a copy).
func (op reshapeCopy) DoSlices(out []float64, in ...[]float64) bool {
	if len(in) != 1 || len(in[0]) != len(out) {
		return false
	}
	copy(out, in[0])
	return true
}

// DoSlices applies f elementwise (unaryOp.Do's loop).
func (op unaryOp) DoSlices(out []float64, in ...[]float64) bool {
	if len(in) != 1 || len(in[0]) != len(out) {
		return false
	}
	for i, x := range in[0] {
		out[i] = op.f.Eval(x)
	}
	return true
}
