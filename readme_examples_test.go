package golem_test

import (
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// TestReadmeListsEveryExample: the README's example table names exactly
// the programs under examples/ (each folder with a main.go), and the count
// it gives in words is theirs.
func TestReadmeListsEveryExample(t *testing.T) {
	mains, err := filepath.Glob(filepath.Join("examples", "*", "main.go"))
	if err != nil {
		t.Fatal(err)
	}
	var dirs []string
	for _, m := range mains {
		dirs = append(dirs, filepath.Base(filepath.Dir(m)))
	}
	slices.Sort(dirs)

	readme, err := os.ReadFile("README.md")
	if err != nil {
		t.Fatal(err)
	}
	text := string(readme)
	i := strings.Index(text, "\n## Examples\n")
	if i < 0 {
		t.Fatal("README.md has no Examples section")
	}
	section := text[i+1:]
	if j := strings.Index(section[3:], "\n## "); j >= 0 {
		section = section[:j+3]
	}
	var listed []string
	for _, m := range regexp.MustCompile("(?m)^\\| `([a-z0-9_-]+)` \\|").FindAllStringSubmatch(section, -1) {
		listed = append(listed, m[1])
	}
	slices.Sort(listed)
	if !slices.Equal(dirs, listed) {
		t.Errorf("README's example table lists %v; examples/ holds %v", listed, dirs)
	}

	words := []string{"zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten",
		"eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen", "nineteen", "twenty"}
	counts := regexp.MustCompile(`\b([a-z]+|\d+)\s+example\s+programs\b`).FindAllStringSubmatch(text, -1)
	if len(counts) == 0 {
		t.Fatal(`README.md gives no count of "example programs"`)
	}
	for _, c := range counts {
		if want := len(dirs); c[1] != itoaWord(want, words) {
			t.Errorf("README.md says %q; examples/ holds %d programs", c[0], want)
		}
	}
}

// itoaWord writes n as the README does: in words up to twenty, else in
// digits.
func itoaWord(n int, words []string) string {
	if n < len(words) {
		return words[n]
	}
	return strconv.Itoa(n)
}
