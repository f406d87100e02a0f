// Command linreg fits a straight line by gradient descent, three ways:
//
//	y = 4 + 3x + N(0, 1),  x ~ U[0, 2],  100 points
//
// Full-batch gradient descent, stochastic gradient descent and mini-batch
// SGD are one optimizer, optim.SGD, run with different batch sizes: all
// samples per step (BatchSize -1), one sample per step (BatchSize 1), or 16
// samples per step (BatchSize 16). Everything else is the same for the
// three runs: the model (one Dense unit, y = b + w·x), the MSE loss, the
// learning rate, a cosine schedule that anneals it to zero over the run,
// and the number of epochs.
//
// The example prints each run's intercept and slope beside the
// least-squares line (computed in closed form) and its final loss, and plots
// how far each run's loss is above the least-squares minimum after every
// epoch, and the data with the fitted lines. Per epoch, smaller batches take
// more steps and get close sooner; each of their steps follows a noisier
// gradient, which the annealed learning rate averages out by the end.
//
//	go run ./examples/linreg            # writes the PNGs into out/
//	go run ./examples/linreg -out /tmp  # writes them into /tmp
package main

import (
	"context"
	"flag"
	"fmt"
	"image/color"
	"log"
	"math"
	"math/rand/v2"
	"path/filepath"

	"gonum.org/v1/gonum/mat"
	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"

	"github.com/golem-ml/golem"
	"github.com/golem-ml/golem/examples/internal/chart"
	"github.com/golem-ml/golem/layers"
	"github.com/golem-ml/golem/losses"
	"github.com/golem-ml/golem/optim"
	"github.com/golem-ml/golem/plots"
)

func main() {
	out := flag.String("out", "out", "directory for the plots (created if missing)")
	flag.Parse()

	res, err := run(context.Background(), config{epochs: 300, seed: 1, out: *out})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("y = 4 + 3x + noise, 100 samples; optim.SGD, lr %.2g annealed to 0 over %d epochs\n\n", learningRate, res.epochs)
	fmt.Printf("%-22s %6s %10s %10s %10s\n", "method", "steps", "intercept", "slope", "final MSE")
	fmt.Printf("%-22s %6s %10.4f %10.4f %10.4f\n", "least squares (exact)", "", res.exact.intercept, res.exact.slope, res.exact.loss)
	for _, f := range res.fits {
		fmt.Printf("%-22s %6d %10.4f %10.4f %10.4f\n", f.name, f.steps, f.intercept, f.slope, f.loss)
	}
	fmt.Printf("\nplots written to %s and %s\n", res.plots[0], res.plots[1])
}

// learningRate is η for all three runs. One sample's loss (b + w·x − y)²
// curves by up to 2(1 + x²) = 10 (at x = 2), so a step on one sample is
// stable only for η < 2/10: stochastic GD sets the limit, and 0.1 leaves a
// margin. (All 100 samples together curve by at most 4.4.)
const learningRate = 0.1

type config struct {
	epochs int    // passes over the data, the same for every batch size
	seed   uint64 // seed of the data
	out    string // directory for the PNGs
}

// line is a fitted intercept and slope.
type line struct {
	name             string
	batchSize, steps int
	intercept, slope float64
	loss             float64   // MSE on all the data after training
	epochLoss        []float64 // MSE on all the data after each epoch
}

type result struct {
	epochs int
	exact  line   // the least-squares solution
	fits   []line // full-batch GD, stochastic GD, mini-batch SGD
	plots  []string
}

