package plots

import (
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

// TestLibraryDoesNotLinkPlot is the point of this package: the packages a
// service trains and predicts with do not depend on gonum.org/v1/plot,
// directly or through anything they import. It runs go list -deps.
func TestLibraryDoesNotLinkPlot(t *testing.T) {
	goTool := filepath.Join(runtime.GOROOT(), "bin", "go")
	if _, err := exec.LookPath(goTool); err != nil {
		if goTool, err = exec.LookPath("go"); err != nil {
			t.Skip("no go command to list dependencies with")
		}
	}
	const mod = "github.com/golem-ml/golem"
	lean := []string{mod, mod + "/fit", mod + "/timeseries", mod + "/layers", mod + "/losses", mod + "/optim", mod + "/graph"}
	out, err := exec.Command(goTool, "list", "-e", "-f", "{{.ImportPath}}", mod+"/internal/...").Output()
	if err != nil {
		t.Fatalf("go list internal/...: %v", err)
	}
	lean = append(lean, strings.Fields(string(out))...)
	for _, pkg := range lean {
		out, err := exec.Command(goTool, "list", "-deps", "-f", "{{.ImportPath}}", pkg).CombinedOutput()
		if err != nil {
			t.Fatalf("go list -deps %s: %v\n%s", pkg, err, out)
		}
		deps := strings.Fields(string(out))
		if len(deps) == 0 || deps[len(deps)-1] != pkg {
			t.Fatalf("go list -deps %s listed %d packages, the last %q", pkg, len(deps), deps[len(deps)-1])
		}
		for _, d := range deps {
			if d == "gonum.org/v1/plot" || strings.HasPrefix(d, "gonum.org/v1/plot/") || d == mod+"/plots" {
				t.Errorf("%s depends on %s", pkg, d)
			}
		}
	}
	// And the check sees a dependency where there is one.
	out, err = exec.Command(goTool, "list", "-deps", "-f", "{{.ImportPath}}", mod+"/plots").Output()
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(out), "gonum.org/v1/plot\n") {
		t.Error("go list -deps of package plots does not list gonum.org/v1/plot: the check above proves nothing")
	}
}
