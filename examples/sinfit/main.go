// Command sinfit fits a 1-10-1 tanh network to a noisy sine, the seed
// problem of the Levenberg–Marquardt article:
//
//	y = 1.5·sin(πx) + N(0, 0.2²),  100 points evenly spaced over [-2, 2]
//
// It trains the same network twice, with Levenberg–Marquardt (30
// iterations, MATLAB trainlm's defaults) and with full-batch Adam (4000
// epochs), prints both side by side (iterations, wall time, training MSE;
// the noise alone accounts for 0.04) and plots the data with both fits.
// Then it trains with LM as MATLAB's train does: a random 70/15/15 split into
// training, validation and test samples, one line per epoch, early stopping
// after 6 epochs without a better validation loss, and the best epoch's
// weights restored; it plots the performance, the training state, the
// regression of test outputs on targets and the error histogram of the
// three parts (package plots, MATLAB's nftool figures).
//
//	go run ./examples/sinfit            # writes the PNGs into out/
//	go run ./examples/sinfit -out /tmp  # writes them into /tmp
package main

import (
	"context"
	"flag"
	"fmt"
	"image/color"
	"io"
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

	"github.com/golem-ml/golem"
	"github.com/golem-ml/golem/examples/internal/chart"
	"github.com/golem-ml/golem/layers"
	"github.com/golem-ml/golem/losses"
	"github.com/golem-ml/golem/optim"
	"github.com/golem-ml/golem/plots"
)

func main() {
	out := flag.String("out", "out", "directory for the plot (created if missing)")
	seed := flag.Uint64("seed", 1, "seed of the data noise and the initial weights")
	flag.Parse()

	res, err := run(context.Background(), config{lmIterations: 30, adamEpochs: 4000, seed: *seed, out: *out})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("1-10-1 tanh network on 1.5·sin(πx) + noise, 100 samples\n\n")
	fmt.Printf("%-22s %10s %10s %10s\n", "optimizer", "iterations", "wall time", "train MSE")
	for _, r := range []trainResult{res.lm, res.adam} {
		fmt.Printf("%-22s %10d %10s %10.4f\n", r.name, r.iterations, r.elapsed.Round(100*time.Microsecond), r.mse)
	}
	fmt.Printf("\nplots written to %s and %s\n", res.plot, res.lossPlot)

	fmt.Printf("\nLevenberg–Marquardt with a random 70/15/15 train/validation/test division:\n")
	v, err := trainWithValidation(context.Background(), *seed, *out, os.Stdout)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("test MSE %.4f, regression R = %.4f on the test samples\nplots written to %v\n", v.testMSE, v.r, v.plots)
}

type validationResult struct {
	hist    *golem.History
	testMSE float64
	r       float64
	plots   []string
}

// trainWithValidation trains with a MATLAB-style division and early
// stopping, printing one line per epoch to w, and writes the plots.
func trainWithValidation(ctx context.Context, seed uint64, out string, w io.Writer) (validationResult, error) {
	x, y := sineData(100, seed)
	model := golem.NewSequential(
		layers.Dense(10, layers.Tanh, layers.NguyenWidrow(-2, 2)),
		layers.Dense(1),
	)
	if err := model.Compile(golem.Input(1), losses.MSE(), optim.LM(optim.LMConfig{}), golem.WithSeed(seed)); err != nil {
		return validationResult{}, err
	}
	hist, err := model.Fit(ctx, x, y, golem.FitConfig{
		Division: golem.RandomDivision(), // 70% train, 15% validation, 15% test
		Seed:     seed,
		Verbose:  2, // one line per epoch
		Output:   w,
	})
	if err != nil {
		return validationResult{}, err
	}
	files, err := plots.History(out, hist) // performance.png, trainstate.png
	if err != nil {
		return validationResult{}, err
	}
	tx, ty := rowsOf(x, hist.TestIndex), rowsOf(y, hist.TestIndex)
	regression := filepath.Join(out, "regression.png")
	r, err := plots.Regression(regression, model, tx, ty, "Test")
	if err != nil {
		return validationResult{}, err
	}
	pred, err := model.Predict(x)
	if err != nil {
		return validationResult{}, err
	}
	errhist := filepath.Join(out, "errhist.png")
	if err := plots.ErrorHistogram(errhist, y, pred, 0, plots.Splits(hist)...); err != nil { // 20 bins
		return validationResult{}, err
	}
	return validationResult{hist: hist, testMSE: hist.TestLoss[hist.BestEpoch-1], r: r, plots: append(files, regression, errhist)}, nil
}

// rowsOf copies the rows idx of m.
func rowsOf(m *mat.Dense, idx []int) *mat.Dense {
	_, c := m.Dims()
	out := mat.NewDense(len(idx), c, nil)
	for r, i := range idx {
		out.SetRow(r, m.RawRowView(i))
	}
	return out
}

type config struct {
	lmIterations int
	adamEpochs   int
	seed         uint64
	out          string
}

type trainResult struct {
	name       string
	iterations int
	elapsed    time.Duration
	mse        float64
	model      *golem.Sequential
	hist       *golem.History
}

type result struct {
	lm, adam trainResult
	plot     string // the fits
	lossPlot string // loss per iteration
}

