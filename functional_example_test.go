package golem_test

import (
	"context"
	"fmt"
	"math"

	"gonum.org/v1/gonum/mat"

	"github.com/golem-ml/golem"
	"github.com/golem-ml/golem/layers"
	"github.com/golem-ml/golem/losses"
	"github.com/golem-ml/golem/optim"
)

// A functional model with two inputs and two outputs: a shared encoder
// reads both inputs, a regression head predicts their distance and a
// classification head says which is longer. x holds the inputs side by
// side, y the targets (one column for the distance, one label).
func ExampleNewModel() {
	a, b := golem.NewInput(2), golem.NewInput(2)
	encoder := layers.Dense(8, layers.Tanh) // called twice: one set of weights
	h := golem.Call(layers.Concatenate(), golem.Call(encoder, a), golem.Call(encoder, b))
	h = golem.Call(layers.Dense(8, layers.Tanh), h)
	dist := golem.Call(layers.Dense(1), h)
	longer := golem.Call(layers.Dense(2, layers.Softmax), h)
	model := golem.NewModel([]*golem.Node{a, b}, dist, longer)

	loss := golem.PerOutput(
		golem.OutputLoss{Loss: losses.MSE()},
		golem.OutputLoss{Loss: losses.SparseCategoricalCrossEntropy(), Weight: 0.1},
	)
	if err := model.Compile(nil, loss, optim.LM(optim.LMConfig{})); err != nil {
		panic(err)
	}
	fmt.Print(model.Summary())

	// 200 pairs of points on a grid.
	x, y := mat.NewDense(200, 4, nil), mat.NewDense(200, 2, nil)
	for i := 0; i < 200; i++ {
		p := []float64{math.Sin(float64(i)), math.Cos(1.3 * float64(i)), math.Sin(0.7 * float64(i)), math.Cos(2.1 * float64(i))}
		x.SetRow(i, p)
		na, nb := math.Hypot(p[0], p[1]), math.Hypot(p[2], p[3])
		y.Set(i, 0, math.Hypot(p[0]-p[2], p[1]-p[3]))
		if na > nb {
			y.Set(i, 1, 1)
		}
	}
	if _, err := model.Fit(context.Background(), x, y, golem.FitConfig{Epochs: 50}); err != nil {
		panic(err)
	}
	pred, _ := model.Predict(x)
	parts, _ := model.SplitOutputs(pred)
	var sse float64
	right := 0
	for i := 0; i < 200; i++ {
		sse += math.Pow(parts[0].At(i, 0)-y.At(i, 0), 2)
		label := 0.0
		if parts[1].At(i, 1) > parts[1].At(i, 0) {
			label = 1
		}
		if label == y.At(i, 1) {
			right++
		}
	}
	fmt.Printf("distance RMSE below 0.05: %v; longer one right: over 95%%: %v\n", math.Sqrt(sse/200) < 0.05, right > 190)
	// Output:
	// Layer         Type                         Output shape   Params   Connected to
	// dense_1       Dense(8, tanh)               (batch, 8)     24       input_1
	// dense_1*      Dense(8, tanh)               (batch, 8)     0        input_2
	// concatenate_1 Concatenate()                (batch, 16)    0        dense_1, dense_1
	// dense_2       Dense(8, tanh)               (batch, 8)     136      concatenate_1
	// dense_3       Dense(1, linear)             (batch, 1)     9        dense_2
	// dense_4       Dense(2, softmax)            (batch, 2)     18       dense_2
	// Inputs (batch, 2), (batch, 2); outputs dense_3, dense_4; 187 parameters (* a shared layer called again)
	// distance RMSE below 0.05: true; longer one right: over 95%: true
}
