package main

import (
	"flag"
	"fmt"
	"go/format"
	"go/token"
	"path/filepath"
	"strconv"
	"strings"
	"unicode"

	"github.com/golem-ml/golem/layers"
)

var exportCommand = &command{
	name:    "export",
	summary: "write a trained model as a standalone Go function (MATLAB's genFunction)",
	usage: `golem export model.golem --go [--package main] [--func Predict] > predict.go

Writes to standard output a Go source file that needs nothing but the
standard library: a function that computes the model's outputs from one
sample of raw inputs, with the input and target scaling built in, giving what
golem's Model.Predict gives (to rounding). It handles Sequential models of
Dense layers (any golem activation: linear, tanh, sigmoid, relu, softplus,
softmax), Activation and Dropout layers, and every golem scaling (minmax,
standardize); any other layer is an error naming it.`,
	flags: func(fs *flag.FlagSet) func(*env, []string) error {
		o := &exportOptions{}
		fs.BoolVar(&o.goSource, "go", false, "write Go source (the only format; required)")
		fs.StringVar(&o.pkg, "package", "main", "the generated file's package")
		fs.StringVar(&o.fn, "func", "Predict", "the generated function's name")
		return func(e *env, args []string) error {
			if err := positional(args, "the model file"); err != nil {
				return err
			}
			if !o.goSource {
				return usagef("choose the output format: --go (Go source)")
			}
			if !token.IsIdentifier(o.pkg) || token.IsKeyword(o.pkg) {
				return usagef("--package %q is not a Go package name", o.pkg)
			}
			if !token.IsIdentifier(o.fn) || token.IsKeyword(o.fn) {
				return usagef("--func %q is not a Go identifier", o.fn)
			}
			src, err := exportGo(args[0], o.pkg, o.fn)
			if err != nil {
				return err
			}
			_, err = e.stdout.Write(src)
			return err
		}
	},
}

type exportOptions struct {
	goSource bool
	pkg, fn  string
}

