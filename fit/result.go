package fit

import (
	"context"
	"fmt"
	"math"
	"strings"

	"gonum.org/v1/gonum/mat"

	"github.com/golem-ml/golem/optim"
)

// Status says how a parameter ended a fit.
type Status int

const (
	// Free: fitted, inside its bounds (if any); its statistics hold.
	Free Status = iota
	// Fixed: held at its value by the caller (Param.Fix); it has no error.
	Fixed
	// AtLower: ended on its lower bound; held there for the statistics.
	AtLower
	// AtUpper: ended on its upper bound; held there for the statistics.
	AtUpper
)

func (s Status) String() string {
	switch s {
	case Free:
		return "free"
	case Fixed:
		return "fixed"
	case AtLower:
		return "at lower bound"
	case AtUpper:
		return "at upper bound"
	}
	return fmt.Sprintf("Status(%d)", int(s))
}

// ParamResult is one fitted parameter.
type ParamResult struct {
	Name   string
	Value  float64 // the fitted value (the fixed value when Fixed)
	Start  float64 // the starting value given
	StdErr float64 // standard error; 0 when Fixed, NaN at a bound or when no covariance exists
	// Lower and Upper bound the confidence interval at Result.Level:
	// Value ∓ q·StdErr, with q Student's t quantile on DoF degrees of
	// freedom (the normal quantile with AbsoluteSigma).
	Lower, Upper float64
	Status       Status
}

// Result is a fitted curve with its statistics. The covariance is
// cov = s²·(JᵀWJ)⁻¹, with J the Jacobian of the model with respect to the
// estimated parameters (in the user's parameters) at the solution, W the
// weights 1/σ², and s² the reduced χ² (the residual variance), or 1 with
// AbsoluteSigma. With a robust loss, W also carries scipy's per-point
// factor ρ'(z) + 2zρ”(z) (clipped at ε) and s² is Σ s_f²·ρ(z)/DoF, as
// scipy's curve_fit computes them. It is computed from the singular value
// decomposition of √W·J, not from the normal equations.
type Result struct {
	Model  *Model
	Params []ParamResult // in the model's order
	// Cov and Corr are the covariance and correlation matrices over all
	// parameters in the model's order; rows and columns of parameters
	// that were not estimated (fixed, at a bound) are 0 in Cov and NaN in
	// Corr. Both are nil when no covariance exists (see Warnings).
	Cov, Corr *mat.SymDense

	N          int     // data points
	Estimated  int     // parameters estimated (free, not at a bound)
	DoF        int     // degrees of freedom, N − Estimated
	Chi2       float64 // χ² = Σ ((yᵢ − fᵢ)/σᵢ)², the weighted residual sum of squares
	RedChi2    float64 // χ²/DoF
	ResidualSD float64 // √(χ²/DoF), NIST's residual standard deviation
	Cost       float64 // the minimized objective Σ s²·ρ(uᵢ²/s²); χ² for Linear
	R2         float64 // weighted coefficient of determination 1 − χ²/Σ wᵢ(yᵢ − ȳ)²
	AIC, BIC   float64 // N·ln(χ²/N) + 2k and N·ln(χ²/N) + ln(N)·k, k = Estimated (lmfit's)

	Loss          Loss
	FScale        float64
	AbsoluteSigma bool
	Level         float64 // the confidence level of the intervals

	Iterations int        // LM iterations run, over both runs when Restarted
	Stop       optim.Stop // why LM stopped
	// Restarted says the DefaultLM run did not converge and the fit was
	// restarted from the start with FallbackLM (see Options.LM).
	Restarted bool
	Converged bool             // whether Stop is a convergence test
	Steps     []optim.StepInfo // every iteration's report

	Fitted    []float64 // f(xᵢ) at the solution
	Residuals []float64 // yᵢ − f(xᵢ), unweighted
	Warnings  []string  // what makes the numbers less than they seem

	pr    *problem
	vals  []float64 // all parameter values
	est   []int     // model indices of the estimated parameters
	cov   *mat.SymDense
	s2    float64 // the variance factor of the covariance
	quant float64 // the interval quantile at Level
}

