// Package lossspec is how a model file names the losses and metrics of
// package losses: a Spec per loss, a name per metric. Package losses sets
// the functions at init (it imports this package, so it cannot be called
// the other way); package golem's model file uses them.
package lossspec

// Spec names one of package losses' losses and its options.
type Spec struct {
	// Name is the loss's Name: "mse", "sse", "mae", "binary_crossentropy",
	// "categorical_crossentropy" or "sparse_categorical_crossentropy".
	Name string
	// SoftTargets records the SoftTargets option of the binary and
	// categorical cross-entropies.
	SoftTargets bool
}

// The functions package losses sets at init.
var (
	// Of returns the Spec of a losses.Loss made by package losses; ok is
	// false for any other loss (a custom one), which From cannot rebuild.
	Of func(loss any) (s Spec, ok bool)
	// From builds the losses.Loss a Spec names; From(Of(l)) computes what
	// l computes. An unknown name, or SoftTargets on a loss without that
	// option, is an error naming the losses it knows.
	From func(s Spec) (loss any, err error)
	// MetricName returns the name of a losses.Metric made by package
	// losses; ok is false for any other metric.
	MetricName func(metric any) (name string, ok bool)
	// MetricFrom builds the losses.Metric of that name; an unknown name is
	// an error naming the metrics it knows.
	MetricFrom func(name string) (metric any, err error)
)
