package golem_test

import (
	"bytes"
	"context"
	"fmt"
	"math"
	"math/rand/v2"

	"gonum.org/v1/gonum/mat"

	"golem"
	"golem/layers"
	"golem/losses"
	"golem/optim"
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
