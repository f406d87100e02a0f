// Command bayesreg shows Bayesian regularization (MATLAB's trainbr) keeping
// an oversized network from fitting the noise of a small data set, with no
// validation data to spend:
//
//	y = sin(2x) + x/2 + N(0, 0.3²),  150 points drawn uniformly on [-3, 3]
//
// A 1-30-1 tanh network has 91 parameters for 150 noisy points. It is
// trained three ways from the same initial weights:
//
//   - optim.BR with its defaults (trainbr's): it sets the weight penalty
//     from the data, α·Σw² against β·Σe², and reports γ, the number of
//     parameters the data actually determine;
//   - trainlm (optim.LM) with MATLAB's early stopping: a random 70/15/15
//     division, stopping after 6 epochs without a better validation loss
//     and restoring the best epoch's weights;
//   - Adam for 3000 full-batch epochs, nothing to stop it fitting noise.
//
// It prints each one's error on 400 noise-free test points (the noise
// itself is 0.09), BR's γ, and writes two plots: the data with the three
// fits (bayesreg_fit.png) and BR's training state, γ and the sum of squared
// weights per epoch as trainbr's window shows them (trainstate.png, with
// performance.png).
//
//	go run ./examples/bayesreg            # writes the PNGs into out/
//	go run ./examples/bayesreg -seed 3    # another data set and initialization
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

	"github.com/golem-ml/golem"
	"github.com/golem-ml/golem/examples/internal/chart"
	"github.com/golem-ml/golem/layers"
	"github.com/golem-ml/golem/losses"
	"github.com/golem-ml/golem/optim"
	"github.com/golem-ml/golem/plots"
)

func main() {
	out := flag.String("out", "out", "directory for the plots (created if missing)")
	seed := flag.Uint64("seed", 1, "seed of the data and the initial weights")
	flag.Parse()
	res, err := run(context.Background(), config{seed: *seed, out: *out, adamEpochs: 3000})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("1-30-1 tanh network (91 parameters), 150 samples of sin(2x) + x/2 + N(0, 0.3²)\n\n")
	fmt.Printf("%-32s %10s %8s  %s\n", "training", "test MSE", "epochs", "stop")
	for _, r := range res.runs {
		fmt.Printf("%-32s %10.4f %8d  %s\n", r.name, r.testMSE, r.epochs, r.stop)
	}
	fmt.Printf("\nBR: γ = %.1f effective parameters of 91, α = %.3g, β = %.3g, Σw² = %.3g\n", res.gamma, res.alpha, res.beta, res.ssw)
	fmt.Printf("plots written to %s and %s\n", res.fitPlot, res.statePlots)
}

type config struct {
	seed       uint64
	out        string
	adamEpochs int
}

type trainRun struct {
	name    string
	model   *golem.Sequential
	testMSE float64
	epochs  int
	stop    string
}

type result struct {
	runs                []trainRun
	gamma, alpha, beta  float64
	ssw                 float64
	fitPlot, statePlots string
	x, y                []float64
}

// truth is the function the data sample.
func truth(x float64) float64 { return math.Sin(2*x) + x/2 }

// network is the oversized model, the same initial weights for every seed
// given.
func network() *golem.Sequential {
	return golem.NewSequential(layers.Dense(30, layers.Tanh), layers.Dense(1))
}

