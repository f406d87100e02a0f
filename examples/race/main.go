// Command race trains the same 1-10-1 tanh network on the same data with
// every optimizer golem has, and compares how fast each brings the
// training error down, per epoch and per second of wall time:
//
//	y = 1.5·sin(πx) + N(0, 0.2²),  100 points evenly spaced over [-2, 2]
//
// The ten entrants are gradient descent in its three batch sizes (full
// batch, one sample per step, mini-batches of 16 — all optim.SGD, only
// FitConfig.BatchSize differs), Momentum, Nesterov, Adagrad, Adadelta,
// RMSprop, Adam and Levenberg–Marquardt. Every network starts from the same
// weights (the same golem.WithSeed), and each optimizer gets a fixed budget
// of epochs. The noise alone accounts for a mean squared error of 0.04, so
// the finish line is MSE ≤ 0.045.
//
// It prints one table (epochs, wall time, final training MSE, and the epoch
// and time at which each crossed the line) and plots the loss against the
// epoch and against wall time.
//
//	go run ./examples/race            # writes race_*.png into out/
//	go run ./examples/race -out /tmp  # writes them into /tmp
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

// goal is the finish line: the noise variance 0.04 plus a little.
const goal = 0.045

func main() {
	out := flag.String("out", "out", "directory for the plots (created if missing)")
	seed := flag.Uint64("seed", 1, "seed of the data noise, the initial weights and the shuffling")
	flag.Parse()

	res, err := run(context.Background(), config{epochScale: 1, seed: *seed, out: *out})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("1-10-1 tanh network on 1.5·sin(πx) + noise, 100 samples; the line is MSE ≤ %g\n\n", goal)
	fmt.Printf("%-20s %7s %6s %7s %10s %10s %9s %10s\n", "optimizer", "η", "batch", "epochs", "wall time", "train MSE", "epochs to", "time to")
	for _, r := range res.entrants {
		epochs, at := "—", "—"
		if r.reached > 0 {
			epochs, at = fmt.Sprint(r.reached), fmt.Sprint(r.reachedAt.Round(100*time.Microsecond))
		}
		fmt.Printf("%-20s %7s %6s %7d %10s %10.4f %9s %10s\n",
			r.name, r.rate, batchName(r.batch), r.hist.Len(), r.elapsed.Round(100*time.Microsecond), r.mse, epochs, at)
	}
	fmt.Printf("\nplots written to %v\n", res.plots)
}

// config scales the budgets: epochScale multiplies every optimizer's
// epochs (1 in main; the test uses fewer).
type config struct {
	epochScale float64
	seed       uint64
	out        string
}

// entrant is one optimizer's run.
type entrant struct {
	name, rate string // rate: the learning rate, for the table
	batch      int    // FitConfig.BatchSize: -1 is all 100 samples
	elapsed    time.Duration
	mse        float64       // training MSE after the last epoch
	reached    int           // first epoch with loss ≤ goal; 0: never
	reachedAt  time.Duration // wall time at the end of that epoch
	hist       *golem.History
}

type result struct {
	entrants []entrant
	plots    []string
}

func run(ctx context.Context, cfg config) (result, error) {
	if cfg.epochScale <= 0 {
		cfg.epochScale = 1
	}
	epochs := func(n int) int { return max(1, int(math.Round(cfg.epochScale*float64(n)))) }
	out, err := chart.OutDir(cfg.out)
	if err != nil {
		return result{}, err
	}

	// 1. Data: 100 noisy samples of 1.5·sin(πx), one sample per row.
	x, y := sineData(100, cfg.seed)

	// 2. The entrants. Each learning rate is about the largest that stays
	//    stable on this problem; BatchSize -1 takes all samples per step,
	//    so one epoch is one step, except for SGD (100 steps per epoch) and
	//    mini-batch SGD (7). A budget in epochs, not steps, is the
	//    conventional but not the only fair choice: the time plot shows
	//    what each epoch costs.
	race := []struct {
		name, rate string
		opt        optim.Optimizer
		batch      int
		epochs     int
	}{
		// Gradient descent; η 0.3 diverges.
		{"GD (full batch)", "0.1", optim.SGD(optim.SGDConfig{LearningRate: 0.1}), -1, epochs(3000)},
		// Stochastic: one sample per step, so a smaller η.
		{"SGD (batch 1)", "0.01", optim.SGD(optim.SGDConfig{LearningRate: 0.01}), 1, epochs(200)},
		{"SGD (batch 16)", "0.05", optim.SGD(optim.SGDConfig{LearningRate: 0.05}), 16, epochs(1000)},
		// With μ 0.9 the step grows to η/(1-μ) = 0.3 along a steady
		// gradient: the rate at which plain GD diverges.
		{"Momentum", "0.03", optim.Momentum(optim.MomentumConfig{LearningRate: 0.03, Momentum: 0.9}), -1, epochs(3000)},
		{"Nesterov", "0.03", optim.Nesterov(optim.MomentumConfig{LearningRate: 0.03, Momentum: 0.9}), -1, epochs(3000)},
		{"Adagrad", "0.1", optim.Adagrad(optim.AdagradConfig{LearningRate: 0.1}), -1, epochs(3000)},
		// Adadelta at Zeiler's η 1 (Keras's default 0.001 barely moves).
		{"Adadelta", "1", optim.Adadelta(optim.AdadeltaConfig{LearningRate: 1}), -1, epochs(3000)},
		{"RMSprop", "0.003", optim.RMSprop(optim.RMSpropConfig{LearningRate: 0.003}), -1, epochs(3000)},
		{"Adam", "0.01", optim.Adam(optim.AdamConfig{LearningRate: 0.01}), -1, epochs(3000)},
		// Levenberg–Marquardt with trainlm's defaults: it chooses its own
		// step through the damping μ, and always takes the full batch.
		{"Levenberg–Marquardt", "—", optim.LM(optim.LMConfig{}), -1, epochs(50)},
	}
	var res result
	for _, r := range race {
		e, err := train(ctx, r.opt, r.batch, r.epochs, x, y, cfg.seed)
		if err != nil {
			return result{}, fmt.Errorf("%s: %w", r.name, err)
		}
		e.name, e.rate = r.name, r.rate
		res.entrants = append(res.entrants, e)
	}

	// 3. Plot the training loss of every epoch against the epoch number
	//    and against the wall time since training began, both on log-log
	//    axes: LM finishes in a few epochs and milliseconds, SGD takes
	//    hundreds of times longer.
	var perEpoch, perSecond []chart.Series
	for _, e := range res.entrants {
		h := e.hist
		s, t := chart.Series{Name: e.name}, chart.Series{Name: e.name}
		for i, loss := range h.Loss {
			s.X, s.Y = append(s.X, float64(h.Epoch[i])), append(s.Y, loss)
			t.X, t.Y = append(t.X, h.Time[i].Seconds()), append(t.Y, loss)
		}
		perEpoch, perSecond = append(perEpoch, s), append(perSecond, t)
	}
	for _, f := range []struct {
		title, xlabel, file string
		series              []chart.Series
	}{
		{"Training loss per epoch", "epoch", "race_loss_epoch.png", perEpoch},
		{"Training loss against wall time", "wall time since Fit began (s)", "race_loss_time.png", perSecond},
	} {
		file := filepath.Join(out, f.file)
		if err := lossPlot(f.title, f.xlabel, file, f.series); err != nil {
			return result{}, err
		}
		res.plots = append(res.plots, file)
	}
	return res, nil
}

