package golem

import (
	"context"
	"fmt"

	"gonum.org/v1/gonum/mat"
	G "gorgonia.org/gorgonia"

	"golem/graph"
	"golem/internal/jac"
	"golem/losses"
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
	x := b.Input("x", 1, m.input.Size())
	y := b.Input("y", 1, loss.TargetColumns(m.Outputs()))
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

// JacobianCheck is the result of CheckJacobian; see its fields.
type JacobianCheck = jac.CheckResult

// CheckJacobian compares the per-sample Jacobian of the compiled loss's
// residuals, as golem computes it for Levenberg–Marquardt, with central
// finite differences on (x, y). Custom-layer authors use it to confirm that
// their layer differentiates correctly; a MaxRelError below about 1e-6 means
// it does. The loss must have a residual form.
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
	return e.Check(ctx, m.jacobianData(d))
}
