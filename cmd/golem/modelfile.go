package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"regexp"
	"strconv"
	"strings"

	"github.com/golem-ml/golem"
	"github.com/golem-ml/golem/graph"
	"github.com/golem-ml/golem/layers"
)

// The column names a model was trained with live in a sidecar file beside
// the model, <model>.json (sine.golem → sine.golem.json): golem's model
// format has no place for metadata (Load accepts only the header Save
// writes), and a separate small JSON file keeps the model file loadable by
// any golem program.
type sidecar struct {
	Format  string   `json:"format"`  // sidecarFormat
	Inputs  []string `json:"inputs"`  // the input columns, in the model's order
	Targets []string `json:"targets"` // the target columns, in the model's output order
}

const sidecarFormat = "golem-columns 1"

func sidecarPath(model string) string { return model + ".json" }

func writeSidecar(model string, s sidecar) error {
	s.Format = sidecarFormat
	b, err := json.MarshalIndent(s, "", "  ")
	if err != nil {
		return err
	}
	return os.WriteFile(sidecarPath(model), append(b, '\n'), 0o644)
}

// readSidecar reads the column names of a model; the model's header says
// how many inputs and outputs there must be.
func readSidecar(model string, inputs, outputs int) (*sidecar, error) {
	path := sidecarPath(model)
	b, err := os.ReadFile(path)
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return nil, fmt.Errorf("%s: not found: it holds the column names the model was trained with (golem fit writes it beside the model)", path)
		}
		return nil, err
	}
	var s sidecar
	if err := json.Unmarshal(b, &s); err != nil {
		return nil, fmt.Errorf("%s: %v", path, err)
	}
	switch {
	case s.Format != sidecarFormat:
		return nil, fmt.Errorf("%s: format %q, want %q", path, s.Format, sidecarFormat)
	case len(s.Inputs) != inputs:
		return nil, fmt.Errorf("%s: names %d input columns, but the model takes %d inputs", path, len(s.Inputs), inputs)
	case len(s.Targets) != outputs:
		return nil, fmt.Errorf("%s: names %d target columns, but the model has %d outputs", path, len(s.Targets), outputs)
	}
	return &s, nil
}

// fileHeader is the part of a model file's header (line 2, JSON, see
// golem's save.go) that rebuilding a Sequential model and exporting it
// need. Unknown fields are ignored, so a newer header still reads.
type fileHeader struct {
	Input  []int `json:"input"`
	Layers []struct {
		Name   string `json:"name"`
		Kind   string `json:"kind"`
		Config string `json:"config"`
	} `json:"layers"`
	Graph   json.RawMessage `json:"graph"`
	Inputs  *scalerJSON     `json:"input_scaling"`
	Targets *scalerJSON     `json:"target_scaling"`
}

// scalerJSON is a fitted scaler: x' = (x − offset)·scale per column.
type scalerJSON struct {
	Kind   string    `json:"kind"`
	Offset []float64 `json:"offset"`
	Scale  []float64 `json:"scale"`
}

// loaded is a model file read back: the model (built from the header and
// loaded by golem's Load, which checks the whole file) and its header.
type loaded struct {
	path   string
	model  *golem.Model
	head   fileHeader
	layers []layers.Layer
	inputs int // features per sample
}

// loadModel reads a model file written by golem's Save, rebuilds its
// layers from the header's descriptions and loads it. It handles
// Sequential models of Dense, Activation and Dropout layers (what golem fit
// writes, and more); anything else is an error naming the layer.
func loadModel(path string) (*loaded, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	br := bufio.NewReader(bytes.NewReader(data))
	first, err := br.ReadString('\n')
	if err != nil || !strings.HasPrefix(first, "golem-weights ") {
		return nil, fmt.Errorf("%s: not a golem model file (it should start with \"golem-weights\")", path)
	}
	line, err := br.ReadBytes('\n')
	if err != nil {
		return nil, fmt.Errorf("%s: the header ends early: %v", path, err)
	}
	l := &loaded{path: path}
	if err := json.Unmarshal(line, &l.head); err != nil {
		return nil, fmt.Errorf("%s: bad header: %v", path, err)
	}
	if len(l.head.Graph) > 0 && string(l.head.Graph) != "null" {
		return nil, fmt.Errorf("%s: a functional model (a graph of layers); this command handles Sequential models of Dense, Activation and Dropout layers", path)
	}
	if len(l.head.Input) != 1 {
		return nil, fmt.Errorf("%s: the model takes samples of shape %v; this command handles vector samples (one CSV row each)", path, l.head.Input)
	}
	l.inputs = l.head.Input[0]
	for i, h := range l.head.Layers {
		layer, err := rebuildLayer(h.Kind, h.Config)
		if err != nil {
			return nil, fmt.Errorf("%s: layer %d (%s, %s): %v", path, i+1, h.Name, h.Config, err)
		}
		l.layers = append(l.layers, layer)
	}
	l.model = golem.NewSequential(l.layers...)
	if err := l.model.Load(bytes.NewReader(data)); err != nil {
		return nil, fmt.Errorf("%s: %v", path, err)
	}
	return l, nil
}

