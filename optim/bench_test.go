package optim

import (
	"context"
	"testing"
)

// constGradient is an objective with a fixed gradient: stepping it costs
// only the optimizer's own work.
type constGradient struct{ theta, g []float64 }

func (c *constGradient) Params() []float64      { return c.theta }
func (c *constGradient) Loss() (float64, error) { return 1, nil }
func (c *constGradient) Gradient(g []float64) (float64, error) {
	copy(g, c.g)
	return 1, nil
}

// BenchmarkAdamUpdate101770 is the optimizer's share of an Adam step on
// the 784-128-10 network's 101,770 parameters (the gradient is a copy):
// the update, the finiteness checks and the saved state.
func BenchmarkAdamUpdate101770(b *testing.B) {
	const n = 101770
	obj := &constGradient{theta: make([]float64, n), g: make([]float64, n)}
	for i := range obj.g {
		obj.g[i] = float64(i%7) - 3
	}
	opt := Adam(AdamConfig{})
	ctx := context.Background()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := opt.Step(ctx, obj); err != nil {
			b.Fatal(err)
		}
	}
}
