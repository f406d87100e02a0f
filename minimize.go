package golem

import (
	"context"
	"errors"
	"fmt"
	"math"

	G "gorgonia.org/gorgonia"

	"github.com/golem-ml/golem/graph"
	"github.com/golem-ml/golem/internal/engine"
	"github.com/golem-ml/golem/internal/graphrt"
	"github.com/golem-ml/golem/optim"
)

// ScalarFunc builds a scalar expression of the parameters p (each a
// one-element node) with graph.Expr's operations.
type ScalarFunc func(e *graph.Expr, p []*G.Node) *G.Node

// MinimizeConfig configures Minimize. Zero fields take the defaults.
type MinimizeConfig struct {
	Steps   int     // optimizer steps; default 1000
	GradTol float64 // stop early once ‖∇f‖ < GradTol; default 0 (never)
}

// Path is the trajectory of a minimization: Theta[0] is the start and
// Theta[k] the point after step k, with f evaluated at each.
type Path struct {
	Theta [][]float64
	Loss  []float64
}

// Last is the final point.
func (p *Path) Last() []float64 { return p.Theta[len(p.Theta)-1] }

// Minimize runs a first-order optimizer on f from start and returns the
// path of θ and f(θ). It is how the optimizers are compared on test
// functions (Rosenbrock, Himmelblau, ...), and works for any scalar
// expression, not only a network's loss. Every call is a new run: an
// optimizer that implements optim.Initializer is initialized for it, so
// one optimizer value can minimize several functions in turn.
func Minimize(ctx context.Context, f ScalarFunc, start []float64, opt optim.Optimizer, cfg MinimizeConfig) (*Path, error) {
	if f == nil || opt == nil || len(start) == 0 {
		return nil, errors.New("golem: Minimize needs a function, an optimizer and a start point")
	}
	if v, ok := opt.(optim.Validator); ok {
		if err := v.Validate(); err != nil {
			return nil, fmt.Errorf("golem: %w", err)
		}
	}
	if ls, ok := opt.(optim.LeastSquaresOptimizer); ok && ls.NeedsLeastSquares() {
		return nil, fmt.Errorf("golem: Minimize: %w", optim.ErrNotLeastSquares)
	}
	if cfg.Steps <= 0 {
		cfg.Steps = 1000
	}
	obj, err := newScalarObjective(f, start)
	if err != nil {
		return nil, err
	}
	if in, ok := opt.(optim.Initializer); ok {
		if err := in.Init(optim.Problem{Params: len(start), Samples: 1, BatchSize: 1, Batches: 1}); err != nil {
			return nil, fmt.Errorf("golem: Minimize: %w", err)
		}
	}
	loss, err := obj.Loss()
	if err != nil {
		return nil, err
	}
	path := &Path{Theta: [][]float64{append([]float64(nil), start...)}, Loss: []float64{loss}}
	for k := 0; k < cfg.Steps; k++ {
		info, err := opt.Step(ctx, obj)
		if err != nil {
			return path, fmt.Errorf("golem: Minimize step %d: %w", k+1, err)
		}
		if cfg.GradTol > 0 && info.GradNorm < cfg.GradTol {
			break
		}
		if loss, err = obj.Loss(); err != nil {
			return path, err
		}
		path.Theta = append(path.Theta, append([]float64(nil), obj.Params()...))
		path.Loss = append(path.Loss, loss)
	}
	return path, nil
}

// scalarObjective is an optim.Objective over one compiled graph of f.
type scalarObjective struct {
	params  *graph.Params
	ps      []*graph.Param
	value   *graphrt.Output
	grads   []*graphrt.Output
	machine *graphrt.Machine
}

func newScalarObjective(f ScalarFunc, start []float64) (*scalarObjective, error) {
	params := graph.NewParams()
	o := &scalarObjective{params: params}
	for i, v := range start {
		p, err := params.Declare(fmt.Sprintf("p%d", i+1), []int{1}, graph.Constant(v), 0, 0)
		if err != nil {
			return nil, err
		}
		o.ps = append(o.ps, p)
	}
	params.Init(0)
	b := graph.NewBuilder(params, 1)
	nodes := make([]*G.Node, len(o.ps))
	for i, p := range o.ps {
		nodes[i] = b.Param(p)
	}
	var cost *G.Node
	err := graphrt.Catch(func() error {
		e := graph.NewExpr()
		out := f(e, nodes)
		if err := e.Err(); err != nil {
			return err
		}
		if out == nil {
			return errors.New("the function returned no node")
		}
		var err error
		if cost, err = G.Sum(out); err != nil { // a one-element node becomes a scalar
			return err
		}
		// + Σ 0·pᵢ keeps every parameter reachable, so one f may ignore
		// gets an exact zero gradient instead of a Gorgonia error.
		for _, n := range nodes {
			z, err := G.HadamardProd(n, G.NewConstant(0.0))
			if err != nil {
				return err
			}
			if z, err = G.Sum(z); err != nil {
				return err
			}
			if cost, err = G.Add(cost, z); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("golem: Minimize: building f: %w", err)
	}
	_, grads, err := engine.Gradients(b, cost)
	if err != nil {
		return nil, fmt.Errorf("golem: Minimize: %w", err)
	}
	o.value = engine.Output(b, cost)
	for _, g := range grads {
		o.grads = append(o.grads, engine.Output(b, g))
	}
	if o.machine, err = engine.Compile(b); err != nil {
		return nil, fmt.Errorf("golem: Minimize: %w", err)
	}
	return o, nil
}

// Params returns θ.
func (o *scalarObjective) Params() []float64 { return o.params.Theta() }

// Loss evaluates f at θ.
func (o *scalarObjective) Loss() (float64, error) {
	if err := o.machine.Run(); err != nil {
		return 0, err
	}
	v := o.value.Scalar()
	if math.IsNaN(v) {
		return v, fmt.Errorf("golem: Minimize: f is NaN at %v", o.params.Theta())
	}
	return v, nil
}

// Gradient evaluates f and ∇f at θ.
func (o *scalarObjective) Gradient(g []float64) (float64, error) {
	if err := o.machine.Run(); err != nil {
		return 0, err
	}
	for i := range g {
		g[i] = o.grads[i].Scalar()
	}
	return o.value.Scalar(), nil
}
