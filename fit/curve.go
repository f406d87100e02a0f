package fit

import (
	"context"
	"errors"
	"fmt"
	"math"

	"gonum.org/v1/gonum/mat"

	"github.com/golem-ml/golem/optim"
)

// Options configures Curve. The zero value fits by least squares from the
// given starts with the default engine settings.
type Options struct {
	// Params gives each model parameter its start, bounds or fixed value,
	// by name. Every parameter of the model must be listed (see Start for
	// scipy-style positional starts); there is no default start, because
	// nonlinear fits depend on it.
	Params []Param
	// Sigma holds each point's standard deviation σᵢ (length N, each
	// positive and finite): the fit minimizes Σ ρ of ((yᵢ − f(xᵢ))/σᵢ)², so
	// points weigh 1/σᵢ². Default nil: every σᵢ = 1.
	Sigma []float64
	// AbsoluteSigma says Sigma is in the units of y, so the covariance is
	// (JᵀWJ)⁻¹ as it stands and intervals use the normal distribution
	// (scipy's absolute_sigma=True). Default false: Sigma gives relative
	// weights only, and the covariance is scaled by the reduced χ² (the
	// residual variance), with Student's t for intervals.
	AbsoluteSigma bool
	// Loss is the loss ρ; default Linear (least squares). Robust losses
	// down-weight outliers (see Loss).
	Loss Loss
	// FScale is the residual scale s of a robust loss, the size of the
	// residuals still treated as inliers (scipy's f_scale); default 1.
	FScale float64
	// Level is the confidence level of the parameters' intervals; default
	// 0.95.
	Level float64
	// MaxIterations bounds the LM iterations; default 3000. With the
	// default engine, the DefaultLM run gets half of them and a FallbackLM
	// restart (when the first run does not converge) the rest. A fit that
	// uses them all stops with StopIterations, which is not convergence.
	MaxIterations int
	// LM overrides the engine's configuration, with no fallback; nil takes
	// DefaultLM, then FallbackLM when that does not converge. Its zero
	// fields take optim.LMConfig's defaults, not DefaultLM's: start from
	// DefaultLM() and change fields.
	LM *optim.LMConfig
}

// DefaultMaxIterations is Options.MaxIterations' default.
const DefaultMaxIterations = 3000

// DefaultLM is the engine configuration Curve starts with unless
// Options.LM is set: optim.CurveFit, damped Levenberg–Marquardt with
// Transtrum's factors (μ×1/3 after an accepted step, ×2 after a rejected
// one) and tolerances that run a fit to machine precision. It converges on
// 53 of the 54 NIST StRD starts, on active bounds and with robust losses,
// but crawls along a long curved valley (MGH10 from its first start needs
// about 18,000 iterations).
func DefaultLM() optim.LMConfig { return optim.CurveFit() }

// FallbackLM is the configuration Curve restarts with, from the start,
// when a default fit's DefaultLM run ends without converging: MINPACK's
// method, a trust region on the step length in the norm of Moré's scaling
// (the running maximum of diag(JᵀJ), clamped below at 100), solved by QR,
// with DefaultLM's tolerances. It takes long steps along valleys (MGH10's
// first start in 273 iterations) but converges slowly on an active bound,
// where DefaultLM does well.
func FallbackLM() optim.LMConfig {
	c := optim.CurveFit()
	c.Damping, c.Update, c.Solver, c.MinScale = optim.DampingMore, optim.UpdateMore, optim.SolverQR, 100
	return c
}

// StopIterations is Result.Stop when Curve used all MaxIterations without a
// convergence test holding.
const StopIterations optim.Stop = "max_iterations"

