// Command curvefit fits nonlinear curves with golem's curve-fitting package,
// fit, and shows what a fit reports besides the parameter values.
//
//  1. NIST's StRD problem Misra1a, 14 measurements of a dental adsorption
//     study, y = b1·(1 − exp(−b2·x)), written as a formula string and
//     fitted from both of NIST's starting points with default options. The
//     report gives the parameters with standard errors, intervals,
//     correlation and goodness of fit; a table puts the fitted values, the
//     standard errors and the residual standard deviation beside NIST's
//     certified ones, with the number of digits that agree
//     (LRE = −log10(|b − c|/|c|)).
//  2. The same fit with b1 bounded above by 230, below its optimum: the fit
//     ends on the bound, at the constrained optimum, and says so.
//  3. A decay y = a·exp(−b·x) + c measured with 10 % gross outliers, fitted
//     by least squares and by the robust soft_l1 loss: least squares is
//     pulled away from the truth by many standard errors, soft_l1 is not.
//
// It writes three plots: the Misra1a fit with its 95 % confidence and
// prediction bands (curvefit_fit.png), its residuals
// (curvefit_residuals.png), and the two fits of the outlier data
// (curvefit_robust.png).
//
//	go run ./examples/curvefit            # writes the PNGs into out/
//	go run ./examples/curvefit -out /tmp  # writes them into /tmp
package main

import (
	"context"
	"flag"
	"fmt"
	"log"
	"math"
	"math/rand/v2"
	"path/filepath"

	"gonum.org/v1/gonum/mat"

	"github.com/golem-ml/golem/examples/internal/chart"
	"github.com/golem-ml/golem/fit"
	"github.com/golem-ml/golem/plots"
)

// The Misra1a data (NIST StRD, Misra1a.dat): pressure x and volume y.
var (
	pressure = []float64{77.6, 114.9, 141.1, 190.8, 239.9, 289.0, 332.8, 378.4, 434.8, 477.3, 536.8, 593.1, 689.1, 760.0}
	volume   = []float64{10.07, 14.73, 17.94, 23.93, 29.61, 35.18, 40.02, 44.82, 50.76, 55.05, 61.01, 66.40, 75.47, 81.78}
)

// NIST's certified answer: values, standard deviations of the estimates,
// residual standard deviation, and the two starting points.
var (
	certified    = []float64{2.3894212918e+02, 5.5015643181e-04}
	certifiedSE  = []float64{2.7070075241e+00, 7.2668688436e-06}
	certifiedRSD = 1.0187876330e-01
	starts       = [][]float64{{500, 1e-4}, {250, 5e-4}}
)

func main() {
	out := flag.String("out", "out", "directory for the plots (created if missing)")
	flag.Parse()
	res, err := run(context.Background(), config{out: *out})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(res.misra[0].Report())
	for i, r := range res.misra {
		fmt.Printf("Misra1a from start %d (b1 = %g, b2 = %g): %d iterations, %s\n", i+1, starts[i][0], starts[i][1], r.Iterations, r.Stop)
		fmt.Printf("  %-4s %18s %18s %5s %14s %14s %5s\n", "", "fitted", "certified", "LRE", "std. error", "certified", "LRE")
		for j, p := range r.Params {
			fmt.Printf("  %-4s %18.10e %18.10e %5.1f %14.8e %14.8e %5.1f\n", p.Name, p.Value, certified[j], lre(p.Value, certified[j]),
				p.StdErr, certifiedSE[j], lre(p.StdErr, certifiedSE[j]))
		}
		fmt.Printf("  residual standard deviation %.10e, certified %.10e, LRE %.1f\n\n", r.ResidualSD, certifiedRSD, lre(r.ResidualSD, certifiedRSD))
	}
	fmt.Println("Misra1a with b1 ≤ 230:")
	fmt.Println(res.bounded.Report())
	fmt.Printf("Decay with %d gross outliers among %d points, truth a = %g, b = %g, c = %g:\n", outliers, points, truth[0], truth[1], truth[2])
	for _, r := range []*fit.Result{res.leastSquares, res.robust} {
		fmt.Printf("  %-8s", r.Loss)
		for i, p := range r.Params {
			fmt.Printf("  %s = %.4f ± %.4f (%4.1f SE off)", p.Name, p.Value, p.StdErr, math.Abs(p.Value-truth[i])/p.StdErr)
		}
		fmt.Println()
	}
	fmt.Printf("\nplots written to %s, %s and %s\n", res.fitPlot, res.residualPlot, res.robustPlot)
}

type config struct {
	out string // directory for the PNGs
}

type result struct {
	misra                 []*fit.Result // from each start
	bounded               *fit.Result   // b1 ≤ 230
	leastSquares, robust  *fit.Result   // the outlier data
	fitPlot, residualPlot string
	robustPlot            string
	outlierX, outlierY    []float64
	outlierIdx            []int
}

