package golem

import (
	"fmt"
	"io"
	"os"
	"sort"
	"strings"
	"time"
)

// progress prints training progress (FitConfig.Verbose): 2 writes one
// line per epoch; 1 draws a live bar per epoch when w is a terminal and
// otherwise writes the same lines as 2. Levenberg–Marquardt runs also show
// μ, the gradient norm and the validation checks, and Bayesian
// regularization runs γ (the effective number of parameters) and the sum of
// squared weights, as MATLAB's training window does.
type progress struct {
	BaseCallback
	w     io.Writer
	live  bool
	start time.Time
}

func newProgress(w io.Writer, verbose int) *progress {
	return &progress{w: w, live: verbose == 1 && isTerminal(w)}
}

func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}

func (p *progress) OnEpochBegin(*State) error {
	p.start = time.Now()
	return nil
}

func (p *progress) OnBatchEnd(s *State) error {
	if !p.live {
		return nil
	}
	const width = 24
	done := width * s.Batch / s.Batches
	eta := time.Duration(float64(time.Since(p.start)) / float64(s.Batch) * float64(s.Batches-s.Batch))
	fmt.Fprintf(p.w, "\rEpoch %d/%d [%s%s] %d/%d ETA %s - loss: %.4g", s.Epoch, s.Config.Epochs,
		strings.Repeat("=", done), strings.Repeat(" ", width-done), s.Batch, s.Batches, eta.Round(time.Millisecond), s.Step.Loss)
	return nil
}

func (p *progress) OnEpochEnd(s *State) error {
	if p.live {
		fmt.Fprint(p.w, "\r\033[K")
	}
	_, err := fmt.Fprintln(p.w, epochLine(s, time.Since(p.start)))
	return err
}

func (p *progress) OnTrainEnd(s *State) error {
	h := s.History
	line := fmt.Sprintf("stopped: %s after %d epochs", h.Stop, h.Len())
	if h.BestEpoch > 0 {
		line += fmt.Sprintf(", best validation epoch %d", h.BestEpoch)
		if h.Restored {
			line += " (weights restored)"
		}
	}
	_, err := fmt.Fprintln(p.w, line)
	return err
}

// epochLine formats one epoch: "Epoch 3/100 - loss: 0.1234 - val_loss: ...".
func epochLine(s *State, took time.Duration) string {
	var b strings.Builder
	fmt.Fprintf(&b, "Epoch %d/%d", s.Epoch, s.Config.Epochs)
	add := func(name string) {
		if v, ok := s.Monitor(name); ok {
			fmt.Fprintf(&b, " - %s: %.6g", name, v)
		}
	}
	add("loss")
	add("val_loss")
	add("test_loss")
	names := make([]string, 0, len(s.History.Metrics))
	for name := range s.History.Metrics {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		add(name)
	}
	if mu, _ := s.Monitor("mu"); mu > 0 { // a damped (Levenberg–Marquardt) run
		h := s.History
		fmt.Fprintf(&b, " - mu: %.3g - grad: %.3g", mu, h.GradNorm[len(h.GradNorm)-1])
		if n := len(h.ValChecks); n > 0 && n == h.Len() {
			fmt.Fprintf(&b, " - val_checks: %d", h.ValChecks[n-1])
		}
	}
	if gamma, ok := s.Monitor("gamma"); ok { // Bayesian regularization
		ssw, _ := s.Monitor("ssw")
		fmt.Fprintf(&b, " - gamma: %.4g - ssw: %.4g", gamma, ssw)
	}
	fmt.Fprintf(&b, " - %s", shortDuration(took))
	return b.String()
}

// shortDuration keeps about three significant digits: 850µs, 12.3ms, 1.25s.
func shortDuration(d time.Duration) string {
	switch {
	case d < time.Millisecond:
		return d.Round(time.Microsecond).String()
	case d < time.Second:
		return d.Round(100 * time.Microsecond).String()
	}
	return d.Round(10 * time.Millisecond).String()
}
