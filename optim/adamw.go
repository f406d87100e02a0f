package optim

// AdamWConfig configures AdamW: Adam's fields plus the decoupled weight
// decay.
type AdamWConfig struct {
	AdamConfig
	WeightDecay float64 // λ; default 0.004 (Keras; PyTorch: 0.01); a finite negative value means 0
}

// Validate reports a configuration that cannot work: Adam's checks and a
// NaN or infinite weight decay.
func (c AdamWConfig) Validate() error {
	return firstError(checkFinite("AdamW weight decay", c.WeightDecay), c.AdamConfig.Validate())
}

// AdamW returns Adam with decoupled weight decay (Loshchilov & Hutter,
// 2019): before each Adam update the weights shrink by θ ← θ - η·λ·θ,
// outside the adaptive scaling, as Keras's and PyTorch's AdamW do.
// (Gorgonia's own AdamW solver updates a copy and never the weights.)
func AdamW(cfg AdamWConfig) *AdamOptimizer {
	o := Adam(cfg.AdamConfig)
	o.decay = orDefault(cfg.WeightDecay, 0.004)
	return o
}