var (
	denseConfig   = regexp.MustCompile(`^Dense\((\d+), (\w+)((?:, [^,()]+(?:\([^()]*\))?)*)\)$`)
	denseOption   = regexp.MustCompile(`, (no bias|kernel [^,()]+\([^()]*\)|bias [^,()]+\([^()]*\))`)
	penaltyConfig = regexp.MustCompile(`^(l1|l2|l1_l2)\(([^()]*)\)$`)
	actConfig     = regexp.MustCompile(`^Activation\((\w+)\)$`)
	dropoutConfig = regexp.MustCompile(`^Dropout\(([^()]*)\)$`)
)

// rebuildLayer makes the layer a header describes (its kind and its
// String()), so that Load can check the file against it.
func rebuildLayer(kind, config string) (layers.Layer, error) {
	unsupported := fmt.Errorf("%s layers are not supported: golem predict and export handle Dense, Activation and Dropout layers", kind)
	switch kind {
	case "dense":
		m := denseConfig.FindStringSubmatch(config)
		if m == nil {
			return nil, fmt.Errorf("cannot read the Dense configuration %q", config)
		}
		units, _ := strconv.Atoi(m[1])
		act, ok := layers.ActivationNamed(m[2])
		if !ok {
			return nil, fmt.Errorf("unknown activation %q", m[2])
		}
		opts := []layers.Option{act}
		rest := m[3]
		for _, o := range denseOption.FindAllStringSubmatch(rest, -1) {
			rest = strings.Replace(rest, o[0], "", 1)
			switch opt := o[1]; {
			case opt == "no bias":
				opts = append(opts, layers.NoBias())
			case strings.HasPrefix(opt, "kernel "), strings.HasPrefix(opt, "bias "):
				what, pen, _ := strings.Cut(opt, " ")
				p, err := parsePenalty(pen)
				if err != nil {
					return nil, err
				}
				if what == "kernel" {
					opts = append(opts, layers.KernelRegularizer(p))
				} else {
					opts = append(opts, layers.BiasRegularizer(p))
				}
			}
		}
		if rest != "" {
			return nil, fmt.Errorf("cannot read the Dense option %q", strings.TrimPrefix(rest, ", "))
		}
		return layers.Dense(units, opts...), nil
	case "activation":
		m := actConfig.FindStringSubmatch(config)
		if m == nil {
			return nil, fmt.Errorf("cannot read the Activation configuration %q", config)
		}
		act, ok := layers.ActivationNamed(m[1])
		if !ok {
			return nil, fmt.Errorf("unknown activation %q", m[1])
		}
		return layers.Act(act), nil
	case "dropout":
		m := dropoutConfig.FindStringSubmatch(config)
		if m == nil {
			return nil, unsupported
		}
		rate, err := strconv.ParseFloat(m[1], 64)
		if err != nil {
			return nil, fmt.Errorf("cannot read the Dropout rate %q", m[1])
		}
		return layers.Dropout(rate), nil
	}
	return nil, unsupported
}

// parsePenalty reads graph.Penalty's String: l1(a), l2(a) or l1_l2(a, b).
func parsePenalty(s string) (graph.Penalty, error) {
	m := penaltyConfig.FindStringSubmatch(s)
	if m == nil {
		return graph.Penalty{}, fmt.Errorf("cannot read the penalty %q", s)
	}
	var vs []float64
	for _, f := range strings.Split(m[2], ", ") {
		v, err := strconv.ParseFloat(f, 64)
		if err != nil {
			return graph.Penalty{}, fmt.Errorf("cannot read the penalty %q", s)
		}
		vs = append(vs, v)
	}
	switch {
	case m[1] == "l1" && len(vs) == 1:
		return layers.L1(vs[0]), nil
	case m[1] == "l2" && len(vs) == 1:
		return layers.L2(vs[0]), nil
	case m[1] == "l1_l2" && len(vs) == 2:
		return layers.L1L2(vs[0], vs[1]), nil
	}
	return graph.Penalty{}, fmt.Errorf("cannot read the penalty %q", s)
}
