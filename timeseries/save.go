package timeseries

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"

	"gonum.org/v1/gonum/mat"

	"github.com/golem-ml/golem"
)

// The net file: a line "golem-timeseries 1", a one-line JSON header (the
// configuration, open or closed loop, the channel scaling and the delay
// states), then the golem model file of the net's weights (see
// golem.Model.Save), checksummed on its own.
const (
	netMagic      = "golem-timeseries 1\n"
	maxNetHeader  = 1 << 20
	maxNetChannel = 1 << 16
)

type netHeader struct {
	Kind           string    `json:"kind"`
	InputDelays    []int     `json:"input_delays,omitempty"`
	FeedbackDelays []int     `json:"feedback_delays,omitempty"`
	LayerDelays    []int     `json:"layer_delays,omitempty"`
	Hidden         []int     `json:"hidden"`
	Activation     string    `json:"activation"`
	NoScaling      bool      `json:"no_scaling,omitempty"`
	Closed         bool      `json:"closed,omitempty"`
	Segment        int       `json:"segment,omitempty"`
	LoopSteps      int       `json:"loop_steps,omitempty"` // layer-recurrent: the unrolled length saved
	Inputs         int       `json:"inputs"`
	Outputs        int       `json:"outputs"`
	ScaleU         *scaleRec `json:"scale_u,omitempty"`
	ScaleY         *scaleRec `json:"scale_y,omitempty"`
	LastU          []float64 `json:"last_u,omitempty"` // delay states, row-major
	LastY          []float64 `json:"last_y,omitempty"`
}

type scaleRec struct {
	Offset []float64 `json:"offset"`
	Scale  []float64 `json:"scale"`
}

func kindNamed(s string) (Kind, bool) {
	for _, k := range []Kind{KindNARX, KindNAR, KindTimeDelay, KindLayerRecurrent} {
		if k.String() == s {
			return k, true
		}
	}
	return 0, false
}

// Save writes the net: configuration, loop (open or closed), channel
// scaling, delay states and weights. Load reads it back.
func (n *Net) Save(w io.Writer) error {
	model := n.cell
	if n.cfg.Kind == KindLayerRecurrent {
		model = n.loop
	}
	if model == nil || model.Params() == nil {
		return errors.New("timeseries: save: the net has no weights yet (Compile or Fit it first)")
	}
	h := netHeader{Kind: n.cfg.Kind.String(), InputDelays: n.cfg.InputDelays, FeedbackDelays: n.cfg.FeedbackDelays,
		LayerDelays: n.cfg.LayerDelays, Hidden: n.cfg.Hidden, Activation: n.cfg.Activation, NoScaling: n.cfg.NoScaling,
		Closed: n.closed, Segment: n.segment, Inputs: n.m, Outputs: n.k}
	if n.cfg.Kind == KindLayerRecurrent {
		h.LoopSteps = n.loopLen
	}
	if n.scaleU != nil {
		h.ScaleU = &scaleRec{n.scaleU.Offset, n.scaleU.Scale}
	}
	if n.scaleY != nil {
		h.ScaleY = &scaleRec{n.scaleY.Offset, n.scaleY.Scale}
	}
	if n.lastU != nil {
		h.LastU = n.lastU.RawMatrix().Data
	}
	if n.lastY != nil {
		h.LastY = n.lastY.RawMatrix().Data
	}
	head, err := json.Marshal(h)
	if err != nil {
		return fmt.Errorf("timeseries: save: %w", err)
	}
	var buf bytes.Buffer
	buf.WriteString(netMagic)
	buf.Write(head)
	buf.WriteByte('\n')
	if err := model.Save(&buf); err != nil {
		return fmt.Errorf("timeseries: save: %w", err)
	}
	_, err = w.Write(buf.Bytes())
	return err
}

