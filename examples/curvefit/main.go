// Command curvefit fits a nonlinear curve by Levenberg–Marquardt and checks
// the answer against certified values: NIST's StRD problem Misra1a, 14
// measurements of a dental adsorption study fitted by
//
//	y = b1·(1 − exp(−b2·x))
//
// It teaches three things:
//
//   - a parametric model is one layer, layers.Parametric, whose function is
//     written with graph.Expr; golem differentiates it, so there is no
//     derivative code to write;
//   - such fits use the SSE loss (the classical least-squares objective) and
//     LM's curve-fitting preset, optim.CurveFit(), which runs until no step
//     lowers the loss any more;
//   - how good a fit is can be measured: NIST certifies b1, b2 and the
//     residual sum of squares to 11 digits, and the log relative error
//     LRE = −log10(|b − c|/|c|) counts the digits that agree.
//
// It fits from both of NIST's starting points, prints a table per start
// and writes two plots: the data with the fitted curve (curvefit_fit.png)
// and the SSE per iteration (curvefit_sse.png).
//
//	go run ./examples/curvefit            # writes the PNGs into out/
//	go run ./examples/curvefit -out /tmp  # writes them into /tmp
package main

import (
	"context"
	"flag"
	"fmt"
	"image/color"
	"log"
	"math"
	"path/filepath"

	"gonum.org/v1/gonum/mat"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gorgonia.org/gorgonia"

	"golem"
	"golem/examples/internal/plots"
	"golem/graph"
	"golem/layers"
	"golem/losses"
	"golem/optim"
)

// The Misra1a data (NIST StRD, Misra1a.dat): pressure x and volume y.
var (
	pressure = []float64{77.6, 114.9, 141.1, 190.8, 239.9, 289.0, 332.8, 378.4, 434.8, 477.3, 536.8, 593.1, 689.1, 760.0}
	volume   = []float64{10.07, 14.73, 17.94, 23.93, 29.61, 35.18, 40.02, 44.82, 50.76, 55.05, 61.01, 66.40, 75.47, 81.78}
)

// NIST's certified answer and its two starting points.
var (
	certified    = []float64{2.3894212918e+02, 5.5015643181e-04}
	certifiedSSE = 1.2455138894e-01
	starts       = [][]float64{{500, 1e-4}, {250, 5e-4}}
)

func main() {
	out := flag.String("out", "out", "directory for the plots (created if missing)")
	flag.Parse()

	res, err := run(context.Background(), config{out: *out})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("Misra1a, y = b1·(1 − exp(−b2·x)), 14 points, LM with optim.CurveFit() and SSE")
	for _, f := range res.fits {
		fmt.Printf("\nstart %d: b1 = %g, b2 = %g\n", f.start, f.from[0], f.from[1])
		fmt.Printf("%-9s %20s %20s %6s\n", "parameter", "fitted", "certified", "LRE")
		for i, b := range f.b {
			fmt.Printf("%-9s %20.10e %20.10e %6.1f\n", fmt.Sprintf("b%d", i+1), b, certified[i], f.lre[i])
		}
		fmt.Printf("%-9s %20.10e %20.10e %6.1f\n", "SSE", f.sse, certifiedSSE, lre(f.sse, certifiedSSE))
		fmt.Printf("%d iterations (%d accepted steps), stopped by %s\n", f.iterations, f.accepted, f.stop)
	}
	fmt.Printf("\nplots written to %s and %s\n", res.fitPlot, res.ssePlot)
}

type config struct {
	out string // directory for the PNGs
}

// fit is the outcome of one fit.
type fit struct {
	start      int       // 1 or 2
	from       []float64 // the starting values
	b          []float64 // the fitted b1, b2
	lre        []float64 // their log relative errors
	sse        float64   // residual sum of squares at b
	iterations int       // LM iterations, rejected ones included
	accepted   int       // iterations that moved the parameters
	stop       string    // why LM stopped
	sseTrace   []float64 // SSE before each iteration and after the last
	model      *golem.Sequential
}

type result struct {
	fits             []fit
	fitPlot, ssePlot string
}

func run(ctx context.Context, cfg config) (result, error) {
	out, err := plots.OutDir(cfg.out)
	if err != nil {
		return result{}, err
	}
	// 1. Data: one sample per row, x is 14 × 1 and y is 14 × 1.
	x := mat.NewDense(len(pressure), 1, pressure)
	y := mat.NewDense(len(volume), 1, volume)

	// 2. Fit from each starting point.
	var res result
	for i, start := range starts {
		f, err := fitFrom(ctx, x, y, start)
		if err != nil {
			return result{}, fmt.Errorf("start %d: %w", i+1, err)
		}
		f.start = i + 1
		res.fits = append(res.fits, f)
	}

	// 3. Plot the data with the fit, and the SSE per iteration.
	res.fitPlot = filepath.Join(out, "curvefit_fit.png")
	if err := plotFit(x, y, res.fits, res.fitPlot); err != nil {
		return result{}, err
	}
	res.ssePlot = filepath.Join(out, "curvefit_sse.png")
	if err := plotSSE(res.fits, res.ssePlot); err != nil {
		return result{}, err
	}
	return res, nil
}

// misra1a is the model, b[0]·(1 − exp(−b[1]·x)), written with graph.Expr:
// each operation broadcasts a (batch × 1) column against a scalar
// parameter, and the first error (if any) is kept by the Expr.
func misra1a(e *graph.Expr, x, b []*gorgonia.Node) *gorgonia.Node {
	return e.Mul(b[0], e.Sub(e.Const(1), e.Exp(e.Neg(e.Mul(b[1], x[0])))))
}

