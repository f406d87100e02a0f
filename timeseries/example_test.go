package timeseries_test

import (
	"context"
	"fmt"
	"math"

	"gonum.org/v1/gonum/mat"

	"github.com/golem-ml/golem"
	"github.com/golem-ml/golem/losses"
	"github.com/golem-ml/golem/optim"
	"github.com/golem-ml/golem/timeseries"
)

// A NARX net identifies y(t) = 0.6·y(t−1) + tanh(u(t−1)) in open loop,
// then, closed, simulates it from its first steps alone.
func ExampleNARX() {
	n := 300
	u, y := mat.NewDense(n, 1, nil), mat.NewDense(n, 1, nil)
	for t := 0; t < n; t++ {
		u.Set(t, 0, math.Sin(0.21*float64(t))+0.5*math.Sin(0.037*float64(t)))
		if t > 0 {
			y.Set(t, 0, 0.6*y.At(t-1, 0)+math.Tanh(u.At(t-1, 0)))
		}
	}
	net := timeseries.NARX([]int{1}, []int{1}, 4)
	if err := net.Compile(1, 1, losses.MSE(), optim.LM(optim.LMConfig{})); err != nil {
		panic(err)
	}
	if _, err := net.Fit(context.Background(), u, y, golem.FitConfig{Epochs: 100}); err != nil {
		panic(err)
	}
	open, _ := net.Predict(u, y)
	closed, _ := net.Close(0)
	sim, _ := closed.Predict(u, y) // from y(0) alone
	fmt.Printf("one step ahead, RMSE below 1e-3: %v\n", rmseOf(open.Errors) < 1e-3)
	fmt.Printf("simulated %d steps, RMSE below 1e-2: %v\n", len(sim.Times), rmseOf(sim.Errors) < 1e-2)
	// Output:
	// one step ahead, RMSE below 1e-3: true
	// simulated 299 steps, RMSE below 1e-2: true
}

func rmseOf(e *mat.Dense) float64 {
	r, _ := e.Dims()
	s := 0.0
	for i := 0; i < r; i++ {
		s += e.At(i, 0) * e.At(i, 0)
	}
	return math.Sqrt(s / float64(r))
}
