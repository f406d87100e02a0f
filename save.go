package golem

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"math"

	"golem/graph"
	"golem/layers"
)

// The weights file format, version 1:
//
//	line 1   "golem-weights 1\n"
//	line 2   a JSON header (one line): the input shape, each layer's name,
//	         kind and description, and each parameter's name and shape in
//	         θ order, with the total count P
//	P × 8    θ as little-endian IEEE-754 float64
//	4        CRC-32 (IEEE) of those P × 8 bytes, little-endian
//
// Load accepts a file only when the header matches the model exactly and
// the checksum verifies, so weights are never loaded into the wrong
// architecture or from a truncated file.
const (
	weightsMagic   = "golem-weights"
	weightsVersion = 1
)

type weightsHeader struct {
	Input   []int         `json:"input"`
	Layers  []layerHeader `json:"layers"`
	Params  []paramHeader `json:"params"`
	Count   int           `json:"count"`
	Inputs  *scalerHeader `json:"input_scaling,omitempty"`
	Targets *scalerHeader `json:"target_scaling,omitempty"`
}

// scalerHeader is a fitted scaler: x' = (x - offset)·scale per column.
type scalerHeader struct {
	Kind   string    `json:"kind"`
	Offset []float64 `json:"offset"`
	Scale  []float64 `json:"scale"`
}

func scalerToHeader(s *scaler) *scalerHeader {
	if !s.fitted() {
		return nil
	}
	return &scalerHeader{Kind: s.Kind.String(), Offset: s.Offset, Scale: s.Scale}
}

func (h *scalerHeader) scaler(cols int) (*scaler, error) {
	if h == nil {
		return nil, nil
	}
	kind, err := parseScaling(h.Kind)
	if err != nil {
		return nil, err
	}
	if len(h.Offset) != cols || len(h.Scale) != cols {
		return nil, fmt.Errorf("%s scaling has %d/%d values for %d columns", h.Kind, len(h.Offset), len(h.Scale), cols)
	}
	return &scaler{Kind: kind, Offset: h.Offset, Scale: h.Scale}, nil
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

func (m *Sequential) header() weightsHeader {
	h := weightsHeader{Input: m.input, Count: m.params.Len(), Inputs: scalerToHeader(m.inScale), Targets: scalerToHeader(m.outScale)}
	for i, l := range m.layers {
		h.Layers = append(h.Layers, layerHeader{Name: m.names[i], Kind: l.Kind(), Config: describe(l)})
	}
	for _, p := range m.params.List() {
		h.Params = append(h.Params, paramHeader{Name: p.Name, Shape: p.Shape})
	}
	return h
}

// Save writes the model's architecture summary and weights to w in the
// versioned format described above. The model must be compiled (or loaded).
func (m *Sequential) Save(w io.Writer) error {
	if m.params == nil {
		return ErrNotCompiled
	}
	head, err := json.Marshal(m.header())
	if err != nil {
		return fmt.Errorf("golem: save: %w", err)
	}
	bw := bufio.NewWriter(w)
	fmt.Fprintf(bw, "%s %d\n%s\n", weightsMagic, weightsVersion, head)
	theta := m.params.Theta()
	body := make([]byte, 8*len(theta))
	for i, v := range theta {
		binary.LittleEndian.PutUint64(body[8*i:], math.Float64bits(v))
	}
	bw.Write(body)
	binary.Write(bw, binary.LittleEndian, crc32.ChecksumIEEE(body))
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("golem: save: %w", err)
	}
	return nil
}