func run(ctx context.Context, cfg config) (result, error) {
	out, err := chart.OutDir(cfg.out)
	if err != nil {
		return result{}, err
	}

	// 1. Data: 100 samples, one per row of x (N × 1) and y (N × 1).
	x, y := linearData(100, cfg.seed)

	// 2. The answer to compare with: ordinary least squares in closed form.
	exact := leastSquares(x, y)

	// 3. Train the same model three times, changing only the batch size.
	res := result{epochs: cfg.epochs, exact: exact}
	for _, m := range []struct {
		name      string
		batchSize int
	}{
		{"full-batch GD", -1},  // all 100 samples per step: 1 step per epoch
		{"stochastic GD", 1},   // one sample per step: 100 steps per epoch
		{"mini-batch SGD", 16}, // 16 samples per step: 7 steps per epoch
	} {
		f, err := fit(ctx, x, y, m.name, m.batchSize, cfg.epochs)
		if err != nil {
			return result{}, fmt.Errorf("%s: %w", m.name, err)
		}
		res.fits = append(res.fits, f)
	}

	// 4. Plot the loss curves and the fitted lines.
	res.plots = []string{filepath.Join(out, "linreg_loss.png"), filepath.Join(out, "linreg_fit.png")}
	if err := plotLoss(res, res.plots[0]); err != nil {
		return result{}, err
	}
	if err := plotLines(x, y, res, res.plots[1]); err != nil {
		return result{}, err
	}
	return res, nil
}

// fit trains y = b + w·x by optim.SGD with the given batch size.
func fit(ctx context.Context, x, y *mat.Dense, name string, batchSize, epochs int) (line, error) {
	// The model: one linear unit. Keep the layer to read its weights later.
	dense := layers.Dense(1)
	model := golem.NewSequential(dense)

	// The optimizer: plain gradient descent, θ ← θ − η·∇loss, where the
	// loss is the MSE of the step's batch. The cosine schedule counts
	// optimizer steps, so it is given this run's total: epochs × steps per
	// epoch (the last batch of an epoch may be smaller).
	n, _ := x.Dims()
	stepsPerEpoch := 1
	if batchSize > 0 {
		stepsPerEpoch = (n + batchSize - 1) / batchSize
	}
	opt := optim.SGD(optim.SGDConfig{
		LearningRate: learningRate,
		Schedule:     optim.CosineDecay{Steps: epochs * stepsPerEpoch},
	})
	if err := model.Compile(golem.Input(1), losses.MSE(), opt); err != nil {
		return line{}, err
	}

	// Fit. BatchSize is the only thing that differs between the runs; Seed
	// fixes the order in which the samples are shuffled every epoch. The
	// callback scores the whole data set after every epoch (hist.Loss holds
	// the mean of the epoch's batch losses instead, as Keras reports it,
	// which for small batches mixes the weights of many steps).
	record := &epochLoss{x: x, y: y}
	hist, err := model.Fit(ctx, x, y, golem.FitConfig{
		Epochs:    epochs,
		BatchSize: batchSize,
		Seed:      1,
		Callbacks: []golem.Callback{record},
	})
	if err != nil {
		return line{}, err
	}

	// Evaluate on all the data, and read the learned intercept and slope.
	ev, err := model.Evaluate(x, y)
	if err != nil {
		return line{}, err
	}
	theta := model.Params()
	return line{
		name:      name,
		batchSize: batchSize,
		steps:     len(hist.Steps),
		intercept: theta.View(dense.B)[0],
		slope:     theta.View(dense.W)[0],
		loss:      ev.Loss,
		epochLoss: record.losses,
	}, nil
}

// epochLoss is a callback that records the loss on x, y after every epoch.
type epochLoss struct {
	golem.BaseCallback
	x, y   *mat.Dense
	losses []float64
}

func (c *epochLoss) OnEpochEnd(s *golem.State) error {
	ev, err := s.Model.Evaluate(c.x, c.y)
	c.losses = append(c.losses, ev.Loss)
	return err
}

// linearData draws x ~ U[0, 2] and y = 4 + 3x + N(0, 1).
func linearData(n int, seed uint64) (x, y *mat.Dense) {
	rng := rand.New(rand.NewPCG(seed, 1))
	x, y = mat.NewDense(n, 1, nil), mat.NewDense(n, 1, nil)
	for i := 0; i < n; i++ {
		xi := 2 * rng.Float64()
		x.Set(i, 0, xi)
		y.Set(i, 0, 4+3*xi+rng.NormFloat64())
	}
	return x, y
}

