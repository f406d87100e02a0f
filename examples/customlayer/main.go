// Command customlayer shows how to write your own layer and train it with
// Levenberg–Marquardt. The layer is a radial-basis-function (RBF) layer:
// for an input sample x it outputs, for each of its units j,
//
//	φⱼ(x) = exp(−‖x − cⱼ‖² / (2σⱼ²))
//
// a bump around a learnable centre cⱼ with a learnable width σⱼ. Followed by
// layers.Dense(1) it is an RBF network, y = Σⱼ wⱼ·φⱼ(x) + b, here fitted to
// a noisy sinc, y = sin(πx)/(πx) + N(0, 0.05²).
//
// Writing a layer takes four steps (see RBF below):
//
//  1. A struct that holds the layer's configuration (units, the range to
//     spread the centres over) and, once built, its parameters as
//     *graph.Param handles. The values themselves live in the model's flat
//     parameter vector θ.
//  2. Kind, a lower-case type name: models name the layer rbf_1, rbf_2, …
//     and its parameters rbf_1/centres, rbf_1/widths.
//  3. Build(s *graph.Scope, in layers.Shape): called once, at Compile, with
//     the shape of one input sample. It declares each parameter with
//     s.Param(name, shape, initializer, fanIn, fanOut) and returns the
//     shape of one output sample.
//  4. Forward(b *graph.Builder, x *gorgonia.Node): adds the computation to
//     a Gorgonia graph, always for a whole batch (x is batch × features).
//     It gets each parameter's node from b.Param and combines it with x
//     through golem's broadcasting helpers (graph.Add, graph.Sub,
//     graph.Mul, graph.Div, or graph.Expr, which chains them and keeps the
//     first error) and Gorgonia's own operations (Exp, Square, Sum, …).
//
// That is all: no derivative code. Gorgonia's autodiff gives the gradient
// for first-order optimizers, and golem builds the per-sample Jacobian LM
// needs from the same Forward. For speed, use parameters through the
// broadcasting helpers (or graph.MatMul, or b.Affine for x·W + b) and never
// reshape them: in a Jacobian graph golem may hand Forward one copy of a
// parameter per sample, a node of shape (batch, shape...), which the
// helpers broadcast like the plain one. Anything else still works, through
// a slower one-sample loop that golem picks by itself.
//
// Before training, model.CheckJacobian compares that Jacobian with finite
// differences; a maximum relative error far below 1e-6 (here about 1e-11)
// says the layer differentiates correctly. The example prints it, trains
// with LM (with a held-out validation set and early stopping), prints the
// training and validation MSE (the noise alone accounts for 0.0025) and
// plots the data, the fit, each weighted basis function and the learnt
// centres (customlayer.png).
//
//	go run ./examples/customlayer            # writes customlayer.png into out/
//	go run ./examples/customlayer -out /tmp  # writes it into /tmp
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
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gorgonia.org/gorgonia"

	"github.com/golem-ml/golem"
	"github.com/golem-ml/golem/examples/internal/chart"
	"github.com/golem-ml/golem/graph"
	"github.com/golem-ml/golem/layers"
	"github.com/golem-ml/golem/losses"
	"github.com/golem-ml/golem/optim"
	"github.com/golem-ml/golem/plots"
)

// ---- The layer --------------------------------------------------------

// RBF is a radial-basis-function layer (step 1): units bumps
// exp(−‖x − cⱼ‖²/(2σⱼ²)) with learnable centres and widths.
type RBF struct {
	units  int
	lo, hi float64 // the centres start spread at random over [lo, hi]

	centres *graph.Param // in × units: column j is the centre cⱼ
	widths  *graph.Param // units: σⱼ
}

// NewRBF returns an RBF layer whose centres start in [lo, hi] (in every
// input dimension) and whose widths start at the mean spacing of the
// centres, (hi − lo)/units.
func NewRBF(units int, lo, hi float64) *RBF { return &RBF{units: units, lo: lo, hi: hi} }

// Kind names the layer (step 2).
func (l *RBF) Kind() string { return "rbf" }

// Build declares the parameters for input samples of shape in and returns
// the output shape (step 3).
func (l *RBF) Build(s *graph.Scope, in layers.Shape) (layers.Shape, error) {
	if len(in) != 1 || l.units <= 0 {
		return nil, fmt.Errorf("rbf needs vector samples and units > 0, got input %v and %d units", in, l.units)
	}
	var err error
	// s.Param(name, shape, initializer, fanIn, fanOut): the fans matter
	// only to initializers such as Glorot's.
	if l.centres, err = s.Param("centres", []int{in[0], l.units}, graph.Uniform(l.lo, l.hi), 0, 0); err != nil {
		return nil, err
	}
	width := (l.hi - l.lo) / float64(l.units)
	if l.widths, err = s.Param("widths", []int{l.units}, graph.Constant(width), 0, 0); err != nil {
		return nil, err
	}
	return layers.Shape{l.units}, nil // one output per unit
}

