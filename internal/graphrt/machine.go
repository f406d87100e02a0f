package graphrt

import (
	"fmt"

	G "gorgonia.org/gorgonia"
)

// Machine runs a compiled graph. Inputs are bound by writing into their
// Input.Data; parameters are read from θ at every run; outputs are read
// through Output.Data after Run.
type Machine struct {
	vm G.VM
}

// Compile turns g into a TapeMachine. A Gorgonia panic
// during compilation is returned as an error.
func Compile(g *G.ExprGraph) (*Machine, error) {
	var vm G.VM
	err := Catch(func() error {
		vm = G.NewTapeMachine(g)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("graph: compiling: %w", err)
	}
	return &Machine{vm: vm}, nil
}

// Run executes the whole graph once: on the calling goroutine when the
// linked Gorgonia is the version golem checked (see tape.go), otherwise
// through Gorgonia's RunAll, with the same results.
func (m *Machine) Run() error {
	if !m.synchronous() {
		if err := m.runAll(); err != nil {
			return fmt.Errorf("graph: run: %w", err)
		}
		return nil
	}
	return Catch(func() error {
		if err := runTape(m.vm); err != nil {
			return fmt.Errorf("graph: run: %w", err)
		}
		return nil
	})
}

// synchronous reports whether Run calls the tape loop directly.
func (m *Machine) synchronous() bool { return tapeLoop.Load() && isTapeMachine(m.vm) }

// runAll executes the graph through Gorgonia's own Reset and RunAll.
func (m *Machine) runAll() error {
	return Catch(func() error {
		m.vm.Reset()
		return m.vm.RunAll()
	})
}

// Close releases the machine.
func (m *Machine) Close() error { return m.vm.Close() }
