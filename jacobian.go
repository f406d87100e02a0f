package golem

import (
	"context"
	"fmt"
	"strings"

	"gonum.org/v1/gonum/mat"
	G "gorgonia.org/gorgonia"

	"github.com/golem-ml/golem/graph"
	"github.com/golem-ml/golem/internal/engine"
	"github.com/golem-ml/golem/internal/jac"
	"github.com/golem-ml/golem/losses"
)

// residualLoss returns the compiled loss's least-squares form, or an error
// saying the loss has none.
func (m *Model) residualLoss() (losses.Residual, error) {
	if m.loss == nil {
		return nil, ErrNotCompiled
	}
	r, ok := m.loss.(losses.Residual)
	if !ok {
		return nil, fmt.Errorf("golem: the loss %s has no residual (least-squares) form; Jacobian-based training needs MSE, SSE or a cross-entropy", m.loss.Name())
	}
	return r, nil
}

// jacobianSpec describes the model's residuals for internal/jac.
func (m *Model) jacobianSpec() (jac.Spec, error) {
	loss, err := m.residualLoss()
	if err != nil {
		return jac.Spec{}, err
	}
	build := func(b *graph.Builder, x, y *G.Node) (*G.Node, error) {
		h, err := m.forwardLayers(b, x)
		if err != nil {
			return nil, err
		}
		return loss.Residuals(b, h, y)
	}
	// The number of residuals per sample comes from a one-row graph.
	b := graph.NewBuilder(m.params, 1)
	x := engine.Input(b, "x", 1, m.input.Size())
	y := engine.Input(b, "y", 1, loss.TargetColumns(m.Outputs()))
	r, err := build(b, x.Node, y.Node)
	if err != nil {
		return jac.Spec{}, err
	}
	if r.Dims() != 2 || r.Shape()[0] != 1 {
		return jac.Spec{}, fmt.Errorf("golem: loss %s: residuals have shape %v, want (batch, R)", loss.Name(), r.Shape())
	}
	return jac.Spec{
		Params:    m.params,
		Inputs:    m.input.Size(),
		Targets:   loss.TargetColumns(m.Outputs()),
		Residuals: r.Shape()[1],
		Build:     build,
	}, nil
}

// jacobianData turns a validated dataset into jac.Data whose weights make
// Σ W·r² equal the compiled loss.
func (m *Model) jacobianData(d *dataset) jac.Data {
	w := make([]float64, d.n)
	for i := range w {
		w[i] = sampleWeight(m.loss, d.n)
	}
	return jac.Data{N: d.n, X: d.x, Y: d.y, Weights: w}
}

// JacobianCheck is the result of CheckJacobian: the worst disagreement
// between golem's per-sample Jacobian and finite differences, and the
// route each parameter took.
type JacobianCheck struct {
	// MaxRelError is max |J − FD| / scale over all entries, where scale is
	// the largest |entry| of that parameter's column.
	MaxRelError float64
	Param       string  // parameter of the worst entry
	Index       int     // index of the worst entry within the parameter
	Row         int     // row of J (sample·R + residual) of the worst entry
	Analytic    float64 // J at the worst entry
	Numeric     float64 // finite difference at the worst entry
	// Routes is how each parameter was differentiated, in θ order.
	Routes []JacobianRoute
}

func (c JacobianCheck) String() string {
	s := fmt.Sprintf("max relative error %.3g at %s[%d], row %d: Jacobian %.10g, finite differences %.10g",
		c.MaxRelError, c.Param, c.Index, c.Row, c.Analytic, c.Numeric)
	if slow := SlowRoutes(c.Routes); len(slow) > 0 {
		s += "; on the slow (loop) route: " + strings.Join(slow, ", ")
	}
	return s
}

// Route is how golem computes one parameter's per-sample derivatives for
// Levenberg–Marquardt.
type Route string

