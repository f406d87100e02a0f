// Command paths shows how first-order optimizers move on classic test
// functions. golem.Minimize runs any optimizer of golem/optim on a scalar
// expression written with graph.Expr and returns the path of θ and f(θ),
// so the example draws each path on a contour plot of its function:
//
//   - AdaGrad on the bowl x² + y² from (1, 1);
//   - AdaDelta on Rosenbrock's valley (1-x)² + 100(y-x²)² from (-1.5, 1.5);
//   - RMSprop on Himmelblau's (x²+y-11)² + (x+y²-7)² from (0, 0), which has
//     four minima;
//   - Adam (η 0.1) on the quadratic 5x₁² + 2x₂² + 3x₁ - 10x₂ + 4 from (0, 0);
//
// and then every optimizer of the suite on Rosenbrock from the same start,
// all paths on one contour plot and f against the step on another. The
// contours are log-spaced: each test function falls over decades towards
// its minimum. It prints, for each run, where it started and
// ended, the final f and the distance to the nearest minimum.
//
//	go run ./examples/paths            # writes paths_*.png into out/
//	go run ./examples/paths -out /tmp  # writes them into /tmp
package main

import (
	"context"
	"flag"
	"fmt"
	"image/color"
	"log"
	"math"
	"path/filepath"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	G "gorgonia.org/gorgonia"

	"github.com/golem-ml/golem"
	"github.com/golem-ml/golem/examples/internal/chart"
	"github.com/golem-ml/golem/graph"
	"github.com/golem-ml/golem/optim"
	"github.com/golem-ml/golem/plots"
)

func main() {
	out := flag.String("out", "out", "directory for the plots (created if missing)")
	flag.Parse()

	res, err := run(context.Background(), config{stepScale: 1, out: *out})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("%-10s %-12s %6s %20s %22s %12s %10s\n", "function", "optimizer", "steps", "start", "end", "final f", "distance")
	for _, r := range append(res.runs, res.comparison...) {
		fmt.Printf("%-10s %-12s %6d %20s %22s %12.4g %10.2g\n",
			r.fn.name, r.name, len(r.path.Loss)-1, point(r.path.Theta[0]), point(r.path.Last()), r.finalF(), r.distance())
	}
	fmt.Printf("\nplots written to %v\n", res.plots)
}

// config scales the runs: stepScale multiplies every step count (1 in
// main; the test uses fewer steps).
type config struct {
	stepScale float64
	out       string
}

// result holds the four single-optimizer runs, the comparison runs on
// Rosenbrock, and the PNGs written.
type result struct {
	runs       []pathRun // AdaGrad, AdaDelta, RMSprop, Adam
	comparison []pathRun // every optimizer on Rosenbrock
	plots      []string
}

// pathRun is one optimizer's path on one function.
type pathRun struct {
	name string
	fn   testFunction
	path *golem.Path
}

func (r pathRun) finalF() float64 { return r.path.Loss[len(r.path.Loss)-1] }

// distance is from the end point to the nearest known minimum.
func (r pathRun) distance() float64 {
	end, d := r.path.Last(), math.Inf(1)
	for _, m := range r.fn.minima {
		d = math.Min(d, math.Hypot(end[0]-m[0], end[1]-m[1]))
	}
	return d
}

// testFunction is a function of two variables written twice: as a graph
// expression for golem.Minimize, which differentiates it, and as plain Go
// for the contour plot. fmin is its minimum value; xr and yr are the
// plotted ranges, levels the exponents (of 10) of the lowest and highest
// contour of f - fmin.
type testFunction struct {
	name   string // also names the PNG
	title  string
	expr   golem.ScalarFunc
	f      func(x, y float64) float64
	minima [][2]float64
	fmin   float64
	xr, yr [2]float64
	levels [2]float64
}