// leastSquares solves the normal equations of y = b + w·x in closed form:
// w = Σ(x−x̄)(y−ȳ) / Σ(x−x̄)², b = ȳ − w·x̄.
func leastSquares(x, y *mat.Dense) line {
	n, _ := x.Dims()
	var mx, my float64
	for i := 0; i < n; i++ {
		mx += x.At(i, 0) / float64(n)
		my += y.At(i, 0) / float64(n)
	}
	var sxy, sxx float64
	for i := 0; i < n; i++ {
		dx := x.At(i, 0) - mx
		sxy += dx * (y.At(i, 0) - my)
		sxx += dx * dx
	}
	w := sxy / sxx
	b := my - w*mx
	var mse float64
	for i := 0; i < n; i++ {
		r := y.At(i, 0) - b - w*x.At(i, 0)
		mse += r * r / float64(n)
	}
	return line{name: "least squares", intercept: b, slope: w, loss: mse}
}

// plotLoss draws, for each run, how far the MSE after each epoch is above
// the least-squares MSE (the lowest any line can reach), on log-log axes.
func plotLoss(res result, path string) error {
	// (With a longer y label gonum/plot leaves a blank band above a log axis.)
	p := chart.New(fmt.Sprintf("optim.SGD, three batch sizes: excess MSE = MSE − %.4f (least squares)", res.exact.loss),
		"epoch", "excess MSE")
	p.Y.Scale, p.Y.Tick.Marker = plot.LogScale{}, plots.LogTicks{}
	p.X.Scale, p.X.Tick.Marker = plot.LogScale{}, plots.LogTicks{}
	var series []chart.Series
	for _, f := range res.fits {
		s := chart.Series{Name: fmt.Sprintf("%s (batch %s)", f.name, batchName(f.batchSize))}
		for e, l := range f.epochLoss {
			s.X = append(s.X, float64(e+1))
			s.Y = append(s.Y, math.Max(l-res.exact.loss, 1e-12)) // ≥ 0 but for rounding
		}
		series = append(series, s)
	}
	if err := chart.AddLines(p, series...); err != nil {
		return err
	}
	p.Legend.Left = true // bottom left, below the first epochs' losses
	return chart.Save(p, path, 0, 0)
}

// plotLines draws the data, the least-squares line (wide, grey) and the
// three fitted lines (dashed) on top of it.
func plotLines(x, y *mat.Dense, res result, path string) error {
	p := chart.New("y = 4 + 3x + noise: the three fits and least squares", "x", "y")
	n, _ := x.Dims()
	data := make(plotter.XYs, n)
	for i := range data {
		data[i] = plotter.XY{X: x.At(i, 0), Y: y.At(i, 0)}
	}
	points, err := plotter.NewScatter(data)
	if err != nil {
		return err
	}
	points.Color = color.Gray{Y: 120}
	p.Add(points)
	p.Legend.Add("data", points)

	dashes := [][]vg.Length{{vg.Points(8), vg.Points(4)}, {vg.Points(2), vg.Points(3)}, {vg.Points(5), vg.Points(2), vg.Points(1), vg.Points(2)}}
	for i, f := range append([]line{res.exact}, res.fits...) {
		l, err := plotter.NewLine(plotter.XYs{{X: 0, Y: f.intercept}, {X: 2, Y: f.intercept + 2*f.slope}})
		if err != nil {
			return err
		}
		if i == 0 {
			l.Color, l.Width = color.RGBA{R: 190, G: 190, B: 190, A: 255}, vg.Points(7)
		} else {
			l.Color, l.Width, l.Dashes = plots.Color(i-1), vg.Points(1.6), dashes[i-1]
		}
		p.Add(l)
		p.Legend.Add(fmt.Sprintf("%s: y = %.3f + %.3f·x", f.name, f.intercept, f.slope), l)
	}
	p.Legend.Top, p.Legend.Left = true, true
	p.Y.Max = 14 // room for the legend above the data
	return chart.Save(p, path, 0, 0)
}

func batchName(b int) string {
	if b < 0 {
		return "all"
	}
	return fmt.Sprint(b)
}
