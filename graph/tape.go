package graph

import (
	"fmt"
	"unsafe"

	G "gorgonia.org/gorgonia"
)

// Gorgonia v0.9.18's TapeMachine.RunAll locks the OS thread and executes
// the tape on a fresh goroutine, waiting on channels; every run pays for
// two thread handoffs (tens of microseconds), which dominates small graphs
// such as a Levenberg–Marquardt iteration on 100 samples. On the CPU the
// goroutine does nothing that needs it: RunAll's other duties are CUDA work
// and BindDualValues closures, neither of which golem uses. runTape calls
// the tape's loop directly on the caller's goroutine instead.
//
// The loop is unexported, hence the linkname; go.mod pins Gorgonia to
// v0.9.18, and TestSynchronousRunMatchesRunAll guards the equivalence.

//go:linkname tapeRunall gorgonia.org/gorgonia.(*tapeMachine).runall
func tapeRunall(m unsafe.Pointer, errChan chan error, doneChan chan struct{})

// runTape resets vm (a *tapeMachine) and runs its tape synchronously.
func runTape(vm G.VM) error {
	vm.Reset()
	iface := (*[2]unsafe.Pointer)(unsafe.Pointer(&vm))
	errs := make(chan error, 1)
	done := make(chan struct{}, 1)
	tapeRunall(iface[1], errs, done)
	select {
	case err := <-errs:
		return err
	case <-done:
		return nil
	default:
		return fmt.Errorf("graph: the tape stopped without finishing")
	}
}