// Validate reports options that cannot be used: NaN or infinite FScale or
// Level, a non-positive FScale, a Level outside (0, 1), a negative
// MaxIterations, an unknown Loss, a σ that is not positive and finite, or
// an invalid LM configuration. Curve also checks them against the model
// and data.
func (o Options) Validate() error {
	switch {
	case math.IsNaN(o.FScale) || math.IsInf(o.FScale, 0) || o.FScale < 0:
		return fmt.Errorf("fit: FScale = %v; it must be positive and finite", o.FScale)
	case math.IsNaN(o.Level) || o.Level < 0 || o.Level >= 1:
		return fmt.Errorf("fit: Level = %v; it must lie in (0, 1)", o.Level)
	case o.MaxIterations < 0:
		return fmt.Errorf("fit: MaxIterations = %d must not be negative", o.MaxIterations)
	case !o.Loss.valid():
		return fmt.Errorf("fit: unknown loss %v", o.Loss)
	}
	for i, s := range o.Sigma {
		if !(s > 0) || math.IsInf(s, 0) {
			return fmt.Errorf("fit: Sigma[%d] = %v; every σ must be positive and finite", i, s)
		}
	}
	seen := map[string]bool{}
	for _, p := range o.Params {
		if seen[p.Name] {
			return fmt.Errorf("fit: parameter %s is listed twice", p.Name)
		}
		seen[p.Name] = true
		if err := p.validate(); err != nil {
			return err
		}
	}
	if o.LM != nil {
		return o.LM.Validate()
	}
	return nil
}

// withDefaults fills the zero fields.
func (o Options) withDefaults() Options {
	if o.FScale == 0 {
		o.FScale = 1
	}
	if o.Level == 0 {
		o.Level = 0.95
	}
	if o.MaxIterations == 0 {
		o.MaxIterations = DefaultMaxIterations
	}
	return o
}

// Curve fits model m to the points (x, y) by Levenberg–Marquardt: x is
// N × len(m.Inputs) (one column per input), y has N values. It returns the
// fitted parameters with their statistics (see Result). Bad input — a
// shape mismatch, NaN or ±Inf in x, y or σ, a parameter without a start, a
// start outside its bounds, a model that is not finite at the start —
// gives an error naming the problem. A fit that does not converge still
// returns its Result, whose Stop and Warnings say so. Cancelling ctx stops
// the fit promptly with ctx's error.
func Curve(ctx context.Context, m *Model, x mat.Matrix, y []float64, opts Options) (*Result, error) {
	if err := m.validate(); err != nil {
		return nil, err
	}
	if err := opts.Validate(); err != nil {
		return nil, err
	}
	opts = opts.withDefaults()
	d, err := newData(m, x, y, opts.Sigma)
	if err != nil {
		return nil, err
	}
	params, err := resolveParams(m, opts.Params)
	if err != nil {
		return nil, err
	}
	pr, err := newProblem(m, d, params, opts.Loss, opts.FScale)
	if err != nil {
		return nil, err
	}
	if err := pr.checkStart(ctx); err != nil {
		return nil, err
	}
	if opts.LM != nil {
		r, err := pr.run(ctx, *opts.LM, opts.MaxIterations)
		if err != nil {
			return nil, err
		}
		return newResult(ctx, pr, opts, r, false)
	}
	first, err := pr.run(ctx, DefaultLM(), max(1, opts.MaxIterations/2))
	if err != nil {
		return nil, err
	}
	if first.stop.Converged() || opts.MaxIterations-len(first.steps) <= 0 {
		return newResult(ctx, pr, opts, first, false)
	}
	second, err := pr.run(ctx, FallbackLM(), opts.MaxIterations-len(first.steps))
	if err != nil {
		return nil, err
	}
	second.steps = append(first.steps, second.steps...)
	if !second.stop.Converged() && !(second.cost < first.cost) {
		// Neither converged: keep the better end, and every iteration.
		first.steps = second.steps
		return newResult(ctx, pr, opts, first, true)
	}
	return newResult(ctx, pr, opts, second, true)
}

// runResult is how one LM run from the start ended.
type runResult struct {
	theta []float64
	steps []optim.StepInfo
	stop  optim.Stop
	cost  float64 // the objective at theta
}

