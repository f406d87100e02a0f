package golem_test

import (
	"bytes"
	"context"
	"fmt"
	"math"
	"math/rand/v2"

	"gonum.org/v1/gonum/mat"
	"gorgonia.org/gorgonia"

	"github.com/golem-ml/golem"
	"github.com/golem-ml/golem/graph"
	"github.com/golem-ml/golem/layers"
	"github.com/golem-ml/golem/losses"
	"github.com/golem-ml/golem/optim"
)

// The quick start: fit a 1-10-1 tanh network to a noisy sine with Adam.
func Example() {
	// 100 samples of y = 1.5·sin(πx) + noise, one per row.
	rng := rand.New(rand.NewPCG(1, 2024))
	x, y := mat.NewDense(100, 1, nil), mat.NewDense(100, 1, nil)
	for i := 0; i < 100; i++ {
		xi := -2 + 4*float64(i)/99
		x.Set(i, 0, xi)
		y.Set(i, 0, 1.5*math.Sin(math.Pi*xi)+0.2*rng.NormFloat64())
	}

	model := golem.NewSequential(
		layers.Dense(10, layers.Tanh),
		layers.Dense(1),
	)
	err := model.Compile(golem.Input(1), losses.MSE(), optim.Adam(optim.AdamConfig{LearningRate: 0.01}))
	if err != nil {
		panic(err)
	}
	hist, err := model.Fit(context.Background(), x, y, golem.FitConfig{Epochs: 4000, BatchSize: -1})
	if err != nil {
		panic(err)
	}
	ev, err := model.Evaluate(x, y)
	if err != nil {
		panic(err)
	}
	pred, err := model.Predict(mat.NewDense(1, 1, []float64{0.5}))
	if err != nil {
		panic(err)
	}
	fmt.Printf("epochs: %d, train MSE: %.2f\n", hist.Len(), ev.Loss)
	fmt.Printf("f(0.5) ≈ %.1f (truth 1.5)\n", pred.At(0, 0))
	// Output:
	// epochs: 4000, train MSE: 0.04
	// f(0.5) ≈ 1.5 (truth 1.5)
}

// Linear regression y = 4 + 3x by full-batch gradient descent.
func ExampleSequential_Fit() {
	x, y := mat.NewDense(50, 1, nil), mat.NewDense(50, 1, nil)
	for i := 0; i < 50; i++ {
		xi := float64(i) / 25
		x.Set(i, 0, xi)
		y.Set(i, 0, 4+3*xi)
	}
	model := golem.NewSequential(layers.Dense(1))
	if err := model.Compile(golem.Input(1), losses.MSE(), optim.SGD(optim.SGDConfig{LearningRate: 0.1})); err != nil {
		panic(err)
	}
	if _, err := model.Fit(context.Background(), x, y, golem.FitConfig{Epochs: 2000, BatchSize: -1}); err != nil {
		panic(err)
	}
	w, _ := model.Params().Lookup("dense_1/W")
	b, _ := model.Params().Lookup("dense_1/b")
	fmt.Printf("y = %.3f + %.3f·x\n", model.Params().View(b)[0], model.Params().View(w)[0])
	// Output:
	// y = 4.000 + 3.000·x
}

// Weights saved from one model load into another of the same architecture
// and give bit-identical predictions.
func ExampleSequential_Save() {
	build := func(seed uint64) *golem.Sequential {
		m := golem.NewSequential(layers.Dense(8, layers.Tanh), layers.Dense(2))
		if err := m.Compile(golem.Input(3), losses.MSE(), optim.Adam(optim.AdamConfig{}), golem.WithSeed(seed)); err != nil {
			panic(err)
		}
		return m
	}
	trained, fresh := build(1), build(2)
	x := mat.NewDense(4, 3, []float64{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12})

	var file bytes.Buffer
	if err := trained.Save(&file); err != nil {
		panic(err)
	}
	if err := fresh.Load(&file); err != nil {
		panic(err)
	}
	a, _ := trained.Predict(x)
	b, _ := fresh.Predict(x)
	fmt.Println("identical predictions:", mat.Equal(a, b))

	// A model of another shape refuses the file.
	file.Reset()
	trained.Save(&file)
	other := golem.NewSequential(layers.Dense(9, layers.Tanh), layers.Dense(2))
	fmt.Println(other.Load(&file) != nil)
	// Output:
	// identical predictions: true
	// true
}

