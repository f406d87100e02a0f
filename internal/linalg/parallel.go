package linalg

import (
	"context"
	"sync"
	"sync/atomic"
)

// Parallel calls f(0), …, f(n-1) on min(workers, n) goroutines that take
// indices from a shared counter; with workers ≤ 1 it runs them in order on
// the calling goroutine. Before each task it polls ctx.Done(), and once ctx
// is done no further task starts (tasks already running finish), so a cancel
// is seen within one task's time. f must make the same writes whichever
// goroutine runs it, and tasks must write disjoint memory.
func Parallel(ctx context.Context, workers, n int, f func(k int)) {
	done := ctx.Done()
	if workers <= 1 || n <= 1 {
		for k := range n {
			if cancelled(done) {
				return
			}
			f(k)
		}
		return
	}
	var next atomic.Int64
	var wg sync.WaitGroup
	for range min(workers, n) {
		wg.Go(func() {
			for {
				if cancelled(done) {
					return
				}
				k := int(next.Add(1)) - 1
				if k >= n {
					return
				}
				f(k)
			}
		})
	}
	wg.Wait()
}

// cancelled reports whether done is closed; a nil done (context.Background)
// never is.
func cancelled(done <-chan struct{}) bool {
	select {
	case <-done:
		return true
	default:
		return false
	}
}