// exportGo returns the Go source of a function computing the model's
// predictions, formatted by go/format.
func exportGo(modelPath, pkg, fn string) ([]byte, error) {
	l, err := loadModel(modelPath)
	if err != nil {
		return nil, err
	}
	g := &goWriter{prefix: string(unicode.ToLower(rune(fn[0]))) + fn[1:], helpers: map[string]bool{}}
	theta := l.model.Params().Theta()

	var body strings.Builder
	width := l.inputs
	cur := "x"
	if s := l.head.Inputs; s != nil {
		g.vector(&body, "InOffset", s.Offset, "the input scaling's offsets")
		g.vector(&body, "InScale", s.Scale, "the input scaling's scales")
		fmt.Fprintf(&g.code, "\t// The inputs, scaled (%s): (x − offset)·scale.\n", s.Kind)
		fmt.Fprintf(&g.code, "\tvar a0 [%d]float64\n\tfor i := range a0 {\n\t\ta0[i] = (x[i] - %sInOffset[i]) * %sInScale[i]\n\t}\n", width, g.prefix, g.prefix)
		cur = "a0"
	}
	var arch []string
	for k, layer := range l.layers {
		h := l.head.Layers[k]
		next := fmt.Sprintf("a%d", k+1)
		arch = append(arch, fmt.Sprintf("%s %s", h.Name, h.Config))
		switch layer := layer.(type) {
		case *layers.DenseLayer:
			units, act := layer.Units(), layer.Activation().Name()
			in := layer.W.Shape[0]
			if in != width || layer.W.Shape[1] != units {
				return nil, fmt.Errorf("%s: layer %d (%s): W has shape %v for %d inputs and %d units", modelPath, k+1, h.Name, layer.W.Shape, width, units)
			}
			w := fmt.Sprintf("W%d", k+1)
			rows := make([][]float64, in)
			for i := range rows {
				rows[i] = theta[layer.W.Offset+i*units : layer.W.Offset+(i+1)*units]
			}
			g.matrix(&body, w, rows, fmt.Sprintf("%s's kernel W (%d × %d)", h.Name, in, units))
			bias := ""
			if layer.B != nil {
				b := fmt.Sprintf("B%d", k+1)
				g.vector(&body, b, theta[layer.B.Offset:layer.B.Offset+units], h.Name+"'s bias b")
				bias = fmt.Sprintf(" + %s%s[j]", g.prefix, b)
			}
			fmt.Fprintf(&g.code, "\t// %s: %s\n", h.Name, h.Config)
			fmt.Fprintf(&g.code, "\tvar %s [%d]float64\n\tfor j := range %s {\n\t\tz := 0.0\n\t\tfor i := range %s {\n\t\t\tz += %s[i] * %s%s[i][j]\n\t\t}\n",
				next, units, next, cur, cur, g.prefix, w)
			if act == "softmax" {
				fmt.Fprintf(&g.code, "\t\t%s[j] = z%s\n\t}\n", next, bias)
				g.softmax(next)
			} else {
				fmt.Fprintf(&g.code, "\t\t%s[j] = %s\n\t}\n", next, g.activation(act, "z"+bias))
			}
			width = units
		default:
			switch h.Kind {
			case "activation":
				act := actConfig.FindStringSubmatch(h.Config)[1] // checked by loadModel
				fmt.Fprintf(&g.code, "\t// %s: %s\n", h.Name, h.Config)
				if act == "softmax" {
					fmt.Fprintf(&g.code, "\t%s := %s\n", next, cur)
					g.softmax(next)
				} else {
					fmt.Fprintf(&g.code, "\tvar %s [%d]float64\n\tfor j := range %s {\n\t\t%s[j] = %s\n\t}\n", next, width, next, next, g.activation(act, cur+"[j]"))
				}
			case "dropout":
				fmt.Fprintf(&g.code, "\t// %s: %s, the identity when predicting\n\t%s := %s\n", h.Name, h.Config, next, cur)
			default: // cannot happen: loadModel rebuilt only these
				return nil, fmt.Errorf("%s: layer %d (%s, %s) cannot be exported", modelPath, k+1, h.Name, h.Config)
			}
		}
		cur = next
	}
	outputs := width
	if s := l.head.Targets; s != nil {
		g.vector(&body, "OutOffset", s.Offset, "the target scaling's offsets")
		g.vector(&body, "OutScale", s.Scale, "the target scaling's scales")
		fmt.Fprintf(&g.code, "\t// The outputs, mapped back to the targets' units (%s): a/scale + offset.\n", s.Kind)
		fmt.Fprintf(&g.code, "\tfor j := range y {\n\t\ty[j] = %s[j]/%sOutScale[j] + %sOutOffset[j]\n\t}\n\treturn y\n", cur, g.prefix, g.prefix)
	} else {
		fmt.Fprintf(&g.code, "\treturn %s\n", cur)
	}

	var src strings.Builder
	base := filepath.Base(modelPath)
	fmt.Fprintf(&src, "// Code generated by golem export from %s; DO NOT EDIT.\n\n", base)
	fmt.Fprintf(&src, "package %s\n\n", pkg)
	if g.usesMath {
		src.WriteString("import \"math\"\n\n")
	}
	fmt.Fprintf(&src, "// %s computes the outputs of the network in %s for one sample of raw\n", fn, base)
	src.WriteString("// (unscaled) inputs, scaling included, as golem's Model.Predict does.\n//\n")
	fmt.Fprintf(&src, "// Network: %s.\n", strings.Join(arch, ", "))
	if names, err := readSidecar(modelPath, l.inputs, outputs); err == nil {
		fmt.Fprintf(&src, "// Inputs:  %s.\n", indexed("x", names.Inputs))
		fmt.Fprintf(&src, "// Outputs: %s.\n", indexed("y", names.Targets))
	}
	ret := "y"
	if l.head.Targets == nil {
		ret = ""
	}
	fmt.Fprintf(&src, "func %s(x [%d]float64) (%s [%d]float64) {\n", fn, l.inputs, ret, outputs)
	src.WriteString(g.code.String())
	src.WriteString("}\n\n")
	src.WriteString(body.String())
	for _, name := range []string{"sigmoid", "relu", "softplus", "softmax"} {
		if g.helpers[name] {
			src.WriteString(helperSource(g.prefix, name))
		}
	}
	out, err := format.Source([]byte(src.String()))
	if err != nil { // a bug here, not in the model
		return nil, fmt.Errorf("formatting the generated source: %v", err)
	}
	return out, nil
}

