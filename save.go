package golem

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"hash"
	"hash/crc32"
	"io"
	"math"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/golem-ml/golem/layers"
)

// The model file format, version 2 (what Save writes):
//
//	line 1   "golem-weights 2\n"
//	line 2   a JSON header (one line, at most maxHeaderBytes, exactly as
//	         Save writes it): the input shape, each layer's name, kind and
//	         description, each parameter's name and shape in θ order, the
//	         total count P, the fitted input/target scalers, a functional
//	         model's graph (its inputs, each layer call and what it takes,
//	         the outputs), and the layers' state tensors (BatchNormalization's
//	         moving statistics) with their total count S, and the loss
//	         and metrics the model was compiled with (see below)
//	P × 8    θ as little-endian IEEE-754 float64
//	S × 8    the state values, likewise (none for most models)
//	4        CRC-32 (IEEE) of every byte before it (lines 1 and 2 with
//	         their newlines, θ and the state), little-endian
//
// and nothing after it. The loss and metrics (the header's "loss" and
// "metrics", absent in files of earlier golems and of models saved before
// Compile) are recorded by name: a loss of package losses by its
// name and options, a PerOutput loss by its parts and weights, a custom loss or
// metric by its name and "custom": true. Loading a file into an uncompiled
// model gives it the loss and metrics back, so Evaluate works after Load;
// a custom one cannot be rebuilt, and Evaluate then says so. A compiled
// model keeps its own loss and metrics. Version 1 (golem before this change) has the same
// layout, but its CRC covers only θ, so a change to its header cannot be
// detected; Load still reads it, with all the checks below. Loading a
// version 1 file and saving it again converts it.
//
// Load checks the file before it touches the model: every size in the
// header against the bounds below and against the bytes actually present
// (nothing is allocated from a size before the bytes are read, so Load
// allocates at most a constant times the file's length), the checksum,
// that no bytes follow it, that every weight is finite, and that every
// scaler is valid (finite offsets, finite positive scales). Only then is
// the file matched against the model. The CRC detects corruption, not a
// deliberate edit with a recomputed checksum.
const (
	weightsMagic   = "golem-weights"
	weightsVersion = 2 // the version Save writes; Load reads 1 and 2

	maxFormatLine  = 32       // bytes of line 1
	maxHeaderBytes = 64 << 20 // bytes of line 2
	maxDims        = 8        // dimensions of the input or of a parameter
	maxInputSize   = 1 << 30  // scalars per input sample
	maxCount       = 1 << 32  // weights P
	maxNameBytes   = 4096     // a layer's name, kind or description, a parameter's name
)

type weightsHeader struct {
	Input   []int         `json:"input"`
	Layers  []layerHeader `json:"layers"`
	Params  []paramHeader `json:"params"`
	Count   int           `json:"count"`
	Inputs  *scalerHeader `json:"input_scaling,omitempty"`
	Targets *scalerHeader `json:"target_scaling,omitempty"`
	// A functional model's graph (absent for Sequential): each input's
	// sample shape, each layer call in evaluation order, and the call
	// giving each output.
	Graph *graphHeader `json:"graph,omitempty"`
	// The layers' non-trainable state (BatchNormalization's moving
	// statistics), written after θ: each tensor's name and shape, and the
	// total count S.
	State      []paramHeader `json:"state,omitempty"`
	StateCount int           `json:"state_count,omitempty"`
	// The loss and metrics the model was compiled with (absent in older
	// files); see lossHeader.
	Loss    *lossHeader    `json:"loss,omitempty"`
	Metrics []metricHeader `json:"metrics,omitempty"`
}

// graphHeader is a functional model's topology.
type graphHeader struct {
	Inputs  [][]int      `json:"inputs"`
	Calls   []callHeader `json:"calls"`
	Outputs []int        `json:"outputs"`
}

// callHeader is one layer call: the layer's index in the header's layers,
// and its inputs (a call's index, or -k for model input k).
type callHeader struct {
	Layer int   `json:"layer"`
	From  []int `json:"from"`
}

// scalerHeader is a fitted scaler: x' = (x - offset)·scale per column.
type scalerHeader struct {
	Kind   string    `json:"kind"`
	Offset []float64 `json:"offset"`
	Scale  []float64 `json:"scale"`
}

