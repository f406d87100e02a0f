package fit

import (
	"fmt"
	"go/token"

	"github.com/golem-ml/golem/layers"
)

// Model is a curve y = f(x; p) with named parameters and named inputs:
// the thing Curve fits. Build one from Go code with Func or from a formula
// with Expr.
type Model struct {
	// Name labels the model in reports; Expr sets it to the formula.
	Name string
	// Params names the parameters p[0], p[1], ... that F receives.
	Params []string
	// Inputs names the input columns x[0], x[1], ... (one column of x per
	// input); default one input named "x".
	Inputs []string
	// F computes the curve with graph.Expr: each x[j] is a (batch × 1)
	// column, each p[i] a scalar node; the result is (batch × 1) or
	// (batch).
	F layers.CurveFunc
}

// Func returns the model computed by f, with parameters named params (in
// the order f receives them) and one input, "x". Set Inputs on the result
// for a model of several inputs.
func Func(name string, f layers.CurveFunc, params ...string) *Model {
	return &Model{Name: name, Params: append([]string(nil), params...), Inputs: []string{"x"}, F: f}
}

// inputs returns the input names, defaulting to one input "x".
func (m *Model) inputs() []string {
	if len(m.Inputs) == 0 {
		return []string{"x"}
	}
	return m.Inputs
}

// validate reports a model that cannot be fitted: no function, no
// parameters, or names that are empty, not identifiers, or repeated.
func (m *Model) validate() error {
	if m == nil || m.F == nil {
		return fmt.Errorf("fit: the model has no function")
	}
	if len(m.Params) == 0 {
		return fmt.Errorf("fit: model %s has no parameters", m.Name)
	}
	seen := map[string]string{}
	for _, group := range []struct {
		kind  string
		names []string
	}{{"parameter", m.Params}, {"input", m.inputs()}} {
		for _, n := range group.names {
			if !token.IsIdentifier(n) {
				return fmt.Errorf("fit: model %s: %s name %q is not an identifier", m.Name, group.kind, n)
			}
			if prev, ok := seen[n]; ok {
				return fmt.Errorf("fit: model %s: %q names both a %s and a %s", m.Name, n, prev, group.kind)
			}
			seen[n] = group.kind
		}
	}
	return nil
}