// Load reads a net written by Save. The net predicts and forecasts at
// once; Compile it to train it further (its weights are kept).
func Load(r io.Reader) (*Net, error) {
	br := bufio.NewReader(r)
	magic := make([]byte, len(netMagic))
	if _, err := io.ReadFull(br, magic); err != nil || string(magic) != netMagic {
		return nil, errors.New("timeseries: load: not a golem time-series net file")
	}
	var line []byte
	for {
		frag, err := br.ReadSlice('\n')
		line = append(line, frag...)
		if len(line) > maxNetHeader {
			return nil, fmt.Errorf("timeseries: load: the header is longer than %d bytes", maxNetHeader)
		}
		if err == nil {
			break
		}
		if err != bufio.ErrBufferFull {
			return nil, fmt.Errorf("timeseries: load: reading the header: %w", err)
		}
	}
	var h netHeader
	dec := json.NewDecoder(bytes.NewReader(line))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&h); err != nil {
		return nil, fmt.Errorf("timeseries: load: bad header: %w", err)
	}
	n, err := h.net()
	if err != nil {
		return nil, fmt.Errorf("timeseries: load: %w", err)
	}
	var model *golem.Model
	if n.cfg.Kind == KindLayerRecurrent {
		model = golem.NewSequential(&loopLayer{net: n, L: h.LoopSteps})
	} else {
		model = golem.NewSequential(n.cellLayers()...)
	}
	if err := model.Load(br); err != nil {
		return nil, fmt.Errorf("timeseries: load: %w", err)
	}
	if n.cfg.Kind == KindLayerRecurrent {
		n.loop, n.loopLen = model, h.LoopSteps
	} else {
		n.cell = model
	}
	n.theta = append([]float64(nil), model.Params().Theta()...)
	return n, nil
}

// net checks the header and builds the net it describes (no weights).
func (h *netHeader) net() (*Net, error) {
	kind, ok := kindNamed(h.Kind)
	if !ok {
		return nil, fmt.Errorf("unknown kind %q", h.Kind)
	}
	n, err := New(Config{Kind: kind, InputDelays: h.InputDelays, FeedbackDelays: h.FeedbackDelays, LayerDelays: h.LayerDelays,
		Hidden: h.Hidden, Activation: h.Activation, NoScaling: h.NoScaling})
	if err != nil {
		return nil, err
	}
	switch {
	case h.Outputs <= 0 || h.Outputs > maxNetChannel || h.Inputs < 0 || h.Inputs > maxNetChannel:
		return nil, fmt.Errorf("%d inputs and %d outputs", h.Inputs, h.Outputs)
	case n.hasInput() != (h.Inputs > 0):
		return nil, fmt.Errorf("a %v net with %d input channels", kind, h.Inputs)
	case h.Segment < 0 || h.LoopSteps < 0 || (kind == KindLayerRecurrent && h.LoopSteps == 0):
		return nil, fmt.Errorf("segment %d, loop steps %d", h.Segment, h.LoopSteps)
	}
	n.m, n.k, n.closed, n.segment = h.Inputs, h.Outputs, h.Closed, h.Segment
	scale := func(what string, s *scaleRec, cols int) (*channelScale, error) {
		if s == nil {
			return nil, nil
		}
		if len(s.Offset) != cols || len(s.Scale) != cols {
			return nil, fmt.Errorf("%s scaling for %d channels, the net has %d", what, len(s.Offset), cols)
		}
		for j := range s.Offset {
			if !finite(s.Offset[j]) || !(s.Scale[j] > 0) || !finite(s.Scale[j]) {
				return nil, fmt.Errorf("%s scaling of channel %d: offset %v, scale %v", what, j, s.Offset[j], s.Scale[j])
			}
		}
		return &channelScale{Offset: s.Offset, Scale: s.Scale}, nil
	}
	if n.scaleU, err = scale("input", h.ScaleU, n.m); err != nil {
		return nil, err
	}
	if n.scaleY, err = scale("target", h.ScaleY, n.k); err != nil {
		return nil, err
	}
	states := func(what string, v []float64, cols int) (*mat.Dense, error) {
		if len(v) == 0 {
			return nil, nil
		}
		if cols == 0 || len(v)%cols != 0 || len(v)/cols != max(n.MaxDelay(), 1) {
			return nil, fmt.Errorf("%d %s delay-state values for %d steps of %d channels", len(v), what, max(n.MaxDelay(), 1), cols)
		}
		for i, x := range v {
			if !finite(x) {
				return nil, fmt.Errorf("%s delay state %d is %v", what, i, x)
			}
		}
		return mat.NewDense(len(v)/cols, cols, v), nil
	}
	if n.lastU, err = states("input", h.LastU, n.m); err != nil {
		return nil, err
	}
	if n.lastY, err = states("target", h.LastY, n.k); err != nil {
		return nil, err
	}
	return n, nil
}

func finite(x float64) bool { return !math.IsNaN(x) && !math.IsInf(x, 0) }