var (
	bowl = testFunction{
		name: "bowl", title: "x² + y²",
		expr: func(e *graph.Expr, p []*G.Node) *G.Node { // x² + y²
			return e.Add(e.Square(p[0]), e.Square(p[1]))
		},
		f:      func(x, y float64) float64 { return x*x + y*y },
		minima: [][2]float64{{0, 0}},
		xr:     [2]float64{-1.5, 1.5}, yr: [2]float64{-1.5, 1.5},
		levels: [2]float64{-3, 0.5},
	}
	rosenbrock = testFunction{
		name: "rosenbrock", title: "Rosenbrock (1-x)² + 100(y-x²)²",
		expr: func(e *graph.Expr, p []*G.Node) *G.Node { // (1-x)² + 100(y-x²)²
			return e.Add(e.Square(e.Sub(e.Const(1), p[0])),
				e.Mul(e.Const(100), e.Square(e.Sub(p[1], e.Square(p[0])))))
		},
		f:      func(x, y float64) float64 { return (1-x)*(1-x) + 100*(y-x*x)*(y-x*x) },
		minima: [][2]float64{{1, 1}},
		xr:     [2]float64{-2, 2}, yr: [2]float64{-1, 3},
		levels: [2]float64{-2, 3.5},
	}
	himmelblau = testFunction{
		name: "himmelblau", title: "Himmelblau (x²+y-11)² + (x+y²-7)²",
		expr: func(e *graph.Expr, p []*G.Node) *G.Node { // (x²+y-11)² + (x+y²-7)²
			return e.Add(e.Square(e.Sub(e.Add(e.Square(p[0]), p[1]), e.Const(11))),
				e.Square(e.Sub(e.Add(p[0], e.Square(p[1])), e.Const(7))))
		},
		f: func(x, y float64) float64 {
			a, b := x*x+y-11, x+y*y-7
			return a*a + b*b
		},
		minima: [][2]float64{{3, 2}, {-2.805118, 3.131312}, {-3.779310, -3.283186}, {3.584428, -1.848126}},
		xr:     [2]float64{-5, 5}, yr: [2]float64{-5, 5},
		levels: [2]float64{-1, 2.8},
	}
	quadratic = testFunction{
		name: "quadratic", title: "5x² + 2y² + 3x - 10y + 4",
		expr: func(e *graph.Expr, p []*G.Node) *G.Node { // 5x₁² + 2x₂² + 3x₁ - 10x₂ + 4
			q := e.Add(e.Mul(e.Const(5), e.Square(p[0])), e.Mul(e.Const(2), e.Square(p[1])))
			return e.Add(e.Add(q, e.Sub(e.Mul(e.Const(3), p[0]), e.Mul(e.Const(10), p[1]))), e.Const(4))
		},
		f:      func(x, y float64) float64 { return 5*x*x + 2*y*y + 3*x - 10*y + 4 },
		minima: [][2]float64{{-0.3, 2.5}},
		fmin:   -8.95, // f(-0.3, 2.5)
		xr:     [2]float64{-2.3, 1.7}, yr: [2]float64{-0.5, 3.5},
		levels: [2]float64{-3, 1.5},
	}
)

