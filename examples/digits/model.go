package main

import (
	"golem"
	"golem/layers"
)

// modelName describes the network newModel builds.
const modelName = "CNN Conv2D(6, 3×3, same, tanh) → MaxPool2D(2×2) → Flatten → Dense(10, softmax), 1,030 parameters"

// modelInput is the shape of one sample: an 8×8 image with one channel,
// channels last; a row of x is its 64 pixels in row-major order.
var modelInput = golem.Input(8, 8, 1)

// newModel builds the network every optimizer trains: about 1,000
// parameters, as the tf-levenberg-marquardt MNIST comparison (1,026).
// Conv2D: 3·3·1·6 weights + 6 biases = 60; pooling leaves 4×4×6 = 96
// values; Dense: 96·10 + 10 = 970.
func newModel() *golem.Sequential {
	return golem.NewSequential(
		layers.Conv2D(6, 3, 3, layers.WithPadding(layers.Same), layers.Tanh),
		layers.MaxPool2D(2, 2),
		layers.Flatten(),
		layers.Dense(classes, layers.Softmax),
	)
}