type layerHeader struct {
	Name   string `json:"name"`
	Kind   string `json:"kind"`
	Config string `json:"config"`
}

type paramHeader struct {
	Name  string `json:"name"`
	Shape []int  `json:"shape"`
}

func scalerToHeader(s *scaler) *scalerHeader {
	if !s.fitted() {
		return nil
	}
	return &scalerHeader{Kind: s.Kind.String(), Offset: s.Offset, Scale: s.Scale}
}

// check checks a scaler's values; cols < 0 leaves the column count to
// be checked later.
func (h *scalerHeader) check(what string, cols int) error {
	if h == nil {
		return nil
	}
	kind, err := parseScaling(h.Kind)
	if err != nil {
		return fmt.Errorf("%s scaling: %w", what, err)
	}
	if kind == NoScaling {
		return fmt.Errorf("%s scaling: kind %q with values", what, h.Kind)
	}
	if len(h.Offset) != len(h.Scale) || len(h.Offset) == 0 || (cols >= 0 && len(h.Offset) != cols) {
		want := "the same number of"
		if cols >= 0 {
			want = strconv.Itoa(cols)
		}
		return fmt.Errorf("%s scaling has %d offsets and %d scales; it needs %s of each", what, len(h.Offset), len(h.Scale), want)
	}
	for j := range h.Offset {
		if o := h.Offset[j]; math.IsNaN(o) || math.IsInf(o, 0) {
			return fmt.Errorf("%s scaling: the offset of column %d is %v; it must be finite", what, j+1, o)
		}
		if s := h.Scale[j]; !(s > 0) || math.IsInf(s, 0) {
			return fmt.Errorf("%s scaling: the scale of column %d is %v; it must be positive and finite", what, j+1, s)
		}
	}
	return nil
}

// scaler is the checked scaler (nil for none); its slices are the
// header's own.
func (h *scalerHeader) scaler() *scaler {
	if h == nil {
		return nil
	}
	kind, _ := parseScaling(h.Kind)
	return &scaler{Kind: kind, Offset: h.Offset, Scale: h.Scale}
}

// header describes the model as a file header.
func (m *Model) header() weightsHeader {
	h := headerOf(&layout{input: m.input, names: m.names, params: m.params, topo: m.topo}, m.isFunctional(), m.inScale, m.outScale)
	if m.opt != nil { // compiled: its own loss and metrics
		h.Loss, h.Metrics = lossToHeader(m.loss), metricsToHeader(m.metrics)
	} else { // loaded: the file's records, as they were
		h.Loss, h.Metrics = m.file.head, m.file.heads
	}
	return h
}

func headerOf(l *layout, functional bool, in, out *scaler) weightsHeader {
	h := weightsHeader{Input: l.input, Count: l.params.Len(), Inputs: scalerToHeader(in), Targets: scalerToHeader(out)}
	for i, layer := range l.topo.units {
		h.Layers = append(h.Layers, layerHeader{Name: l.names[i], Kind: layer.Kind(), Config: describe(layer)})
	}
	if functional {
		g := &graphHeader{Outputs: append([]int(nil), l.topo.outputs...)}
		for _, s := range l.topo.inputs {
			g.Inputs = append(g.Inputs, s)
		}
		for _, c := range l.topo.calls {
			g.Calls = append(g.Calls, callHeader{Layer: c.unit, From: c.from})
		}
		h.Graph = g
	}
	for _, p := range l.params.List() {
		h.Params = append(h.Params, paramHeader{Name: p.Name, Shape: p.Shape})
	}
	for _, p := range l.params.State() {
		h.State = append(h.State, paramHeader{Name: p.Name, Shape: p.Shape})
	}
	h.StateCount = l.params.StateLen()
	return h
}