func run(ctx context.Context, cfg config) (result, error) {
	if cfg.stepScale <= 0 {
		cfg.stepScale = 1
	}
	steps := func(n int) int { return max(1, int(math.Round(cfg.stepScale*float64(n)))) }
	out, err := chart.OutDir(cfg.out)
	if err != nil {
		return result{}, err
	}

	// 1. One optimizer per function, with settings that converge (the same
	//    as golem's own tests). Minimize returns θ and f(θ) after every step.
	rmsSteps := steps(3000)
	single := []struct {
		name  string
		fn    testFunction
		start []float64
		opt   optim.Optimizer
		steps int
	}{
		// AdaGrad's steps shrink as squared gradients accumulate.
		{"AdaGrad", bowl, []float64{1, 1}, optim.Adagrad(optim.AdagradConfig{LearningRate: 0.1}), steps(200)},
		// AdaDelta with Zeiler's η = 1 (Keras's default 0.001 barely moves).
		{"AdaDelta", rosenbrock, []float64{-1.5, 1.5}, optim.Adadelta(optim.AdadeltaConfig{LearningRate: 1}), steps(2000)},
		// RMSprop at a constant rate circles the minimum at about its own
		// size; a cosine schedule anneals η to 0 over the run.
		{"RMSprop", himmelblau, []float64{0, 0}, optim.RMSprop(optim.RMSpropConfig{LearningRate: 0.01, Schedule: optim.CosineDecay{Steps: rmsSteps}}), rmsSteps},
		{"Adam", quadratic, []float64{0, 0}, optim.Adam(optim.AdamConfig{LearningRate: 0.1}), steps(1000)},
	}
	var res result
	for _, s := range single {
		path, err := golem.Minimize(ctx, s.fn.expr, s.start, s.opt, golem.MinimizeConfig{Steps: s.steps})
		if err != nil {
			return result{}, fmt.Errorf("%s on %s: %w", s.name, s.fn.name, err)
		}
		r := pathRun{name: s.name, fn: s.fn, path: path}
		res.runs = append(res.runs, r)

		p := contourPlot(s.fn, fmt.Sprintf("%s on %s from (%g, %g), %d steps", s.name, s.fn.title, s.start[0], s.start[1], s.steps))
		if err := addPath(p, r, plots.Color(0), true); err != nil {
			return result{}, err
		}
		if err := addMarkers(p, s.fn, s.start); err != nil {
			return result{}, err
		}
		file := filepath.Join(out, "paths_"+s.fn.name+".png")
		if err := chart.Save(p, file, 8, 5.5); err != nil {
			return result{}, err
		}
		res.plots = append(res.plots, file)
	}

	// 2. The whole suite on Rosenbrock from (-1.5, 1.5), each at a rate it
	//    stays stable with. The curvature across the valley is ~2100 at the
	//    start, so plain gradient descent needs η < 2/2100 ≈ 9.5e-4.
	compareSteps := steps(2000)
	suite := []struct {
		name string
		opt  optim.Optimizer
	}{
		// η 8e-4.
		{"SGD", optim.SGD(optim.SGDConfig{LearningRate: 8e-4})},
		// η 1e-4, μ 0.9: along a steady gradient the step grows to
		// η/(1-μ) = 1e-3, about SGD's.
		{"Momentum", optim.Momentum(optim.MomentumConfig{LearningRate: 1e-4, Momentum: 0.9})},
		{"Nesterov", optim.Nesterov(optim.MomentumConfig{LearningRate: 1e-4, Momentum: 0.9})},
		// The adaptive methods divide each coordinate's step by the size
		// of its recent gradients, so η is roughly a step length in θ
		// rather than a multiplier of the gradient: Adagrad η 0.5,
		// Adadelta η 1 (Zeiler's), RMSprop η 3e-3, the Adam family
		// η 0.03 (AdamW with Keras's weight decay λ 0.004).
		{"Adagrad", optim.Adagrad(optim.AdagradConfig{LearningRate: 0.5})},
		{"Adadelta", optim.Adadelta(optim.AdadeltaConfig{LearningRate: 1})},
		{"RMSprop", optim.RMSprop(optim.RMSpropConfig{LearningRate: 3e-3})},
		{"Adam", optim.Adam(optim.AdamConfig{LearningRate: 0.03})},
		{"AMSGrad", optim.Adam(optim.AdamConfig{LearningRate: 0.03, AMSGrad: true})},
		{"AdamW", optim.AdamW(optim.AdamWConfig{AdamConfig: optim.AdamConfig{LearningRate: 0.03}})},
	}
	start := []float64{-1.5, 1.5}
	p := contourPlot(rosenbrock, fmt.Sprintf("The optimizers on Rosenbrock from (-1.5, 1.5), %d steps", compareSteps))
	for i, s := range suite {
		path, err := golem.Minimize(ctx, rosenbrock.expr, start, s.opt, golem.MinimizeConfig{Steps: compareSteps})
		if err != nil {
			return result{}, fmt.Errorf("%s on rosenbrock: %w", s.name, err)
		}
		r := pathRun{name: s.name, fn: rosenbrock, path: path}
		res.comparison = append(res.comparison, r)
		if err := addPath(p, r, plots.Color(i), false); err != nil {
			return result{}, err
		}
	}
	if err := addMarkers(p, rosenbrock, start); err != nil {
		return result{}, err
	}
	file := filepath.Join(out, "paths_compare.png")
	if err := chart.Save(p, file, 9, 6.2); err != nil {
		return result{}, err
	}
	res.plots = append(res.plots, file)

	// 3. The same runs as f against the step number, on log-log axes.
	lp := chart.New("f on Rosenbrock against the step, from (-1.5, 1.5)", "step", "f(θ)")
	plots.LogY(lp)
	lp.X.Scale, lp.X.Tick.Marker = plot.LogScale{}, plot.LogTicks{Prec: -1}
	var series []chart.Series
	for _, r := range res.comparison {
		s := chart.Series{Name: r.name}
		for k := 1; k < len(r.path.Loss); k++ {
			s.X, s.Y = append(s.X, float64(k)), append(s.Y, r.path.Loss[k])
		}
		series = append(series, s)
	}
	if err := chart.AddLines(lp, series...); err != nil {
		return result{}, err
	}
	lp.Legend.Left = true // bottom left: every curve starts high
	file = filepath.Join(out, "paths_compare_loss.png")
	if err := chart.Save(lp, file, 0, 0); err != nil {
		return result{}, err
	}
	res.plots = append(res.plots, file)
	return res, nil
}

// grid samples f - fmin on a regular grid: it implements plotter.GridXYZ,
// the interface gonum/plot's contour plotter reads.
type grid struct {
	xs, ys []float64
	z      [][]float64 // z[c][r] at (xs[c], ys[r])
}

func (g grid) Dims() (c, r int)   { return len(g.xs), len(g.ys) }
func (g grid) Z(c, r int) float64 { return g.z[c][r] }
func (g grid) X(c int) float64    { return g.xs[c] }
func (g grid) Y(r int) float64    { return g.ys[r] }

