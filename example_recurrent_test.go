package golem_test

import (
	"context"
	"fmt"
	"math/rand/v2"

	"gonum.org/v1/gonum/mat"

	"github.com/golem-ml/golem"
	"github.com/golem-ml/golem/layers"
	"github.com/golem-ml/golem/losses"
	"github.com/golem-ml/golem/optim"
)

// A GRU learns a sequence task with Levenberg–Marquardt: y = x_T − x_1 for
// sequences of 5 scalar steps. Each row of x is one sequence, flattened
// (T, F) row-major.
func ExampleGRU() {
	const n, steps = 200, 5
	rng := rand.New(rand.NewPCG(1, 3))
	x, y := mat.NewDense(n, steps, nil), mat.NewDense(n, 1, nil)
	for i := 0; i < n; i++ {
		for t := 0; t < steps; t++ {
			x.Set(i, t, 2*rng.Float64()-1)
		}
		y.Set(i, 0, x.At(i, steps-1)-x.At(i, 0))
	}

	model := golem.NewSequential(layers.GRU(4), layers.Dense(1))
	err := model.Compile(golem.Input(steps, 1), losses.MSE(), optim.LM(optim.LMConfig{}))
	if err != nil {
		panic(err)
	}
	if _, err := model.Fit(context.Background(), x, y, golem.FitConfig{Epochs: 30}); err != nil {
		panic(err)
	}
	pred, err := model.Predict(mat.NewDense(1, steps, []float64{0.5, 0.1, -0.3, 0.2, -0.4}))
	if err != nil {
		panic(err)
	}
	fmt.Printf("x_T − x_1 = -0.9, the GRU says %.1f\n", pred.At(0, 0))
	// Output:
	// x_T − x_1 = -0.9, the GRU says -0.9
}