// validate checks the header on its own: every size within bounds and
// consistent (the parameters' sizes add up to Count), every string
// bounded, the scalers valid. It allocates nothing from a size.
func (h *weightsHeader) validate() error {
	inSize, err := boundedSize("input shape", h.Input, maxInputSize)
	if err != nil {
		return err
	}
	if len(h.Layers) == 0 {
		return errors.New("the header lists no layers")
	}
	for i, l := range h.Layers {
		for _, s := range []struct{ what, v string }{{"name", l.Name}, {"kind", l.Kind}, {"description", l.Config}} {
			if err := checkName(fmt.Sprintf("layer %d's %s", i+1, s.what), s.v); err != nil {
				return err
			}
		}
	}
	if h.Count < 0 || h.Count > maxCount {
		return fmt.Errorf("the header declares %d weights (at most %d)", h.Count, maxCount)
	}
	total := 0
	for i, p := range h.Params {
		if err := checkName(fmt.Sprintf("parameter %d's name", i+1), p.Name); err != nil {
			return err
		}
		n, err := boundedSize("parameter "+p.Name+"'s shape", p.Shape, maxCount)
		if err != nil {
			return err
		}
		if total += n; total > maxCount {
			return fmt.Errorf("the parameters add up to more than %d weights", maxCount)
		}
	}
	if total != h.Count {
		return fmt.Errorf("the parameters' shapes add up to %d weights, the header says %d", total, h.Count)
	}
	if err := validateTensors("state", h.State, h.StateCount); err != nil {
		return err
	}
	if err := h.Graph.validate(len(h.Layers)); err != nil {
		return err
	}
	if err := h.Loss.validate(false); err != nil {
		return err
	}
	for i, mt := range h.Metrics {
		if err := checkName(fmt.Sprintf("metric %d's name", i+1), mt.Name); err != nil {
			return err
		}
	}
	if err := h.Inputs.check("input", inSize); err != nil {
		return err
	}
	if err := h.Targets.check("target", -1); err != nil {
		return err
	}
	return nil
}

// validateTensors checks a list of named tensors against their total.
func validateTensors(what string, ts []paramHeader, count int) error {
	if count < 0 || count > maxCount {
		return fmt.Errorf("the header declares %d %s values (at most %d)", count, what, maxCount)
	}
	total := 0
	for i, p := range ts {
		if err := checkName(fmt.Sprintf("%s tensor %d's name", what, i+1), p.Name); err != nil {
			return err
		}
		n, err := boundedSize(what+" "+p.Name+"'s shape", p.Shape, maxCount)
		if err != nil {
			return err
		}
		if total += n; total > maxCount {
			return fmt.Errorf("the %s tensors add up to more than %d values", what, maxCount)
		}
	}
	if total != count {
		return fmt.Errorf("the %s tensors' shapes add up to %d values, the header says %d", what, total, count)
	}
	return nil
}

// boundedSize is the product of shape's dimensions, checked to have 1 to
// maxDims dimensions, each positive, and a product of at most limit (so it
// cannot overflow).
func boundedSize(what string, shape []int, limit int) (int, error) {
	if len(shape) == 0 || len(shape) > maxDims {
		return 0, fmt.Errorf("%s %v: it must have 1 to %d dimensions", what, shape, maxDims)
	}
	n := 1
	for _, d := range shape {
		if d <= 0 || d > limit/n {
			return 0, fmt.Errorf("%s %v: each dimension must be positive and the size at most %d", what, shape, limit)
		}
		n *= d
	}
	return n, nil
}

func checkName(what, s string) error {
	switch {
	case len(s) > maxNameBytes:
		return fmt.Errorf("%s is %d bytes long (at most %d)", what, len(s), maxNameBytes)
	case !utf8.ValidString(s):
		return fmt.Errorf("%s %q is not valid UTF-8", what, s)
	}
	return nil
}

// checkFinite names the first non-finite weight.
func checkFinite(params []paramHeader, theta []float64) error {
	off := 0
	for _, p := range params {
		n := 1
		for _, d := range p.Shape {
			n *= d
		}
		for i, v := range theta[off : off+n] {
			if math.IsNaN(v) || math.IsInf(v, 0) {
				return fmt.Errorf("weight %d of %s (θ[%d]) is %v; weights must be finite", i+1, p.Name, off+i, v)
			}
		}
		off += n
	}
	return nil
}