func sample(fn testFunction, n int) grid {
	g := grid{xs: make([]float64, n), ys: make([]float64, n), z: make([][]float64, n)}
	for i := range n {
		g.xs[i] = fn.xr[0] + (fn.xr[1]-fn.xr[0])*float64(i)/float64(n-1)
		g.ys[i] = fn.yr[0] + (fn.yr[1]-fn.yr[0])*float64(i)/float64(n-1)
	}
	for c := range n {
		g.z[c] = make([]float64, n)
		for r := range n {
			g.z[c][r] = fn.f(g.xs[c], g.ys[r]) - fn.fmin
		}
	}
	return g
}

// contourPlot draws contours of f - fmin at log-spaced levels (f falls
// over decades towards a minimum), dark near the minimum and light far
// from it. The x axis extends past the contoured square to leave a blank
// strip for the legend.
func contourPlot(fn testFunction, title string) *plot.Plot {
	const nLevels = 16
	levels := make([]float64, nLevels)
	styles := make([]draw.LineStyle, nLevels)
	for i := range levels {
		t := float64(i) / (nLevels - 1)
		levels[i] = math.Pow(10, fn.levels[0]+t*(fn.levels[1]-fn.levels[0]))
		shade := func(lo, hi float64) uint8 { return uint8(lo + t*(hi-lo)) }
		styles[i] = draw.LineStyle{
			Color: color.RGBA{R: shade(60, 200), G: shade(90, 205), B: shade(150, 215), A: 255},
			Width: vg.Points(0.8),
		}
	}
	c := plotter.NewContour(sample(fn, 201), levels, nil)
	c.LineStyles = styles

	p := chart.New(title, "x", "y")
	p.Add(c)
	p.X.Min, p.X.Max = fn.xr[0], fn.xr[1]+0.45*(fn.xr[1]-fn.xr[0]) // legend strip
	p.Y.Min, p.Y.Max = fn.yr[0], fn.yr[1]
	p.X.Tick.Marker = plot.TickerFunc(func(lo, _ float64) []plot.Tick { // no ticks under the legend
		return plot.DefaultTicks{}.Ticks(lo, fn.xr[1])
	})
	p.Legend.Top = true
	return p
}

// addPath draws a path as a line through every iterate, with its points
// when withPoints is set, and marks its end with a filled square.
func addPath(p *plot.Plot, r pathRun, col color.Color, withPoints bool) error {
	xy := make(plotter.XYs, len(r.path.Theta))
	for k, th := range r.path.Theta {
		xy[k] = plotter.XY{X: th[0], Y: th[1]}
	}
	line, points, err := plotter.NewLinePoints(xy)
	if err != nil {
		return err
	}
	line.Color, line.Width = col, vg.Points(1.2)
	points.GlyphStyle = draw.GlyphStyle{Color: col, Radius: vg.Points(1.6), Shape: draw.CircleGlyph{}}
	end, err := plotter.NewScatter(plotter.XYs{xy[len(xy)-1]})
	if err != nil {
		return err
	}
	end.GlyphStyle = draw.GlyphStyle{Color: col, Radius: vg.Points(4), Shape: draw.BoxGlyph{}}

	p.Add(line)
	if withPoints {
		p.Add(points, end)
		p.Legend.Add(fmt.Sprintf("%s path", r.name), line, points)
		p.Legend.Add(fmt.Sprintf("end, f = %.3g", r.finalF()), end)
	} else {
		p.Add(end)
		p.Legend.Add(fmt.Sprintf("%s, f = %.2g", r.name, r.finalF()), line)
	}
	return nil
}

// addMarkers marks the start (green triangle) and the known minima (black
// dots), on top of the paths.
func addMarkers(p *plot.Plot, fn testFunction, start []float64) error {
	s, err := plotter.NewScatter(plotter.XYs{{X: start[0], Y: start[1]}})
	if err != nil {
		return err
	}
	s.GlyphStyle = draw.GlyphStyle{Color: color.RGBA{G: 150, A: 255}, Radius: vg.Points(5), Shape: draw.PyramidGlyph{}}
	mins := make(plotter.XYs, len(fn.minima))
	for i, m := range fn.minima {
		mins[i] = plotter.XY{X: m[0], Y: m[1]}
	}
	m, err := plotter.NewScatter(mins)
	if err != nil {
		return err
	}
	m.GlyphStyle = draw.GlyphStyle{Color: color.Black, Radius: vg.Points(2.5), Shape: draw.CircleGlyph{}}
	p.Add(s, m)
	p.Legend.Add("start", s)
	name := "minimum"
	if len(fn.minima) > 1 {
		name = "minima"
	}
	p.Legend.Add(name, m)
	return nil
}

func point(v []float64) string { return fmt.Sprintf("(%.4f, %.4f)", v[0], v[1]) }
