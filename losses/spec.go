package losses

import (
	"fmt"
	"strings"
)

// Spec names one of this package's losses and its options: what a model
// file records so that a loaded model can Evaluate without Compile.
type Spec struct {
	// Name is the loss's Name: "mse", "sse", "mae", "binary_crossentropy",
	// "categorical_crossentropy" or "sparse_categorical_crossentropy".
	Name string `json:"name"`
	// SoftTargets records the SoftTargets option of the binary and
	// categorical cross-entropies; default false.
	SoftTargets bool `json:"soft_targets,omitempty"`
}

// SpecOf returns the Spec of a loss made by this package; ok is false for
// any other loss (a custom one), which FromSpec could not rebuild.
func SpecOf(l Loss) (s Spec, ok bool) {
	switch l := l.(type) {
	case *residualLoss:
		return Spec{Name: l.name, SoftTargets: l.soft}, true
	case *metricResidual:
		return Spec{Name: l.name}, true
	case maeLoss:
		return Spec{Name: "mae"}, true
	}
	return Spec{}, false
}

// lossNames are the losses FromSpec builds, in the order errors list them.
var lossNames = []string{"mse", "sse", "mae", "binary_crossentropy", "categorical_crossentropy", "sparse_categorical_crossentropy"}

// FromSpec builds the loss a Spec names: FromSpec(SpecOf(l)) is a loss
// that computes what l computes. An unknown name, or SoftTargets on a loss
// without that option, is an error naming the losses it knows.
func FromSpec(s Spec) (Loss, error) {
	var opts []CrossEntropyOption
	if s.SoftTargets {
		opts = append(opts, SoftTargets())
	}
	switch s.Name {
	case "binary_crossentropy":
		return BinaryCrossEntropy(opts...), nil
	case "categorical_crossentropy":
		return CategoricalCrossEntropy(opts...), nil
	}
	var l Loss
	switch s.Name {
	case "mse":
		l = MSE()
	case "sse":
		l = SSE()
	case "mae":
		l = MAE()
	case "sparse_categorical_crossentropy":
		l = SparseCategoricalCrossEntropy()
	default:
		return nil, fmt.Errorf("losses: no loss is named %q (known: %s)", s.Name, strings.Join(lossNames, ", "))
	}
	if s.SoftTargets {
		return nil, fmt.Errorf("losses: %s takes no SoftTargets option (only binary_crossentropy and categorical_crossentropy do)", s.Name)
	}
	return l, nil
}

// metricNames are the metrics MetricFromName builds.
var metricNames = []string{"mae", "rmse", "r2", "accuracy", "mse", "sse"}

// MetricName returns the name of a metric made by this package (MAEMetric,
// RMSE, R2, Accuracy, or the losses MSE, SSE and MAE as metrics); ok is
// false for any other metric (a custom one), which MetricFromName could
// not rebuild.
func MetricName(m Metric) (name string, ok bool) {
	switch m := m.(type) {
	case metricFunc:
		return m.name, true
	case *metricResidual:
		return m.name, true
	case maeLoss:
		return "mae", true
	}
	return "", false
}

// MetricFromName builds the metric of that name (see MetricName); an
// unknown name is an error naming the metrics it knows.
func MetricFromName(name string) (Metric, error) {
	switch name {
	case "mae":
		return MAEMetric(), nil
	case "rmse":
		return RMSE(), nil
	case "r2":
		return R2(), nil
	case "accuracy":
		return Accuracy(), nil
	case "mse":
		return MSE(), nil
	case "sse":
		return SSE(), nil
	}
	return nil, fmt.Errorf("losses: no metric is named %q (known: %s)", name, strings.Join(metricNames, ", "))
}
