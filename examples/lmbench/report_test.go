package main

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"
)

// TestReportTeesStdout: with -out DIR, what lmbench prints also lands in
// DIR/lmbench.txt (DIR created if missing), and standard output is given
// back afterwards.
func TestReportTeesStdout(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "new", "out")
	stdout := os.Stdout
	rep, err := startReport(dir)
	if err != nil {
		t.Fatal(err)
	}
	fmt.Printf("W1   a row %d\n", 42)
	if err := rep.close(); err != nil {
		t.Fatal(err)
	}
	if os.Stdout != stdout {
		t.Fatal("os.Stdout was not restored")
	}
	got, err := os.ReadFile(filepath.Join(dir, "lmbench.txt"))
	if err != nil {
		t.Fatal(err)
	}
	if string(got) != "W1   a row 42\n" {
		t.Fatalf("lmbench.txt holds %q", got)
	}
	if err := rep.finish(); err != nil { // a second finish is harmless
		t.Fatal(err)
	}
}
