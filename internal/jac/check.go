package jac

import (
	"context"
	"fmt"
	"math"

	"gonum.org/v1/gonum/mat"
	G "gorgonia.org/gorgonia"

	"github.com/golem-ml/golem/graph"
	"github.com/golem-ml/golem/internal/engine"
	"github.com/golem-ml/golem/internal/graphrt"
)

// CheckResult reports the worst disagreement between the engine's J and
// central finite differences of the residuals.
type CheckResult struct {
	// MaxRelError is max |J - FD| / scale over all entries, where scale is
	// the largest |entry| of that parameter's column (so entries near zero
	// are judged against their column, not against themselves).
	MaxRelError float64
	Param       string  // parameter name of the worst entry
	Index       int     // index of the worst entry within the parameter
	Row         int     // row of J (sample·R + residual) of the worst entry
	Analytic    float64 // J at the worst entry
	Numeric     float64 // finite difference at the worst entry
}

func (c CheckResult) String() string {
	return fmt.Sprintf("max relative error %.3g at %s[%d], row %d: Jacobian %.10g, finite differences %.10g",
		c.MaxRelError, c.Param, c.Index, c.Row, c.Analytic, c.Numeric)
}

// Check compares the Jacobian on d with two finite-difference estimates
// and, entry by entry, keeps the one that agrees better: Richardson-
// extrapolated central differences, (4·D(h/2) - D(h))/3 with
// D(h) = (r(θ+h) - r(θ-h))/2h and h = 1e-3·max(|θᵢ|, 1e-2) (truncation
// error O(h⁴), a step large enough that rounding in r does not swamp small
// entries), and a plain central difference with a step 1000 times smaller,
// which stays on one side of a kink (a max pool's argmax, a ReLU) where the
// larger step crosses it. θ is restored exactly.
func (e *Engine) Check(ctx context.Context, d Data) (CheckResult, error) {
	rows := e.Rows(d.N)
	J := mat.NewDense(rows, e.p, nil)
	r := make([]float64, rows)
	if err := e.Jacobian(ctx, d, J, r); err != nil {
		return CheckResult{}, err
	}
	fwd, err := e.buildForward(d.N)
	if err != nil {
		return CheckResult{}, err
	}
	wide, narrow, tiny := make([]float64, rows), make([]float64, rows), make([]float64, rows)
	up, down := make([]float64, rows), make([]float64, rows)
	theta := e.spec.Params.Theta()
	central := func(c int, h float64, dst []float64) error {
		orig := theta[c]
		theta[c] = orig + h
		errUp := fwd.eval(d, up)
		theta[c] = orig - h
		errDown := fwd.eval(d, down)
		theta[c] = orig
		if err := firstErr(errUp, errDown); err != nil {
			return fmt.Errorf("jac: check: %w", err)
		}
		for q := range dst {
			dst[q] = (up[q] - down[q]) / (2 * h)
		}
		return nil
	}
	var res CheckResult
	for _, p := range e.spec.Params.List() {
		for k := 0; k < p.Size(); k++ {
			if err := ctx.Err(); err != nil {
				return res, err
			}
			c := p.Offset + k
			h := 1e-3 * math.Max(math.Abs(theta[c]), 1e-2)
			if err := central(c, h, wide); err != nil {
				return res, err
			}
			if err := central(c, h/2, narrow); err != nil {
				return res, err
			}
			if err := central(c, h/1000, tiny); err != nil {
				return res, err
			}
			scale := 0.0
			for q := 0; q < rows; q++ {
				scale = math.Max(scale, math.Abs(J.At(q, c)))
			}
			for q := 0; q < rows; q++ {
				a := J.At(q, c)
				fd := (4*narrow[q] - wide[q]) / 3
				if math.Abs(a-tiny[q]) < math.Abs(a-fd) {
					fd = tiny[q]
				}
				rel := math.Abs(a-fd) / math.Max(math.Max(scale, math.Abs(fd)), 1e-12)
				if rel > res.MaxRelError || math.IsNaN(rel) {
					res = CheckResult{MaxRelError: rel, Param: p.Name, Index: k, Row: q, Analytic: a, Numeric: fd}
				}
			}
		}
	}
	return res, nil
}

func firstErr(errs ...error) error {
	for _, e := range errs {
		if e != nil {
			return e
		}
	}
	return nil
}

// forwardGraph evaluates the residuals of all N samples in one run.
type forwardGraph struct {
	x, y    *graphrt.Input
	r       *graphrt.Output
	machine *graphrt.Machine
	R       int
}

func (e *Engine) buildForward(n int) (*forwardGraph, error) {
	s := e.spec
	b := graph.NewBuilder(s.Params, n)
	f := &forwardGraph{R: s.Residuals}
	f.x = engine.Input(b, "x", n, s.Inputs)
	f.y = engine.Input(b, "y", n, s.Targets)
	var r *G.Node
	if err := graphrt.Catch(func() error {
		var err error
		r, err = s.Build(b, f.x.Node, f.y.Node)
		return err
	}); err != nil {
		return nil, err
	}
	f.r = engine.Output(b, r)
	var err error
	f.machine, err = engine.Compile(b)
	return f, err
}

// eval writes the residuals of d (N·R, row-major) into out.
func (f *forwardGraph) eval(d Data, out []float64) error {
	copy(f.x.Data, d.X)
	copy(f.y.Data, d.Y)
	if err := f.machine.Run(); err != nil {
		return err
	}
	copy(out, f.r.Data())
	return nil
}