func ExampleSequential_Summary() {
	model := golem.NewSequential(
		layers.Dense(32, layers.Tanh),
		layers.Dense(32, layers.Tanh),
		layers.Dense(1),
	)
	if err := model.Compile(golem.Input(8), losses.MSE(), optim.Adam(optim.AdamConfig{})); err != nil {
		panic(err)
	}
	fmt.Print(model.Summary())
	// Output:
	// Layer        Type                         Output shape   Params
	// dense_1      Dense(32, tanh)              (batch, 32)    288
	// dense_2      Dense(32, tanh)              (batch, 32)    1056
	// dense_3      Dense(1, linear)             (batch, 1)     33
	// Input (batch, 8), 1377 parameters
}

// Fit NIST's Misra1a curve b1·(1 - exp(-b2·x)) by Levenberg–Marquardt: a
// parametric layer, the SSE loss and the curve-fitting preset.
func Example_curveFit() {
	xs := []float64{77.6, 114.9, 141.1, 190.8, 239.9, 289.0, 332.8, 378.4, 434.8, 477.3, 536.8, 593.1, 689.1, 760.0}
	ys := []float64{10.07, 14.73, 17.94, 23.93, 29.61, 35.18, 40.02, 44.82, 50.76, 55.05, 61.01, 66.40, 75.47, 81.78}
	curve := layers.Parametric("misra1a", func(e *graph.Expr, x, b []*gorgonia.Node) *gorgonia.Node {
		return e.Mul(b[0], e.Sub(e.Const(1), e.Exp(e.Neg(e.Mul(b[1], x[0])))))
	}, 500, 1e-4) // NIST's first starting point
	model := golem.NewSequential(curve)
	if err := model.Compile(golem.Input(1), losses.SSE(), optim.LM(optim.CurveFit())); err != nil {
		panic(err)
	}
	x, y := mat.NewDense(14, 1, xs), mat.NewDense(14, 1, ys)
	if _, err := model.Fit(context.Background(), x, y, golem.FitConfig{}); err != nil {
		panic(err)
	}
	b := curve.Params()
	fmt.Printf("b1 = %.8e (certified 2.3894212918e+02)\n", model.Params().View(b[0])[0])
	fmt.Printf("b2 = %.8e (certified 5.5015643181e-04)\n", model.Params().View(b[1])[0])
	// Output:
	// b1 = 2.38942129e+02 (certified 2.3894212918e+02)
	// b2 = 5.50156432e-04 (certified 5.5015643181e-04)
}

// Two Fits of 30 and 20 epochs with Continue train exactly as one of 50:
// the second carries Adam's moments and step count over. Without Continue
// every Fit starts the optimizer afresh.
func ExampleFitConfig_continue() {
	x, y := mat.NewDense(40, 1, nil), mat.NewDense(40, 1, nil)
	for i := 0; i < 40; i++ {
		xi := float64(i) / 39
		x.Set(i, 0, xi)
		y.Set(i, 0, math.Sin(3*xi))
	}
	train := func(epochs ...int) []float64 {
		model := golem.NewSequential(layers.Dense(8, layers.Tanh), layers.Dense(1))
		if err := model.Compile(golem.Input(1), losses.MSE(), optim.Adam(optim.AdamConfig{LearningRate: 0.01})); err != nil {
			panic(err)
		}
		for k, e := range epochs {
			cfg := golem.FitConfig{Epochs: e, BatchSize: 8, NoShuffle: true, Continue: k > 0}
			if _, err := model.Fit(context.Background(), x, y, cfg); err != nil {
				panic(err)
			}
		}
		return model.Params().Theta()
	}
	oneRun, twoRuns := train(50), train(30, 20)
	same := true
	for i := range oneRun {
		same = same && oneRun[i] == twoRuns[i]
	}
	fmt.Println("bit-identical weights:", same)
	// Output:
	// bit-identical weights: true
}
