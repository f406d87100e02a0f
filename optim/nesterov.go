package optim

// Nesterov returns gradient descent with Nesterov's accelerated momentum
// (NAG), in Keras's form (SGD with nesterov=True):
//
//	v ← μ·v - η·g
//	θ ← θ + μ·v - η·g
//
// which looks ahead along the momentum instead of evaluating the gradient
// there. PyTorch's SGD(momentum=μ, nesterov=True) keeps b ← μ·b + g and
// steps θ ← θ - η·(g + μ·b): the same iteration for a constant η.
func Nesterov(cfg MomentumConfig) *MomentumOptimizer {
	o := Momentum(cfg)
	o.nesterov = true
	return o
}