// Forward computes φ for a batch (step 4).
func (l *RBF) Forward(b *graph.Builder, x *gorgonia.Node) (*gorgonia.Node, error) {
	batch, in := x.Shape()[0], x.Shape()[1]
	// x as (batch × in × 1), so that x − C broadcasts against the centres
	// (in × units) to every difference xᵢ − cⱼ: (batch × in × units).
	// Use graph.Reshape (a copy), not gorgonia.Reshape, and reshape x,
	// not a parameter.
	x3, err := graph.Reshape(x, batch, in, 1)
	if err != nil {
		return nil, err
	}
	e := graph.NewExpr()
	diff2 := e.Square(e.Sub(x3, b.Param(l.centres)))
	if err := e.Err(); err != nil {
		return nil, err
	}
	// ‖x − cⱼ‖²: sum over the input dimension, giving (batch × units).
	dist2, err := gorgonia.Sum(diff2, 1)
	if err != nil {
		return nil, err
	}
	// exp(−‖x − cⱼ‖² / (2σⱼ²)); the (units) widths broadcast over the batch.
	sigma := b.Param(l.widths)
	phi := e.Exp(e.Neg(e.Div(dist2, e.Mul(e.Const(2), e.Square(sigma)))))
	return phi, e.Err()
}

// The layer is done. The rest of the file uses it.

// ---- The example ------------------------------------------------------

func main() {
	out := flag.String("out", "out", "directory for the plot (created if missing)")
	seed := flag.Uint64("seed", 1, "seed of the data and the initial weights")
	flag.Parse()

	res, err := run(context.Background(), config{units: 12, train: 150, val: 50, seed: *seed, out: *out})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("RBF(%d) → Dense(1) on sinc(x) + N(0, 0.05²), %d parameters\n\n", res.units, res.params)
	fmt.Printf("Jacobian check before training: %v\n", res.check)
	fmt.Printf("  (MaxRelError %.2g: the layer differentiates correctly, with no derivative code)\n\n", res.check.MaxRelError)
	fmt.Printf("Levenberg–Marquardt: %d epochs, stopped by %s, best epoch %d\n", res.epochs, res.stop, res.bestEpoch)
	fmt.Printf("training MSE %.5f, validation MSE %.5f (noise variance %.4f)\n", res.trainMSE, res.valMSE, noise*noise)
	fmt.Printf("\nplot written to %s\n", res.plot)
}

const noise = 0.05 // standard deviation of the noise on the targets

type config struct {
	units      int // RBF units
	train, val int // training and validation samples
	seed       uint64
	out        string
}

type result struct {
	units, params    int
	check            golem.JacobianCheck
	epochs           int
	stop             string
	bestEpoch        int
	trainMSE, valMSE float64
	plot             string
}

func run(ctx context.Context, cfg config) (result, error) {
	out, err := chart.OutDir(cfg.out)
	if err != nil {
		return result{}, err
	}
	// 1. Data: noisy sinc at random x in [-5, 5]; a training set and a
	//    held-out validation set.
	rng := rand.New(rand.NewPCG(cfg.seed, 7))
	x, y := sincData(rng, cfg.train)
	vx, vy := sincData(rng, cfg.val)

	// 2. The model: the custom layer, then a linear output layer.
	rbf := NewRBF(cfg.units, -5, 5)
	model := golem.NewSequential(rbf, layers.Dense(1))
	if err := model.Compile(golem.Input(1), losses.MSE(), optim.LM(optim.LMConfig{}), golem.WithSeed(cfg.seed)); err != nil {
		return result{}, err
	}

	// 3. Check the layer's derivatives before trusting them to LM.
	check, err := model.CheckJacobian(ctx, x, y)
	if err != nil {
		return result{}, err
	}

	// 4. Train. With validation data Fit stops after 6 epochs without a
	//    better validation loss and ends with the best epoch's weights.
	hist, err := model.Fit(ctx, x, y, golem.FitConfig{ValidationX: vx, ValidationY: vy, Epochs: 200})
	if err != nil {
		return result{}, err
	}
	train, err := model.Evaluate(x, y)
	if err != nil {
		return result{}, err
	}
	val, err := model.Evaluate(vx, vy)
	if err != nil {
		return result{}, err
	}

	// 5. Plot.
	path := filepath.Join(out, "customlayer.png")
	if err := plotFit(model, rbf, x, y, path); err != nil {
		return result{}, err
	}
	return result{
		units: cfg.units, params: model.Params().Len(), check: check,
		epochs: hist.Len(), stop: string(hist.Stop), bestEpoch: hist.BestEpoch,
		trainMSE: train.Loss, valMSE: val.Loss, plot: path,
	}, nil
}

