// Command logreg trains a logistic regression, a single sigmoid unit
//
//	p(class 1 | x) = σ(w₁x₁ + w₂x₂ + b)
//
// on two Gaussian blobs of 200 points each (standard deviation 1, around
// (-2, -1) and (1.5, 2)), by mini-batch stochastic gradient descent on the
// binary cross-entropy. It prints the learned weights and the training
// accuracy, and plots the points coloured by class with the decision
// boundary: the line w₁x₁ + w₂x₂ + b = 0, where the sigmoid is 0.5.
//
//	go run ./examples/logreg            # writes logreg.png into out/
//	go run ./examples/logreg -out /tmp  # writes it into /tmp
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

	"gonum.org/v1/gonum/floats"
	"gonum.org/v1/gonum/mat"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"

	"github.com/golem-ml/golem"
	"github.com/golem-ml/golem/examples/internal/chart"
	"github.com/golem-ml/golem/layers"
	"github.com/golem-ml/golem/losses"
	"github.com/golem-ml/golem/optim"
)

func main() {
	out := flag.String("out", "out", "directory for the plot (created if missing)")
	flag.Parse()

	res, err := run(context.Background(), config{epochs: 30, seed: 1, out: *out})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("logistic regression on two blobs, %d samples; mini-batch SGD (batch 16, lr 0.1), %d epochs\n", res.samples, res.epochs)
	fmt.Printf("p(class 1) = σ(%.3f·x₁ %s·x₂ %s)\n", res.w1, signed(res.w2, 3), signed(res.b, 3))
	fmt.Printf("training loss %.4f, accuracy %.4f\n", res.loss, res.accuracy)
	fmt.Printf("plot written to %s\n", res.plot)
}

type config struct {
	epochs int    // passes over the data
	seed   uint64 // seed of the data, the initial weights and the shuffling
	out    string // directory for the PNG
}

type result struct {
	samples, epochs int
	w1, w2, b       float64 // the learned weights and bias
	loss, accuracy  float64 // on the training data
	plot            string
}

func run(ctx context.Context, cfg config) (result, error) {
	out, err := chart.OutDir(cfg.out)
	if err != nil {
		return result{}, err
	}

	// 1. Data: x holds one point (x₁, x₂) per row, y its class, 0 or 1.
	x, y := blobs(200, cfg.seed)

	// 2. The model: one unit with a sigmoid, so its output is a probability.
	//    Keep the layer to read its weights after training.
	dense := layers.Dense(1, layers.Sigmoid)
	model := golem.NewSequential(dense)

	// 3. Compile with the binary cross-entropy (computed from the unit's
	//    logit, so it never overflows), plain SGD with learning rate 0.1,
	//    and accuracy as a metric (the output thresholded at 0.5).
	err = model.Compile(golem.Input(2), losses.BinaryCrossEntropy(),
		optim.SGD(optim.SGDConfig{LearningRate: 0.1}),
		golem.WithMetrics(losses.Accuracy()), golem.WithSeed(cfg.seed))
	if err != nil {
		return result{}, err
	}

	// 4. Fit by mini-batch SGD: 16 samples per step, shuffled every epoch.
	_, err = model.Fit(ctx, x, y, golem.FitConfig{Epochs: cfg.epochs, BatchSize: 16, Seed: cfg.seed})
	if err != nil {
		return result{}, err
	}

	// 5. Evaluate on the training data, and read the weights: W is 2 × 1.
	ev, err := model.Evaluate(x, y)
	if err != nil {
		return result{}, err
	}
	w, b := model.Params().View(dense.W), model.Params().View(dense.B)
	n, _ := x.Dims()
	res := result{
		samples: n, epochs: cfg.epochs,
		w1: w[0], w2: w[1], b: b[0],
		loss: ev.Loss, accuracy: ev.Metrics["accuracy"],
		plot: filepath.Join(out, "logreg.png"),
	}

	// 6. Plot the points and the decision boundary.
	return res, plotBoundary(x, y, res)
}

// blobs draws n points around (-2, -1), class 0, and n around (1.5, 2),
// class 1, each coordinate with standard deviation 1.
func blobs(n int, seed uint64) (x, y *mat.Dense) {
	rng := rand.New(rand.NewPCG(seed, 7))
	centers := [2][2]float64{{-2, -1}, {1.5, 2}}
	x, y = mat.NewDense(2*n, 2, nil), mat.NewDense(2*n, 1, nil)
	for i := 0; i < 2*n; i++ {
		c := i % 2
		x.Set(i, 0, centers[c][0]+rng.NormFloat64())
		x.Set(i, 1, centers[c][1]+rng.NormFloat64())
		y.Set(i, 0, float64(c))
	}
	return x, y
}

// plotBoundary draws the two classes and the lines where the model's
// probability is 0.5 (the decision boundary), 0.1 and 0.9.
func plotBoundary(x, y *mat.Dense, res result) error {
	p := chart.New(fmt.Sprintf("logistic regression by mini-batch SGD: training accuracy %.3f", res.accuracy), "x₁", "x₂")

	// The points, one series per class.
	class := [2]chart.Series{{Name: "class 0"}, {Name: "class 1"}}
	n, _ := x.Dims()
	for i := 0; i < n; i++ {
		c := int(y.At(i, 0))
		class[c].X = append(class[c].X, x.At(i, 0))
		class[c].Y = append(class[c].Y, x.At(i, 1))
	}
	if err := chart.AddPoints(p, class[0], class[1]); err != nil {
		return err
	}

	// The axes' range: the data's with a margin, and room for the legend
	// above the points.
	x1s, x2s := mat.Col(nil, 0, x), mat.Col(nil, 1, x)
	left, right := floats.Min(x1s)-0.5, floats.Max(x1s)+0.5
	bottom, top := floats.Min(x2s)-0.5, floats.Max(x2s)+2

	// σ(z) = p where z = log(p/(1-p)), so the line of probability p is
	// w₁x₁ + w₂x₂ + b = logit(p), that is x₂ = (logit(p) − b − w₁x₁)/w₂.
	for _, prob := range []float64{0.5, 0.1, 0.9} {
		z := math.Log(prob / (1 - prob))
		x2 := func(x1 float64) float64 { return (z - res.b - res.w1*x1) / res.w2 }
		l, err := plotter.NewLine(plotter.XYs{{X: p.X.Min, Y: x2(p.X.Min)}, {X: p.X.Max, Y: x2(p.X.Max)}})
		if err != nil {
			return err
		}
		if prob == 0.5 {
			l.Width = vg.Points(2)
			p.Legend.Add(fmt.Sprintf("boundary: %.2f·x₁ %s·x₂ %s = 0", res.w1, signed(res.w2, 2), signed(res.b, 2)), l)
		} else {
			l.Color, l.Dashes = color.Gray{Y: 110}, []vg.Length{vg.Points(4), vg.Points(3)}
			if prob == 0.1 {
				p.Legend.Add("p = 0.1 and 0.9", l)
			}
		}
		p.Add(l)
	}

	// Set the axes last: each plotter added widens them to its own range.
	p.X.Min, p.X.Max, p.Y.Min, p.Y.Max = left, right, bottom, top // the lines are clipped
	p.Legend.Top, p.Legend.XOffs = true, -vg.Points(6)
	return chart.Save(p, res.plot, 7, 6)
}

// signed writes v as "+ v" or "− |v|" with prec decimals.
func signed(v float64, prec int) string {
	if v < 0 {
		return fmt.Sprintf("− %.*f", prec, -v)
	}
	return fmt.Sprintf("+ %.*f", prec, v)
}
