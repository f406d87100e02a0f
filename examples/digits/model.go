package main

import (
	"golem"
	"golem/layers"
)

// modelName describes the network newModel builds.
const modelName = "64-14-10 dense (tanh, softmax), 1,060 parameters"

// modelInput is the shape of one sample: the 64 pixels as a flat vector.
var modelInput = golem.Input(pixels)

// newModel builds the network every optimizer trains: about 1,000
// parameters, as the tf-levenberg-marquardt MNIST comparison.
func newModel() *golem.Sequential {
	return golem.NewSequential(
		layers.Dense(14, layers.Tanh),
		layers.Dense(classes, layers.Softmax),
	)
}
