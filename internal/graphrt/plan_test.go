package graphrt

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestPlanCoversEverySampleOnce: for many (N, size) the batches partition
// 0..N-1 in order.
func TestPlanCoversEverySampleOnce(t *testing.T) {
	for n := 1; n <= 40; n++ {
		for size := -1; size <= n+2; size++ {
			p := NewPlan(n, size)
			next := 0
			for k := 0; k < p.Count(); k++ {
				lo, hi := p.Batch(k)
				require.Equal(t, next, lo)
				require.Greater(t, hi, lo)
				require.LessOrEqual(t, hi-lo, p.Size)
				next = hi
			}
			require.Equal(t, n, next, "n=%d size=%d", n, size)
		}
	}
	assert.Equal(t, 4, NewPlan(10, 3).Count())
	assert.Equal(t, Plan{N: 10, Size: 10}, NewPlan(10, 0))
}