// Save writes the model's architecture summary, scalers and weights to w
// in the format described above (version 2), in one Write. The model must
// be compiled (or loaded). A model that Load would refuse (a non-finite
// weight, an invalid scaler) is an error and nothing is written.
func (m *Model) Save(w io.Writer) error {
	m.rw.RLock()
	defer m.rw.RUnlock()
	if m.params == nil {
		return ErrNotCompiled
	}
	h := m.header()
	if err := h.validate(); err != nil {
		return fmt.Errorf("golem: save: %w", err)
	}
	theta := m.params.Theta()
	if err := checkFinite(h.Params, theta); err != nil {
		return fmt.Errorf("golem: save: %w", err)
	}
	state := m.params.StateValues()
	if err := checkFinite(h.State, state); err != nil {
		return fmt.Errorf("golem: save: state: %w", err)
	}
	head, err := json.Marshal(h)
	if err != nil {
		return fmt.Errorf("golem: save: %w", err)
	}
	if len(head)+1 > maxHeaderBytes {
		return fmt.Errorf("golem: save: the header is %d bytes (at most %d)", len(head)+1, maxHeaderBytes)
	}
	var buf bytes.Buffer
	buf.Grow(maxFormatLine + len(head) + 8*(len(theta)+len(state)) + 4)
	fmt.Fprintf(&buf, "%s %d\n", weightsMagic, weightsVersion)
	buf.Write(head)
	buf.WriteByte('\n')
	for _, v := range theta {
		buf.Write(binary.LittleEndian.AppendUint64(nil, math.Float64bits(v)))
	}
	for _, v := range state {
		buf.Write(binary.LittleEndian.AppendUint64(nil, math.Float64bits(v)))
	}
	buf.Write(binary.LittleEndian.AppendUint32(nil, crc32.ChecksumIEEE(buf.Bytes())))
	if _, err := w.Write(buf.Bytes()); err != nil {
		return fmt.Errorf("golem: save: %w", err)
	}
	return nil
}

// Load reads a model file written by Save (version 2, or version 1 from
// an earlier golem). An uncompiled model is built for the file's input
// shape and takes the file's loss and metrics, so that Evaluate gives what
// the saved model's Evaluate gave (Compile afterwards keeps the loaded
// weights and scalers; a file without a rebuildable loss, see the format,
// needs that Compile before Evaluate). A compiled model keeps its loss,
// metrics and optimizer. The
// file must match the model's layers and parameters exactly, and be
// intact (see the format above). On any error the model is left as it
// was: weights, scalers, layers and compiled graphs; only a layer's Build
// may have been called, on a throwaway parameter set, when an uncompiled
// model was checked against a file that does not fit it.
func (m *Model) Load(r io.Reader) error {
	if err := m.acquire(); err != nil {
		return err
	}
	defer m.release()
	f, err := readWeights(r)
	if err != nil {
		return fmt.Errorf("golem: load: %w", err)
	}
	m.rw.Lock()
	defer m.rw.Unlock()
	if err := m.adopt(f); err != nil {
		return fmt.Errorf("golem: load: %w", err)
	}
	return nil
}

// weightsFile is a file read and checked on its own.
type weightsFile struct {
	version int
	head    weightsHeader
	theta   []float64
	state   []float64
	in, out *scaler
}

// readWeights reads and checks a whole file, allocating at most a
// constant times the bytes it reads.
func readWeights(r io.Reader) (*weightsFile, error) {
	br := bufio.NewReader(r)
	line, err := readLine(br, maxFormatLine)
	if err != nil {
		return nil, fmt.Errorf("reading the format line: %w", err)
	}
	f := &weightsFile{}
	v, ok := strings.CutPrefix(string(line), weightsMagic+" ")
	if !ok {
		return nil, fmt.Errorf("not a golem weights file (first line %q)", truncate(string(line), 40))
	}
	if f.version, err = strconv.Atoi(strings.TrimSuffix(v, "\n")); err != nil || f.version < 1 || string(line) != fmt.Sprintf("%s %d\n", weightsMagic, f.version) {
		return nil, fmt.Errorf("not a golem weights file (first line %q)", truncate(string(line), 40))
	}
	if f.version > weightsVersion {
		return nil, fmt.Errorf("format version %d is not supported (this golem reads versions 1 to %d)", f.version, weightsVersion)
	}
	head, err := readLine(br, maxHeaderBytes)
	if err != nil {
		return nil, fmt.Errorf("reading the header: %w", err)
	}
	dec := json.NewDecoder(bytes.NewReader(head))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&f.head); err != nil {
		return nil, fmt.Errorf("bad header: %w", err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, errors.New("bad header: data after the JSON object")
	}
	if err := f.head.validate(); err != nil {
		return nil, fmt.Errorf("bad header: %w", err)
	}
	sum := crc32.NewIEEE()
	if f.version >= 2 {
		if canon, err := json.Marshal(f.head); err != nil || !bytes.Equal(canon, head[:len(head)-1]) {
			return nil, errors.New("bad header: it is not written as Save writes it (corrupt or edited)")
		}
		sum.Write(line)
		sum.Write(head)
	}
	if f.theta, err = readTheta(br, f.head.Count, sum); err != nil {
		return nil, err
	}
	if f.state, err = readTheta(br, f.head.StateCount, sum); err != nil {
		return nil, fmt.Errorf("state: %w", err)
	}
	var tail [4]byte
	if _, err := io.ReadFull(br, tail[:]); err != nil {
		return nil, fmt.Errorf("reading the checksum: %w", err)
	}
	if binary.LittleEndian.Uint32(tail[:]) != sum.Sum32() {
		if f.version == 1 {
			return nil, errors.New("checksum mismatch: the weights are corrupt")
		}
		return nil, errors.New("checksum mismatch: the file is corrupt")
	}
	if _, err := br.ReadByte(); err != io.EOF {
		if err != nil {
			return nil, fmt.Errorf("reading after the checksum: %w", err)
		}
		return nil, errors.New("data after the checksum: the file is longer than its header says (two files concatenated?)")
	}
	if err := checkFinite(f.head.Params, f.theta); err != nil {
		return nil, err
	}
	if err := checkFinite(f.head.State, f.state); err != nil {
		return nil, fmt.Errorf("state: %w", err)
	}
	f.in, f.out = f.head.Inputs.scaler(), f.head.Targets.scaler() // checked by validate
	return f, nil
}

