// Command xor trains the smallest network that solves XOR, the classic
// problem no single linear unit can: 2 inputs, 4 sigmoid hidden units, 1
// sigmoid output,
//
//	x₁ x₂ | XOR
//	 0  0 |  0
//	 0  1 |  1
//	 1  0 |  1
//	 1  1 |  0
//
// by gradient descent with momentum on the binary cross-entropy, all four
// samples in every step. It prints the network's output for the four inputs
// and plots its decision regions: the predicted probability of a 1 over
// [-0.5, 1.5]², the line where it is 0.5, and the four samples.
//
//	go run ./examples/xor            # writes xor.png into out/
//	go run ./examples/xor -out /tmp  # writes it into /tmp
package main

import (
	"context"
	"flag"
	"fmt"
	"image/color"
	"log"
	"path/filepath"

	"gonum.org/v1/gonum/mat"
	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"

	"github.com/golem-ml/golem"
	"github.com/golem-ml/golem/examples/internal/chart"
	"github.com/golem-ml/golem/layers"
	"github.com/golem-ml/golem/losses"
	"github.com/golem-ml/golem/optim"
)

func main() {
	out := flag.String("out", "out", "directory for the plot (created if missing)")
	flag.Parse()

	res, err := run(context.Background(), config{epochs: 2000, seed: 2, out: *out})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("XOR with a 2-4-1 sigmoid network; Momentum (lr 0.5, momentum 0.9), %d epochs, final loss %.4f\n\n", res.epochs, res.loss)
	fmt.Printf("%3s %3s %5s %8s %10s\n", "x₁", "x₂", "XOR", "output", "predicted")
	for _, s := range res.samples {
		mark := "ok"
		if !s.correct() {
			mark = "WRONG"
		}
		fmt.Printf("%3g %3g %5g %8.3f %10d %s\n", s.x1, s.x2, s.target, s.output, s.class(), mark)
	}
	fmt.Printf("\nplot written to %s\n", res.plot)
}

type config struct {
	epochs int    // full-batch steps
	seed   uint64 // seed of the initial weights
	out    string // directory for the PNG
}

// sample is one XOR input with its target and the network's output.
type sample struct {
	x1, x2, target, output float64
}

func (s sample) class() int {
	if s.output > 0.5 {
		return 1
	}
	return 0
}

func (s sample) correct() bool { return float64(s.class()) == s.target }

type result struct {
	epochs  int
	loss    float64 // binary cross-entropy after training
	samples []sample
	plot    string
}

func run(ctx context.Context, cfg config) (result, error) {
	out, err := chart.OutDir(cfg.out)
	if err != nil {
		return result{}, err
	}

	// 1. Data: the four inputs, one per row, and their XOR.
	x := mat.NewDense(4, 2, []float64{
		0, 0,
		0, 1,
		1, 0,
		1, 1,
	})
	y := mat.NewDense(4, 1, []float64{0, 1, 1, 0})

	// 2. The model: 4 hidden sigmoid units, then one sigmoid output, the
	//    probability that XOR is 1.
	model := golem.NewSequential(
		layers.Dense(4, layers.Sigmoid),
		layers.Dense(1, layers.Sigmoid),
	)

	// 3. Compile: binary cross-entropy, and gradient descent with momentum,
	//    v ← 0.9·v − 0.5·∇loss, θ ← θ + v. The seed picks the initial
	//    weights (each of seeds 1 to 20 solves XOR with these settings).
	err = model.Compile(golem.Input(2), losses.BinaryCrossEntropy(),
		optim.Momentum(optim.MomentumConfig{LearningRate: 0.5, Momentum: 0.9}),
		golem.WithSeed(cfg.seed))
	if err != nil {
		return result{}, err
	}

	// 4. Fit: every step uses all four samples (BatchSize -1).
	if _, err := model.Fit(ctx, x, y, golem.FitConfig{Epochs: cfg.epochs, BatchSize: -1}); err != nil {
		return result{}, err
	}

	// 5. Evaluate and predict the four samples.
	ev, err := model.Evaluate(x, y)
	if err != nil {
		return result{}, err
	}
	pred, err := model.Predict(x)
	if err != nil {
		return result{}, err
	}
	res := result{epochs: cfg.epochs, loss: ev.Loss, plot: filepath.Join(out, "xor.png")}
	for i := 0; i < 4; i++ {
		res.samples = append(res.samples, sample{x1: x.At(i, 0), x2: x.At(i, 1), target: y.At(i, 0), output: pred.At(i, 0)})
	}

	// 6. Predict on a grid over [-0.5, 1.5]² and plot the decision regions.
	return res, plotRegions(model, res)
}

