package golem_test

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// readmeBlock returns the fenced code block of README.md between the
// <!-- NAME:begin --> and <!-- NAME:end --> marks, without its fences.
func readmeBlock(t *testing.T, name string) string {
	t.Helper()
	readme, err := os.ReadFile("README.md")
	if err != nil {
		t.Fatal(err)
	}
	begin, end := "<!-- "+name+":begin -->\n", "<!-- "+name+":end -->"
	i, j := bytes.Index(readme, []byte(begin)), bytes.Index(readme, []byte(end))
	if i < 0 || j < i {
		t.Fatalf("README.md has no %q … %q block", begin, end)
	}
	block := strings.TrimSpace(string(readme[i+len(begin) : j]))
	lines := strings.Split(block, "\n")
	if len(lines) < 2 || !strings.HasPrefix(lines[0], "```") || lines[len(lines)-1] != "```" {
		t.Fatalf("the %s block of README.md is not one fenced code block", name)
	}
	return strings.Join(lines[1:len(lines)-1], "\n") + "\n"
}

// TestReadmeQuickStart builds the README's quick start, verbatim, as the
// main.go of a fresh module that requires github.com/golem-ml/golem (with a
// replace to this checkout, as the module is not published yet), and runs
// it. The checkout's go.sum comes along and the module cache is the
// environment's, so nothing new is downloaded; GOFLAGS gains -mod=mod,
// which lets go add the requirements a user's go get would.
func TestReadmeQuickStart(t *testing.T) {
	goBin, err := exec.LookPath("go")
	if err != nil {
		t.Skip("no go command on PATH:", err)
	}
	checkout, err := filepath.Abs(".")
	if err != nil {
		t.Fatal(err)
	}
	sum, err := os.ReadFile("go.sum")
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	mod := "module quickstart\n\ngo 1.26\n\nrequire github.com/golem-ml/golem v0.0.0\n\nreplace github.com/golem-ml/golem => " + checkout + "\n"
	for name, data := range map[string][]byte{"go.mod": []byte(mod), "go.sum": sum, "main.go": []byte(readmeBlock(t, "quickstart"))} {
		if err := os.WriteFile(filepath.Join(dir, name), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, goBin, "run", ".")
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "GOFLAGS="+strings.TrimSpace(os.Getenv("GOFLAGS")+" -mod=mod"), "GOWORK=off")
	start := time.Now()
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("go run of the README quick start in a fresh module: %v\n%s", err, out)
	}
	t.Logf("go run took %v:\n%s", time.Since(start).Round(time.Millisecond), out)
	for _, want := range []string{"LM iterations (stop: ", "loaded model, same loss: true"} {
		if !strings.Contains(string(out), want) {
			t.Errorf("the quick start printed\n%s\nwithout %q", out, want)
		}
	}
}