func sinc(x float64) float64 {
	if x == 0 {
		return 1
	}
	return math.Sin(math.Pi*x) / (math.Pi * x)
}

// sincData draws n samples x ~ U[-5, 5], y = sinc(x) + N(0, noise²).
func sincData(rng *rand.Rand, n int) (x, y *mat.Dense) {
	x, y = mat.NewDense(n, 1, nil), mat.NewDense(n, 1, nil)
	for i := 0; i < n; i++ {
		xi := -5 + 10*rng.Float64()
		x.Set(i, 0, xi)
		y.Set(i, 0, sinc(xi)+noise*rng.NormFloat64())
	}
	return x, y
}

// plotFit draws the training data, the truth, the fit, each basis function
// weighted by its output weight wⱼ, and the centres.
func plotFit(model *golem.Sequential, rbf *RBF, x, y *mat.Dense, path string) error {
	p := chart.New(fmt.Sprintf("RBF network (%d units, trained by LM) on a noisy sinc", rbf.units), "x", "y")

	const grid = 400
	gx := mat.NewDense(grid, 1, nil)
	xs, truth := make([]float64, grid), make([]float64, grid)
	for i := range xs {
		xs[i] = -5 + 10*float64(i)/(grid-1)
		gx.Set(i, 0, xs[i])
		truth[i] = sinc(xs[i])
	}
	pred, err := model.Predict(gx)
	if err != nil {
		return err
	}

	// The learnt parameters, read from θ by name and by handle.
	theta := model.Params()
	centres, widths := theta.View(rbf.centres), theta.View(rbf.widths)
	wp, ok := theta.Lookup("dense_1/W")
	if !ok {
		return fmt.Errorf("no parameter dense_1/W")
	}
	w := theta.View(wp)

	// Weighted basis functions wⱼ·φⱼ(x) as thin grey lines.
	for j := range centres {
		bump := make(plotter.XYs, grid)
		for i, xi := range xs {
			d := xi - centres[j]
			bump[i] = plotter.XY{X: xi, Y: w[j] * math.Exp(-d*d/(2*widths[j]*widths[j]))}
		}
		line, err := plotter.NewLine(bump)
		if err != nil {
			return err
		}
		line.Color, line.Width = color.Gray{Y: 170}, vg.Points(0.8)
		p.Add(line)
		if j == 0 {
			p.Legend.Add("w_j·φ_j(x), one per unit", line)
		}
	}

	// Data, truth and fit.
	data := make(plotter.XYs, x.RawMatrix().Rows)
	for i := range data {
		data[i] = plotter.XY{X: x.At(i, 0), Y: y.At(i, 0)}
	}
	points, err := plotter.NewScatter(data)
	if err != nil {
		return err
	}
	points.GlyphStyle.Color, points.GlyphStyle.Radius = color.Gray{Y: 90}, vg.Points(2)
	p.Add(points)
	p.Legend.Add("training data", points)
	if err := chart.AddLines(p,
		chart.Series{Name: "fit", X: xs, Y: mat.Col(nil, 0, pred)},
		chart.Series{Name: "sinc(x)", X: xs, Y: truth},
	); err != nil {
		return err
	}

	// The centres, as triangles on a baseline below the curves.
	marks := make(plotter.XYs, len(centres))
	for j, c := range centres {
		marks[j] = plotter.XY{X: c, Y: -0.75}
	}
	tri, err := plotter.NewScatter(marks)
	if err != nil {
		return err
	}
	tri.GlyphStyle.Shape, tri.GlyphStyle.Radius = draw.TriangleGlyph{}, vg.Points(4)
	tri.GlyphStyle.Color = plots.Color(4)
	p.Add(tri)
	p.Legend.Add("learnt centres c_j", tri)

	p.Legend.Top = true
	p.X.Min, p.X.Max = -5, 5
	p.Y.Min, p.Y.Max = -0.9, 1.6
	return chart.Save(p, path, 0, 0)
}
