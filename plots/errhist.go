package plots

import (
	"fmt"
	"image/color"
	"math"

	"gonum.org/v1/gonum/mat"
	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"

	"github.com/golem-ml/golem"
)

// DefaultBins is ErrorHistogram's number of bins when given 0, as
// MATLAB's ploterrhist.
const DefaultBins = 20

// zeroColor draws ErrorHistogram's zero-error line (MATLAB's is orange).
var zeroColor = color.RGBA{R: 230, G: 140, A: 255}

// Split names a subset of the samples, rows of the targets and outputs,
// that ErrorHistogram colours apart.
type Split struct {
	Name string // the legend's name: "Training", "Validation", "Test"
	Rows []int  // row indices into targets and outputs
}

// Splits returns the training, validation and test samples of a Fit run
// with FitConfig.Division (History.TrainIndex, ValIndex, TestIndex), those
// that are not empty, named as MATLAB names them; nil without a division.
func Splits(h *golem.History) []Split {
	if h == nil {
		return nil
	}
	var s []Split
	for _, p := range []Split{{"Training", h.TrainIndex}, {"Validation", h.ValIndex}, {"Test", h.TestIndex}} {
		if len(p.Rows) > 0 {
			s = append(s, p)
		}
	}
	return s
}

// ErrorBins is a histogram of errors, targets − outputs, in equal-width
// bins from the smallest error to the largest (±0.5 around it when all
// are equal), as numpy.histogram bins them: each bin holds the errors in
// [Edges[b], Edges[b+1]), the last the errors in [Edges[bins-1],
// Edges[bins]].
type ErrorBins struct {
	Edges  []float64 // bins+1 edges, increasing
	Names  []string  // one per set: the splits' names, or "Errors" without splits
	Counts [][]int   // Counts[s][b] errors of set s in bin b
}

// Centers returns the middle of each bin.
func (e *ErrorBins) Centers() []float64 {
	c := make([]float64, len(e.Edges)-1)
	for i := range c {
		c[i] = (e.Edges[i] + e.Edges[i+1]) / 2
	}
	return c
}

// BinErrors counts the errors targets − outputs, every column of every
// sample, in bins (DefaultBins when 0) equal-width bins: one set of counts
// for all samples, or one per split over the rows it names (a row in two
// splits counts in both; rows in none are left out, and so is their range).
// It fails on nil, empty, non-finite or mismatched matrices, on bins < 0,
// and on a split with no rows or a row out of range.
func BinErrors(targets, outputs mat.Matrix, bins int, splits ...Split) (*ErrorBins, error) {
	if bins == 0 {
		bins = DefaultBins
	}
	if bins < 0 {
		return nil, fmt.Errorf("plots: BinErrors: %d bins, want ≥ 1 (0 means %d)", bins, DefaultBins)
	}
	n, k, err := samePair(targets, outputs, "outputs")
	if err != nil {
		return nil, fmt.Errorf("plots: BinErrors: %w", err)
	}
	if len(splits) == 0 {
		all := make([]int, n)
		for i := range all {
			all[i] = i
		}
		splits = []Split{{Name: "Errors", Rows: all}}
	}
	sets := make([][]float64, len(splits))
	lo, hi := math.Inf(1), math.Inf(-1)
	for s, sp := range splits {
		if len(sp.Rows) == 0 {
			return nil, fmt.Errorf("plots: BinErrors: split %d (%q) has no rows", s, sp.Name)
		}
		for _, i := range sp.Rows {
			if i < 0 || i >= n {
				return nil, fmt.Errorf("plots: BinErrors: split %q names row %d of %d", sp.Name, i, n)
			}
			for j := 0; j < k; j++ {
				e := targets.At(i, j) - outputs.At(i, j)
				sets[s] = append(sets[s], e)
				lo, hi = math.Min(lo, e), math.Max(hi, e)
			}
		}
	}
	if lo == hi {
		lo, hi = lo-0.5, hi+0.5
	}
	h := &ErrorBins{Edges: make([]float64, bins+1), Counts: make([][]int, len(sets))}
	for b := range h.Edges {
		h.Edges[b] = lo + float64(b)*((hi-lo)/float64(bins)) // numpy.linspace's rounding
	}
	h.Edges[bins] = hi
	for s, errs := range sets {
		h.Names = append(h.Names, splits[s].Name)
		h.Counts[s] = make([]int, bins)
		for _, e := range errs {
			h.Counts[s][h.bin(e)]++
		}
	}
	return h, nil
}

