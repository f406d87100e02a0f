package golem

import (
	"fmt"
	"reflect"
	"runtime"
	"sync"
	"weak"

	"golem/layers"
)

// A layer keeps what its Build declared (its parameters), so a layer value
// can belong to one model only: built again by a second model it would
// silently make the first one compute with the second one's weights. The
// registry below remembers which live model built each layer value, and
// Compile refuses a layer that another model owns. Entries of a model that
// has been garbage collected are dropped.
var layerOwners = struct {
	sync.Mutex
	owner map[layers.Layer]weak.Pointer[Sequential]
}{owner: map[layers.Layer]weak.Pointer[Sequential]{}}

// comparable reports whether l can key a map (layers that are pointers or
// plain structs can; a layer type holding slices cannot, and is skipped).
func comparableLayer(l layers.Layer) bool {
	return reflect.TypeOf(l).Comparable()
}

// checkLayers rejects a layer listed twice in m and a layer that another
// live model has built.
func (m *Sequential) checkLayers() error {
	seen := map[layers.Layer]int{}
	layerOwners.Lock()
	defer layerOwners.Unlock()
	for i, l := range m.layers {
		if l == nil {
			return fmt.Errorf("golem: layer %d is nil", i+1)
		}
		if !comparableLayer(l) {
			continue
		}
		if j, ok := seen[l]; ok {
			return fmt.Errorf("golem: layers %d and %d are the same %s value; a layer value can appear once in a model (create one value per position)", j+1, i+1, describe(l))
		}
		seen[l] = i
		if w, ok := layerOwners.owner[l]; ok {
			if owner := w.Value(); owner != nil && owner != m {
				return fmt.Errorf("golem: layer %d (%s) is already built by another model; a layer value belongs to one model (create a new value for this one)", i+1, describe(l))
			}
		}
	}
	return nil
}

// claimLayers records m as the owner of its layers, after a successful
// build.
func (m *Sequential) claimLayers() {
	layerOwners.Lock()
	defer layerOwners.Unlock()
	var owned []layers.Layer
	for _, l := range m.layers {
		if comparableLayer(l) {
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

// releaseLayers forgets layers whose owner has been collected.
func releaseLayers(ls []layers.Layer) {
	layerOwners.Lock()
	defer layerOwners.Unlock()
	for _, l := range ls {
		if w, ok := layerOwners.owner[l]; ok && w.Value() == nil {
			delete(layerOwners.owner, l)
		}
	}
}
