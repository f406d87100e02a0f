package graphrt

// Plan splits N samples into batches of at most Size rows. Graphs have a
// fixed number of rows, so the last batch may be partial: its rows are
// filled from the data and the rest padded with zero-weight copies of a
// real sample, so every sample is used exactly once per pass and none is
// dropped or counted twice.
type Plan struct {
	N    int // samples
	Size int // rows per batch (the graph's batch size)
}

// NewPlan returns the plan for n samples in batches of size, clamping size
// to n (one batch when size ≤ 0 or size ≥ n).
func NewPlan(n, size int) Plan {
	if size <= 0 || size > n {
		size = n
	}
	return Plan{N: n, Size: size}
}

// Count is the number of batches, ⌈N/Size⌉.
func (p Plan) Count() int {
	if p.Size == 0 {
		return 0
	}
	return (p.N + p.Size - 1) / p.Size
}

// Batch returns the half-open range [lo, hi) of positions in batch k. Rows
// hi-lo .. Size-1 of the graph are padding.
func (p Plan) Batch(k int) (lo, hi int) {
	lo = k * p.Size
	return lo, min(lo+p.Size, p.N)
}