// bin is the bin of e, which lies within the edges.
func (h *ErrorBins) bin(e float64) int {
	bins := len(h.Edges) - 1
	lo, hi := h.Edges[0], h.Edges[bins]
	b := int((e - lo) * (float64(bins) / (hi - lo))) // numpy.histogram's rounding
	b = max(0, min(b, bins-1))
	// The division can land one bin off an edge; the edges decide.
	if b > 0 && e < h.Edges[b] {
		b--
	} else if b < bins-1 && e >= h.Edges[b+1] {
		b++
	}
	return b
}

// ErrorHistogram writes MATLAB's ploterrhist of the errors targets −
// outputs to path (7 × 4.5 inches; the format by path's extension, as
// Save): BinErrors's bins as bars, stacked by split in blue, green and red
// for the first three (as MATLAB colours training, validation and test),
// and a vertical line at zero error. Pass Splits(history) to colour a Fit
// run's division. It fails where BinErrors does.
func ErrorHistogram(path string, targets, outputs mat.Matrix, bins int, splits ...Split) error {
	h, err := BinErrors(targets, outputs, bins, splits...)
	if err != nil {
		return fmt.Errorf("plots: ErrorHistogram: %w", err)
	}
	nb := len(h.Edges) - 1
	p := plot.New()
	p.Title.Text = fmt.Sprintf("Error histogram with %d bins", nb)
	p.X.Label.Text = "errors = targets − outputs"
	p.Y.Label.Text = "instances"
	p.Add(plotter.NewGrid())
	// Stacked bars: each set's bar stands on the sets before it, so draw
	// the running totals from the tallest down.
	top := 0
	totals := make([][]int, len(h.Counts))
	for s := range h.Counts {
		totals[s] = make([]int, nb)
		for b := range totals[s] {
			totals[s][b] = h.Counts[s][b]
			if s > 0 {
				totals[s][b] += totals[s-1][b]
			}
			top = max(top, totals[s][b])
		}
	}
	bars := make([]*plotter.Histogram, len(totals))
	for s := len(totals) - 1; s >= 0; s-- {
		hb := make([]plotter.HistogramBin, nb)
		for b := range hb {
			hb[b] = plotter.HistogramBin{Min: h.Edges[b], Max: h.Edges[b+1], Weight: float64(totals[s][b])}
		}
		bar := &plotter.Histogram{Bins: hb, Width: h.Edges[1] - h.Edges[0], FillColor: splitColor(s), LineStyle: plotter.DefaultLineStyle}
		bar.LineStyle.Width = vg.Points(0.5)
		bars[s] = bar
		p.Add(bar)
	}
	for s, bar := range bars {
		p.Legend.Add(h.Names[s], bar)
	}
	p.Y.Min, p.Y.Max = 0, math.Ceil(1.3*float64(top)) // room for the legend above the bars
	zero, err := plotter.NewLine(plotter.XYs{{X: 0, Y: 0}, {X: 0, Y: p.Y.Max}})
	if err != nil {
		return fmt.Errorf("plots: ErrorHistogram: %w", err)
	}
	zero.Color, zero.Width = zeroColor, vg.Points(2)
	p.Add(zero)
	p.Legend.Add("zero error", zero)
	p.Legend.Top = true
	return Save(p, path, 7*vg.Inch, 4.5*vg.Inch)
}

// splitColor is the bars' colour of split s: blue, green, red (MATLAB's
// training, validation, test), then the rest of the cycle.
func splitColor(s int) color.Color {
	switch s {
	case 0:
		return blue
	case 1:
		return green
	case 2:
		return red
	}
	return Color(s + 1)
}
