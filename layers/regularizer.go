package layers

import "golem/graph"

// L2 is the penalty l·Σw² (Keras's regularizers.l2).
func L2(l float64) graph.Penalty { return graph.Penalty{L2: l} }

// L1 is the penalty l·Σ|w| (Keras's regularizers.l1); only first-order
// optimizers can minimize it (it has no least-squares form).
func L1(l float64) graph.Penalty { return graph.Penalty{L1: l} }

// L1L2 is the penalty l1·Σ|w| + l2·Σw².
func L1L2(l1, l2 float64) graph.Penalty { return graph.Penalty{L1: l1, L2: l2} }

// KernelRegularizer penalizes Dense's W (Keras's kernel_regularizer).
func KernelRegularizer(p graph.Penalty) DenseOption {
	return denseOptionFunc(func(c *denseConfig) { c.kernelPenalty = p })
}

// BiasRegularizer penalizes Dense's b (Keras's bias_regularizer).
func BiasRegularizer(p graph.Penalty) DenseOption {
	return denseOptionFunc(func(c *denseConfig) { c.biasPenalty = p })
}
