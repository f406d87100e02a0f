package losses

import (
	"fmt"
	"strings"

	"github.com/golem-ml/golem/internal/lossspec"
)

// A model file records its loss and metrics by name, so that a loaded
// model can Evaluate without Compile (internal/lossspec).

// Spec names a loss of this package and its options.
type spec = lossspec.Spec

func init() {
	lossspec.Of = func(l any) (spec, bool) {
		loss, ok := l.(Loss)
		if !ok {
			return spec{}, false
		}
		return specOf(loss)
	}
	lossspec.From = func(s spec) (any, error) { return fromSpec(s) }
	lossspec.MetricName = func(m any) (string, bool) {
		metric, ok := m.(Metric)
		if !ok {
			return "", false
		}
		return metricName(metric)
	}
	lossspec.MetricFrom = func(name string) (any, error) { return metricFromName(name) }
}

// specOf returns the spec of a loss made by this package; ok is false for
// any other loss (a custom one), which fromSpec could not rebuild.
func specOf(l Loss) (s spec, ok bool) {
	switch l := l.(type) {
	case *residualLoss:
		return spec{Name: l.name, SoftTargets: l.soft}, true
	case *metricResidual:
		return spec{Name: l.name}, true
	case maeLoss:
		return spec{Name: "mae"}, true
	}
	return spec{}, false
}

// lossNames are the losses fromSpec builds, in the order errors list them.
var lossNames = []string{"mse", "sse", "mae", "binary_crossentropy", "categorical_crossentropy", "sparse_categorical_crossentropy"}

// fromSpec builds the loss a spec names: fromSpec(specOf(l)) is a loss
// that computes what l computes. An unknown name, or SoftTargets on a loss
// without that option, is an error naming the losses it knows.
func fromSpec(s spec) (Loss, error) {
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

// metricNames are the metrics metricFromName builds.
var metricNames = []string{"mae", "rmse", "r2", "accuracy", "mse", "sse"}

// metricName returns the name of a metric made by this package (MAEMetric,
// RMSE, R2, Accuracy, or the losses MSE, SSE and MAE as metrics); ok is
// false for any other metric (a custom one), which metricFromName could
// not rebuild.
func metricName(m Metric) (name string, ok bool) {
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

// metricFromName builds the metric of that name (see metricName); an
// unknown name is an error naming the metrics it knows.
func metricFromName(name string) (Metric, error) {
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
