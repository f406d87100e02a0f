package plots

import (
	"errors"
	"fmt"
	"image/color"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	_ "gonum.org/v1/plot/vg/vgimg" // registers png, jpg, tiff
	_ "gonum.org/v1/plot/vg/vgpdf" // registers pdf
	_ "gonum.org/v1/plot/vg/vgsvg" // registers svg
)

// The colours golem's plots share: training, targets, curves and stems
// blue; test, outputs and limits red; validation green.
var (
	blue  = color.RGBA{R: 30, G: 90, B: 200, A: 255}
	red   = color.RGBA{R: 210, G: 40, B: 40, A: 255}
	green = color.RGBA{G: 150, B: 60, A: 255}
	ink   = color.RGBA{R: 30, G: 30, B: 30, A: 255}
	grey  = color.RGBA{R: 90, G: 90, B: 90, A: 255}
)

// palette is the colour cycle behind Color.
var palette = []color.RGBA{
	blue, red, green,
	{R: 230, G: 140, A: 255},        // orange
	{R: 120, G: 50, B: 170, A: 255}, // purple
	{G: 160, B: 170, A: 255},        // teal
	{R: 150, G: 90, B: 40, A: 255},  // brown
	{R: 220, G: 90, B: 170, A: 255}, // pink
	grey,                            //
	{R: 150, G: 160, A: 255},        // olive
}

// Color returns the i-th colour of the cycle golem's plots draw series in
// (blue, red, green, orange, purple, teal, brown, pink, grey, olive, then
// again from blue); a negative i counts from the end.
func Color(i int) color.Color {
	n := len(palette)
	return palette[((i%n)+n)%n]
}

// LogY puts p's y axis on a log scale with LogTicks.
func LogY(p *plot.Plot) {
	p.Y.Scale = plot.LogScale{}
	p.Y.Tick.Marker = LogTicks{}
}

// LogTicks labels a log axis at powers of ten, to three significant
// digits (1e-05 rather than 9.999999999999999e-06). The axis range must be
// positive, as for plot.LogTicks.
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

// Save writes p to path, width × height, in the format its extension
// names (.png, .jpg, .svg, .pdf; bitmaps at 96 dots per inch), creating
// the folder. An unknown extension is an error and writes nothing.
func Save(p *plot.Plot, path string, width, height vg.Length) error {
	padLogRange(p)
	return write(path, width, height, func(c draw.Canvas) error {
		p.Draw(c)
		return nil
	})
}

// SaveGrid draws the plots of grid in rows and columns, their axes
// aligned, on one image of width × height and writes it to path as Save
// does. A nil plot leaves its tile empty.
func SaveGrid(path string, grid [][]*plot.Plot, width, height vg.Length) error {
	cols := 0
	for _, row := range grid {
		cols = max(cols, len(row))
	}
	if len(grid) == 0 || cols == 0 {
		return errors.New("plots: SaveGrid: no plots")
	}
	for _, row := range grid {
		for _, p := range row {
			if p != nil {
				padLogRange(p)
			}
		}
	}
	return write(path, width, height, func(c draw.Canvas) error {
		tiles := draw.Tiles{Rows: len(grid), Cols: cols, PadX: vg.Points(20), PadY: vg.Points(10),
			PadTop: vg.Points(5), PadBottom: vg.Points(5), PadLeft: vg.Points(5), PadRight: vg.Points(10)}
		for r, cs := range plot.Align(grid, tiles, c) {
			for j, p := range grid[r] {
				if p != nil {
					p.Draw(cs[j])
				}
			}
		}
		return nil
	})
}

// padLogRange widens a log axis over a single value (a History of one
// epoch, say) to a decade either side: gonum/plot would widen it by ±1,
// below 0, and panic.
func padLogRange(p *plot.Plot) {
	for _, a := range []*plot.Axis{&p.X, &p.Y} {
		if _, ok := a.Scale.(plot.LogScale); !ok || a.Min < a.Max {
			continue
		}
		v := a.Max
		if !(v > 0) {
			v = 1
		}
		a.Min, a.Max = v/10, v*10
	}
}

// saveColumn stacks panels in one column, aligned, 8 inches wide and 2.6
// inches a panel (4.5 inches for one alone): the layout of golem's
// multi-panel plots.
func saveColumn(path string, panels []*plot.Plot) error {
	height := vg.Length(len(panels)) * 2.6 * vg.Inch
	if len(panels) == 1 {
		height = 4.5 * vg.Inch
	}
	grid := make([][]*plot.Plot, len(panels))
	for i, p := range panels {
		grid[i] = []*plot.Plot{p}
	}
	return SaveGrid(path, grid, 8*vg.Inch, height)
}

// write draws on a canvas of the format path's extension names and writes
// it to path, creating its folder; nothing is written when the format is
// unknown or drawing fails, and a file that fails half-way is removed.
func write(path string, width, height vg.Length, drawOn func(draw.Canvas) error) error {
	format := strings.TrimPrefix(strings.ToLower(filepath.Ext(path)), ".")
	c, err := draw.NewFormattedCanvas(width, height, format)
	if err != nil {
		return fmt.Errorf("plots: %s: %w (use .png, .jpg, .svg or .pdf)", path, err)
	}
	if err := drawSafely(path, c, drawOn); err != nil {
		return err
	}
	if dir := filepath.Dir(path); dir != "" {
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return fmt.Errorf("plots: %w", err)
		}
	}
	f, err := os.Create(path)
	if err != nil {
		return fmt.Errorf("plots: %w", err)
	}
	if _, err := c.WriteTo(f); err != nil {
		f.Close()
		os.Remove(path)
		return fmt.Errorf("plots: %s: %w", path, err)
	}
	if err := f.Close(); err != nil {
		os.Remove(path)
		return fmt.Errorf("plots: %s: %w", path, err)
	}
	return nil
}

// drawSafely runs drawOn, turning a panic of gonum/plot on degenerate data
// into an error naming the file, so that a plot never takes its caller
// down.
func drawSafely(path string, c vg.CanvasWriterTo, drawOn func(draw.Canvas) error) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("plots: drawing %s: %v", path, r)
		}
	}()
	return drawOn(draw.New(c))
}
