package fit

import (
	"context"
	"fmt"
	"math"
	"slices"

	"gonum.org/v1/gonum/mat"
	G "gorgonia.org/gorgonia"

	"github.com/golem-ml/golem/graph"
	"github.com/golem-ml/golem/internal/engine"
	"github.com/golem-ml/golem/internal/graphrt"
	"github.com/golem-ml/golem/internal/jac"
)

// problem is one fit: the model, its data and parameters, and the mapping
// between the user's parameters p and LM's internal θ.
type problem struct {
	model  *Model
	d      *data
	params []Param // in model order, starts moved inside their bounds
	loss   Loss
	scale  float64
	maps   []boundMap // per model parameter
	mapped []bool     // whether maps[i] applies
	free   []int      // model indices of the parameters LM varies
}

func newProblem(m *Model, d *data, params []Param, loss Loss, scale float64) (*problem, error) {
	pr := &problem{model: m, d: d, params: slices.Clone(params), loss: loss, scale: scale,
		maps: make([]boundMap, len(params)), mapped: make([]bool, len(params))}
	for i, p := range pr.params {
		if p.Fixed {
			continue
		}
		pr.free = append(pr.free, i)
		if bm, ok := newBoundMap(p); ok {
			pr.maps[i], pr.mapped[i] = bm, true
			pr.params[i].Value = bm.inside(p.Value)
		}
	}
	return pr, nil
}

// theta0 is LM's starting θ: the free parameters' starts, mapped.
func (pr *problem) theta0() []float64 {
	t := make([]float64, len(pr.free))
	for k, i := range pr.free {
		t[k] = pr.params[i].Value
		if pr.mapped[i] {
			t[k] = pr.maps[i].inverse(t[k])
		}
	}
	return t
}

// values maps LM's θ to all of the user's parameters, fixed ones included.
func (pr *problem) values(theta []float64) []float64 {
	v := make([]float64, len(pr.params))
	for i, p := range pr.params {
		v[i] = p.Value
	}
	for k, i := range pr.free {
		v[i] = theta[k]
		if pr.mapped[i] {
			v[i] = pr.maps[i].Eval(theta[k])
		}
	}
	return v
}

// spec describes a graph of the model's weighted residuals for internal/jac.
// vary lists the model parameters that are graph parameters (with values
// start); the others are constants at values. With mapped, a varied
// parameter's graph parameter is θ and the model sees g(θ); with robust,
// the residual is φ(u) of the loss instead of u = (f − y)/σ.
func (pr *problem) spec(values []float64, vary []int, mapped, robust bool) (jac.Spec, error) {
	ps := graph.NewParams()
	gp := make([]*graph.Param, len(values))
	for _, i := range vary {
		v := values[i]
		if mapped && pr.mapped[i] {
			v = pr.maps[i].inverse(v)
		}
		var err error
		if gp[i], err = ps.Declare(pr.model.Params[i], []int{1}, graph.Constant(v), 0, 0); err != nil {
			return jac.Spec{}, err
		}
	}
	ps.Init(0)
	m := pr.model
	build := func(b *graph.Builder, x, y *G.Node) (*G.Node, error) {
		engine.BeginLayer(b)
		xs, err := columns(x)
		if err != nil {
			return nil, err
		}
		p := make([]*G.Node, len(values))
		for i := range p {
			switch {
			case gp[i] == nil: // a graph node (ops on a bare constant have no graph)
				p[i] = b.Tensor("const/"+m.Params[i], []int{1}, []float64{values[i]})
			case mapped && pr.mapped[i]:
				if p[i], err = graph.Apply(pr.maps[i], b.Param(gp[i])); err != nil {
					return nil, err
				}
			default:
				p[i] = b.Param(gp[i])
			}
		}
		e := graph.NewExpr()
		var f *G.Node
		err = graphrt.Catch(func() error {
			f = m.F(e, xs, p)
			return e.Err()
		})
		if err != nil {
			return nil, fmt.Errorf("fit: model %s: %w", m.Name, err)
		}
		if f == nil {
			return nil, fmt.Errorf("fit: model %s returned no node", m.Name)
		}
		batch := x.Shape()[0]
		if f.Shape().TotalSize() != batch {
			return nil, fmt.Errorf("fit: model %s returned shape %v for %d points; want one value per point", m.Name, f.Shape(), batch)
		}
		if f.Dims() != 2 || f.Shape()[1] != 1 {
			if f, err = graph.Reshape(f, batch, 1); err != nil {
				return nil, err
			}
		}
		yc, err := columns(y)
		if err != nil {
			return nil, err
		}
		u, err := graph.Sub(f, yc[0])
		if err != nil {
			return nil, err
		}
		if u, err = graph.Mul(u, yc[1]); err != nil {
			return nil, err
		}
		if robust && pr.loss != Linear {
			return graph.Apply(robustResidual{loss: pr.loss, scale: pr.scale}, u)
		}
		return u, nil
	}
	return jac.Spec{Params: ps, Inputs: pr.d.inputs, Targets: 2, Residuals: 1, Build: build}, nil
}

