package timeseries

import (
	"image"
	"image/png"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"gonum.org/v1/gonum/mat"
)

// decodePNG opens path as a PNG and counts its pixels close to the
// colours c.
func decodePNG(t *testing.T, path string, want ...[3]uint8) (image.Image, []int) {
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
	counts := make([]int, len(want))
	b := img.Bounds()
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			r, g, bl, _ := img.At(x, y).RGBA()
			for i, c := range want {
				if absDiff(r>>8, c[0]) < 30 && absDiff(g>>8, c[1]) < 30 && absDiff(bl>>8, c[2]) < 30 {
					counts[i]++
				}
			}
		}
	}
	return img, counts
}

func absDiff(a uint32, b uint8) uint32 {
	if a > uint32(b) {
		return a - uint32(b)
	}
	return uint32(b) - a
}

var (
	blue = [3]uint8{30, 90, 200}
	red  = [3]uint8{210, 40, 40}
)

func TestPlotResponse(t *testing.T) {
	u, y := simulateARX(120, 0.05, 9)
	a, err := FitARX(u, y, []int{1, 2}, []int{1, 2})
	if err != nil {
		t.Fatal(err)
	}
	w, err := Prepare(u, y, []int{1, 2}, []int{1, 2})
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	if d := os.Getenv("TS_PLOT_DIR"); d != "" { // to look at the plots: TS_PLOT_DIR=/tmp/plots go test -run Plot
		dir = d
	}
	path := filepath.Join(dir, "sub", "response.png")
	if err := PlotResponse(path, w.Times, w.T, a.Predict(w.X), "Training"); err != nil {
		t.Fatal(err)
	}
	img, counts := decodePNG(t, path, blue, red)
	// Two channels and the errors: three panels of 2.6 in at 96 dpi.
	if b := img.Bounds(); b.Dx() != 768 || b.Dy() != panelsHeight(3) {
		t.Errorf("image is %v", b)
	}
	if counts[0] < 60 || counts[1] < 2000 { // the outputs line covers the targets but for their points
		t.Errorf("targets (blue) %d pixels, outputs (red) %d", counts[0], counts[1])
	}
	// More than 4 channels: 4 panels and the errors.
	wide := mat.NewDense(10, 6, nil)
	for i := 0; i < 10; i++ {
		for j := 0; j < 6; j++ {
			wide.Set(i, j, math.Sin(float64(i+j)))
		}
	}
	times := []int{0, 1, 2, 3, 4, 5, 6, 7, 8, 9}
	path = filepath.Join(dir, "wide.png")
	if err := PlotResponse(path, times, wide, wide, ""); err != nil {
		t.Fatal(err)
	}
	if img, _ := decodePNG(t, path); img.Bounds().Dy() != panelsHeight(5) {
		t.Errorf("6 channels: image is %v, want 5 panels", img.Bounds())
	}

	nan := mat.DenseCopyOf(wide)
	nan.Set(3, 2, math.NaN())
	for _, c := range []struct {
		name  string
		times []int
		t, o  mat.Matrix
		want  string
	}{
		{"times", times[:9], wide, wide, "9 times for 10 rows"},
		{"shapes", times, wide, wide.Slice(0, 10, 0, 5), "targets are 10×6, outputs 10×5"},
		{"rows", times, wide, wide.Slice(0, 9, 0, 6), "targets are 10×6, outputs 9×6"},
		{"nil", times, nil, wide, "nil"},
		{"NaN", times, wide, nan, "outputs has NaN at row 3, column 2"},
	} {
		if err := PlotResponse(filepath.Join(dir, "bad.png"), c.times, c.t, c.o, ""); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: error %v, want one containing %q", c.name, err, c.want)
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "bad.png")); err == nil {
		t.Error("a failed PlotResponse wrote a file")
	}
}

func TestPlotCorrelations(t *testing.T) {
	n := 200
	e, u := make([]float64, n), make([]float64, n)
	for i := range e {
		e[i] = math.Sin(float64(i) / 5)
		u[i] = math.Cos(float64(i) / 7)
	}
	dir := t.TempDir()
	if d := os.Getenv("TS_PLOT_DIR"); d != "" {
		dir = d
	}
	path := filepath.Join(dir, "errcorr.png")
	if err := PlotErrorAutocorrelation(path, e, 20); err != nil {
		t.Fatal(err)
	}
	img, counts := decodePNG(t, path, blue, red)
	if b := img.Bounds(); b.Dx() != 768 || b.Dy() != 432 {
		t.Errorf("image is %v", b)
	}
	if counts[0] < 300 || counts[1] < 300 {
		t.Errorf("stems (blue) %d pixels, limits (red) %d", counts[0], counts[1])
	}
	path = filepath.Join(dir, "inerrcorr.png")
	if err := PlotInputErrorCrossCorrelation(path, u, e, 20); err != nil {
		t.Fatal(err)
	}
	if _, counts := decodePNG(t, path, blue, red); counts[0] < 300 || counts[1] < 300 {
		t.Errorf("cross-correlation: stems %d pixels, limits %d", counts[0], counts[1])
	}

	bad := filepath.Join(dir, "bad.png")
	for _, err := range []error{
		PlotErrorAutocorrelation(bad, nil, 0),
		PlotErrorAutocorrelation(bad, e, n),
		PlotErrorAutocorrelation(bad, []float64{1, math.NaN(), 2}, 1),
		PlotInputErrorCrossCorrelation(bad, u[:10], e, 5),
		PlotInputErrorCrossCorrelation(bad, nil, nil, 0),
		PlotInputErrorCrossCorrelation(bad, u, e, n),
	} {
		if err == nil {
			t.Error("bad input plotted without an error")
		}
	}
	if _, err := os.Stat(bad); err == nil {
		t.Error("a failed plot wrote a file")
	}
}

// panelsHeight is the height in pixels of n stacked panels of 2.6 in at
// vgimg's 96 dpi.
func panelsHeight(n int) int { return int(math.Round(float64(n) * 2.6 * 96)) }
