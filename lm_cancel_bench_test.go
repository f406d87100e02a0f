package golem

import (
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"sync/atomic"
	"testing"
	"time"

	"gonum.org/v1/gonum/mat"

	"github.com/golem-ml/golem/layers"
	"github.com/golem-ml/golem/losses"
	"github.com/golem-ml/golem/optim"
)

// BenchmarkLMCancelLatencyP4801 cancels an LM Fit of an 8-64-64-1 network
// (P = 4,801) at several moments of its first iterations (forming JᵀJ,
// factoring, trying steps) and reports how long Fit took to return after
// the cancel: the median and the worst over the moments. N = 2,000 takes
// the underdetermined solver, N = 5,000 the Cholesky one. Issue 11 asks
// for under 0.5 s.
func BenchmarkLMCancelLatencyP4801(b *testing.B) {
	for _, c := range []struct {
		n      int
		delays []time.Duration
	}{
		{2000, []time.Duration{200 * time.Millisecond, 700 * time.Millisecond, 1500 * time.Millisecond, 2500 * time.Millisecond, 4 * time.Second}},
		{5000, []time.Duration{300 * time.Millisecond, 1500 * time.Millisecond, 3 * time.Second, 3900 * time.Millisecond, 4400 * time.Millisecond, 5 * time.Second}},
	} {
		b.Run(fmt.Sprintf("N=%d", c.n), func(b *testing.B) { benchmarkCancel(b, c.n, c.delays) })
	}
}

func benchmarkCancel(b *testing.B, n int, delays []time.Duration) {
	rng := rand.New(rand.NewPCG(1, 2))
	x, y := mat.NewDense(n, 8, nil), mat.NewDense(n, 1, nil)
	for i := 0; i < n; i++ {
		s := 0.0
		for j := 0; j < 8; j++ {
			v := rng.Float64()*2 - 1
			x.Set(i, j, v)
			s += v * float64(j+1)
		}
		y.Set(i, 0, s/10+0.1*rng.NormFloat64())
	}
	m := NewSequential(layers.Dense(64, layers.Tanh), layers.Dense(64, layers.Tanh), layers.Dense(1))
	if err := m.Compile(Input(8), losses.MSE(), optim.LM(optim.LMConfig{})); err != nil {
		b.Fatal(err)
	}
	if p := m.Params().Len(); p != 4801 {
		b.Fatalf("P = %d", p)
	}
	var latencies []float64
	b.ResetTimer()
	for range b.N {
		for _, d := range delays {
			ctx, cancel := context.WithCancel(context.Background())
			var at atomic.Int64 // when the cancel happened, in Unix ns
			timer := time.AfterFunc(d, func() { at.Store(time.Now().UnixNano()); cancel() })
			_, err := m.Fit(ctx, x, y, FitConfig{Epochs: 3})
			returned := time.Now()
			timer.Stop()
			cancel()
			if err == nil || at.Load() == 0 {
				continue // finished before the cancel
			}
			cancelled := time.Unix(0, at.Load())
			latencies = append(latencies, returned.Sub(cancelled).Seconds()*1000)
			b.Logf("cancel at %v: returned after %.0f ms", d, latencies[len(latencies)-1])
		}
	}
	if len(latencies) == 0 {
		b.Fatal("no Fit was cancelled")
	}
	slices.Sort(latencies)
	b.ReportMetric(latencies[len(latencies)/2], "median-ms")
	b.ReportMetric(latencies[len(latencies)-1], "max-ms")
}