// columns splits a (batch × k) node into k copied (batch × 1) columns.
func columns(x *G.Node) ([]*G.Node, error) {
	cols := x.Shape()[1]
	if cols == 1 {
		return []*G.Node{x}, nil
	}
	out := make([]*G.Node, cols)
	for j := range out {
		var c *G.Node
		err := graphrt.Catch(func() error {
			var err error
			c, err = G.Slice(x, nil, G.S(j, j+1))
			return err
		})
		if err != nil {
			return nil, err
		}
		// A copy: slices are views (see graph.Reshape).
		if out[j], err = graph.Reshape(c, x.Shape()[0], 1); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// jacData is the problem's data for internal/jac.
func (pr *problem) jacData() jac.Data {
	return jac.Data{N: pr.d.n, X: pr.d.x, Y: pr.d.y}
}

// objective builds LM's least-squares objective at the start.
func (pr *problem) objective() (*objective, error) {
	start := pr.values(pr.theta0())
	spec, err := pr.spec(start, pr.free, true, true)
	if err != nil {
		return nil, err
	}
	e, err := jac.New(spec, jac.Config{})
	if err != nil {
		return nil, err
	}
	return &objective{engine: e, data: pr.jacData(), theta: spec.Params.Theta(), ctx: context.Background()}, nil
}

// checkStart evaluates the model at the start and names the first point
// where it is not finite.
func (pr *problem) checkStart(ctx context.Context) error {
	start := pr.values(pr.theta0())
	f, err := pr.eval(ctx, start, pr.d.x, pr.d.n)
	if err != nil {
		return err
	}
	for i, v := range f {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return fmt.Errorf("fit: model %s is %v at point %d (x = %v) with the starting values %v", pr.model.Name, v, i, pr.d.x[i*pr.d.inputs:(i+1)*pr.d.inputs], start)
		}
	}
	return nil
}

// eval computes f at n points x (row-major) for the given parameters.
func (pr *problem) eval(ctx context.Context, values, x []float64, n int) ([]float64, error) {
	y := make([]float64, 2*n)
	for i := 0; i < n; i++ {
		y[2*i+1] = 1
	}
	// The engine needs a parameter; one free parameter (there is always
	// one) serves, at its value.
	spec, err := pr.spec(values, pr.free[:1], false, false)
	if err != nil {
		return nil, err
	}
	e, err := jac.New(spec, jac.Config{})
	if err != nil {
		return nil, err
	}
	f := make([]float64, n)
	if err := e.Residuals(ctx, jac.Data{N: n, X: x, Y: y}, f); err != nil {
		return nil, err
	}
	return f, nil
}

// jacobian returns, at values and on d (rows of y are (y, 1/σ)), the
// weighted residuals u = (f − y)/σ and their Jacobian J (N × len(vary))
// with respect to the user's parameters listed in vary.
func (pr *problem) jacobian(ctx context.Context, values []float64, vary []int, d jac.Data) (*mat.Dense, []float64, error) {
	spec, err := pr.spec(values, vary, false, false)
	if err != nil {
		return nil, nil, err
	}
	e, err := jac.New(spec, jac.Config{})
	if err != nil {
		return nil, nil, err
	}
	J := mat.NewDense(d.N, len(vary), nil)
	u := make([]float64, d.N)
	if err := e.Jacobian(ctx, d, J, u); err != nil {
		return nil, nil, err
	}
	return J, u, nil
}

// objective is LM's view of the problem: optim.LeastSquares over the
// Jacobian engine.
type objective struct {
	engine *jac.Engine
	data   jac.Data
	theta  []float64
	ctx    context.Context

	sum      float64
	sumTheta []float64
	sumValid bool
}

func (o *objective) Params() []float64 { return o.theta }
func (o *objective) Rows() int         { return o.data.N }

func (o *objective) Loss() (float64, error) { return o.SumSquares(o.ctx) }

func (o *objective) Gradient(g []float64) (float64, error) {
	P := len(o.theta)
	jtj := mat.NewSymDense(P, nil)
	loss, err := o.engine.NormalEquations(o.ctx, o.data, jtj, g)
	for i := range g {
		g[i] *= 2
	}
	return loss, err
}

// SumSquares is cached for the θ it was last computed at: LM asks for the
// baseline of every iteration, which is the last accepted trial.
func (o *objective) SumSquares(ctx context.Context) (float64, error) {
	if o.sumValid && slices.Equal(o.theta, o.sumTheta) {
		return o.sum, nil
	}
	v, err := o.engine.SumSquares(ctx, o.data)
	if err != nil {
		o.sumValid = false
		return 0, err
	}
	o.sum, o.sumTheta, o.sumValid = v, append(o.sumTheta[:0], o.theta...), true
	return v, nil
}

func (o *objective) NormalEquations(ctx context.Context, jtj *mat.SymDense, jtr []float64) (float64, error) {
	return o.engine.NormalEquations(ctx, o.data, jtj, jtr)
}

func (o *objective) Jacobian(ctx context.Context, dst *mat.Dense, r []float64) error {
	return o.engine.Jacobian(ctx, o.data, dst, r)
}

func (o *objective) Residuals(ctx context.Context, r []float64) error {
	return o.engine.Residuals(ctx, o.data, r)
}