// resolveParams orders opts' parameters as the model's, rejecting missing
// and unknown names.
func resolveParams(m *Model, given []Param) ([]Param, error) {
	byName := map[string]Param{}
	for _, p := range given {
		byName[p.Name] = p
	}
	out := make([]Param, len(m.Params))
	var missing []string
	for i, name := range m.Params {
		p, ok := byName[name]
		if !ok {
			missing = append(missing, name)
			continue
		}
		out[i] = p
		delete(byName, name)
	}
	if len(missing) > 0 {
		return nil, fmt.Errorf("fit: model %s: no start value for parameter(s) %v (set Options.Params)", m.Name, missing)
	}
	for name := range byName {
		return nil, fmt.Errorf("fit: Options.Params names %q, which is not a parameter of model %s (its parameters: %v)", name, m.Name, m.Params)
	}
	for _, p := range out {
		if !p.Fixed {
			return out, nil
		}
	}
	return nil, errors.New("fit: every parameter is fixed; there is nothing to fit")
}

// data holds the points row-major: X is N × inputs, Y is N × 2 with each
// row (yᵢ, 1/σᵢ).
type data struct {
	n, inputs int
	x, y      []float64
	sigma     []float64 // nil when no σ was given
}

// newData validates and copies the points.
func newData(m *Model, x mat.Matrix, y []float64, sigma []float64) (*data, error) {
	if x == nil {
		return nil, errors.New("fit: x is nil")
	}
	n, cols := x.Dims()
	inputs := m.inputs()
	switch {
	case n == 0:
		return nil, errors.New("fit: no data points")
	case cols != len(inputs):
		return nil, fmt.Errorf("fit: x has %d columns, but model %s has %d inputs %v", cols, m.Name, len(inputs), inputs)
	case len(y) != n:
		return nil, fmt.Errorf("fit: x has %d rows but y has %d values", n, len(y))
	case sigma != nil && len(sigma) != n:
		return nil, fmt.Errorf("fit: Sigma has %d values for %d points", len(sigma), n)
	}
	d := &data{n: n, inputs: cols, x: make([]float64, n*cols), y: make([]float64, 2*n)}
	if sigma != nil {
		d.sigma = append([]float64(nil), sigma...)
	}
	for i := 0; i < n; i++ {
		for j := 0; j < cols; j++ {
			v := x.At(i, j)
			if math.IsNaN(v) || math.IsInf(v, 0) {
				return nil, fmt.Errorf("fit: x row %d, input %s is %v", i, inputs[j], v)
			}
			d.x[i*cols+j] = v
		}
		if math.IsNaN(y[i]) || math.IsInf(y[i], 0) {
			return nil, fmt.Errorf("fit: y row %d is %v", i, y[i])
		}
		d.y[2*i] = y[i]
		d.y[2*i+1] = 1
		if sigma != nil {
			d.y[2*i+1] = 1 / sigma[i]
		}
	}
	return d, nil
}

// weight is 1/σᵢ² of point i.
func (d *data) weight(i int) float64 { return d.y[2*i+1] * d.y[2*i+1] }

// run iterates LM from the problem's start until a stop or max
// iterations.
func (pr *problem) run(ctx context.Context, cfg optim.LMConfig, max int) (runResult, error) {
	obj, err := pr.objective()
	if err != nil {
		return runResult{}, err
	}
	obj.ctx = ctx
	lm := optim.LM(cfg)
	if err := lm.Init(optim.Problem{Params: len(obj.theta), Samples: pr.d.n, BatchSize: pr.d.n, Batches: 1, Rows: pr.d.n}); err != nil {
		return runResult{}, err
	}
	r := runResult{stop: StopIterations}
	for it := 0; it < max; it++ {
		info, err := lm.Step(ctx, obj)
		if err != nil {
			return runResult{}, fmt.Errorf("fit: iteration %d: %w", it+1, err)
		}
		r.steps = append(r.steps, info)
		if info.Stop != "" {
			r.stop = info.Stop
			break
		}
	}
	r.theta = obj.theta
	if r.cost, err = obj.SumSquares(ctx); err != nil {
		return runResult{}, err
	}
	return r, nil
}