// goWriter accumulates the function's statements (code) and notes which
// helpers and packages they use.
type goWriter struct {
	prefix   string // of every package-level name, so files of several models can share a package
	code     strings.Builder
	helpers  map[string]bool
	usesMath bool
}

// activation is the expression of an elementwise activation of v.
func (g *goWriter) activation(name, v string) string {
	switch name {
	case "linear":
		return v
	case "tanh":
		g.usesMath = true
		return "math.Tanh(" + v + ")"
	case "sigmoid":
		g.usesMath = true
	case "softplus":
		g.usesMath = true
	}
	g.helpers[name] = true
	return fmt.Sprintf("%s%s(%s)", g.prefix, helperName(name), v)
}

// softmax maps the array v to its softmax in place.
func (g *goWriter) softmax(v string) {
	g.usesMath = true
	g.helpers["softmax"] = true
	fmt.Fprintf(&g.code, "\t%sSoftmax(%s[:])\n", g.prefix, v)
}

func helperName(act string) string {
	return map[string]string{"sigmoid": "Sigmoid", "relu": "ReLU", "softplus": "Softplus", "softmax": "Softmax"}[act]
}

// helperSource is the Go source of an activation, computed as golem's
// engine (Gorgonia v0.9.18) computes it, cut-offs included, so that the
// exported function gives golem's outputs to rounding.
func helperSource(prefix, act string) string {
	name := prefix + helperName(act)
	switch act {
	case "sigmoid":
		return fmt.Sprintf(`// %s is 1/(1+e^{-z}), exactly 0 below -709 and 1 above 19 (as golem).
func %s(z float64) float64 {
	if z < -709 {
		return 0
	}
	if z > 19 {
		return 1
	}
	return 1 / (1 + math.Exp(-z))
}

`, name, name)
	case "relu":
		return fmt.Sprintf(`// %s is max(z, 0).
func %s(z float64) float64 {
	if z >= 0 {
		return z
	}
	return 0
}

`, name, name)
	case "softplus":
		return fmt.Sprintf(`// %s is log(1+e^z), exactly 0 below -708 and z above 16 (as golem).
func %s(z float64) float64 {
	if z < -708 {
		return 0
	}
	if z > 16 {
		return z
	}
	return math.Log1p(math.Exp(z))
}

`, name, name)
	case "softmax":
		return fmt.Sprintf(`// %s maps z to exp(z − m − log Σ exp(z − m)) in place, m = max z.
func %s(z []float64) {
	m := z[0]
	for _, v := range z[1:] {
		if v > m {
			m = v
		}
	}
	s := 0.0
	for j := range z {
		z[j] -= m
		s += math.Exp(z[j])
	}
	ls := math.Log(s)
	for j := range z {
		z[j] = math.Exp(z[j] - ls)
	}
}

`, name, name)
	}
	return ""
}

// vector writes a package-level array of weights.
func (g *goWriter) vector(b *strings.Builder, name string, v []float64, what string) {
	fmt.Fprintf(b, "// %s%s is %s.\nvar %s%s = [%d]float64{%s}\n\n", g.prefix, name, what, g.prefix, name, len(v), floats(v))
}

// matrix writes a package-level two-dimensional array of weights.
func (g *goWriter) matrix(b *strings.Builder, name string, rows [][]float64, what string) {
	fmt.Fprintf(b, "// %s%s is %s.\nvar %s%s = [%d][%d]float64{\n", g.prefix, name, what, g.prefix, name, len(rows), len(rows[0]))
	for _, r := range rows {
		fmt.Fprintf(b, "\t{%s},\n", floats(r))
	}
	b.WriteString("}\n\n")
}

// floats lists numbers at full precision (each reads back as the same
// float64).
func floats(v []float64) string {
	s := make([]string, len(v))
	for i, f := range v {
		s[i] = strconv.FormatFloat(f, 'g', -1, 64)
	}
	return strings.Join(s, ", ")
}

func indexed(v string, names []string) string {
	s := make([]string, len(names))
	for i, n := range names {
		s[i] = fmt.Sprintf("%s[%d] %s", v, i, n)
	}
	return strings.Join(s, ", ")
}
