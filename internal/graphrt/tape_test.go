package graphrt

import (
	"errors"
	"math"
	"runtime/debug"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	G "gorgonia.org/gorgonia"
)

func TestTapeLoopAllowedOnlyForTheCheckedGorgonia(t *testing.T) {
	cache := "/root/go/pkg/mod/gorgonia.org/gorgonia@v0.9.18/vm_tape.go"
	info := func(deps ...*debug.Module) *debug.BuildInfo {
		return &debug.BuildInfo{Main: debug.Module{Path: "app"}, Deps: deps}
	}
	dep := func(v string, r *debug.Module) *debug.Module {
		return &debug.Module{Path: gorgoniaPath, Version: v, Replace: r}
	}
	cases := []struct {
		name   string
		info   *debug.BuildInfo
		ok     bool
		source string
		want   bool
	}{
		{"checked version", info(dep("v0.9.18", nil)), true, cache, true},
		{"checked version, trimpath", info(dep("v0.9.18", nil)), true, "gorgonia.org/gorgonia@v0.9.18/vm_tape.go", true},
		{"newer version", info(dep("v0.9.19", nil)), true, "/m/gorgonia.org/gorgonia@v0.9.19/vm_tape.go", false},
		{"older version", info(dep("v0.9.17", nil)), true, "/m/gorgonia.org/gorgonia@v0.9.17/vm_tape.go", false},
		{"pseudo-version", info(dep("v0.9.19-0.20240101000000-abcdefabcdef", nil)), true, "", false},
		{"replaced by a directory", info(dep("v0.9.18", &debug.Module{Path: "../gorgonia"})), true, "/src/gorgonia/vm_tape.go", false},
		{"replaced by a fork", info(dep("v0.9.18", &debug.Module{Path: "github.com/x/gorgonia", Version: "v0.9.18"})), true, "", false},
		{"replaced by another version", info(dep("v0.9.18", &debug.Module{Path: gorgoniaPath, Version: "v0.9.17"})), true, "", false},
		{"replaced by the same version", info(dep("v0.9.17", &debug.Module{Path: gorgoniaPath, Version: "v0.9.18"})), true, cache, true},
		// The build info wins over the path when it lists Gorgonia.
		{"build info says another version", info(dep("v0.9.19", nil)), true, cache, false},
		// Test binaries list no dependencies: the source path decides.
		{"no deps, module cache", info(), true, cache, true},
		{"no deps, other version's source", info(), true, "/m/gorgonia.org/gorgonia@v0.9.19/vm_tape.go", false},
		{"no deps, local checkout", info(), true, "/src/gorgonia/vm_tape.go", false},
		{"no build info, module cache", nil, false, cache, true},
		{"no build info, unknown source", nil, false, "", false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, why := tapeLoopAllowed(c.info, c.ok, c.source)
			assert.Equal(t, c.want, got, why)
			assert.NotEmpty(t, why)
		})
	}
}

// TestTapeLoopIsUsedInThisBuild: golem's own build links v0.9.18 from the
// module cache, so its tests exercise the synchronous path.
func TestTapeLoopIsUsedInThisBuild(t *testing.T) {
	assert.True(t, tapeLoop.Load(), tapeLoopReason)
	assert.Contains(t, linkedSource(), "gorgonia.org/gorgonia@v0.9.18/")
}

// fakeVM is a VM that is not Gorgonia's tape machine.
type fakeVM struct{ resets, runs int }

func (v *fakeVM) RunAll() error { v.runs++; return errors.New("fake ran") }
func (v *fakeVM) Reset()        { v.resets++ }
func (v *fakeVM) Close() error  { return nil }

// TestRunFallsBackForAnotherVM: the linkname is never applied to a VM of
// another type, whatever the switch says.
func TestRunFallsBackForAnotherVM(t *testing.T) {
	vm := &fakeVM{}
	m := &Machine{vm: vm}
	assert.False(t, m.synchronous())
	require.ErrorContains(t, m.Run(), "fake ran")
	assert.Equal(t, 1, vm.resets)
	assert.Equal(t, 1, vm.runs)
}

func setTapeLoop(t *testing.T, on bool) {
	old := tapeLoop.Load()
	tapeLoop.Store(on)
	t.Cleanup(func() { tapeLoop.Store(old) })
}

// TestRunPathsAreBitIdentical: Machine.Run through the tape loop and
// through the RunAll fallback give the same bits, run after run.
func TestRunPathsAreBitIdentical(t *testing.T) {
	defer SetExecutor(SetExecutor(false)) // the tape paths
	g := G.NewGraph()
	x := NewInput(g, "x", 4, 3)
	w := NewInput(g, "w", 3, 2)
	bias := NewInput(g, "b", 2)
	for i := range w.Data {
		w.Data[i] = 0.3 * float64(i-2)
	}
	bias.Data[0], bias.Data[1] = 0.1, -0.2
	xw, err := G.Mul(x.Node, w.Node)
	require.NoError(t, err)
	z, err := G.BroadcastAdd(xw, bias.Node, nil, []byte{0})
	require.NoError(t, err)
	h, err := G.Tanh(z)
	require.NoError(t, err)
	cost, err := G.Sum(h)
	require.NoError(t, err)
	grads, err := G.Grad(cost, w.Node, bias.Node)
	require.NoError(t, err)
	outs := []*Output{NewOutput(cost), NewOutput(grads[0]), NewOutput(grads[1])}
	m, err := Compile(g, outs)
	require.NoError(t, err)
	run := func(on bool, step int) []uint64 {
		setTapeLoop(t, on)
		assert.Equal(t, on, m.synchronous())
		for i := range x.Data {
			x.Data[i] = math.Sin(float64(i*(step+1))) * 3
		}
		require.NoError(t, m.Run())
		var bits []uint64
		for _, o := range outs {
			for _, v := range o.Data() {
				bits = append(bits, math.Float64bits(v))
			}
		}
		return bits
	}
	for step := 0; step < 3; step++ {
		fast := run(true, step)
		slow := run(false, step)
		assert.Equal(t, fast, slow, "step %d", step)
	}
}
