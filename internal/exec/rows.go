package exec

import (
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// rowClass is what RowSeparable knows about a value.
type rowClass uint8

const (
	// mixed: nothing is proven (it may combine rows, or be unknown).
	mixed rowClass = iota
	// global: independent of the row inputs. A global value whose first
	// axis has the rows' length is not known to hold the same thing in
	// every row unless it is uniform.
	global
	// uniform: global, of shape (rows, ...), the same in every row (a
	// broadcast of a global value along the rows).
	uniform
	// rowwise: shape (rows, ...), and row q depends on row q of the row
	// inputs only (and on global values), by the same function for every
	// row.
	rowwise
)

// RowSeparable reports whether each row of every output in outs is
// computed from the same row of the row inputs alone, by the same function
// for every row: the program's values are built from rowLeaves (each of
// shape (rows, ...)), from the leaves in globals and from constants, only
// through ops the executor knows to act row by row (elementwise
// arithmetic and functions, golem's tile and elementwise ops, reshapes
// that keep the rows, broadcasts within a row or of a global value along
// the rows, sums within a row, slices of the columns, sizes, and products X·W of a row-wise X and
// a global W). Any other op, or any other leaf, leaves a value unproven,
// so false means only "not proven". The ops in sliceOps (type names of
// golem's own ops, by package path and name) are trusted as the caller
// says: "tile" ops map (t, p) to t + p per row, "elementwise" ops act
// value by value.
func (p *Program) RowSeparable(rows int, rowLeaves, globals []*G.Node, outs []*G.Node, trusted map[[2]string]string) bool {
	class := make([]rowClass, len(p.nodes))
	isRow := map[*G.Node]bool{}
	for _, n := range rowLeaves {
		if s := n.Shape(); len(s) == 0 || s[0] != rows {
			return false
		}
		isRow[n] = true
	}
	isGlobal := map[*G.Node]bool{}
	for _, n := range globals {
		isGlobal[n] = true
	}
	rowShaped := func(i int) bool {
		s := p.shapes[i]
		return !s.IsScalar() && len(s) > 0 && s[0] == rows
	}
	for i, n := range p.nodes {
		if !p.leaf[i] {
			continue
		}
		switch {
		case isRow[n]:
			class[i] = rowwise
		case isGlobal[n] || (n.Op() != nil && (p.sizes[i] == 1 || !rowShaped(i))):
			// Parameters, and constants that are not row-shaped (a
			// row-shaped constant may differ from row to row).
			class[i] = global
		}
	}
	for k := range p.steps {
		s := &p.steps[k]
		class[s.node] = p.stepClass(s, class, rows, rowShaped, trusted)
	}
	for _, o := range outs {
		i, ok := p.lookup(o)
		if !ok || class[i] != rowwise {
			return false
		}
	}
	return true
}

// reshapeClass is the class of a reshape (same values, row-major) of a
// value of class c: rows stay rows when both shapes lead with them.
func reshapeClass(c rowClass, keepsRows bool) rowClass {
	switch {
	case c == global:
		return global
	case keepsRows:
		return c
	}
	return mixed
}

// stepClass is the class of step s's value from its children's.
func (p *Program) stepClass(s *step, class []rowClass, rows int, rowShaped func(int) bool, trusted map[[2]string]string) rowClass {
	n := p.nodes[s.node]
	in := make([]rowClass, len(s.in))
	anyRow, allGlobal := false, true
	for i, c := range s.in {
		in[i] = class[c]
		switch in[i] {
		case mixed:
			return mixed
		case rowwise:
			anyRow, allGlobal = true, false
		}
	}
	if s.fallback {
		if allGlobal {
			return global
		}
		return mixed
	}
	pkg, name := opType(n.Op())
	if pkg != gorgonia {
		switch trusted[[2]string{pkg, name}] {
		case "tile":
			if len(in) == 2 && in[0] == rowwise && (in[1] == global && !rowShaped(s.in[1])) && rowShaped(s.node) {
				return rowwise
			}
			if allGlobal {
				return global
			}
			return mixed
		case "elementwise":
			if len(in) == 1 && p.sizes[s.in[0]] == p.sizes[s.node] {
				return in[0]
			}
		case "reshape":
			if len(in) == 1 {
				return reshapeClass(in[0], rowShaped(s.in[0]) && rowShaped(s.node))
			}
		}
		if allGlobal {
			return global
		}
		return mixed
	}
	switch name {
	case "elemUnaryOp":
		return in[0]
	case "elemBinOp":
		if !anyRow {
			if in[0] == uniform && in[1] == uniform || in[0] == uniform && p.sizes[s.in[1]] == 1 || in[1] == uniform && p.sizes[s.in[0]] == 1 {
				return uniform
			}
			return global
		}
		if !rowShaped(s.node) {
			return mixed
		}
		for i, c := range s.in {
			switch {
			case in[i] == rowwise && p.sizes[c] == p.sizes[s.node]:
			case in[i] == uniform && p.sizes[c] == p.sizes[s.node]:
			case in[i] == global && p.sizes[c] == 1:
			default:
				return mixed
			}
		}
		return rowwise
	case "reshapeOp":
		return reshapeClass(in[0], rowShaped(s.in[0]) && rowShaped(s.node))
	case "sizeOp":
		return global
	case "repeatOp":
		f, ok := field(n.Op(), "along")
		if !ok || len(s.in) != 2 || in[1] == rowwise {
			return mixed
		}
		along := int(f.Int())
		switch in[0] {
		case rowwise:
			if along >= 1 && rowShaped(s.node) {
				return rowwise
			}
			return mixed
		case uniform:
			if along >= 1 && rowShaped(s.node) {
				return uniform
			}
			return global
		}
		// A global value of one row (or one value) repeated along the rows
		// is the same in every row.
		if rowShaped(s.node) && (p.sizes[s.in[0]] == 1 || (along == 0 && !rowShaped(s.in[0]) && len(p.shapes[s.node]) == len(p.shapes[s.in[0]]) && p.shapes[s.in[0]][0] == 1)) {
			return uniform
		}
		return global
	case "sumOp":
		f, ok := field(n.Op(), "along")
		if !ok {
			return mixed
		}
		overRows := f.Len() == 0
		for i := 0; i < f.Len(); i++ {
			if f.Index(i).Int() == 0 {
				overRows = true
			}
		}
		switch in[0] {
		case rowwise, uniform:
			if !overRows && rowShaped(s.node) {
				return in[0]
			}
			if in[0] == uniform {
				return global
			}
			return mixed
		}
		return global
	case "sliceOp":
		// A slice of the columns (or the whole value) keeps the rows.
		sl, ok := n.Op().(interface{ IsSlice() tensor.Slice })
		f, ok2 := field(n.Op(), "along")
		if !ok || !ok2 || len(in) != 1 {
			return mixed
		}
		if in[0] == global {
			return global
		}
		if (sl.IsSlice() == nil || f.Int() >= 1) && rowShaped(s.in[0]) && rowShaped(s.node) {
			return in[0]
		}
		return mixed
	case "linAlgBinOp":
		kind, ok1 := field(n.Op(), "āBinaryOperator")
		ta, ok2 := field(n.Op(), "transA")
		if !ok1 || !ok2 || kind.Uint() != 0 || len(in) != 2 {
			return mixed
		}
		if allGlobal {
			return global
		}
		// X·W (or X·Wᵀ) with X row-wise and W global: row q of the
		// product is row q of X times W.
		if in[0] == rowwise && !ta.Bool() && in[1] == global && !rowShaped(s.in[1]) && rowShaped(s.node) {
			return rowwise
		}
		return mixed
	}
	if allGlobal {
		return global
	}
	return mixed
}