// lossPlot draws the series on log-log axes with a dashed line at the goal.
// The x axis runs 1.7 decades past the data, to leave a blank strip on the
// right for the legend.
func lossPlot(title, xlabel, file string, series []chart.Series) error {
	p := chart.New(title, xlabel, "training MSE")
	plots.LogY(p)
	lo, hi := math.Inf(1), math.Inf(-1)
	for _, s := range series {
		lo, hi = math.Min(lo, s.X[0]), math.Max(hi, s.X[len(s.X)-1])
	}
	p.X.Scale = plot.LogScale{}
	p.X.Tick.Marker = plot.TickerFunc(func(min, max float64) []plot.Tick {
		var ticks []plot.Tick
		for _, t := range (plot.LogTicks{Prec: -1}).Ticks(min, max) {
			if t.Value <= hi { // none under the legend
				ticks = append(ticks, t)
			}
		}
		return ticks
	})
	p.X.Min, p.X.Max = lo, hi*50
	if err := chart.AddLines(p, series...); err != nil {
		return err
	}
	line, err := plotter.NewLine(plotter.XYs{{X: lo, Y: goal}, {X: hi, Y: goal}})
	if err != nil {
		return err
	}
	line.Color, line.Dashes = color.Gray{Y: 100}, []vg.Length{vg.Points(5), vg.Points(3)}
	p.Add(line)
	p.Legend.Add(fmt.Sprintf("MSE = %g", goal), line)
	p.Legend.Top = true
	return chart.Save(p, file, 8.5, 5)
}

// train fits a fresh 1-10-1 tanh network, from the same initial weights for
// every optimizer, and records when the loss first reached the goal.
// History.Loss is each epoch's mean training loss over its steps, each
// measured before its update (as Keras); History.Time the wall time at the
// end of each epoch.
func train(ctx context.Context, opt optim.Optimizer, batch, epochs int, x, y *mat.Dense, seed uint64) (entrant, error) {
	model := golem.NewSequential(
		layers.Dense(10, layers.Tanh, layers.NguyenWidrow(-2, 2)),
		layers.Dense(1),
	)
	if err := model.Compile(golem.Input(1), losses.MSE(), opt, golem.WithSeed(seed)); err != nil {
		return entrant{}, err
	}
	start := time.Now()
	hist, err := model.Fit(ctx, x, y, golem.FitConfig{Epochs: epochs, BatchSize: batch, Seed: seed})
	if err != nil {
		return entrant{}, err
	}
	e := entrant{batch: batch, elapsed: time.Since(start), hist: hist}
	for i, loss := range hist.Loss {
		if loss <= goal {
			e.reached, e.reachedAt = hist.Epoch[i], hist.Time[i]
			break
		}
	}
	// The final training MSE with the final weights (the last epoch's
	// History.Loss was measured before its steps).
	ev, err := model.Evaluate(x, y)
	if err != nil {
		return entrant{}, err
	}
	e.mse = ev.Loss
	return e, nil
}

// sineData spaces n points evenly over [-2, 2] with y = 1.5·sin(πx) plus
// Gaussian noise of standard deviation 0.2 (as examples/sinfit).
func sineData(n int, seed uint64) (x, y *mat.Dense) {
	rng := rand.New(rand.NewPCG(seed, 2024))
	x = mat.NewDense(n, 1, nil)
	y = mat.NewDense(n, 1, nil)
	for i := range n {
		xi := -2 + 4*float64(i)/float64(n-1)
		x.Set(i, 0, xi)
		y.Set(i, 0, 1.5*math.Sin(math.Pi*xi)+0.2*rng.NormFloat64())
	}
	return x, y
}

func batchName(b int) string {
	if b < 0 {
		return "all"
	}
	return fmt.Sprint(b)
}
