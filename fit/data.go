package fit

import "gonum.org/v1/gonum/mat"

// Data returns copies of the points the Result was fitted to: x (N ×
// inputs), y, and the σ given in Options.Sigma (nil when none was). The
// plots package draws them.
func (r *Result) Data() (x *mat.Dense, y, sigma []float64) {
	d := r.pr.d
	x = mat.NewDense(d.n, d.inputs, append([]float64(nil), d.x...))
	y = make([]float64, d.n)
	for i := range y {
		y[i] = d.y[2*i]
	}
	return x, y, append([]float64(nil), d.sigma...)
}
