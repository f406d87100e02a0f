package nist

import "github.com/golem-ml/golem/layers"

// Func returns problem name's model function, parameters b1, b2, ... in
// order.
func Func(name string) (layers.CurveFunc, bool) {
	f, ok := models[name]
	return f, ok
}