const (
	// RouteTap: the layer computes an affine map with graph.Builder.Affine
	// (Dense, the convolutions, the recurrent layers, Embedding); its
	// derivatives come from one batched gradient. The fastest route.
	RouteTap Route = "tap"
	// RouteTile: the parameter is copied per sample (elementwise use,
	// broadcasting helpers); one batched gradient, more memory.
	RouteTile Route = "tile"
	// RouteLoop: a one-sample graph per residual; correct for any layer,
	// and tens of times slower.
	RouteLoop Route = "loop"
)

// JacobianRoute is the route of one parameter.
type JacobianRoute struct {
	Param string // e.g. "conv2d_1/W"
	Route Route
}

// SlowRoutes lists the parameters on the loop route.
func SlowRoutes(rs []JacobianRoute) []string {
	var slow []string
	for _, r := range rs {
		if r.Route == RouteLoop {
			slow = append(slow, r.Param)
		}
	}
	return slow
}

// routesOf reports e's routes in θ order.
func (m *Model) routesOf(e *jac.Engine) []JacobianRoute {
	byName := e.Routes()
	var rs []JacobianRoute
	for _, p := range m.params.List() {
		r, ok := byName[p.Name]
		if !ok {
			continue
		}
		rs = append(rs, JacobianRoute{Param: p.Name, Route: Route(r.String())})
	}
	return rs
}

// CheckJacobian compares the per-sample Jacobian of the compiled loss's
// residuals, as golem computes it for Levenberg–Marquardt, with central
// finite differences on (x, y), and reports the route each parameter took
// (see Route). Custom-layer authors use it to confirm that their layer
// differentiates correctly (a MaxRelError below about 1e-6 means it does)
// and that it is not on the slow loop route. The loss must have a residual
// form.
func (m *Model) CheckJacobian(ctx context.Context, x, y mat.Matrix) (JacobianCheck, error) {
	if err := m.acquire(); err != nil {
		return JacobianCheck{}, err
	}
	defer m.release()
	spec, err := m.jacobianSpec()
	if err != nil {
		return JacobianCheck{}, err
	}
	d, err := m.dataset(x, y)
	if err != nil {
		return JacobianCheck{}, err
	}
	e, err := jac.New(spec, jac.Config{})
	if err != nil {
		return JacobianCheck{}, err
	}
	r, err := e.Check(ctx, m.jacobianData(d))
	if err != nil {
		return JacobianCheck{}, err
	}
	return JacobianCheck{MaxRelError: r.MaxRelError, Param: r.Param, Index: r.Index, Row: r.Row,
		Analytic: r.Analytic, Numeric: r.Numeric, Routes: m.routesOf(e)}, nil
}

// JacobianRoutes reports the route each parameter takes (see Route) when
// Levenberg–Marquardt differentiates the compiled loss's residuals on
// (x, y); only the first few samples are used. Layers on RouteLoop train
// correctly but slowly: write them with graph.Builder.Affine or the
// broadcasting helpers to move them to a fast route.
func (m *Model) JacobianRoutes(ctx context.Context, x, y mat.Matrix) ([]JacobianRoute, error) {
	if err := m.acquire(); err != nil {
		return nil, err
	}
	defer m.release()
	spec, err := m.jacobianSpec()
	if err != nil {
		return nil, err
	}
	d, err := m.dataset(x, y)
	if err != nil {
		return nil, err
	}
	e, err := jac.New(spec, jac.Config{})
	if err != nil {
		return nil, err
	}
	n := min(d.n, 4)
	sub := m.jacobianData(d)
	sub.N, sub.X, sub.Y, sub.Weights = n, sub.X[:n*d.xCols], sub.Y[:n*d.yCols], sub.Weights[:n]
	J := mat.NewDense(e.Rows(n), m.params.Len(), nil)
	if err := e.Jacobian(ctx, sub, J, make([]float64, e.Rows(n))); err != nil {
		return nil, err
	}
	return m.routesOf(e), nil
}
