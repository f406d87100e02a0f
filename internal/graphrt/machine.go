package graphrt

import (
	"fmt"
	"sync/atomic"

	G "gorgonia.org/gorgonia"

	"github.com/golem-ml/golem/internal/exec"
)

// Machine runs a compiled graph. Inputs are bound by writing into their
// Input.Data; parameters are read from θ at every run; outputs are read
// through Output.Data after Run.
//
// A graph of up to exec.Limit values runs on golem's executor
// (internal/exec): Gorgonia's ops evaluated on preallocated slices, with
// no tape machine and none of its per-run and per-op overhead. A larger
// graph, or one the executor cannot hold, runs on Gorgonia's tape
// machine; so does a graph whose executor run fails (from then on, with
// the tape's own result or error), so the executor never turns a graph
// that runs into one that does not.
type Machine struct {
	g    *G.ExprGraph
	outs []*Output
	prog *exec.Program // nil: the tape machine
	vm   G.VM          // compiled on first use
}

// executor is whether Compile may use golem's executor (SetExecutor);
// onExecutor and onTape count the machines compiled each way.
var (
	executor           atomic.Bool
	onExecutor, onTape atomic.Int64
)

// MachineCounts reports how many machines have been compiled to run on
// golem's executor and on the tape machine (a graph moved to the tape
// after an executor failure counts on both), for diagnostics and tests.
func MachineCounts() (executor, tape int64) { return onExecutor.Load(), onTape.Load() }

func init() { executor.Store(true) }

// SetExecutor turns golem's executor on or off for graphs compiled from
// now on and returns the previous setting. It is a testing and debugging
// hook: results are the same either way (tests compare them bit for bit).
func SetExecutor(on bool) (previous bool) { return executor.Swap(on) }

// execBinding reads an Output's value from the executor's buffers.
type execBinding struct {
	prog *exec.Program
	node *G.Node
}

func (e *execBinding) data() []float64 {
	if d := e.prog.Value(e.node); d != nil {
		return d
	}
	return e.prog.LeafValue(e.node)
}

// Compile prepares g to run, with outs the outputs read after each run
// (an Output not listed may read nothing): on golem's executor when it can
// hold the graph and the linked Gorgonia is the version it was checked
// against (the tape loop's check, tape.go), otherwise as a TapeMachine. A
// Gorgonia panic during compilation is returned as an error.
func Compile(g *G.ExprGraph, outs []*Output) (*Machine, error) {
	m := &Machine{g: g, outs: outs}
	if executor.Load() && tapeLoop.Load() {
		nodes := make([]*G.Node, len(outs))
		for i, o := range outs {
			nodes[i] = o.Node
		}
		var prog *exec.Program
		var ok bool
		err := Catch(func() error {
			var err error
			prog, ok, err = exec.New(g, nodes)
			return err
		})
		if err == nil && ok {
			m.prog = prog
			onExecutor.Add(1)
			for _, o := range outs {
				o.prog = &execBinding{prog: prog, node: o.Node}
			}
			return m, nil
		}
	}
	if err := m.compileTape(); err != nil {
		return nil, err
	}
	return m, nil
}

// compileTape compiles the graph as a TapeMachine and binds the outputs
// to it.
func (m *Machine) compileTape() error {
	var vm G.VM
	err := Catch(func() error {
		vm = G.NewTapeMachine(m.g)
		return nil
	})
	if err != nil {
		return fmt.Errorf("graph: compiling: %w", err)
	}
	m.vm, m.prog = vm, nil
	onTape.Add(1)
	for _, o := range m.outs {
		o.prog = nil
	}
	return nil
}

// Run executes the whole graph once. On the executor a failure (an op's
// error or panic) moves the graph to the tape machine, which runs it
// instead. On the tape, the tape loop runs on the calling goroutine when
// the linked Gorgonia is the version golem checked (see tape.go),
// otherwise through Gorgonia's RunAll, with the same results.
func (m *Machine) Run() error {
	if m.prog != nil {
		err := Catch(m.prog.Run)
		if err == nil {
			return nil
		}
		if err := m.compileTape(); err != nil {
			return err
		}
	}
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

// OnExecutor reports whether the graph runs on golem's executor.
func (m *Machine) OnExecutor() bool { return m.prog != nil }

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
func (m *Machine) Close() error {
	if m.vm == nil {
		return nil
	}
	return m.vm.Close()
}

// Partial evaluates part of a compiled graph on golem's executor: only the
// values some of its outputs depend on. It reads the machine's inputs and
// parameters and holds its own values, so running it leaves the machine's
// outputs as they were. A Partial is not safe for concurrent use, nor for
// use concurrently with its machine.
type Partial struct {
	prog *exec.Program
}

// Partial returns a Partial for outs when the machine runs on the
// executor and the executor can hold that part (ok false otherwise).
func (m *Machine) Partial(outs ...*Output) (p *Partial, ok bool) {
	if m.prog == nil {
		return nil, false
	}
	nodes := make([]*G.Node, len(outs))
	for i, o := range outs {
		nodes[i] = o.Node
	}
	var prog *exec.Program
	err := Catch(func() error {
		var err error
		prog, ok, err = exec.New(m.g, nodes)
		return err
	})
	if err != nil || !ok {
		return nil, false
	}
	return &Partial{prog: prog}, true
}

// Run evaluates the part once. An error (an op's error or panic) means
// the part cannot run on the executor: use the full graph instead.
func (p *Partial) Run() error { return Catch(p.prog.Run) }

// Value is o's value from the last Run (nil if the part does not hold it).
// It aliases the Partial's memory: copy it before the next Run.
func (p *Partial) Value(o *Output) []float64 {
	if d := p.prog.Value(o.Node); d != nil {
		return d
	}
	return p.prog.LeafValue(o.Node)
}

// RowSeparable reports whether the machine's outputs outs are proven to be
// computed row by row from the row inputs rowLeaves (see
// exec.Program.RowSeparable, which trusted is passed to): false when the
// graph does not run on golem's executor, or when it is not proven.
func (m *Machine) RowSeparable(rows int, rowLeaves, globals []*G.Node, trusted map[[2]string]string, outs ...*Output) bool {
	if m.prog == nil {
		return false
	}
	nodes := make([]*G.Node, len(outs))
	for i, o := range outs {
		nodes[i] = o.Node
	}
	return m.prog.RowSeparable(rows, rowLeaves, globals, nodes, trusted)
}