// plotRegions draws the network's output over [-0.5, 1.5]² as a heat map
// (blue 0, white 0.5, red 1), the 0.5 contour and the four samples.
func plotRegions(model *golem.Sequential, res result) error {
	// The grid: n × n points, one per row of g, predicted in one call.
	const n = 161
	coords := make([]float64, n)
	for i := range coords {
		coords[i] = -0.5 + 2*float64(i)/(n-1)
	}
	g := mat.NewDense(n*n, 2, nil)
	for r := 0; r < n; r++ {
		for c := 0; c < n; c++ {
			g.Set(r*n+c, 0, coords[c])
			g.Set(r*n+c, 1, coords[r])
		}
	}
	prob, err := model.Predict(g)
	if err != nil {
		return err
	}
	surface := grid{coords: coords, z: prob}

	p := chart.New("XOR, 2-4-1 sigmoid network: p(XOR = 1), blue 0 to red 1", "x₁", "x₂")
	heat := plotter.NewHeatMap(surface, lightBlueRed(64))
	heat.Min, heat.Max = 0, 1
	heat.Rasterized = true // one image, without seams between the cells
	p.Add(heat)

	boundary := plotter.NewContour(surface, []float64{0.5}, nil)
	boundary.LineStyles = []draw.LineStyle{{Color: color.Black, Width: vg.Points(1.5)}}
	p.Add(boundary)

	// The samples: filled for XOR = 1, hollow for XOR = 0, each labelled
	// with the network's output.
	for _, target := range []float64{0, 1} {
		var xy plotter.XYLabels
		for _, s := range res.samples {
			if s.target == target {
				xy.XYs = append(xy.XYs, plotter.XY{X: s.x1, Y: s.x2})
				xy.Labels = append(xy.Labels, fmt.Sprintf("%.3f", s.output))
			}
		}
		points, err := plotter.NewScatter(xy)
		if err != nil {
			return err
		}
		points.GlyphStyle = draw.GlyphStyle{Color: color.Black, Radius: vg.Points(6), Shape: draw.RingGlyph{}}
		if target == 1 {
			points.GlyphStyle.Shape = draw.CircleGlyph{}
		}
		labels, err := plotter.NewLabels(xy)
		if err != nil {
			return err
		}
		for i := range labels.TextStyle { // centred below the point
			labels.TextStyle[i].XAlign, labels.TextStyle[i].YAlign = draw.XCenter, draw.YTop
		}
		labels.Offset.Y = -vg.Points(9)
		p.Add(points, labels)
		p.Legend.Add(fmt.Sprintf("XOR = %g (label: output)", target), points)
	}
	p.Legend.Add("output = 0.5", &plotter.Line{LineStyle: boundary.LineStyles[0]})

	p.X.Min, p.X.Max, p.Y.Min, p.Y.Max = -0.5, 1.5, -0.5, 1.5
	ticks := plot.ConstantTicks{{Value: -0.5, Label: "-0.5"}, {Value: 0, Label: "0"}, {Value: 0.5, Label: "0.5"}, {Value: 1, Label: "1"}, {Value: 1.5, Label: "1.5"}}
	p.X.Tick.Marker, p.Y.Tick.Marker = ticks, ticks
	p.Legend.Top, p.Legend.Left = true, true
	p.Legend.XOffs, p.Legend.YOffs = vg.Points(6), -vg.Points(6)
	return chart.Save(p, res.plot, 6.5, 6)
}

// grid is the network's output on an n × n grid, as gonum/plot's heat map
// and contour plotters read it: z holds row r·n + c at (coords[c], coords[r]).
type grid struct {
	coords []float64
	z      *mat.Dense
}

func (g grid) Dims() (c, r int)   { return len(g.coords), len(g.coords) }
func (g grid) Z(c, r int) float64 { return g.z.At(r*len(g.coords)+c, 0) }
func (g grid) X(c int) float64    { return g.coords[c] }
func (g grid) Y(r int) float64    { return g.coords[r] }

// lightBlueRed is a palette of n colours from light blue through white to
// light red, light enough for the points and labels to show on top.
type lightBlueRed int

func (n lightBlueRed) Colors() []color.Color {
	blue, white, red := [3]float64{120, 160, 235}, [3]float64{255, 255, 255}, [3]float64{240, 120, 110}
	cs := make([]color.Color, n)
	for i := range cs {
		t := float64(i) / float64(n-1)
		from, to, f := blue, white, 2*t
		if t > 0.5 {
			from, to, f = white, red, 2*t-1
		}
		mix := func(k int) uint8 { return uint8(from[k] + f*(to[k]-from[k]) + 0.5) }
		cs[i] = color.RGBA{R: mix(0), G: mix(1), B: mix(2), A: 255}
	}
	return cs
}
