package golem_test

import (
	"context"
	"testing"

	"gonum.org/v1/gonum/mat"

	"github.com/golem-ml/golem"
	"github.com/golem-ml/golem/layers"
	"github.com/golem-ml/golem/losses"
	"github.com/golem-ml/golem/optim"
	"github.com/golem-ml/golem/timeseries"
)

// TestReadmeSnippetsCompile runs the README's functional-model and time-series
// snippets as written (on small made-up data), so they stay true.
func TestReadmeSnippetsCompile(t *testing.T) {
	images, features := mat.NewDense(20, 64, nil), mat.NewDense(20, 3, nil)
	values, labels := mat.NewDense(20, 1, nil), mat.NewDense(20, 1, nil)
	for i := 0; i < 20; i++ {
		labels.Set(i, 0, float64(i%10))
		values.Set(i, 0, float64(i)/20)
		images.Set(i, i%64, 1)
	}
	a, b := golem.NewInput(8, 8, 1), golem.NewInput(3) // an image and 3 features
	h := golem.Call(layers.Conv2D(6, 3, 3, layers.Tanh), a)
	h = golem.Call(layers.Flatten(), golem.Call(layers.MaxPool2D(2, 2), h))
	h = golem.Call(layers.Concatenate(), h, golem.Call(layers.Dense(4, layers.Tanh), b))
	value := golem.Call(layers.Dense(1), h)                  // a regression head
	class := golem.Call(layers.Dense(10, layers.Softmax), h) // a classification head
	model := golem.NewModel([]*golem.Node{a, b}, value, class)
	err := model.Compile(nil, golem.PerOutput( // the inputs declare their shapes
		golem.OutputLoss{Loss: losses.MSE()},
		golem.OutputLoss{Loss: losses.SparseCategoricalCrossEntropy(), Weight: 0.5}),
		optim.LM(optim.LMConfig{}))
	if err != nil {
		t.Fatal(err)
	}
	x, _ := golem.Columns(images, features) // inputs side by side
	y, _ := golem.Columns(values, labels)   // each output's targets side by side
	if _, err := model.Fit(context.Background(), x, y, golem.FitConfig{Epochs: 2}); err != nil {
		t.Fatal(err)
	}
	pred, _ := model.Predict(x)
	parts, _ := model.SplitOutputs(pred) // one matrix per output
	if len(parts) != 2 {
		t.Fatal(len(parts))
	}

	// The time-series snippet.
	ctx := context.Background()
	u, yy := mat.NewDense(50, 1, nil), mat.NewDense(50, 1, nil)
	for i := 0; i < 50; i++ {
		u.Set(i, 0, float64(i%7)/7)
		yy.Set(i, 0, float64(i%5)/5)
	}
	uTest, yTest, uFuture := u, yy, u.Slice(0, 12, 0, 1)
	net := timeseries.NARX([]int{1, 2}, []int{1, 2}, 10)
	err = net.Compile(1, 1, losses.MSE(), optim.LM(optim.LMConfig{}))
	_, err = net.Fit(ctx, u, yy, golem.FitConfig{Epochs: 2})
	r, err := net.Predict(uTest, yTest)
	closed, err := net.Close(20)
	sim, err := closed.Predict(uTest, yTest)
	next, err := closed.Forecast(uFuture, 12)
	err = closed.Compile(1, 1, losses.MSE(), optim.LM(optim.LMConfig{}))
	_, err = closed.Fit(ctx, u, yy, golem.FitConfig{Epochs: 2})
	if err != nil || r == nil || sim == nil || next == nil {
		t.Fatal(err)
	}
}
