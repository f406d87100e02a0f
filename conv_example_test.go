package golem_test

import (
	"fmt"

	"github.com/golem-ml/golem"
	"github.com/golem-ml/golem/layers"
	"github.com/golem-ml/golem/losses"
	"github.com/golem-ml/golem/optim"
)

// A small CNN for 8×8 grey images, trainable with Levenberg–Marquardt:
// the convolution's per-sample Jacobian takes the fast tap route.
func ExampleNewSequential_cnn() {
	m := golem.NewSequential(
		layers.Conv2D(8, 3, 3, layers.Tanh, layers.WithPadding(layers.Same)),
		layers.MaxPool2D(2, 2),
		layers.Flatten(),
		layers.Dense(10, layers.Softmax),
	)
	if err := m.Compile(golem.Input(8, 8, 1), losses.CategoricalCrossEntropy(), optim.LM(optim.LMConfig{})); err != nil {
		fmt.Println(err)
		return
	}
	fmt.Print(m.Summary())
	// Output:
	// Layer        Type                                    Output shape     Params
	// conv2d_1     Conv2D(8, 3×3, strides 1×1, same, tanh) (batch, 8, 8, 8) 80
	// maxpool2d_1  MaxPool2D(2×2, strides 2×2, valid)      (batch, 4, 4, 8) 0
	// flatten_1    Flatten()                               (batch, 128)     0
	// dense_1      Dense(10, softmax)                      (batch, 10)      1290
	// Input (batch, 8, 8, 1), 1370 parameters
}