// readLine reads up to and including '\n', at most max bytes; the buffer
// grows only with the bytes actually read.
func readLine(br *bufio.Reader, max int) ([]byte, error) {
	var line []byte
	for {
		frag, err := br.ReadSlice('\n')
		if len(line)+len(frag) > max {
			return nil, fmt.Errorf("the line is longer than %d bytes", max)
		}
		line = append(line, frag...)
		switch err {
		case nil:
			return line, nil
		case bufio.ErrBufferFull:
			continue
		case io.EOF:
			return nil, io.ErrUnexpectedEOF
		default:
			return nil, err
		}
	}
}

// readTheta reads n float64s in chunks, feeding sum; the slice grows with
// the bytes actually read, never from n alone.
func readTheta(br *bufio.Reader, n int, sum hash.Hash32) ([]float64, error) {
	theta := make([]float64, 0, min(n, 512))
	var chunk [4096]byte
	for len(theta) < n {
		k := min(n-len(theta), len(chunk)/8)
		b := chunk[:8*k]
		if _, err := io.ReadFull(br, b); err != nil {
			if err == io.EOF {
				err = io.ErrUnexpectedEOF
			}
			return nil, fmt.Errorf("reading %d weights (the file ends after %d): %w", n, len(theta), err)
		}
		sum.Write(b)
		if cap(theta)-len(theta) < k {
			grown := make([]float64, len(theta), min(n, 2*cap(theta)+k))
			copy(grown, theta)
			theta = grown
		}
		for i := 0; i < k; i++ {
			theta = append(theta, math.Float64frombits(binary.LittleEndian.Uint64(b[8*i:])))
		}
	}
	return theta, nil
}

// adopt matches a checked file against the model and, only if it fits,
// commits its weights and scalers.
func (m *Model) adopt(f *weightsFile) error {
	var own weightsHeader
	var fresh *layout // the layout built for an uncompiled model
	if m.params == nil {
		var err error
		if fresh, err = m.declare(layers.Shape(f.head.Input)); err != nil {
			return fmt.Errorf("building the model for input %v: %w", f.head.Input, err)
		}
		own = headerOf(fresh, m.isFunctional(), nil, nil)
	} else {
		own = m.header()
	}
	if err := matchHeader(own, f.head); err != nil {
		return fmt.Errorf("the file does not match this model: %w", err)
	}
	outputs := m.Outputs()
	if fresh != nil {
		outputs = fresh.output[0]
	}
	if f.out != nil && len(f.out.Offset) != outputs {
		return fmt.Errorf("target scaling has %d columns for %d outputs", len(f.out.Offset), outputs)
	}
	if err := m.matchScaling(f.in, f.out); err != nil {
		return fmt.Errorf("the file does not match this model: %w", err)
	}
	compiled := m.opt != nil
	var fl fileLoss
	if !compiled {
		widths := m.outputWidths
		if fresh != nil {
			widths = fresh.outputWidths
		}
		fl = loadLoss(f.head.Loss, f.head.Metrics, widths)
	}
	if fresh != nil {
		// θ has exactly the file's size, which its bytes bounded.
		if err := initWeights(fresh.params, 1); err != nil {
			return err
		}
		copy(fresh.params.Theta(), f.theta)
		copy(fresh.params.StateValues(), f.state)
		m.setLayout(fresh)
		m.nets = newNetCache()
		m.jac = nil
	} else {
		copy(m.params.Theta(), f.theta)
		copy(m.params.StateValues(), f.state)
		if !compiled { // the graphs hold the previous file's loss
			m.nets, m.jac = newNetCache(), nil
		}
	}
	if !compiled {
		m.loss, m.metrics, m.file = fl.loss, fl.metrics, fl
	}
	m.inScale, m.outScale = f.in, f.out
	return nil
}

