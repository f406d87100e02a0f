package layers

import "github.com/golem-ml/golem/graph"

// L2 is the penalty l·Σw² (Keras's regularizers.l2).
func L2(l float64) graph.Penalty { return graph.Penalty{L2: l} }

// L1 is the penalty l·Σ|w| (Keras's regularizers.l1); only first-order
// optimizers can minimize it (it has no least-squares form).
func L1(l float64) graph.Penalty { return graph.Penalty{L1: l} }

// L1L2 is the penalty l1·Σ|w| + l2·Σw².
func L1L2(l1, l2 float64) graph.Penalty { return graph.Penalty{L1: l1, L2: l2} }

// KernelRegularizer penalizes a layer's kernel W (Keras's kernel_regularizer).
func KernelRegularizer(p graph.Penalty) Option {
	return option("KernelRegularizer", func(c *config) { c.kernelPenalty = p })
}

// RecurrentRegularizer penalizes a recurrent layer's recurrent kernel U
// (Keras's recurrent_regularizer).
func RecurrentRegularizer(p graph.Penalty) Option {
	return option("RecurrentRegularizer", func(c *config) { c.recurrentPenalty = p })
}

// BiasRegularizer penalizes a layer's bias b (Keras's bias_regularizer).
func BiasRegularizer(p graph.Penalty) Option {
	return option("BiasRegularizer", func(c *config) { c.biasPenalty = p })
}