// Value returns the fitted value of the parameter named name, or NaN.
func (r *Result) Value(name string) float64 {
	if p, ok := r.Param(name); ok {
		return p.Value
	}
	return math.NaN()
}

// Param returns the parameter named name.
func (r *Result) Param(name string) (ParamResult, bool) {
	for _, p := range r.Params {
		if p.Name == name {
			return p, true
		}
	}
	return ParamResult{}, false
}

// Values returns every parameter's fitted value, in the model's order.
func (r *Result) Values() []float64 { return append([]float64(nil), r.vals...) }

// newResult computes the statistics at LM's final θ.
func newResult(ctx context.Context, pr *problem, opts Options, run runResult, restarted bool) (*Result, error) {
	steps, stop := run.steps, run.stop
	r := &Result{Model: pr.model, N: pr.d.n, Loss: opts.Loss, FScale: opts.FScale, AbsoluteSigma: opts.AbsoluteSigma,
		Level: opts.Level, Iterations: len(steps), Stop: stop, Converged: stop.Converged(), Restarted: restarted, Steps: steps, pr: pr}
	r.vals = pr.values(run.theta)
	given := map[string]float64{}
	for _, p := range opts.Params {
		given[p.Name] = p.Value
	}
	r.Params = make([]ParamResult, len(r.vals))
	var atBound []string
	for i, v := range r.vals {
		st := Free
		switch {
		case pr.params[i].Fixed:
			st = Fixed
		case pr.mapped[i]:
			st = pr.maps[i].boundStatus(v, given[pr.model.Params[i]])
		}
		if st == AtLower || st == AtUpper {
			atBound = append(atBound, pr.model.Params[i])
		}
		if st == Free {
			r.est = append(r.est, i)
		}
		r.Params[i] = ParamResult{Name: pr.model.Params[i], Value: v, Start: given[pr.model.Params[i]], Status: st}
	}
	if !r.Converged {
		msg := fmt.Sprintf("the fit did not converge: it stopped with %s after %d iterations", stop, len(steps))
		if stop == optim.StopMuMax {
			msg += " (stuck: no step lowered the loss)"
		}
		r.Warnings = append(r.Warnings, msg+"; the parameters and their errors may be far from the optimum")
	}
	if len(atBound) > 0 {
		r.Warnings = append(r.Warnings, fmt.Sprintf("%s ended on a bound: held there for the statistics, without an error; the others' errors assume it fixed there", strings.Join(atBound, ", ")))
	}
	if err := r.statistics(ctx); err != nil {
		return nil, err
	}
	return r, nil
}