// matchScaling checks that a file's scalers are the kinds the model was
// compiled with (an uncompiled model takes the file's).
func (m *Model) matchScaling(in, out *scaler) error {
	if m.opt == nil {
		return nil
	}
	kind := func(s *scaler) Scaling {
		if s == nil {
			return NoScaling
		}
		return s.Kind
	}
	if kind(m.inScale) != kind(in) || kind(m.outScale) != kind(out) {
		return fmt.Errorf("scaling of inputs/targets is %v/%v in the file, %v/%v in the model", kind(in), kind(out), kind(m.inScale), kind(m.outScale))
	}
	return nil
}

// matchHeader explains the first difference between a file and the model.
func matchHeader(own, file weightsHeader) error {
	if !slices.Equal(own.Input, file.Input) {
		return fmt.Errorf("input shape %v in the file, %v in the model", file.Input, own.Input)
	}
	if len(own.Layers) != len(file.Layers) {
		return fmt.Errorf("%d layers in the file, %d in the model", len(file.Layers), len(own.Layers))
	}
	for i, l := range own.Layers {
		f := file.Layers[i]
		switch {
		case f.Kind != l.Kind:
			return fmt.Errorf("layer %d (%s in the model) has kind %q in the file, %q in the model", i+1, l.Name, f.Kind, l.Kind)
		case f.Name != l.Name:
			return fmt.Errorf("layer %d is named %q in the file, %q in the model", i+1, f.Name, l.Name)
		case f.Config != l.Config:
			msg := fmt.Sprintf("layer %d (%s) is %s in the file, %s in the model", i+1, l.Name, f.Config, l.Config)
			if d := configDiff(f.Config, l.Config); d != "" {
				msg += ": " + d
			}
			return errors.New(msg)
		}
	}
	if err := matchGraph(own.Graph, file.Graph); err != nil {
		return err
	}
	if len(own.Params) != len(file.Params) {
		return fmt.Errorf("%d parameters in the file, %d in the model", len(file.Params), len(own.Params))
	}
	for i, p := range own.Params {
		f := file.Params[i]
		switch {
		case p.Name != f.Name:
			return fmt.Errorf("parameter %d is %s in the file, %s in the model", i+1, f.Name, p.Name)
		case !slices.Equal(p.Shape, f.Shape):
			return fmt.Errorf("parameter %d (%s) has shape %v in the file, %v in the model", i+1, p.Name, f.Shape, p.Shape)
		}
	}
	if len(own.State) != len(file.State) {
		return fmt.Errorf("%d state tensors in the file, %d in the model", len(file.State), len(own.State))
	}
	for i, p := range own.State {
		f := file.State[i]
		if p.Name != f.Name || !slices.Equal(p.Shape, f.Shape) {
			return fmt.Errorf("state tensor %d is %s %v in the file, %s %v in the model", i+1, f.Name, f.Shape, p.Name, p.Shape)
		}
	}
	if file.Count != own.Count {
		return fmt.Errorf("%d weights in the file, %d in the model", file.Count, own.Count)
	}
	return nil
}

