package graphrt

import (
	"fmt"
	"path/filepath"
	"reflect"
	"runtime"
	"runtime/debug"
	"strings"
	"sync/atomic"
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
// The loop is unexported, hence the linkname. go.mod's require is only a
// minimum: a module that imports golem may select another Gorgonia, where
// the linkname could still link to a method of another layout. So the
// loop is called only when the linked Gorgonia is exactly the version
// checked (TestRunPathsAreBitIdentical guards the equivalence) and the
// VM is that version's tape machine; otherwise Machine.Run uses Reset and
// RunAll, which gives the same bits, more slowly. (A Gorgonia without the
// method at all fails to link: a build error, never a wrong run.) One
// difference: RunAll executes the tape on its own goroutine, so a panic
// inside an op there cannot be recovered by Catch, as it is on the
// synchronous path.
//
// The version comes from the binary's build info: the dependency
// gorgonia.org/gorgonia must be v0.9.18, and a replace must name the same
// module and version. Where the build info lists no dependencies (test
// binaries record none; a binary built without module support has none),
// the source path of the linked loop decides: it must lie in the module
// cache's copy of exactly that version ("gorgonia.org/gorgonia@v0.9.18/",
// also under -trimpath). Anything else falls back to RunAll.
const (
	gorgoniaPath    = "gorgonia.org/gorgonia"
	gorgoniaChecked = "v0.9.18"
)

//go:linkname tapeRunall gorgonia.org/gorgonia.(*tapeMachine).runall
func tapeRunall(m unsafe.Pointer, errChan chan error, doneChan chan struct{})

// tapeLoop is whether Machine.Run may call the tape loop directly; tests
// flip it to exercise the fallback. tapeLoopReason says why.
var (
	tapeLoop       atomic.Bool
	tapeLoopReason string
)

func init() {
	info, ok := debug.ReadBuildInfo()
	allowed, why := tapeLoopAllowed(info, ok, linkedSource())
	tapeLoop.Store(allowed)
	tapeLoopReason = why
}

// linkedSource is the source file of the linked tape loop.
func linkedSource() string {
	f := runtime.FuncForPC(reflect.ValueOf(tapeRunall).Pointer())
	if f == nil {
		return ""
	}
	file, _ := f.FileLine(f.Entry())
	return file
}

// tapeLoopAllowed decides from the build info (ok false: none) and the
// linked loop's source path whether the linked Gorgonia is the checked one.
func tapeLoopAllowed(info *debug.BuildInfo, ok bool, source string) (bool, string) {
	if ok && info != nil {
		for _, d := range info.Deps {
			if d.Path != gorgoniaPath {
				continue
			}
			if r := d.Replace; r != nil {
				if r.Path == gorgoniaPath && r.Version == gorgoniaChecked {
					return true, "build info: " + gorgoniaPath + " replaced by the same " + gorgoniaChecked
				}
				return false, fmt.Sprintf("build info: %s %s is replaced by %s %s, not %s", gorgoniaPath, d.Version, r.Path, r.Version, gorgoniaChecked)
			}
			if d.Version == gorgoniaChecked {
				return true, "build info: " + gorgoniaPath + " " + gorgoniaChecked
			}
			return false, fmt.Sprintf("build info: %s %s, not %s", gorgoniaPath, d.Version, gorgoniaChecked)
		}
	}
	if strings.Contains(filepath.ToSlash(source), gorgoniaPath+"@"+gorgoniaChecked+"/") {
		return true, "no dependency in the build info; the tape loop's source is " + source
	}
	return false, fmt.Sprintf("no %s %s in the build info, and the tape loop's source %q is not that version's", gorgoniaPath, gorgoniaChecked, source)
}

// isTapeMachine reports whether vm is Gorgonia's *tapeMachine.
func isTapeMachine(vm G.VM) bool {
	t := reflect.TypeOf(vm)
	return t != nil && t.Kind() == reflect.Pointer && t.Elem().Name() == "tapeMachine" && t.Elem().PkgPath() == gorgoniaPath
}

// runTape resets vm (a *tapeMachine of the checked version) and runs its
// tape synchronously.
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
