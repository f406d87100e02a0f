// Command classify trains a small classifier on Fisher's iris data (150
// flowers, 4 measurements in cm, 3 species; public domain, the copy that
// scikit-learn ships) and compares two optimizers on it: Adam on
// mini-batches and Levenberg–Marquardt on the full batch.
//
// It teaches:
//
//   - classification in golem: a softmax output layer, integer labels
//     0..K-1 in one target column, losses.SparseCategoricalCrossEntropy()
//     and the losses.Accuracy() metric;
//   - input scaling as a Compile option, golem.ScaleInputs(golem.Standardize):
//     fitted on the training data at the first Fit, then applied by Predict
//     and Evaluate, so the model is always fed raw measurements;
//   - that LM is not limited to regression: the cross-entropy has a
//     residual form (rᵢ = √ℓᵢ, so Σ rᵢ² is the loss), which LM minimizes as
//     a least-squares problem;
//   - a seeded, stratified train/test split and a confusion matrix.
//
// It prints the training and test accuracy and the test confusion matrix
// for each optimizer, and writes the training loss per epoch of both
// (classify_loss.png) and the flowers' petal measurements coloured by each
// model's predicted class (classify_predictions.png), and the ROC curves of
// LM's test-set probabilities, one species against the rest, with their
// areas (plots.ROC, MATLAB's plotroc: classify_roc.png).
//
//	go run ./examples/classify            # writes the PNGs into out/
//	go run ./examples/classify -out /tmp  # writes them into /tmp
package main

import (
	"bytes"
	"context"
	_ "embed"
	"encoding/csv"
	"flag"
	"fmt"
	"image/color"
	"log"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"time"

	"gonum.org/v1/gonum/mat"
	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"

	"github.com/golem-ml/golem"
	"github.com/golem-ml/golem/examples/internal/chart"
	"github.com/golem-ml/golem/layers"
	"github.com/golem-ml/golem/losses"
	"github.com/golem-ml/golem/optim"
	"github.com/golem-ml/golem/plots"
)

// iris.csv is scikit-learn's copy: a header "150,4,setosa,versicolor,virginica",
// then one flower per row: sepal length, sepal width, petal length, petal
// width (cm) and the species as 0, 1 or 2.
//
//go:embed iris.csv
var irisCSV []byte

var species = []string{"setosa", "versicolor", "virginica"}

func main() {
	out := flag.String("out", "out", "directory for the plots (created if missing)")
	seed := flag.Uint64("seed", 1, "seed of the split, the initial weights and the shuffling")
	flag.Parse()

	res, err := run(context.Background(), config{adamEpochs: 200, lmEpochs: 50, seed: *seed, out: *out})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("iris: %d training and %d test flowers, 4-8-3 network (tanh, softmax)\n", res.train, res.test)
	for _, r := range res.runs {
		fmt.Printf("\n%s: %d epochs (%d steps, stopped by %s) in %v\n", r.name, r.epochs, r.steps, r.stop, r.elapsed.Round(time.Millisecond))
		fmt.Printf("  loss %.3g, train accuracy %.3f, test accuracy %.3f\n", r.loss, r.trainAcc, r.testAcc)
		fmt.Printf("  test confusion matrix (rows: true species, columns: predicted)\n")
		for i, row := range r.confusion {
			fmt.Printf("    %-11s %3d %3d %3d\n", species[i], row[0], row[1], row[2])
		}
	}
	fmt.Printf("\nLM's test ROC areas (one species against the rest): %.3f\n", res.aucs)
	fmt.Printf("plots written to %s, %s and %s\n", res.lossPlot, res.predPlot, res.rocPlot)
}

type config struct {
	adamEpochs, lmEpochs int
	seed                 uint64
	out                  string
}

// trained is one optimizer's model and scores.
type trained struct {
	name              string
	epochs, steps     int
	stop              string // why training stopped
	elapsed           time.Duration
	lossCurve         []float64 // training loss per epoch
	loss              float64   // final training loss
	trainAcc, testAcc float64
	confusion         [3][3]int  // on the test set: [true][predicted]
	predicted         []int      // the predicted class of every flower
	testProb          *mat.Dense // the class probabilities of the test flowers
}

type result struct {
	train, test        int
	runs               []trained
	lossPlot, predPlot string
	rocPlot            string
	aucs               []float64 // of LM's test probabilities, per species
}

