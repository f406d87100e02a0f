package plots

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/vg"
)

// TestSave: the format follows the extension; an unknown one is an error
// that writes nothing, folder included; SaveGrid tiles plots.
func TestSave(t *testing.T) {
	dir := t.TempDir()
	p := plot.New()
	p.Title.Text = "x"
	svg := filepath.Join(dir, "a", "p.svg")
	if err := Save(p, svg, 3*vg.Inch, 2*vg.Inch); err != nil {
		t.Fatal(err)
	}
	if b, err := os.ReadFile(svg); err != nil || !strings.Contains(string(b), "<svg") {
		t.Errorf("p.svg: %v, %.40q", err, b)
	}
	png := filepath.Join(dir, "p.png")
	if err := Save(p, png, 3*vg.Inch, 2*vg.Inch); err != nil {
		t.Fatal(err)
	}
	decodePNG(t, png, inches(3), inches(2))
	bad := filepath.Join(dir, "b", "p.xyz")
	if err := Save(p, bad, vg.Inch, vg.Inch); err == nil || !strings.Contains(err.Error(), `unsupported format: "xyz"`) {
		t.Errorf("unknown extension: %v", err)
	}
	noFile(t, filepath.Dir(bad))

	grid := filepath.Join(dir, "grid.png")
	if err := SaveGrid(grid, [][]*plot.Plot{{plot.New(), plot.New()}, {plot.New(), nil}}, 6*vg.Inch, 4*vg.Inch); err != nil {
		t.Fatal(err)
	}
	decodePNG(t, grid, inches(6), inches(4))
	if err := SaveGrid(grid, nil, vg.Inch, vg.Inch); err == nil {
		t.Error("an empty grid: no error")
	}
}

// TestColorAndLogTicks: the cycle wraps both ways; log labels are rounded
// powers of ten.
func TestColorAndLogTicks(t *testing.T) {
	if Color(0) != Color(10) || Color(-1) != Color(9) || Color(0) == Color(1) || Color(0) != blue || Color(1) != red {
		t.Error("Color does not cycle through blue, red, ... every 10")
	}
	var labels []string
	for _, tk := range (LogTicks{}).Ticks(1e-6, 1e-3) {
		if tk.Label != "" {
			labels = append(labels, tk.Label)
		}
	}
	if got := strings.Join(labels, " "); got != "1e-06 1e-05 0.0001 0.001" {
		t.Errorf("labels %q", got)
	}
}