// fitFrom fits Misra1a from one starting point.
func fitFrom(ctx context.Context, x, y *mat.Dense, start []float64) (fit, error) {
	// A parametric layer with two scalar parameters, b1 and b2, set to
	// the starting values. It is the whole model.
	curve := layers.Parametric("misra1a", misra1a, start...)
	model := golem.NewSequential(curve)
	// SSE is Σ(ŷ − y)², the objective NIST certifies; CurveFit is the LM
	// preset for such problems.
	if err := model.Compile(golem.Input(1), losses.SSE(), optim.LM(optim.CurveFit())); err != nil {
		return fit{}, err
	}
	// LM is full batch: one epoch is one iteration. With the default
	// epoch limit (1000) the fit ends when μ grows past its maximum, that
	// is, when no step lowers the SSE any more.
	hist, err := model.Fit(ctx, x, y, golem.FitConfig{})
	if err != nil {
		return fit{}, err
	}

	f := fit{from: start, iterations: len(hist.Steps), stop: string(hist.Stop), model: model}
	for i, p := range curve.Params() {
		b := model.Params().View(p)[0] // each parameter is a slice of θ
		f.b = append(f.b, b)
		f.lre = append(f.lre, lre(b, certified[i]))
	}
	for _, s := range hist.Steps {
		f.sseTrace = append(f.sseTrace, s.Loss) // SSE before the iteration
		if s.Accepted {
			f.accepted++
		}
	}
	ev, err := model.Evaluate(x, y)
	if err != nil {
		return fit{}, err
	}
	f.sse = ev.Loss
	f.sseTrace = append(f.sseTrace, f.sse)
	return f, nil
}

// lre is the log relative error −log10(|b − c|/|c|), capped at 11: the
// number of significant digits b shares with the certified value c.
func lre(b, c float64) float64 {
	if b == c {
		return 11
	}
	return math.Min(11, math.Max(0, -math.Log10(math.Abs(b-c)/math.Abs(c))))
}

// plotFit draws the data, the fitted curve and the curves at both
// starting points.
func plotFit(x, y *mat.Dense, fits []fit, path string) error {
	p := plots.New("Misra1a: y = b1·(1 − exp(−b2·x)) fitted by Levenberg–Marquardt", "pressure x", "volume y")

	// The curves on a grid over [0, 800].
	const grid = 200
	gx := mat.NewDense(grid, 1, nil)
	xs := make([]float64, grid)
	for i := range xs {
		xs[i] = 800 * float64(i) / (grid - 1)
		gx.Set(i, 0, xs[i])
	}
	pred, err := fits[0].model.Predict(gx) // both starts end on the same curve
	if err != nil {
		return err
	}
	curve := func(b []float64) []float64 {
		ys := make([]float64, grid)
		for i, xi := range xs {
			ys[i] = b[0] * (1 - math.Exp(-b[1]*xi))
		}
		return ys
	}
	b := fits[0].b
	series := []plots.Series{{Name: fmt.Sprintf("fit: b1 = %.6g, b2 = %.6g", b[0], b[1]), X: xs, Y: mat.Col(nil, 0, pred)}}
	for _, f := range fits {
		series = append(series, plots.Series{
			Name: fmt.Sprintf("start %d: b1 = %g, b2 = %g", f.start, f.from[0], f.from[1]),
			X:    xs, Y: curve(f.from),
		})
	}
	if err := plots.AddLines(p, series...); err != nil {
		return err
	}

	// The data, as black points on top.
	data := make(plotter.XYs, len(pressure))
	for i := range data {
		data[i] = plotter.XY{X: x.At(i, 0), Y: y.At(i, 0)}
	}
	points, err := plotter.NewScatter(data)
	if err != nil {
		return err
	}
	points.GlyphStyle.Color = color.Black
	p.Add(points)
	p.Legend.Add("NIST data (14 points)", points)
	p.Legend.Top, p.Legend.Left = true, true
	p.Y.Max = 100 // room for the legend
	return plots.Save(p, path, 0, 0)
}

// plotSSE draws each fit's SSE per iteration on a log scale, with the
// certified minimum.
func plotSSE(fits []fit, path string) error {
	p := plots.New("Misra1a: SSE per Levenberg–Marquardt iteration", "iteration", "SSE")
	plots.LogY(p)
	var series []plots.Series
	longest := 0
	for _, f := range fits {
		its := make([]float64, len(f.sseTrace))
		for i := range its {
			its[i] = float64(i)
		}
		longest = max(longest, len(its)-1)
		series = append(series, plots.Series{
			Name: fmt.Sprintf("start %d (%d iterations)", f.start, f.iterations),
			X:    its, Y: f.sseTrace,
		})
	}
	if err := plots.AddLines(p, series...); err != nil {
		return err
	}
	// The certified minimum as a dashed line.
	floor, err := plotter.NewLine(plotter.XYs{{X: 0, Y: certifiedSSE}, {X: float64(longest), Y: certifiedSSE}})
	if err != nil {
		return err
	}
	floor.Color, floor.Dashes = color.Black, []vg.Length{vg.Points(4), vg.Points(3)}
	p.Add(floor)
	p.Legend.Add(fmt.Sprintf("certified minimum %.5g", certifiedSSE), floor)
	p.Legend.Top = true
	p.Y.Min = 0.01 // room below the minimum
	return plots.Save(p, path, 0, 0)
}
