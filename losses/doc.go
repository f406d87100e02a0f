// Package losses defines training losses and evaluation metrics.
//
// A Loss builds, inside a model's graph, the loss of each sample ℓᵢ from the
// model's output (batch × K) and the targets. The model reduces them as
// Σᵢ wᵢ·ℓᵢ, with wᵢ = 1/N for Mean losses and 1 for Sum losses (times any
// sample weight), so padded rows of a partial batch carry weight 0.
//
// Losses that can be written as a sum of squared residuals, ℓᵢ = Σₖ rᵢₖ²,
// also implement Residual; Levenberg–Marquardt trains only with those.
//
// The losses: MSE and SSE (residual forms, exact), MAE (none),
// BinaryCrossEntropy, CategoricalCrossEntropy and
// SparseCategoricalCrossEntropy (stable from logits, with residual forms;
// the option SoftTargets for soft labels). A Metric scores predictions
// after a pass over the data: MAEMetric, RMSE, R2, Accuracy, and MSE, SSE
// and MAE themselves (MetricLoss, MetricResidual), so
// golem.WithMetrics(losses.MSE()) works. A model file records this
// package's losses and metrics by name, so a loaded model evaluates
// without Compile; a custom loss must be given to Compile again.
//
// Losses are passed to golem's Model.Compile; see package golem.
package losses
