package golem

import (
	"context"
	"math/rand/v2"
	"testing"

	"gonum.org/v1/gonum/mat"

	"github.com/golem-ml/golem/layers"
	"github.com/golem-ml/golem/losses"
	"github.com/golem-ml/golem/optim"
)

// mnistShaped is a 784-128-10 classifier and one batch of 128 random
// samples bound to its training graph.
func mnistShaped(b *testing.B, opt optim.Optimizer) (*batchObjective, optim.Optimizer) {
	m := NewSequential(layers.Dense(128, layers.ReLU), layers.Dense(10, layers.Softmax))
	if err := m.Compile(Input(784), losses.SparseCategoricalCrossEntropy(), opt); err != nil {
		b.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(1, 1))
	x := randomMatrix(rng, 128, 784, 0, 1)
	y := mat.NewDense(128, 1, nil)
	for i := 0; i < 128; i++ {
		y.Set(i, 0, float64(rng.IntN(10)))
	}
	d, err := m.dataset(x, y)
	if err != nil {
		b.Fatal(err)
	}
	obj := newBatchObjective(m, 128)
	obj.setBatch(d, nil, 0, 128)
	return obj, opt
}

// BenchmarkForwardBackward784x128x10 is one loss-and-gradient evaluation,
// batch 128: the baseline for BenchmarkAdamStep784x128x10.
func BenchmarkForwardBackward784x128x10(b *testing.B) {
	obj, _ := mnistShaped(b, optim.SGD(optim.SGDConfig{}))
	g := make([]float64, len(obj.Params()))
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := obj.Gradient(g); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkAdamStep784x128x10 is one Adam step (the same evaluation plus
// the update of 101,770 parameters); the bound is 10% above the
// baseline.
func BenchmarkAdamStep784x128x10(b *testing.B) {
	obj, opt := mnistShaped(b, optim.Adam(optim.AdamConfig{}))
	ctx := context.Background()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := opt.Step(ctx, obj); err != nil {
			b.Fatal(err)
		}
	}
}
