// Package plots holds the small plotting helpers the examples share, so that
// each example reads as a tutorial about golem rather than about gonum/plot.
package plots

import (
	"fmt"
	"image/color"
	"image/png"
	"math"
	"os"
	"path/filepath"
	"strconv"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
)

// Series is one named line or set of points.
type Series struct {
	Name string
	X, Y []float64
}

// Palette is the examples' colour cycle.
var Palette = []color.Color{
	color.RGBA{R: 200, G: 40, B: 40, A: 255},
	color.RGBA{R: 30, G: 90, B: 200, A: 255},
	color.RGBA{G: 140, B: 60, A: 255},
	color.RGBA{R: 230, G: 140, A: 255},
	color.RGBA{R: 120, G: 50, B: 170, A: 255},
	color.RGBA{G: 160, B: 170, A: 255},
	color.RGBA{R: 150, G: 90, B: 40, A: 255},
	color.RGBA{R: 220, G: 90, B: 170, A: 255},
	color.RGBA{R: 90, G: 90, B: 90, A: 255},
	color.RGBA{R: 150, G: 160, A: 255},
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

// LogY puts the y axis on a log scale, labelling powers of ten.
func LogY(p *plot.Plot) {
	p.Y.Scale = plot.LogScale{}
	p.Y.Tick.Marker = LogTicks{}
}

// LogTicks labels a log axis at powers of ten, rounded (1e-05 rather than
// 9.999999999999999e-06).
type LogTicks struct{}

// Ticks implements plot.Ticker.
func (LogTicks) Ticks(min, max float64) []plot.Tick {
	ticks := plot.LogTicks{Prec: -1}.Ticks(min, max)
	for i, t := range ticks {
		if t.Label != "" {
			ticks[i].Label = strconv.FormatFloat(t.Value, 'g', 3, 64)
		}
	}
	return ticks
}

// AddLines draws each series as a line, with a legend entry; on a log
// axis non-positive values are clamped to the smallest positive float.
// Colours follow Palette from its start on every call: pass all the series
// that share a plot in one call.
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
		line.Color, line.Width = Palette[i%len(Palette)], vg.Points(1.6)
		p.Add(line)
		if s.Name != "" {
			p.Legend.Add(s.Name, line)
		}
	}
	return nil
}

// AddPoints draws each series as points, with a legend entry; colours
// restart at Palette[0] on every call, as in AddLines.
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
		sc.GlyphStyle.Color = Palette[i%len(Palette)]
		p.Add(sc)
		if s.Name != "" {
			p.Legend.Add(s.Name, sc)
		}
	}
	return nil
}

// Save writes p as a PNG of the given size in inches (7 × 4.5 when 0),
// creating the directory.
func Save(p *plot.Plot, path string, width, height float64) error {
	if width == 0 {
		width, height = 7, 4.5
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	return p.Save(vg.Length(width)*vg.Inch, vg.Length(height)*vg.Inch, path)
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
