package golem

import (
	"fmt"
	"reflect"
	"runtime"
	"sync"
	"weak"

	"github.com/golem-ml/golem/layers"
	"github.com/golem-ml/golem/optim"
)

// A layer keeps what its Build declared (its parameters), so a layer value
// can belong to one model only: built again by a second model it would
// silently make the first one compute with the second one's weights. The
// registry below remembers which live model built each layer value, and
// Compile refuses a layer that another model owns. Entries of a model that
// has been garbage collected are dropped.
//
// Optimizers are registered the same way: an optimizer keeps state for the
// one θ it trains (moments, damping), and two models training through one
// optimizer at once would mix it.
var layerOwners = struct {
	sync.Mutex
	owner map[any]weak.Pointer[Sequential]
}{owner: map[any]weak.Pointer[Sequential]{}}

// comparableValue reports whether v can key a map (pointers and plain
// structs can; a type holding slices cannot, and is skipped).
func comparableValue(v any) bool {
	return reflect.TypeOf(v).Comparable()
}

// ownedByOther reports whether a live model other than m owns v; the caller
// holds layerOwners.
func (m *Model) ownedByOther(v any) bool {
	w, ok := layerOwners.owner[v]
	if !ok {
		return false
	}
	owner := w.Value()
	return owner != nil && owner != m
}

// checkOwnership rejects a layer listed twice in m, and a layer or an
// optimizer that another live model uses.
func (m *Model) checkOwnership(opt optim.Optimizer) error {
	seen := map[layers.Layer]int{}
	layerOwners.Lock()
	defer layerOwners.Unlock()
	if comparableValue(opt) && m.ownedByOther(opt) {
		return fmt.Errorf("golem: the optimizer is already used by another model; an optimizer keeps state for one model's weights (create one optimizer per model)")
	}
	for i, l := range m.layers {
		if l == nil {
			return fmt.Errorf("golem: layer %d is nil", i+1)
		}
		if !comparableValue(l) {
			continue
		}
		if j, ok := seen[l]; ok {
			return fmt.Errorf("golem: layers %d and %d are the same %s value; a layer value can appear once in a model (create one value per position)", j+1, i+1, describe(l))
		}
		seen[l] = i
		if m.ownedByOther(l) {
			return fmt.Errorf("golem: layer %d (%s) is already built by another model; a layer value belongs to one model (create a new value for this one)", i+1, describe(l))
		}
	}
	return nil
}

// claim records m as the owner of its layers and optimizer, after a
// successful Compile.
func (m *Model) claim() {
	layerOwners.Lock()
	defer layerOwners.Unlock()
	var owned []any
	values := []any{m.opt}
	for _, l := range m.layers {
		values = append(values, l)
	}
	for _, l := range values {
		if comparableValue(l) {
			if _, ok := layerOwners.owner[l]; !ok {
				owned = append(owned, l)
			}
			layerOwners.owner[l] = weak.Make(m)
		}
	}
	if len(owned) > 0 {
		runtime.AddCleanup(m, releaseLayers, owned)
	}
}

// disown forgets that m owns v (an optimizer replaced by a new Compile).
func (m *Model) disown(v any) {
	if v == nil || !comparableValue(v) {
		return
	}
	layerOwners.Lock()
	defer layerOwners.Unlock()
	if w, ok := layerOwners.owner[v]; ok && w.Value() == m {
		delete(layerOwners.owner, v)
	}
}

// releaseLayers forgets layers and optimizers whose owner has been
// collected.
func releaseLayers(ls []any) {
	layerOwners.Lock()
	defer layerOwners.Unlock()
	for _, l := range ls {
		if w, ok := layerOwners.owner[l]; ok && w.Value() == nil {
			delete(layerOwners.owner, l)
		}
	}
}