func run(ctx context.Context, cfg config) (result, error) {
	out, err := chart.OutDir(cfg.out)
	if err != nil {
		return result{}, err
	}
	// 1. Data: 150 × 4 measurements and a 150 × 1 column of labels 0..2,
	//    split 120/30 with 10 test flowers of each species.
	x, y, err := loadIris()
	if err != nil {
		return result{}, err
	}
	trainIdx, testIdx := stratifiedSplit(y, 10, cfg.seed)
	d := data{
		xTrain: rows(x, trainIdx), yTrain: rows(y, trainIdx),
		xTest: rows(x, testIdx), yTest: rows(y, testIdx),
		all: x,
	}

	// 2. The same network, from the same initial weights, with each
	//    optimizer: Adam on mini-batches of 16, LM on the full batch.
	adam, err := train(ctx, "Adam (lr 0.01, batches of 16)", optim.Adam(optim.AdamConfig{LearningRate: 0.01}),
		golem.FitConfig{Epochs: cfg.adamEpochs, BatchSize: 16, Seed: cfg.seed}, cfg.seed, d)
	if err != nil {
		return result{}, err
	}
	lm, err := train(ctx, "Levenberg–Marquardt", optim.LM(optim.LMConfig{}),
		golem.FitConfig{Epochs: cfg.lmEpochs, Seed: cfg.seed}, cfg.seed, d)
	if err != nil {
		return result{}, err
	}

	// 3. Plots.
	res := result{train: len(trainIdx), test: len(testIdx), runs: []trained{adam, lm}}
	res.lossPlot = filepath.Join(out, "classify_loss.png")
	if err := plotLoss(res.runs, res.lossPlot); err != nil {
		return result{}, err
	}
	res.predPlot = filepath.Join(out, "classify_predictions.png")
	if err := plotPredictions(x, y, res.runs, res.predPlot); err != nil {
		return result{}, err
	}
	res.rocPlot = filepath.Join(out, "classify_roc.png")
	if res.aucs, err = plots.ROC(res.rocPlot, d.yTest, lm.testProb, species); err != nil { // labels 0..2 against 3 probability columns
		return result{}, err
	}
	return res, nil
}

// data is the split data set; all is every flower, for the plots.
type data struct{ xTrain, yTrain, xTest, yTest, all *mat.Dense }

// train fits a fresh 4-8-3 network with opt and scores it.
func train(ctx context.Context, name string, opt optim.Optimizer, fc golem.FitConfig, seed uint64, d data) (trained, error) {
	model := golem.NewSequential(
		layers.Dense(8, layers.Tanh),
		layers.Dense(3, layers.Softmax), // class probabilities
	)
	err := model.Compile(golem.Input(4), losses.SparseCategoricalCrossEntropy(), opt,
		golem.WithMetrics(losses.Accuracy()),
		golem.ScaleInputs(golem.Standardize), // zero mean, unit variance per feature
		golem.WithSeed(seed))                 // the same initial weights for both optimizers
	if err != nil {
		return trained{}, err
	}
	start := time.Now()
	hist, err := model.Fit(ctx, d.xTrain, d.yTrain, fc)
	if err != nil {
		return trained{}, err
	}
	t := trained{
		name: name, epochs: hist.Len(), steps: len(hist.Steps), stop: string(hist.Stop),
		elapsed: time.Since(start), lossCurve: hist.Loss,
	}

	// Evaluate gives the loss and the metrics; Predict the probabilities.
	ev, err := model.Evaluate(d.xTrain, d.yTrain)
	if err != nil {
		return trained{}, err
	}
	t.loss, t.trainAcc = ev.Loss, ev.Metrics["accuracy"]
	if ev, err = model.Evaluate(d.xTest, d.yTest); err != nil {
		return trained{}, err
	}
	t.testAcc = ev.Metrics["accuracy"]
	prob, err := model.Predict(d.xTest)
	if err != nil {
		return trained{}, err
	}
	t.testProb = prob
	for i, c := range argmax(prob) {
		t.confusion[int(d.yTest.At(i, 0))][c]++
	}
	if prob, err = model.Predict(d.all); err != nil {
		return trained{}, err
	}
	t.predicted = argmax(prob)
	return t, nil
}

// loadIris parses the embedded CSV and checks that it holds 150 flowers,
// 50 of each species.
func loadIris() (x, y *mat.Dense, err error) {
	records, err := csv.NewReader(bytes.NewReader(irisCSV)).ReadAll()
	if err != nil {
		return nil, nil, err
	}
	records = records[1:] // the header
	x, y = mat.NewDense(len(records), 4, nil), mat.NewDense(len(records), 1, nil)
	var perClass [3]int
	for i, rec := range records {
		if len(rec) != 5 {
			return nil, nil, fmt.Errorf("iris row %d has %d fields, want 5", i+1, len(rec))
		}
		for j := 0; j < 5; j++ {
			v, err := strconv.ParseFloat(rec[j], 64)
			if err != nil {
				return nil, nil, fmt.Errorf("iris row %d: %w", i+1, err)
			}
			if j < 4 {
				x.Set(i, j, v)
				continue
			}
			if v != 0 && v != 1 && v != 2 {
				return nil, nil, fmt.Errorf("iris row %d: label %v", i+1, v)
			}
			y.Set(i, 0, v)
			perClass[int(v)]++
		}
	}
	if len(records) != 150 || perClass != [3]int{50, 50, 50} {
		return nil, nil, fmt.Errorf("iris: %d rows, %v per class; want 150, 50 each", len(records), perClass)
	}
	return x, y, nil
}

