package fit

import (
	"fmt"
	"math"
	"sort"
	"strings"
)

// ReportCorrelation is the smallest |correlation| that Report lists.
const ReportCorrelation = 0.1

// Report is a text report of the fit, in the layout of lmfit's fit_report:
// the model, the fit statistics, each parameter with its standard error
// (and the error relative to the value), start and status, its confidence
// interval, the correlations of at least ReportCorrelation in magnitude,
// largest first, and the warnings.
func (r *Result) Report() string {
	var b strings.Builder
	name := r.Model.Name
	if name == "" {
		name = "(unnamed)"
	}
	fmt.Fprintf(&b, "[[Model]]\n    %s\n", name)
	fmt.Fprintf(&b, "[[Fit Statistics]]\n")
	method := "Levenberg–Marquardt, least squares"
	if r.Loss != Linear {
		method = fmt.Sprintf("Levenberg–Marquardt, %s loss, f_scale = %g", r.Loss, r.FScale)
	}
	row := func(label, format string, args ...any) {
		fmt.Fprintf(&b, "    %-22s = %s\n", label, fmt.Sprintf(format, args...))
	}
	if r.Restarted {
		method += "; restarted as a trust region (FallbackLM)"
	}
	row("# fitting method", "%s", method)
	row("# iterations", "%d", r.Iterations)
	row("# stop", "%s (%s)", r.Stop, map[bool]string{true: "converged", false: "NOT converged"}[r.Converged])
	row("# data points", "%d", r.N)
	row("# variables", "%d", r.Estimated)
	row("# degrees of freedom", "%d", r.DoF)
	row("chi-square", "%.10g", r.Chi2)
	row("reduced chi-square", "%.10g", r.RedChi2)
	row("residual std. dev.", "%.10g", r.ResidualSD)
	if r.Loss != Linear {
		row("robust cost", "%.10g", r.Cost)
	}
	row("Akaike info crit", "%.6g", r.AIC)
	row("Bayesian info crit", "%.6g", r.BIC)
	row("R-squared", "%.10g", r.R2)

	width := 0
	for _, p := range r.Params {
		width = max(width, len(p.Name))
	}
	fmt.Fprintf(&b, "[[Variables]]\n")
	for _, p := range r.Params {
		fmt.Fprintf(&b, "    %-*s  %.10g", width+1, p.Name+":", p.Value)
		switch {
		case p.Status == Fixed:
			fmt.Fprintf(&b, " (fixed)\n")
			continue
		case math.IsNaN(p.StdErr):
			fmt.Fprintf(&b, " +/- (none)")
		default:
			fmt.Fprintf(&b, " +/- %.6g", p.StdErr)
			if p.Value != 0 {
				fmt.Fprintf(&b, " (%.2f%%)", 100*math.Abs(p.StdErr/p.Value))
			}
		}
		fmt.Fprintf(&b, " (init = %.6g)", p.Start)
		if p.Status != Free {
			fmt.Fprintf(&b, " (%s)", p.Status)
		}
		b.WriteString("\n")
	}
	if r.Cov != nil {
		fmt.Fprintf(&b, "[[Confidence intervals (%g%%)]]\n", 100*r.Level)
		for _, p := range r.Params {
			if p.Status == Free {
				fmt.Fprintf(&b, "    %-*s  [%.10g, %.10g]\n", width+1, p.Name+":", p.Lower, p.Upper)
			}
		}
		type pair struct {
			a, b string
			c    float64
		}
		var pairs []pair
		for i := range r.Params {
			for j := i + 1; j < len(r.Params); j++ {
				if c := r.Corr.At(i, j); math.Abs(c) >= ReportCorrelation {
					pairs = append(pairs, pair{r.Params[i].Name, r.Params[j].Name, c})
				}
			}
		}
		sort.SliceStable(pairs, func(i, j int) bool { return math.Abs(pairs[i].c) > math.Abs(pairs[j].c) })
		if len(pairs) > 0 {
			fmt.Fprintf(&b, "[[Correlations]] (unreported correlations are < %.3f)\n", ReportCorrelation)
			for _, p := range pairs {
				fmt.Fprintf(&b, "    C(%s, %s) = %+.4f\n", p.a, p.b, p.c)
			}
		}
	}
	if len(r.Warnings) > 0 {
		fmt.Fprintf(&b, "[[Warnings]]\n")
		for _, w := range r.Warnings {
			fmt.Fprintf(&b, "    %s\n", w)
		}
	}
	return b.String()
}
