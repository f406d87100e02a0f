package jac

import (
	"context"
	"fmt"
	"math"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/golem-ml/golem/internal/linalg"
)

// TestAddGramSmallMatchesPackedBits: AddGram's plain loop for small p
// gives the bits of linalg.AddATB's packed micro-kernels (which it
// replaces there), sentinels untouched, for p around the switch, padded
// strides, and rows split into several calls.
func TestAddGramSmallMatchesPackedBits(t *testing.T) {
	for _, rows := range []int{1, 3, 100, 517} {
		for p := 1; p <= gramSmallP+1; p++ {
			t.Run(fmt.Sprintf("%dx%d", rows, p), func(t *testing.T) {
				lda, ldc := p+2, p+1
				a := syrkRand(rows*lda, uint64(p))
				a[0] = math.Copysign(0, -1) // a signed zero through the products
				got, want := syrkC(p, ldc, 3), syrkC(p, ldc, 3)
				half := rows / 2
				AddGram(got, ldc, a, half, p, lda, 2)
				AddGram(got, ldc, a[half*lda:], rows-half, p, lda, 2)
				require.NoError(t, linalg.AddATB(context.Background(), true, p, p, rows, 1, a, lda, a, lda, want, ldc, 1))
				for i := range got {
					require.Equal(t, math.Float64bits(want[i]), math.Float64bits(got[i]), "element %d: %v, packed %v", i, got[i], want[i])
				}
			})
		}
	}
}
