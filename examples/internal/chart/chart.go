// Package chart holds the small plotting helpers the examples share, so
// that each example reads as a tutorial about golem rather than about
// gonum/plot. The pieces that are not example-specific — saving by
// extension, tiling, log axes, the colour cycle — are in package plots,
// which these build on.
package chart

import (
	"fmt"
	"image/png"
	"math"
	"os"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"

	"github.com/golem-ml/golem/plots"
)

// Series is one named line or set of points.
type Series struct {
	Name string
	X, Y []float64
}

// OutDir creates dir (and its parents) and returns it.
func OutDir(dir string) (string, error) {
	if dir == "" {
		dir = "out"
	}
	return dir, os.MkdirAll(dir, 0o755)
}

// New returns a plot with a title, axis labels and a grid.
func New(title, xlabel, ylabel string) *plot.Plot {
	p := plot.New()
	p.Title.Text = title
	p.X.Label.Text = xlabel
	p.Y.Label.Text = ylabel
	p.Add(plotter.NewGrid())
	return p
}

// AddLines draws each series as a line, with a legend entry; on a log
// axis non-positive values are clamped to the smallest positive float.
// Colours follow plots.Color from its start on every call: pass all the
// series that share a plot in one call.
func AddLines(p *plot.Plot, series ...Series) error {
	for i, s := range series {
		xy := make(plotter.XYs, len(s.X))
		for j := range s.X {
			y := s.Y[j]
			if _, log := p.Y.Scale.(plot.LogScale); log {
				y = math.Max(y, 1e-300)
			}
			xy[j] = plotter.XY{X: s.X[j], Y: y}
		}
		line, err := plotter.NewLine(xy)
		if err != nil {
			return fmt.Errorf("%s: %w", s.Name, err)
		}
		line.Color, line.Width = plots.Color(i), vg.Points(1.6)
		p.Add(line)
		if s.Name != "" {
			p.Legend.Add(s.Name, line)
		}
	}
	return nil
}

// AddPoints draws each series as points, with a legend entry; colours
// restart at plots.Color(0) on every call, as in AddLines.
func AddPoints(p *plot.Plot, series ...Series) error {
	for i, s := range series {
		xy := make(plotter.XYs, len(s.X))
		for j := range s.X {
			xy[j] = plotter.XY{X: s.X[j], Y: s.Y[j]}
		}
		sc, err := plotter.NewScatter(xy)
		if err != nil {
			return fmt.Errorf("%s: %w", s.Name, err)
		}
		sc.GlyphStyle.Color = plots.Color(i)
		p.Add(sc)
		if s.Name != "" {
			p.Legend.Add(s.Name, sc)
		}
	}
	return nil
}

// Save writes p with plots.Save at the given size in inches (7 × 4.5
// when 0).
func Save(p *plot.Plot, path string, width, height float64) error {
	if width == 0 {
		width, height = 7, 4.5
	}
	return plots.Save(p, path, vg.Length(width)*vg.Inch, vg.Length(height)*vg.Inch)
}

// CheckPNG reports whether path holds a decodable PNG at least minWidth
// pixels wide; the examples' tests use it.
func CheckPNG(path string, minWidth int) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	img, err := png.Decode(f)
	if err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	if w := img.Bounds().Dx(); w < minWidth {
		return fmt.Errorf("%s: %d pixels wide, want ≥ %d", path, w, minWidth)
	}
	return nil
}
