package golem

import (
	"context"
	"fmt"
	"math"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"gonum.org/v1/gonum/mat"

	"github.com/golem-ml/golem/layers"
	"github.com/golem-ml/golem/losses"
	"github.com/golem-ml/golem/optim"
)

// heapProbe measures the heap LM adds during training: at train begin it
// collects garbage and records the live heap (the data, the model and its
// graphs are in it), then samples HeapInuse every millisecond until train
// end; peak is the largest sample above that baseline. allocs is
// TotalAlloc over the same span, per step.
type heapProbe struct {
	BaseCallback
	base, peak atomic.Uint64
	total      uint64
	liveBase   uint64 // HeapAlloc after GC at train begin
	live       uint64 // largest HeapAlloc after GC at a step's end, above liveBase
	steps      int
	stop       chan struct{}
	wg         sync.WaitGroup
}

func (p *heapProbe) OnTrainBegin(*State) error {
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	p.base.Store(ms.HeapInuse)
	p.liveBase = ms.HeapAlloc
	p.total = ms.TotalAlloc
	p.stop = make(chan struct{})
	p.wg.Add(1)
	go func() {
		defer p.wg.Done()
		tick := time.NewTicker(time.Millisecond)
		defer tick.Stop()
		for {
			select {
			case <-p.stop:
				return
			case <-tick.C:
				var ms runtime.MemStats
				runtime.ReadMemStats(&ms)
				if ms.HeapInuse > p.base.Load() && ms.HeapInuse-p.base.Load() > p.peak.Load() {
					p.peak.Store(ms.HeapInuse - p.base.Load())
				}
			}
		}
	}()
	return nil
}

// OnBatchEnd records the live heap the steps so far have added: what LM,
// the objective and the Jacobian engine keep between steps.
func (p *heapProbe) OnBatchEnd(*State) error {
	p.steps++
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	if ms.HeapAlloc > p.liveBase {
		p.live = max(p.live, ms.HeapAlloc-p.liveBase)
	}
	return nil
}

func (p *heapProbe) OnTrainEnd(*State) error {
	close(p.stop)
	p.wg.Wait()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	p.total = ms.TotalAlloc - p.total
	return nil
}

// BenchmarkLMMemory reports the heap an LM Fit of a 1-10-1 tanh network
// adds on top of its data during training, at N = 1e5 and 1e6:
//
//   - live-added-MB: the live heap (after a GC) at the end of each step
//     above the live heap at train begin, which already holds x, y and the
//     model: what LM, the objective and the Jacobian engine keep. This is
//     the O(P² + chunk·P) target, within 1.5× across N.
//   - peak-added-MB: the sampled peak of HeapInuse above train begin. It
//     includes garbage the collector has not yet reclaimed, whose amount
//     the GC paces to the live heap, data included, so it grows with N.
//   - alloc-MB/step: bytes allocated per LM iteration. Gorgonia's tape
//     machine allocates fresh tensors on every run, so this is O(N) of
//     short-lived garbage (every chunk of every pass), not retained memory.
//
// Run with go test -run X -bench LMMemory -benchtime 1x.
func BenchmarkLMMemory(b *testing.B) {
	for _, n := range []int{100_000, 1_000_000} {
		b.Run(fmt.Sprintf("N=%d", n), func(b *testing.B) {
			x, y := mat.NewDense(n, 1, nil), mat.NewDense(n, 1, nil)
			for i := 0; i < n; i++ {
				v := -1 + 2*float64(i)/float64(n-1)
				x.Set(i, 0, v)
				y.Set(i, 0, math.Sin(math.Pi*v))
			}
			var peak, live, perStep float64
			for i := 0; i < b.N; i++ {
				m := NewSequential(layers.Dense(10, layers.Tanh, layers.NguyenWidrow(-2, 2)), layers.Dense(1))
				if err := m.Compile(Input(1), losses.MSE(), optim.LM(optim.LMConfig{})); err != nil {
					b.Fatal(err)
				}
				probe := &heapProbe{}
				if _, err := m.Fit(context.Background(), x, y, FitConfig{Epochs: 3, Callbacks: []Callback{probe}}); err != nil {
					b.Fatal(err)
				}
				peak = math.Max(peak, float64(probe.peak.Load())/1e6)
				live = math.Max(live, float64(probe.live)/1e6)
				perStep = math.Max(perStep, float64(probe.total)/1e6/float64(max(probe.steps, 1)))
			}
			b.ReportMetric(peak, "peak-added-MB")
			b.ReportMetric(live, "live-added-MB")
			b.ReportMetric(perStep, "alloc-MB/step")
		})
	}
}