// stratifiedSplit shuffles the samples (seeded) and puts the first perClass
// of each class into the test set, the rest into the training set.
func stratifiedSplit(y *mat.Dense, perClass int, seed uint64) (train, test []int) {
	rng := rand.New(rand.NewPCG(seed, 11))
	var taken [3]int
	for _, i := range rng.Perm(y.RawMatrix().Rows) {
		c := int(y.At(i, 0))
		if taken[c] < perClass {
			taken[c]++
			test = append(test, i)
		} else {
			train = append(train, i)
		}
	}
	return train, test
}

// rows copies the rows idx of m.
func rows(m *mat.Dense, idx []int) *mat.Dense {
	_, c := m.Dims()
	out := mat.NewDense(len(idx), c, nil)
	for r, i := range idx {
		out.SetRow(r, m.RawRowView(i))
	}
	return out
}

// argmax is the most probable class of each row.
func argmax(prob *mat.Dense) []int {
	n, k := prob.Dims()
	out := make([]int, n)
	for i := 0; i < n; i++ {
		for j := 1; j < k; j++ {
			if prob.At(i, j) > prob.At(i, out[i]) {
				out[i] = j
			}
		}
	}
	return out
}

// plotLoss draws each optimizer's training loss per epoch on a log scale.
func plotLoss(runs []trained, path string) error {
	p := chart.New("iris: training loss (sparse categorical cross-entropy)", "epoch", "loss")
	plots.LogY(p)
	p.X.Scale, p.X.Tick.Marker = plot.LogScale{}, plot.LogTicks{Prec: -1} // LM needs far fewer epochs
	var series []chart.Series
	for _, r := range runs {
		epochs := make([]float64, len(r.lossCurve))
		for i := range epochs {
			epochs[i] = float64(i + 1)
		}
		series = append(series, chart.Series{Name: fmt.Sprintf("%s, test accuracy %.3f", r.name, r.testAcc), X: epochs, Y: r.lossCurve})
	}
	if err := chart.AddLines(p, series...); err != nil {
		return err
	}
	p.Legend.Top = true
	return chart.Save(p, path, 0, 0)
}

// plotPredictions draws, for each optimizer, the flowers' petal length and
// width coloured by the predicted species, with misclassified flowers
// ringed; the panels sit side by side.
func plotPredictions(x, y *mat.Dense, runs []trained, path string) error {
	var panels []*plot.Plot
	for _, r := range runs {
		title := fmt.Sprintf("%s: train accuracy %.3f, test %.3f", r.name, r.trainAcc, r.testAcc)
		p := chart.New(title, "petal length (cm)", "petal width (cm)")
		byClass := make([]chart.Series, 3)
		var wrong plotter.XYs
		for c := range byClass {
			byClass[c].Name = "predicted " + species[c]
		}
		for i, c := range r.predicted {
			px, py := x.At(i, 2), x.At(i, 3)
			byClass[c].X = append(byClass[c].X, px)
			byClass[c].Y = append(byClass[c].Y, py)
			if c != int(y.At(i, 0)) {
				wrong = append(wrong, plotter.XY{X: px, Y: py})
			}
		}
		if err := chart.AddPoints(p, byClass...); err != nil {
			return err
		}
		if len(wrong) > 0 {
			ring, err := plotter.NewScatter(wrong)
			if err != nil {
				return err
			}
			ring.GlyphStyle.Color, ring.GlyphStyle.Radius = color.Black, vg.Points(6)
			p.Add(ring)
			p.Legend.Add(fmt.Sprintf("misclassified (%d of 150, train and test)", len(wrong)), ring)
		}
		p.Legend.Top, p.Legend.Left = true, true
		p.Y.Max = 3.4 // room for the legend
		panels = append(panels, p)
	}

	// Two panels side by side on one canvas.
	img := vgimg.New(12*vg.Inch, 5*vg.Inch)
	tiles := draw.Tiles{Rows: 1, Cols: len(panels), PadX: vg.Points(20), PadTop: vg.Points(5), PadBottom: vg.Points(5), PadLeft: vg.Points(5), PadRight: vg.Points(10)}
	canvases := plot.Align([][]*plot.Plot{panels}, tiles, draw.New(img))
	for i, p := range panels {
		p.Draw(canvases[0][i])
	}
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if _, err := (vgimg.PngCanvas{Canvas: img}).WriteTo(f); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}
