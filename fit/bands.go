package fit

import (
	"context"
	"errors"
	"fmt"
	"math"

	"gonum.org/v1/gonum/mat"
	"gonum.org/v1/gonum/stat/distuv"

	"github.com/golem-ml/golem/internal/jac"
)

// Band is the fitted curve at new points with its confidence and prediction
// bands, by the delta method: with g = ∂f/∂p at a point, the fitted value's
// variance is gᵀ·Cov·g, and a new observation's adds s²·σ₀² (s² the
// residual variance — the reduced χ², or 1 with AbsoluteSigma — and σ₀ the
// point's σ, default 1). The half-widths are that standard deviation times
// the quantile of the Result's intervals at Level. For a model linear in
// its parameters these are the textbook bands exactly.
type Band struct {
	Level      float64
	Fit        []float64 // f(x) at each point
	FitSD      []float64 // standard deviation of the fitted value √(gᵀ·Cov·g)
	Confidence []float64 // half-width of the confidence band of the curve
	Prediction []float64 // half-width of the prediction band of a new observation
}

// Eval returns the fitted curve f(x) at the rows of x (N × inputs).
func (r *Result) Eval(ctx context.Context, x mat.Matrix) ([]float64, error) {
	xs, n, err := r.points(x)
	if err != nil {
		return nil, err
	}
	return r.pr.eval(ctx, r.vals, xs, n)
}

// Band returns the curve and its bands at the rows of x at the confidence
// level (0 means the Result's Level). sigma, when not nil, gives each new
// point's σ₀ for the prediction band (in the units of Options.Sigma).
// It fails when the fit has no covariance (see Result.Warnings).
func (r *Result) Band(ctx context.Context, x mat.Matrix, level float64, sigma []float64) (*Band, error) {
	if level == 0 {
		level = r.Level
	}
	if !(level > 0 && level < 1) {
		return nil, fmt.Errorf("fit: band level %v must lie in (0, 1)", level)
	}
	if r.cov == nil && r.Estimated > 0 {
		return nil, errors.New("fit: the fit has no covariance, so no bands (see Result.Warnings)")
	}
	xs, n, err := r.points(x)
	if err != nil {
		return nil, err
	}
	if sigma != nil && len(sigma) != n {
		return nil, fmt.Errorf("fit: %d σ values for %d points", len(sigma), n)
	}
	for i, s := range sigma {
		if !(s > 0) || math.IsInf(s, 0) {
			return nil, fmt.Errorf("fit: σ[%d] = %v; it must be positive and finite", i, s)
		}
	}
	q := r.quantile(level)
	b := &Band{Level: level, FitSD: make([]float64, n), Confidence: make([]float64, n), Prediction: make([]float64, n)}
	if r.Estimated == 0 {
		if b.Fit, err = r.pr.eval(ctx, r.vals, xs, n); err != nil {
			return nil, err
		}
	} else {
		y := make([]float64, 2*n)
		for i := 0; i < n; i++ {
			y[2*i+1] = 1
		}
		J, f, err := r.pr.jacobian(ctx, r.vals, r.est, jac.Data{N: n, X: xs, Y: y})
		if err != nil {
			return nil, err
		}
		b.Fit = f
		g := make([]float64, r.Estimated)
		cg := mat.NewVecDense(r.Estimated, nil)
		for i := 0; i < n; i++ {
			copy(g, J.RawRowView(i))
			gv := mat.NewVecDense(len(g), g)
			cg.MulVec(r.cov, gv)
			b.FitSD[i] = math.Sqrt(math.Max(0, mat.Dot(gv, cg)))
		}
	}
	for i := range b.Fit {
		s0 := 1.0
		if sigma != nil {
			s0 = sigma[i]
		}
		b.Confidence[i] = q * b.FitSD[i]
		b.Prediction[i] = q * math.Sqrt(b.FitSD[i]*b.FitSD[i]+r.noiseVariance()*s0*s0)
	}
	return b, nil
}

// noiseVariance is s², the variance of an observation of unit σ.
func (r *Result) noiseVariance() float64 {
	if r.AbsoluteSigma {
		return 1
	}
	if r.DoF > 0 {
		return r.Cost / float64(r.DoF)
	}
	return math.NaN()
}

// quantile is the two-sided quantile of the intervals at level.
func (r *Result) quantile(level float64) float64 {
	switch {
	case r.AbsoluteSigma:
		return distuv.UnitNormal.Quantile((1 + level) / 2)
	case r.DoF > 0:
		return distuv.StudentsT{Mu: 0, Sigma: 1, Nu: float64(r.DoF)}.Quantile((1 + level) / 2)
	}
	return math.NaN()
}

// points validates new points and returns them row-major.
func (r *Result) points(x mat.Matrix) ([]float64, int, error) {
	if x == nil {
		return nil, 0, errors.New("fit: x is nil")
	}
	n, cols := x.Dims()
	if cols != r.pr.d.inputs {
		return nil, 0, fmt.Errorf("fit: x has %d columns, but model %s has %d inputs", cols, r.Model.Name, r.pr.d.inputs)
	}
	xs := make([]float64, n*cols)
	for i := 0; i < n; i++ {
		for j := 0; j < cols; j++ {
			v := x.At(i, j)
			if math.IsNaN(v) || math.IsInf(v, 0) {
				return nil, 0, fmt.Errorf("fit: x row %d, column %d is %v", i, j, v)
			}
			xs[i*cols+j] = v
		}
	}
	return xs, n, nil
}