// Load reads weights written by Save. An uncompiled model is first built
// for the file's input shape (Compile afterwards keeps the loaded weights).
// The file must match the model's layers and parameters exactly; on any
// error the model is left as it was.
func (m *Sequential) Load(r io.Reader) (err error) {
	if m.params == nil {
		defer func() {
			if err != nil { // undo the build: the model stays unbuilt
				m.params, m.input, m.output, m.names, m.shapes, m.nets, m.jac = nil, nil, nil, nil, nil, nil, nil
			}
		}()
	}
	br := bufio.NewReader(r)
	magic, err := br.ReadString('\n')
	if err != nil {
		return fmt.Errorf("golem: load: reading the format line: %w", err)
	}
	var version int
	if n, _ := fmt.Sscanf(magic, weightsMagic+" %d\n", &version); n != 1 {
		return fmt.Errorf("golem: load: not a golem weights file (first line %q)", truncate(magic, 40))
	}
	if version != weightsVersion {
		return fmt.Errorf("golem: load: format version %d is not supported (this golem reads version %d)", version, weightsVersion)
	}
	line, err := br.ReadBytes('\n')
	if err != nil {
		return fmt.Errorf("golem: load: reading the header: %w", err)
	}
	var file weightsHeader
	if err := json.Unmarshal(line, &file); err != nil {
		return fmt.Errorf("golem: load: bad header: %w", err)
	}
	if m.params == nil {
		if err := m.build(layers.Shape(file.Input), 1); err != nil {
			return fmt.Errorf("golem: load: building the model for input %v: %w", file.Input, err)
		}
		m.nets = newNetCache()
	}
	if err := m.matchHeader(file); err != nil {
		return fmt.Errorf("golem: load: the file does not match this model: %w", err)
	}
	body := make([]byte, 8*file.Count)
	if _, err := io.ReadFull(br, body); err != nil {
		return fmt.Errorf("golem: load: reading %d weights: %w", file.Count, err)
	}
	var sum uint32
	if err := binary.Read(br, binary.LittleEndian, &sum); err != nil {
		return fmt.Errorf("golem: load: reading the checksum: %w", err)
	}
	if sum != crc32.ChecksumIEEE(body) {
		return errors.New("golem: load: checksum mismatch: the weights are corrupt")
	}
	in, err := file.Inputs.scaler(m.input.Size())
	if err != nil {
		return fmt.Errorf("golem: load: %w", err)
	}
	out, err := file.Targets.scaler(m.Outputs())
	if err != nil {
		return fmt.Errorf("golem: load: %w", err)
	}
	if err := m.matchScaling(in, out); err != nil {
		return fmt.Errorf("golem: load: the file does not match this model: %w", err)
	}
	theta := m.params.Theta()
	for i := range theta {
		theta[i] = math.Float64frombits(binary.LittleEndian.Uint64(body[8*i:]))
	}
	m.inScale, m.outScale = in, out
	return nil
}

// matchScaling checks that a file's scalers are the kinds the model was
// compiled with (an uncompiled model takes the file's).
func (m *Sequential) matchScaling(in, out *scaler) error {
	if m.loss == nil {
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
func (m *Sequential) matchHeader(file weightsHeader) error {
	own := m.header()
	if !graph.SameShape(own.Input, file.Input) {
		return fmt.Errorf("input shape %v in the file, %v in the model", file.Input, own.Input)
	}
	if len(own.Layers) != len(file.Layers) {
		return fmt.Errorf("%d layers in the file, %d in the model", len(file.Layers), len(own.Layers))
	}
	for i, l := range own.Layers {
		if l != file.Layers[i] {
			return fmt.Errorf("layer %d is %s %s in the file, %s %s in the model", i+1, file.Layers[i].Name, file.Layers[i].Config, l.Name, l.Config)
		}
	}
	if len(own.Params) != len(file.Params) {
		return fmt.Errorf("%d parameters in the file, %d in the model", len(file.Params), len(own.Params))
	}
	for i, p := range own.Params {
		f := file.Params[i]
		if p.Name != f.Name || !graph.SameShape(p.Shape, f.Shape) {
			return fmt.Errorf("parameter %d is %s %v in the file, %s %v in the model", i+1, f.Name, f.Shape, p.Name, p.Shape)
		}
	}
	if file.Count != own.Count {
		return fmt.Errorf("%d weights in the file, %d in the model", file.Count, own.Count)
	}
	return nil
}

func truncate(s string, n int) string {
	s = string(bytes.TrimSpace([]byte(s)))
	if len(s) > n {
		return s[:n] + "…"
	}
	return s
}
