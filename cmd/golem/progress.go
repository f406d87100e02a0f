package main

import (
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/golem-ml/golem"
)

// progressBar draws training progress on a terminal: one line, redrawn
// after every epoch, with a bar over the most epochs, the losses, the
// validation checks against max_fail and, for Levenberg–Marquardt, μ (as
// MATLAB's training window shows them). Off a terminal, golem's own
// one-line-per-epoch output (FitConfig.Verbose 2) is used instead.
type progressBar struct {
	golem.BaseCallback
	w       io.Writer
	maxFail int
	start   time.Time
}

const barWidth = 30

// OnTrainBegin starts the clock.
func (p *progressBar) OnTrainBegin(*golem.State) error {
	p.start = time.Now()
	return nil
}

// OnEpochEnd redraws the line.
func (p *progressBar) OnEpochEnd(s *golem.State) error {
	total := max(s.Config.Epochs, 1)
	done := min(barWidth*s.Epoch/total, barWidth)
	var b strings.Builder
	fmt.Fprintf(&b, "\r\033[Kepoch %d/%d [%s%s]", s.Epoch, total, strings.Repeat("=", done), strings.Repeat(" ", barWidth-done))
	if v, ok := s.Monitor("loss"); ok {
		fmt.Fprintf(&b, " loss %.4g", v)
	}
	if v, ok := s.Monitor("val_loss"); ok {
		fmt.Fprintf(&b, " val %.4g", v)
	}
	if h := s.History; len(h.ValChecks) > 0 {
		fmt.Fprintf(&b, " checks %d/%d", h.ValChecks[len(h.ValChecks)-1], p.maxFail)
	}
	if v, ok := s.Monitor("mu"); ok && v > 0 {
		fmt.Fprintf(&b, " mu %.2g", v)
	}
	if v, ok := s.Monitor("gamma"); ok {
		fmt.Fprintf(&b, " gamma %.4g", v)
	}
	fmt.Fprintf(&b, " %s", time.Since(p.start).Round(10*time.Millisecond))
	_, err := io.WriteString(p.w, b.String())
	return err
}

// OnTrainEnd ends the line with the stop reason.
func (p *progressBar) OnTrainEnd(s *golem.State) error {
	_, err := fmt.Fprintf(p.w, "\nstopped: %s after %d epochs\n", s.History.Stop, s.History.Len())
	return err
}
