package golem

import (
	"errors"
	"fmt"
	"math"
	"unicode/utf8"

	"github.com/golem-ml/golem/internal/lossspec"
	"github.com/golem-ml/golem/losses"
)

// lossHeader is the loss a model file records (see the format in save.go):
// a loss of package losses by its name and options (internal/lossspec), a PerOutput loss by its
// parts, or a custom loss by its name alone, marked Custom, since a file
// cannot rebuild it.
type lossHeader struct {
	Name        string `json:"name"`
	SoftTargets bool   `json:"soft_targets,omitempty"`
	Custom      bool   `json:"custom,omitempty"`
	// Outputs are a PerOutput loss's parts, in output order (Name is
	// "per_output").
	Outputs []outputLossHeader `json:"outputs,omitempty"`
}

// outputLossHeader is one part of a PerOutput loss.
type outputLossHeader struct {
	Loss   lossHeader `json:"loss"`
	Weight float64    `json:"weight"`
}

// metricHeader is a metric a model file records: by name, marked Custom
// when it is not one of package losses.
type metricHeader struct {
	Name   string `json:"name"`
	Custom bool   `json:"custom,omitempty"`
}

// perOutputName is lossHeader.Name for a PerOutput loss.
const perOutputName = "per_output"

// lossToHeader records loss (nil for none).
func lossToHeader(loss losses.Loss) *lossHeader {
	if loss == nil {
		return nil
	}
	if po, ok := loss.(*PerOutputLoss); ok {
		h := &lossHeader{Name: perOutputName}
		for _, p := range po.parts {
			h.Outputs = append(h.Outputs, outputLossHeader{Loss: *lossToHeader(p.Loss), Weight: p.Weight})
		}
		return h
	}
	if s, ok := lossspec.Of(loss); ok {
		return &lossHeader{Name: s.Name, SoftTargets: s.SoftTargets}
	}
	return &lossHeader{Name: boundedName(loss.Name()), Custom: true}
}

// metricsToHeader records the metrics.
func metricsToHeader(ms []losses.Metric) []metricHeader {
	var hs []metricHeader
	for _, mt := range ms {
		if name, ok := lossspec.MetricName(mt); ok {
			hs = append(hs, metricHeader{Name: name})
		} else {
			hs = append(hs, metricHeader{Name: boundedName(mt.Name()), Custom: true})
		}
	}
	return hs
}

// boundedName cuts a custom loss's or metric's name to maxNameBytes (at a
// character boundary), so that any name can be recorded.
func boundedName(s string) string {
	if !utf8.ValidString(s) {
		s = string([]rune(s)) // invalid bytes become U+FFFD
	}
	for len(s) > maxNameBytes {
		_, size := utf8.DecodeLastRuneInString(s)
		s = s[:len(s)-size]
	}
	return s
}

// validate checks a recorded loss's structure on its own: bounded names,
// parts only in a PerOutput loss and never nested, finite weights ≥ 0. A
// name this golem does not know is not an error here: the weights still
// load (and predict); Evaluate says why it cannot run.
func (h *lossHeader) validate(nested bool) error {
	if h == nil {
		return nil
	}
	if err := checkName("the loss's name", h.Name); err != nil {
		return err
	}
	switch {
	case h.Name == perOutputName && (nested || h.Custom || h.SoftTargets || len(h.Outputs) == 0):
		return errors.New("the loss per_output needs parts, and cannot be a part, custom or take soft targets")
	case h.Name != perOutputName && len(h.Outputs) > 0:
		return fmt.Errorf("the loss %q has parts; only per_output does", h.Name)
	}
	for i := range h.Outputs {
		p := &h.Outputs[i]
		if !(p.Weight >= 0) || math.IsInf(p.Weight, 0) {
			return fmt.Errorf("the loss of output %d has weight %v; it must be finite and ≥ 0", i+1, p.Weight)
		}
		if err := p.Loss.validate(true); err != nil {
			return fmt.Errorf("output %d: %w", i+1, err)
		}
	}
	return nil
}

// rebuild makes the recorded loss again, bound to the model's output
// widths; the error says why it cannot (a custom or unknown loss, parts
// that do not fit the outputs).
func (h *lossHeader) rebuild(widths []int) (losses.Loss, error) {
	if h == nil {
		return nil, errors.New("the file records no loss (it comes from an earlier golem, or from a model saved before Compile)")
	}
	if h.Name == perOutputName {
		parts := make([]OutputLoss, len(h.Outputs))
		for i, p := range h.Outputs {
			l, err := p.Loss.rebuild(nil)
			if err != nil {
				return nil, fmt.Errorf("output %d: %w", i+1, err)
			}
			parts[i] = OutputLoss{Loss: l, Weight: p.Weight}
		}
		po, err := PerOutput(parts...).bind(widths)
		if err != nil {
			return nil, fmt.Errorf("the file's loss %s does not fit the model: %w", h.Name, err)
		}
		return po, nil
	}
	if h.Custom {
		return nil, fmt.Errorf("the file records the custom loss %q, which a file cannot rebuild", h.Name)
	}
	built, err := lossspec.From(lossspec.Spec{Name: h.Name, SoftTargets: h.SoftTargets})
	if err != nil {
		return nil, fmt.Errorf("the file records a loss this golem cannot rebuild: %w", err)
	}
	l := built.(losses.Loss)
	if widths != nil && len(widths) != 1 {
		return nil, fmt.Errorf("the file's loss %s is for one output, the model has %d", h.Name, len(widths))
	}
	return l, nil
}

// rebuildMetrics makes the recorded metrics again.
func rebuildMetrics(hs []metricHeader) ([]losses.Metric, error) {
	var ms []losses.Metric
	for _, h := range hs {
		if h.Custom {
			return nil, fmt.Errorf("the file records the custom metric %q, which a file cannot rebuild", h.Name)
		}
		mt, err := lossspec.MetricFrom(h.Name)
		if err != nil {
			return nil, fmt.Errorf("the file records a metric this golem cannot rebuild: %w", err)
		}
		ms = append(ms, mt.(losses.Metric))
	}
	return ms, nil
}

// notCompiledError is why a model loaded without Compile cannot Evaluate;
// it is an ErrNotCompiled (errors.Is).
type notCompiledError struct{ why error }

func (e notCompiledError) Error() string {
	return fmt.Sprintf("golem: Evaluate needs the model's loss: %v; Compile the model with its loss (and metrics) first (Compile keeps the loaded weights and scalers)", e.why)
}

func (e notCompiledError) Unwrap() error { return ErrNotCompiled }

// fileLoss is what adopt gives an uncompiled model from a file: the
// rebuilt loss and metrics, or why there are none, and the file's own
// records, which Save writes back unchanged.
type fileLoss struct {
	loss    losses.Loss
	metrics []losses.Metric
	why     error
	head    *lossHeader
	heads   []metricHeader
}

// loadLoss rebuilds a file's loss and metrics for outputs of the given
// widths.
func loadLoss(h *lossHeader, ms []metricHeader, widths []int) fileLoss {
	f := fileLoss{head: h, heads: ms}
	loss, err := h.rebuild(widths)
	if err == nil {
		var metrics []losses.Metric
		if metrics, err = rebuildMetrics(ms); err == nil {
			f.loss, f.metrics = loss, metrics
			return f
		}
	}
	f.why = err
	return f
}
