package linalg

import (
	"testing"
	"time"
)

// rate measures a benchmark's flop rate two ways: per wall-clock second
// (GF/s, what a user waits for) and per CPU second of the process
// (GF/cpu-s, steadier on a shared machine, and for one goroutine the
// per-core rate).
type rate struct {
	wall time.Time
	cpu  time.Duration
}

func startRate(b *testing.B) rate {
	b.ResetTimer()
	return rate{time.Now(), processCPU()}
}

// report adds both metrics for flops per op; it excludes nothing the timer
// excluded, so it is for loops that never stop the timer.
func (r rate) report(b *testing.B, flops float64) {
	total := flops * float64(b.N) / 1e9
	b.ReportMetric(total/b.Elapsed().Seconds(), "GF/s")
	if cpu := processCPU() - r.cpu; cpu > 0 {
		b.ReportMetric(total/cpu.Seconds(), "GF/cpu-s")
	}
}
