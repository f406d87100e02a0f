package golem

import (
	"encoding/csv"
	"fmt"
	"io"
	"sort"
	"strconv"
)

// CSVLogger writes one CSV row per epoch to w: epoch, loss, val_loss,
// test_loss, each metric (sorted by name), mu, grad_norm and seconds since
// Fit began. Columns a Fit does not record are left empty.
func CSVLogger(w io.Writer) Callback { return &csvLogger{w: csv.NewWriter(w)} }

type csvLogger struct {
	BaseCallback
	w       *csv.Writer
	metrics []string
	started bool
}

func (c *csvLogger) OnTrainBegin(*State) error {
	c.started = false
	return nil
}

// header is written after the first epoch, once every metric key exists.
func (c *csvLogger) header(s *State) {
	c.metrics = c.metrics[:0]
	for name := range s.History.Metrics {
		c.metrics = append(c.metrics, name)
	}
	sort.Strings(c.metrics)
	header := append([]string{"epoch", "loss", "val_loss", "test_loss"}, c.metrics...)
	c.w.Write(append(header, "mu", "grad_norm", "seconds"))
	c.started = true
}

func (c *csvLogger) OnEpochEnd(s *State) error {
	if !c.started {
		c.header(s)
	}
	field := func(name string) string {
		if v, ok := s.Monitor(name); ok {
			return strconv.FormatFloat(v, 'g', -1, 64)
		}
		return ""
	}
	row := []string{strconv.Itoa(s.Epoch), field("loss"), field("val_loss"), field("test_loss")}
	for _, m := range c.metrics {
		row = append(row, field(m))
	}
	h := s.History
	row = append(row, field("mu"), field("grad_norm"), fmt.Sprintf("%.3f", h.Time[len(h.Time)-1].Seconds()))
	c.w.Write(row)
	c.w.Flush()
	return c.w.Error()
}