// validate checks a graph's sizes and references on their own.
func (g *graphHeader) validate(layerCount int) error {
	if g == nil {
		return nil
	}
	if len(g.Inputs) == 0 || len(g.Inputs) > maxCount || len(g.Calls) == 0 || len(g.Calls) > maxCount || len(g.Outputs) == 0 {
		return fmt.Errorf("the graph has %d inputs, %d calls and %d outputs", len(g.Inputs), len(g.Calls), len(g.Outputs))
	}
	for k, s := range g.Inputs {
		if _, err := boundedSize(fmt.Sprintf("graph input %d's shape", k+1), s, maxInputSize); err != nil {
			return err
		}
	}
	for i, c := range g.Calls {
		if c.Layer < 0 || c.Layer >= layerCount {
			return fmt.Errorf("graph call %d uses layer %d of %d", i+1, c.Layer+1, layerCount)
		}
		if len(c.From) == 0 {
			return fmt.Errorf("graph call %d has no inputs", i+1)
		}
		for _, f := range c.From {
			if f >= i || f < -len(g.Inputs) {
				return fmt.Errorf("graph call %d takes %d, which is not an earlier call or an input", i+1, f)
			}
		}
	}
	for _, o := range g.Outputs {
		if o < 0 || o >= len(g.Calls) {
			return fmt.Errorf("graph output %d is not a call", o)
		}
	}
	return nil
}

// matchGraph explains the first difference between two functional graphs.
func matchGraph(own, file *graphHeader) error {
	switch {
	case own == nil && file == nil:
		return nil
	case own == nil:
		return errors.New("the file holds a functional model, this is a Sequential one")
	case file == nil:
		return errors.New("the file holds a Sequential model, this is a functional one")
	}
	if fmt.Sprint(own.Inputs) != fmt.Sprint(file.Inputs) {
		return fmt.Errorf("the inputs are %v in the file, %v in the model", file.Inputs, own.Inputs)
	}
	if len(own.Calls) != len(file.Calls) {
		return fmt.Errorf("%d layer calls in the file, %d in the model", len(file.Calls), len(own.Calls))
	}
	for i, c := range own.Calls {
		f := file.Calls[i]
		if f.Layer != c.Layer || !slices.Equal(f.From, c.From) {
			return fmt.Errorf("layer call %d differs: layer %d on %v in the file, layer %d on %v in the model", i+1, f.Layer+1, f.From, c.Layer+1, c.From)
		}
	}
	if !slices.Equal(own.Outputs, file.Outputs) {
		return fmt.Errorf("the outputs are calls %v in the file, %v in the model", file.Outputs, own.Outputs)
	}
	return nil
}

// configDiff names what differs between two layer descriptions of the
// form Name(a, b, ...): for Dense, the units, the activation or the bias;
// for others, the argument's position. It is "" when it cannot tell.
func configDiff(file, model string) string {
	fh, fa, ok1 := splitConfig(file)
	mh, ma, ok2 := splitConfig(model)
	if !ok1 || !ok2 || fh != mh {
		return ""
	}
	label := func(i int) string {
		if fh == "Dense" && i < 2 {
			return []string{"units", "activation"}[i]
		}
		return fmt.Sprintf("argument %d", i+1)
	}
	var diffs []string
	for i := 0; i < min(len(fa), len(ma)); i++ {
		if fa[i] != ma[i] {
			diffs = append(diffs, fmt.Sprintf("%s %s in the file, %s in the model", label(i), fa[i], ma[i]))
		}
	}
	if len(fa) != len(ma) {
		if fh == "Dense" && (slices.Contains(fa, "no bias") || slices.Contains(ma, "no bias")) {
			has := func(args []string) string {
				if slices.Contains(args, "no bias") {
					return "none"
				}
				return "present"
			}
			diffs = append(diffs, fmt.Sprintf("bias %s in the file, %s in the model", has(fa), has(ma)))
		} else {
			diffs = append(diffs, fmt.Sprintf("%d arguments in the file, %d in the model", len(fa), len(ma)))
		}
	}
	return strings.Join(diffs, "; ")
}

func splitConfig(s string) (head string, args []string, ok bool) {
	open := strings.IndexByte(s, '(')
	if open <= 0 || !strings.HasSuffix(s, ")") {
		return "", nil, false
	}
	return s[:open], strings.Split(s[open+1:len(s)-1], ", "), true
}

func truncate(s string, n int) string {
	s = strings.TrimSpace(s)
	if len(s) > n {
		return s[:n] + "…"
	}
	return s
}