// statistics fills the fit statistics, covariance and intervals.
func (r *Result) statistics(ctx context.Context) error {
	pr, d := r.pr, r.pr.d
	k := len(r.est)
	var J *mat.Dense
	var u []float64
	var err error
	if k > 0 {
		J, u, err = pr.jacobian(ctx, r.vals, r.est, pr.jacData())
	} else {
		var f []float64
		f, err = pr.eval(ctx, r.vals, d.x, d.n)
		u = make([]float64, d.n)
		for i := range u {
			u[i] = (f[i] - d.y[2*i]) * d.y[2*i+1]
		}
	}
	if err != nil {
		return err
	}
	n := d.n
	r.Estimated, r.DoF = k, n-k
	r.Fitted, r.Residuals = make([]float64, n), make([]float64, n)
	var wsum, wy float64
	for i, v := range u {
		w := d.weight(i)
		r.Residuals[i] = -v / d.y[2*i+1]
		r.Fitted[i] = d.y[2*i] - r.Residuals[i]
		r.Chi2 += v * v
		if r.Loss == Linear {
			r.Cost += v * v
		} else {
			r.Cost += r.FScale * r.FScale * r.Loss.rho(math.Abs(v)/r.FScale)
		}
		wsum += w
		wy += w * d.y[2*i]
	}
	mean := wy / wsum
	var tot float64
	for i := 0; i < n; i++ {
		dy := d.y[2*i] - mean
		tot += d.weight(i) * dy * dy
	}
	r.R2 = math.NaN()
	if tot > 0 {
		r.R2 = 1 - r.Chi2/tot
	}
	chi := math.Max(r.Chi2, 1e-250*float64(n))
	r.AIC = float64(n)*math.Log(chi/float64(n)) + 2*float64(k)
	r.BIC = float64(n)*math.Log(chi/float64(n)) + math.Log(float64(n))*float64(k)
	r.RedChi2, r.ResidualSD = math.NaN(), math.NaN()
	if r.DoF > 0 {
		r.RedChi2 = r.Chi2 / float64(r.DoF)
		r.ResidualSD = math.Sqrt(r.RedChi2)
	}

	r.quant = r.quantile(r.Level)
	for i := range r.Params {
		p := &r.Params[i]
		p.StdErr, p.Lower, p.Upper = math.NaN(), math.NaN(), math.NaN()
		if p.Status == Fixed {
			p.StdErr, p.Lower, p.Upper = 0, p.Value, p.Value
		}
	}
	if k == 0 {
		return nil
	}
	r.s2 = 1
	if !r.AbsoluteSigma {
		if r.DoF <= 0 {
			r.Warnings = append(r.Warnings, fmt.Sprintf("%d points for %d estimated parameters leave no degrees of freedom: no covariance", n, k))
			return nil
		}
		r.s2 = r.Cost / float64(r.DoF)
	}
	// √W·J, with the robust curvature weights.
	for i, v := range u {
		w := 1.0
		if r.Loss != Linear {
			w = math.Sqrt(r.Loss.curvatureWeight(math.Abs(v) / r.FScale))
		}
		row := J.RawRowView(i)
		for j := range row {
			row[j] *= w
		}
	}
	cov, rank, ok := pseudoInverseGram(J)
	if !ok {
		r.Warnings = append(r.Warnings, "the singular value decomposition of the Jacobian failed: no covariance")
		return nil
	}
	if rank < k {
		r.Warnings = append(r.Warnings, fmt.Sprintf("the Jacobian has rank %d for %d estimated parameters: they are not all identifiable from the data, and there is no covariance", rank, k))
		return nil
	}
	cov.ScaleSym(r.s2, cov)
	r.cov = cov
	P := len(r.vals)
	r.Cov, r.Corr = mat.NewSymDense(P, nil), mat.NewSymDense(P, nil)
	for i := 0; i < P; i++ {
		for j := i; j < P; j++ {
			r.Corr.SetSym(i, j, math.NaN())
		}
	}
	for a, i := range r.est {
		for b, j := range r.est[a:] {
			c := cov.At(a, a+b)
			r.Cov.SetSym(i, j, c)
			r.Corr.SetSym(i, j, c/math.Sqrt(cov.At(a, a)*cov.At(a+b, a+b)))
		}
		p := &r.Params[i]
		p.StdErr = math.Sqrt(cov.At(a, a))
		p.Lower, p.Upper = p.Value-r.quant*p.StdErr, p.Value+r.quant*p.StdErr
	}
	return nil
}

// pseudoInverseGram returns (AᵀA)⁻¹ = V·Σ⁻²·Vᵀ from the SVD of A and A's
// numerical rank (singular values above ε·max(N, k)·σ₁, scipy's threshold).
func pseudoInverseGram(A *mat.Dense) (*mat.SymDense, int, bool) {
	var svd mat.SVD
	if !svd.Factorize(A, mat.SVDThin) {
		return nil, 0, false
	}
	s := svd.Values(nil)
	var v mat.Dense
	svd.VTo(&v)
	n, k := A.Dims()
	tol := 0x1p-52 * float64(max(n, k)) * s[0]
	rank := 0
	for _, x := range s {
		if x > tol {
			rank++
		}
	}
	out := mat.NewSymDense(k, nil)
	for i := 0; i < k; i++ {
		for j := i; j < k; j++ {
			var c float64
			for q := 0; q < rank; q++ {
				c += v.At(i, q) * v.At(j, q) / (s[q] * s[q])
			}
			out.SetSym(i, j, c)
		}
	}
	return out, rank, true
}