func run(ctx context.Context, cfg config) (result, error) {
	out, err := chart.OutDir(cfg.out)
	if err != nil {
		return result{}, err
	}
	// 1. Data: 150 noisy training points, 400 noise-free test points.
	rng := rand.New(rand.NewPCG(cfg.seed, 99))
	var res result
	x, y := mat.NewDense(150, 1, nil), mat.NewDense(150, 1, nil)
	for i := 0; i < 150; i++ {
		v := -3 + 6*rng.Float64()
		x.Set(i, 0, v)
		y.Set(i, 0, truth(v)+0.3*rng.NormFloat64())
		res.x, res.y = append(res.x, v), append(res.y, y.At(i, 0))
	}
	xt, yt := mat.NewDense(400, 1, nil), mat.NewDense(400, 1, nil)
	for i := 0; i < 400; i++ {
		v := -3 + 6*float64(i)/399
		xt.Set(i, 0, v)
		yt.Set(i, 0, truth(v))
	}

	// 2. BR: SSE, its sum of squared errors, and its defaults. It scales
	// inputs and targets onto [-1, 1] itself (as trainbr's mapminmax), and
	// needs no validation data: the whole sample trains.
	br := network()
	if err := br.Compile(golem.Input(1), losses.SSE(), optim.BR(optim.BRConfig{}), golem.WithSeed(cfg.seed)); err != nil {
		return result{}, err
	}
	hist, err := br.Fit(ctx, x, y, golem.FitConfig{})
	if err != nil {
		return result{}, err
	}
	last := hist.Len() - 1
	res.gamma, res.alpha, res.beta, res.ssw = hist.Gamma[last], hist.Alpha[last], hist.Beta[last], hist.SSW[last]
	if err := res.add("BR (trainbr), no validation", br, hist, xt, yt); err != nil {
		return result{}, err
	}
	if res.statePlots, err = statePlots(hist, out); err != nil {
		return result{}, err
	}

	// 3. trainlm with early stopping on the same scaled data.
	lm := network()
	if err := lm.Compile(golem.Input(1), losses.MSE(), optim.LM(optim.LMConfig{}), golem.WithSeed(cfg.seed),
		golem.ScaleInputs(golem.MinMax), golem.ScaleTargets(golem.MinMax)); err != nil {
		return result{}, err
	}
	if hist, err = lm.Fit(ctx, x, y, golem.FitConfig{Division: golem.RandomDivision(), Seed: cfg.seed}); err != nil {
		return result{}, err
	}
	if err := res.add("trainlm + early stopping", lm, hist, xt, yt); err != nil {
		return result{}, err
	}

	// 4. Adam, full batch, no regularization.
	adam := network()
	if err := adam.Compile(golem.Input(1), losses.MSE(), optim.Adam(optim.AdamConfig{LearningRate: 0.01}), golem.WithSeed(cfg.seed),
		golem.ScaleInputs(golem.MinMax), golem.ScaleTargets(golem.MinMax)); err != nil {
		return result{}, err
	}
	if hist, err = adam.Fit(ctx, x, y, golem.FitConfig{Epochs: cfg.adamEpochs, BatchSize: -1}); err != nil {
		return result{}, err
	}
	if err := res.add(fmt.Sprintf("Adam, %d epochs", cfg.adamEpochs), adam, hist, xt, yt); err != nil {
		return result{}, err
	}

	res.fitPlot = filepath.Join(out, "bayesreg_fit.png")
	return res, plotFits(res, xt, yt, res.fitPlot)
}

// add records a trained model's test error.
func (r *result) add(name string, m *golem.Sequential, h *golem.History, xt, yt *mat.Dense) error {
	p, err := m.Predict(xt)
	if err != nil {
		return err
	}
	n, _ := yt.Dims()
	var s float64
	for i := 0; i < n; i++ {
		d := p.At(i, 0) - yt.At(i, 0)
		s += d * d
	}
	r.runs = append(r.runs, trainRun{name: name, model: m, testMSE: s / float64(n), epochs: h.Len(), stop: string(h.Stop)})
	return nil
}

// statePlots writes BR's performance and training-state plots.
func statePlots(h *golem.History, out string) (string, error) {
	files, err := plots.History(out, h)
	if err != nil {
		return "", err
	}
	return fmt.Sprintf("%s (with %s)", files[1], files[0]), nil
}

// plotFits draws the data, the truth and the three fits.
func plotFits(res result, xt, yt *mat.Dense, path string) error {
	p := chart.New("1-30-1 network on 150 noisy points", "x", "y")
	xs := mat.Col(nil, 0, xt)
	series := []chart.Series{{Name: "truth", X: xs, Y: mat.Col(nil, 0, yt)}}
	for _, r := range res.runs {
		pred, err := r.model.Predict(xt)
		if err != nil {
			return err
		}
		series = append(series, chart.Series{Name: fmt.Sprintf("%s (test MSE %.4f)", r.name, r.testMSE), X: xs, Y: mat.Col(nil, 0, pred)})
	}
	if err := chart.AddLines(p, series...); err != nil {
		return err
	}
	if err := chart.AddPoints(p, chart.Series{Name: "training data", X: res.x, Y: res.y}); err != nil {
		return err
	}
	p.Legend.Top, p.Legend.Left = true, true
	p.Y.Max = 4.5 // room for the legend
	return chart.Save(p, path, 0, 0)
}