func run(ctx context.Context, cfg config) (result, error) {
	out, err := chart.OutDir(cfg.out)
	if err != nil {
		return result{}, err
	}
	var res result

	// 1. The model, from a formula: its parameters (b1, b2) and its input
	// (x) are named by the formula itself. fit differentiates it.
	model, err := fit.Expr("b1*(1-exp(-b2*x))")
	if err != nil {
		return result{}, err
	}
	x := mat.NewDense(len(pressure), 1, pressure) // one column per input
	for _, s := range starts {
		// Every parameter needs a start; Start lists them in the model's
		// order. No preset: the defaults are meant for hard problems.
		r, err := fit.Curve(ctx, model, x, volume, fit.Options{Params: fit.Start(model, s...)})
		if err != nil {
			return result{}, err
		}
		res.misra = append(res.misra, r)
	}
	res.fitPlot = filepath.Join(out, "curvefit_fit.png")
	if err := plots.Fit(ctx, res.fitPlot, res.misra[0]); err != nil {
		return result{}, err
	}
	res.residualPlot = filepath.Join(out, "curvefit_residuals.png")
	if err := plots.Residuals(res.residualPlot, res.misra[0]); err != nil {
		return result{}, err
	}

	// 2. A bound below the optimum: parameters are named, and bounds are
	// set with AtLeast, AtMost or Between.
	res.bounded, err = fit.Curve(ctx, model, x, volume, fit.Options{Params: []fit.Param{
		fit.P("b1", 200).AtMost(230),
		fit.P("b2", 5e-4).AtLeast(0),
	}})
	if err != nil {
		return result{}, err
	}

	// 3. Outliers: least squares against soft_l1, whose f_scale is the
	// size of an inlier's residual.
	res.outlierX, res.outlierY, res.outlierIdx = outlierData()
	decay, err := fit.Expr("a*exp(-b*x) + c")
	if err != nil {
		return result{}, err
	}
	dx := mat.NewDense(points, 1, res.outlierX)
	start := fit.Start(decay, 1, 0.1, 0)
	if res.leastSquares, err = fit.Curve(ctx, decay, dx, res.outlierY, fit.Options{Params: start}); err != nil {
		return result{}, err
	}
	if res.robust, err = fit.Curve(ctx, decay, dx, res.outlierY, fit.Options{Params: start, Loss: fit.SoftL1, FScale: 0.1}); err != nil {
		return result{}, err
	}
	res.robustPlot = filepath.Join(out, "curvefit_robust.png")
	if err := plotRobust(ctx, res, res.robustPlot); err != nil {
		return result{}, err
	}
	return res, nil
}

// The outlier data: y = 3·exp(−0.4x) + 1 + N(0, 0.1²) at 100 points on
// [0, 10], ten of the tail's points shifted up by 3 to 6.
const (
	points   = 100
	outliers = 10
)

var truth = []float64{3, 0.4, 1}

func outlierData() (x, y []float64, idx []int) {
	rng := rand.New(rand.NewPCG(1, 1))
	x, y = make([]float64, points), make([]float64, points)
	for i := range x {
		x[i] = 10 * float64(i) / (points - 1)
		y[i] = truth[0]*math.Exp(-truth[1]*x[i]) + truth[2] + 0.1*rng.NormFloat64()
	}
	for _, i := range rng.Perm(points / 2)[:outliers] {
		y[points/2+i] += 3 + 3*rng.Float64()
		idx = append(idx, points/2+i)
	}
	return x, y, idx
}

// plotRobust draws the outlier data with the least-squares, soft_l1 and
// true curves.
func plotRobust(ctx context.Context, res result, path string) error {
	p := chart.New("a·exp(−b·x) + c with 10 % gross outliers", "x", "y")
	const grid = 200
	gx := mat.NewDense(grid, 1, nil)
	xs, ys := make([]float64, grid), make([]float64, grid)
	for i := range xs {
		xs[i] = 10 * float64(i) / (grid - 1)
		gx.Set(i, 0, xs[i])
		ys[i] = truth[0]*math.Exp(-truth[1]*xs[i]) + truth[2]
	}
	ls, err := res.leastSquares.Eval(ctx, gx)
	if err != nil {
		return err
	}
	rb, err := res.robust.Eval(ctx, gx)
	if err != nil {
		return err
	}
	if err := chart.AddLines(p,
		chart.Series{Name: "least squares", X: xs, Y: ls},
		chart.Series{Name: "soft_l1, f_scale 0.1", X: xs, Y: rb},
		chart.Series{Name: "truth", X: xs, Y: ys}); err != nil {
		return err
	}
	if err := chart.AddPoints(p, chart.Series{Name: "data", X: res.outlierX, Y: res.outlierY}); err != nil {
		return err
	}
	p.Legend.Top = true
	return chart.Save(p, path, 0, 0)
}

// lre is the log relative error −log10(|b − c|/|c|), capped at 11: the
// number of significant digits b shares with the certified value c.
func lre(b, c float64) float64 {
	if b == c {
		return 11
	}
	return math.Min(11, math.Max(0, -math.Log10(math.Abs(b-c)/math.Abs(c))))
}
