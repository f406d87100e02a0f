// Command nag trains a logistic regression with Nesterov's accelerated
// gradient (NAG), full batch, and compares it with classical momentum and
// plain gradient descent at the same learning rate.
//
// Momentum keeps a velocity v, a decaying sum of past gradients, and moves
// along it: v ← μv − η∇loss(θ), θ ← θ + v. Nesterov's variant takes the
// gradient where the velocity is about to carry the weights, which in
// golem's (Keras's) form is θ ← θ + μv − η∇loss(θ) with the same v. The
// look-ahead lets it brake before it overshoots, so on a curved loss it
// oscillates less than classical momentum.
//
// The data are two Gaussian blobs of 100 points each, stretched along x₂
// (standard deviation 3 against 1 along x₁), so the loss is much steeper in
// some directions than in others: the case momentum is for. The example
// prints each optimizer's initial and final loss, how many epochs it takes
// to bring the loss below 0.1, and its accuracy, and plots the loss per
// epoch.
//
//	go run ./examples/nag            # writes nag_loss.png into out/
//	go run ./examples/nag -out /tmp  # writes it into /tmp
package main

import (
	"context"
	"flag"
	"fmt"
	"log"
	"math"
	"math/rand/v2"
	"path/filepath"
	"strconv"

	"gonum.org/v1/gonum/mat"
	"gonum.org/v1/plot"

	"github.com/golem-ml/golem"
	"github.com/golem-ml/golem/examples/internal/chart"
	"github.com/golem-ml/golem/layers"
	"github.com/golem-ml/golem/losses"
	"github.com/golem-ml/golem/optim"
)

func main() {
	out := flag.String("out", "out", "directory for the plot (created if missing)")
	flag.Parse()

	res, err := run(context.Background(), config{epochs: 100, out: *out})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("logistic regression on two blobs, 200 samples, full batch, lr %.2g, %d epochs\n\n", learningRate, res.epochs)
	fmt.Printf("%-28s %12s %15s %10s %9s\n", "optimizer", "initial loss", "epochs to < 0.1", "final loss", "accuracy")
	for _, r := range res.runs {
		fmt.Printf("%-28s %12.4f %15s %10.4f %9.3f\n", r.name, r.loss[0], r.epochsTo(0.1), r.final, r.accuracy)
	}
	fmt.Printf("\nplot written to %s\n", res.plot)
}

const (
	learningRate = 0.1
	momentum     = 0.9
)

type config struct {
	epochs int
	out    string
}

// trained is one optimizer's run.
type trained struct {
	name     string
	loss     []float64 // training loss per epoch (full batch: before its step)
	final    float64   // loss on all the data after training
	accuracy float64
}

// epochsTo is the first epoch whose loss is below level, or "-".
func (t trained) epochsTo(level float64) string {
	for e, l := range t.loss {
		if l < level {
			return fmt.Sprint(e + 1)
		}
	}
	return "-"
}

type result struct {
	epochs int
	runs   []trained // Nesterov, Momentum, gradient descent
	plot   string
}

func run(ctx context.Context, cfg config) (result, error) {
	out, err := chart.OutDir(cfg.out)
	if err != nil {
		return result{}, err
	}

	// 1. Data: one point (x₁, x₂) per row of x, its class (0 or 1) in y.
	x, y := blobs(100, 1)

	// 2. Train the same model with three optimizers: only the optimizer
	//    differs. Nesterov and Momentum take the same MomentumConfig.
	res := result{epochs: cfg.epochs, plot: filepath.Join(out, "nag_loss.png")}
	mc := optim.MomentumConfig{LearningRate: learningRate, Momentum: momentum}
	for _, o := range []struct {
		name string
		opt  optim.Optimizer
	}{
		{"Nesterov (optim.Nesterov)", optim.Nesterov(mc)},
		{"momentum (optim.Momentum)", optim.Momentum(mc)},
		{"gradient descent (optim.SGD)", optim.SGD(optim.SGDConfig{LearningRate: learningRate})},
	} {
		r, err := train(ctx, x, y, o.name, o.opt, cfg.epochs)
		if err != nil {
			return result{}, fmt.Errorf("%s: %w", o.name, err)
		}
		res.runs = append(res.runs, r)
	}

	// 3. Plot the loss curves.
	return res, plotLoss(res)
}

// train fits a fresh logistic regression, σ(w₁x₁ + w₂x₂ + b), with opt.
func train(ctx context.Context, x, y *mat.Dense, name string, opt optim.Optimizer, epochs int) (trained, error) {
	// The model and loss: one sigmoid unit, binary cross-entropy. Every run
	// starts from the same weights (golem's default seed).
	model := golem.NewSequential(layers.Dense(1, layers.Sigmoid))
	err := model.Compile(golem.Input(2), losses.BinaryCrossEntropy(), opt, golem.WithMetrics(losses.Accuracy()))
	if err != nil {
		return trained{}, err
	}

	// Full batch: one step per epoch on all 200 samples.
	hist, err := model.Fit(ctx, x, y, golem.FitConfig{Epochs: epochs, BatchSize: -1})
	if err != nil {
		return trained{}, err
	}
	ev, err := model.Evaluate(x, y)
	if err != nil {
		return trained{}, err
	}
	return trained{name: name, loss: hist.Loss, final: ev.Loss, accuracy: ev.Metrics["accuracy"]}, nil
}

// blobs draws n points of class 0 around (-2, -2) and n of class 1 around
// (2, 2); x₁ has standard deviation 1, x₂ 3.
func blobs(n int, seed uint64) (x, y *mat.Dense) {
	rng := rand.New(rand.NewPCG(seed, 11))
	x, y = mat.NewDense(2*n, 2, nil), mat.NewDense(2*n, 1, nil)
	for i := 0; i < 2*n; i++ {
		c := float64(i % 2)
		x.Set(i, 0, 4*c-2+rng.NormFloat64())
		x.Set(i, 1, 4*c-2+3*rng.NormFloat64())
		y.Set(i, 0, c)
	}
	return x, y
}

// plotLoss draws each optimizer's loss per epoch on a log axis.
func plotLoss(res result) error {
	p := chart.New(fmt.Sprintf("logistic regression, full batch, lr %.2g, momentum %.2g", learningRate, momentum),
		"epoch", "loss (binary cross-entropy)")
	p.Y.Scale, p.Y.Tick.Marker = plot.LogScale{}, logTicks{}
	var series []chart.Series
	for _, r := range res.runs {
		s := chart.Series{Name: r.name}
		for e, l := range r.loss {
			s.X = append(s.X, float64(e+1))
			s.Y = append(s.Y, l)
		}
		series = append(series, s)
	}
	if err := chart.AddLines(p, series...); err != nil {
		return err
	}
	p.Legend.Top = true
	return chart.Save(p, res.plot, 0, 0)
}

// logTicks marks a log axis at 1, 2, …, 9 times the powers of ten and
// labels 1, 2 and 5 times them (plot.LogTicks labels only the powers of ten,
// too few for a range of two decades).
type logTicks struct{}

func (logTicks) Ticks(min, max float64) []plot.Tick {
	var ticks []plot.Tick
	for k := math.Floor(math.Log10(min)); k <= math.Ceil(math.Log10(max)); k++ {
		for m := 1; m <= 9; m++ {
			v := float64(m) * math.Pow(10, k)
			if v < min || v > max {
				continue
			}
			t := plot.Tick{Value: v}
			if m == 1 || m == 2 || m == 5 {
				t.Label = strconv.FormatFloat(v, 'g', 6, 64)
			}
			ticks = append(ticks, t)
		}
	}
	return ticks
}
