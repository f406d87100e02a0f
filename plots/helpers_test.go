package plots

import (
	"image"
	"image/png"
	"math"
	"os"
	"path/filepath"
	"testing"
)

// decodePNG opens path as a PNG, checks it is width × height pixels, and
// counts its pixels within 30 per channel of each colour in want.
func decodePNG(t *testing.T, path string, width, height int, want ...[3]uint8) []int {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	img, err := png.Decode(f)
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	if b := img.Bounds(); b.Dx() != width || b.Dy() != height {
		t.Errorf("%s is %d×%d pixels, want %d×%d", filepath.Base(path), b.Dx(), b.Dy(), width, height)
	}
	keep(t, path)
	return countColors(img, want...)
}

func countColors(img image.Image, want ...[3]uint8) []int {
	counts := make([]int, len(want))
	b := img.Bounds()
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			r, g, bl, _ := img.At(x, y).RGBA()
			for i, c := range want {
				if near(r>>8, c[0]) && near(g>>8, c[1]) && near(bl>>8, c[2]) {
					counts[i]++
				}
			}
		}
	}
	return counts
}

func near(a uint32, b uint8) bool {
	d := int(a) - int(b)
	return d > -30 && d < 30
}

// inches is a length in inches as vgimg's pixels at 96 dots per inch.
func inches(in float64) int { return int(math.Round(in * 96)) }

// Colours the tests look for.
var (
	bluePx  = [3]uint8{30, 90, 200}
	redPx   = [3]uint8{210, 40, 40}
	greenPx = [3]uint8{0, 150, 60}
)

// keep copies path to $GOLEM_KEEP_PLOTS, when set, for a look by eye.
func keep(t *testing.T, path string) {
	dir := os.Getenv("GOLEM_KEEP_PLOTS")
	if dir == "" {
		return
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, filepath.Base(path)), b, 0o644); err != nil {
		t.Fatal(err)
	}
}

// noFile fails when path exists: a plot that failed wrote something.
func noFile(t *testing.T, path string) {
	t.Helper()
	if _, err := os.Stat(path); err == nil {
		t.Errorf("%s was written by a failed call", path)
	}
}
