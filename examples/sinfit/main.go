// Command sinfit fits a 1-10-1 tanh network to a noisy sine, the seed
// problem of the Levenberg–Marquardt article:
//
//	y = 1.5·sin(πx) + N(0, 0.2²),  100 points with x in [-2, 2]
//
// It trains with full-batch Adam, prints the training MSE (the noise alone
// accounts for 0.04) and writes a plot of the data, the true curve and the
// fit.
//
//	go run ./examples/sinfit            # writes out/sinfit.png
//	go run ./examples/sinfit -out /tmp  # writes /tmp/sinfit.png
package main

import (
	"context"
	"flag"
	"fmt"
	"image/color"
	"log"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"time"

	"gonum.org/v1/gonum/mat"
	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"

	"golem"
	"golem/layers"
	"golem/losses"
	"golem/optim"
)

func main() {
	out := flag.String("out", "out", "directory for the plot (created if missing)")
	epochs := flag.Int("epochs", 4000, "training epochs (full-batch Adam steps)")
	lr := flag.Float64("lr", 0.01, "Adam learning rate")
	seed := flag.Uint64("seed", 1, "seed of the data noise and the initial weights")
	flag.Parse()

	res, err := run(context.Background(), config{epochs: *epochs, lr: *lr, seed: *seed, out: *out})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("Adam, 1-10-1 tanh: train MSE %.4f after %d epochs (%s)\n", res.mse, res.epochs, res.elapsed.Round(time.Millisecond))
	fmt.Printf("plot written to %s\n", res.plot)
}

type config struct {
	epochs int
	lr     float64
	seed   uint64
	out    string
}

type result struct {
	mse     float64
	epochs  int
	elapsed time.Duration
	plot    string
}

func run(ctx context.Context, cfg config) (result, error) {
	// 1. Data: 100 noisy samples of 1.5·sin(πx), one sample per row.
	x, y := sineData(100, cfg.seed)

	// 2. Model: one hidden layer of 10 tanh units and a linear output.
	model := golem.NewSequential(
		layers.Dense(10, layers.Tanh),
		layers.Dense(1),
	)
	err := model.Compile(golem.Input(1), losses.MSE(),
		optim.Adam(optim.AdamConfig{LearningRate: cfg.lr}),
		golem.WithSeed(cfg.seed))
	if err != nil {
		return result{}, err
	}

	// 3. Train on all samples at every step (full batch: BatchSize -1).
	start := time.Now()
	hist, err := model.Fit(ctx, x, y, golem.FitConfig{Epochs: cfg.epochs, BatchSize: -1})
	if err != nil {
		return result{}, err
	}
	elapsed := time.Since(start)

	// 4. Score the fit on the training data.
	ev, err := model.Evaluate(x, y)
	if err != nil {
		return result{}, err
	}

	// 5. Plot data, truth and fit.
	path := filepath.Join(cfg.out, "sinfit.png")
	if err := plotFit(model, x, y, path); err != nil {
		return result{}, err
	}
	return result{mse: ev.Loss, epochs: hist.Len(), elapsed: elapsed, plot: path}, nil
}

// sineData spaces n points evenly over [-2, 2] with y = 1.5·sin(πx) plus
// Gaussian noise of standard deviation 0.2.
func sineData(n int, seed uint64) (x, y *mat.Dense) {
	rng := rand.New(rand.NewPCG(seed, 2024))
	x = mat.NewDense(n, 1, nil)
	y = mat.NewDense(n, 1, nil)
	for i := 0; i < n; i++ {
		xi := -2 + 4*float64(i)/float64(n-1)
		x.Set(i, 0, xi)
		y.Set(i, 0, 1.5*math.Sin(math.Pi*xi)+0.2*rng.NormFloat64())
	}
	return x, y
}

// plotFit draws the samples, the noise-free curve and the model's fit.
func plotFit(model *golem.Sequential, x, y *mat.Dense, path string) error {
	const grid = 400
	gx := mat.NewDense(grid, 1, nil)
	for i := 0; i < grid; i++ {
		gx.Set(i, 0, -2+4*float64(i)/(grid-1))
	}
	fit, err := model.Predict(gx)
	if err != nil {
		return err
	}
	n, _ := x.Dims()
	data := make(plotter.XYs, n)
	for i := range data {
		data[i] = plotter.XY{X: x.At(i, 0), Y: y.At(i, 0)}
	}
	truth, curve := make(plotter.XYs, grid), make(plotter.XYs, grid)
	for i := 0; i < grid; i++ {
		xi := gx.At(i, 0)
		truth[i] = plotter.XY{X: xi, Y: 1.5 * math.Sin(math.Pi*xi)}
		curve[i] = plotter.XY{X: xi, Y: fit.At(i, 0)}
	}

	p := plot.New()
	p.Title.Text = "1-10-1 tanh network fitted by Adam"
	p.X.Label.Text = "x"
	p.Y.Label.Text = "y"
	p.Add(plotter.NewGrid())
	points, err := plotter.NewScatter(data)
	if err != nil {
		return err
	}
	points.Color = color.RGBA{R: 90, G: 90, B: 90, A: 255}
	trueLine, err := plotter.NewLine(truth)
	if err != nil {
		return err
	}
	trueLine.Dashes = []vg.Length{vg.Points(4), vg.Points(3)}
	trueLine.Color = color.RGBA{G: 140, A: 255}
	fitLine, err := plotter.NewLine(curve)
	if err != nil {
		return err
	}
	fitLine.Width = vg.Points(2)
	fitLine.Color = color.RGBA{R: 200, G: 40, B: 40, A: 255}
	p.Add(points, trueLine, fitLine)
	p.Legend.Add("data", points)
	p.Legend.Add("1.5·sin(πx)", trueLine)
	p.Legend.Add("Adam fit", fitLine)
	p.Legend.Top = true

	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	return p.Save(7*vg.Inch, 4.5*vg.Inch, path)
}