func run(ctx context.Context, cfg config) (result, error) {
	// 1. Data: 100 noisy samples of 1.5·sin(πx), one sample per row.
	x, y := sineData(100, cfg.seed)

	// 2. Train the same network with each optimizer. LM takes all samples
	//    in every iteration; so does Adam here (BatchSize -1).
	lm, err := train(ctx, "Levenberg–Marquardt", optim.LM(optim.LMConfig{}), cfg.lmIterations, x, y, cfg.seed)
	if err != nil {
		return result{}, err
	}
	adam, err := train(ctx, "Adam (lr 0.01)", optim.Adam(optim.AdamConfig{LearningRate: 0.01}), cfg.adamEpochs, x, y, cfg.seed)
	if err != nil {
		return result{}, err
	}

	// 3. Plot data, truth and both fits, and the loss per iteration.
	path := filepath.Join(cfg.out, "sinfit.png")
	if err := plotFits(x, y, path, lm, adam); err != nil {
		return result{}, err
	}
	lossPath := filepath.Join(cfg.out, "sinfit_loss.png")
	if err := plotLoss(lossPath, lm, adam); err != nil {
		return result{}, err
	}
	return result{lm: lm, adam: adam, plot: path, lossPlot: lossPath}, nil
}

// plotLoss draws each optimizer's training MSE per iteration, both axes
// logarithmic: LM's 30 iterations against Adam's thousands.
func plotLoss(path string, runs ...trainResult) error {
	p := chart.New("Training MSE per iteration", "iteration", "MSE")
	plots.LogY(p)
	p.X.Scale = plot.LogScale{}
	p.X.Tick.Marker = plot.LogTicks{Prec: -1}
	var series []chart.Series
	for _, r := range runs {
		s := chart.Series{Name: r.name}
		for i, loss := range r.hist.Loss {
			s.X = append(s.X, float64(i+1))
			s.Y = append(s.Y, loss)
		}
		series = append(series, s)
	}
	if err := chart.AddLines(p, series...); err != nil {
		return err
	}
	p.Legend.Top = true
	return chart.Save(p, path, 0, 0)
}

// train fits a fresh 1-10-1 tanh network. Nguyen–Widrow initialization
// (MATLAB's default for trainlm) spreads the tanh units over the inputs'
// range [-2, 2].
func train(ctx context.Context, name string, opt optim.Optimizer, epochs int, x, y *mat.Dense, seed uint64) (trainResult, error) {
	model := golem.NewSequential(
		layers.Dense(10, layers.Tanh, layers.NguyenWidrow(-2, 2)),
		layers.Dense(1),
	)
	if err := model.Compile(golem.Input(1), losses.MSE(), opt, golem.WithSeed(seed)); err != nil {
		return trainResult{}, err
	}
	start := time.Now()
	hist, err := model.Fit(ctx, x, y, golem.FitConfig{Epochs: epochs, BatchSize: -1})
	if err != nil {
		return trainResult{}, err
	}
	elapsed := time.Since(start)
	ev, err := model.Evaluate(x, y)
	if err != nil {
		return trainResult{}, err
	}
	return trainResult{name: name, iterations: len(hist.Steps), elapsed: elapsed, mse: ev.Loss, model: model, hist: hist}, nil
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

// plotFits draws the samples, the noise-free curve and each model's fit.
func plotFits(x, y *mat.Dense, path string, fits ...trainResult) error {
	const grid = 400
	gx := mat.NewDense(grid, 1, nil)
	truth := make(plotter.XYs, grid)
	for i := 0; i < grid; i++ {
		xi := -2 + 4*float64(i)/(grid-1)
		gx.Set(i, 0, xi)
		truth[i] = plotter.XY{X: xi, Y: 1.5 * math.Sin(math.Pi*xi)}
	}
	n, _ := x.Dims()
	data := make(plotter.XYs, n)
	for i := range data {
		data[i] = plotter.XY{X: x.At(i, 0), Y: y.At(i, 0)}
	}

	p := plot.New()
	p.Title.Text = "1-10-1 tanh network: Levenberg–Marquardt vs Adam"
	p.X.Label.Text = "x"
	p.Y.Label.Text = "y"
	p.Add(plotter.NewGrid())
	points, err := plotter.NewScatter(data)
	if err != nil {
		return err
	}
	points.Color = color.RGBA{R: 110, G: 110, B: 110, A: 255}
	trueLine, err := plotter.NewLine(truth)
	if err != nil {
		return err
	}
	trueLine.Dashes = []vg.Length{vg.Points(4), vg.Points(3)}
	trueLine.Color = color.RGBA{G: 140, A: 255}
	p.Add(points, trueLine)
	p.Legend.Add("data", points)
	p.Legend.Add("1.5·sin(πx)", trueLine)

	colors := []color.Color{color.RGBA{R: 200, G: 40, B: 40, A: 255}, color.RGBA{R: 40, G: 80, B: 200, A: 255}}
	for i, f := range fits {
		pred, err := f.model.Predict(gx)
		if err != nil {
			return err
		}
		curve := make(plotter.XYs, grid)
		for j := range curve {
			curve[j] = plotter.XY{X: gx.At(j, 0), Y: pred.At(j, 0)}
		}
		line, err := plotter.NewLine(curve)
		if err != nil {
			return err
		}
		line.Width = vg.Points(2)
		line.Color = colors[i%len(colors)]
		p.Add(line)
		p.Legend.Add(fmt.Sprintf("%s, %d it., MSE %.4f", f.name, f.iterations, f.mse), line)
	}
	p.Legend.Top = true
	p.Legend.Left = true
	p.Y.Max = 2.6

	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	return p.Save(7*vg.Inch, 4.5*vg.Inch, path)
}
