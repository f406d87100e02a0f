package plots

import (
	"fmt"
	"image/color"
	"math"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/font"
	"gonum.org/v1/plot/text"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"

	"github.com/golem-ml/golem"
)

// confusionSide is the side, in inches, of Confusion's square image
// for k classes.
func confusionSide(k int) vg.Length {
	return vg.Length(math.Max(6, 1.5+0.5*float64(k+1))) * vg.Inch
}

var (
	confusionRight  = color.RGBA{G: 150, B: 70, A: 255}        // correct: the diagonal, recall and precision
	confusionWrong  = color.RGBA{R: 205, G: 40, B: 40, A: 255} // errors: off the diagonal
	confusionMargin = color.RGBA{R: 238, G: 238, B: 238, A: 255}
	confusionTotal  = color.RGBA{R: 200, G: 212, B: 230, A: 255}
	confusionGrid   = color.RGBA{R: 150, G: 150, B: 150, A: 255}
)

// Confusion writes the confusion matrix of actual against predicted labels
// (golem.ConfusionMatrix) to path, like MATLAB's plotconfusion but with scikit-learn's
// orientation: row i is the true class classes[i], column j the predicted
// class classes[j]. Each cell shows its count and its share of all
// samples; a non-empty cell is tinted green on the diagonal and red off it,
// from 20 % of full colour upwards in proportion to its share of its row,
// and an empty cell shows a grey 0 alone, so that single errors stand out.
// The extra column on the right gives each true class's recall (the share
// of its samples predicted correctly, green) and miss rate (red); the extra
// row at the bottom each predicted class's precision and false discovery
// rate ("n/a" for a class never predicted); the corner the overall
// accuracy and error rate. The image is square, max(6, 1.5 + 0.5·(K+1))
// inches on a side at 96 dots per inch for K classes (576×576 pixels up to
// K = 8, 672×672 for 10), in the format path's extension names, as Save.
// Labels must lie in 0..len(classes)-1; errors are as
// golem.ConfusionMatrix's, and an empty set of samples or class names too long to leave room for the
// cells are errors too.
func Confusion(path string, actual, predicted []int, classes []string) error {
	k := len(classes)
	c, err := golem.ConfusionMatrix(actual, predicted, k)
	if err != nil {
		return fmt.Errorf("plots: Confusion: %w", err)
	}
	n := len(actual)
	if n == 0 {
		return fmt.Errorf("plots: Confusion: no samples")
	}
	rowSum, colSum := make([]int, k), make([]int, k)
	correct := 0
	for i, row := range c {
		for j, v := range row {
			rowSum[i] += v
			colSum[j] += v
		}
		correct += row[i]
	}

	side := confusionSide(k)
	return write(path, side, side, func(dc draw.Canvas) error {
		return drawConfusion(dc, side, c, classes, rowSum, colSum, correct, n)
	})
}

// drawConfusion draws Confusion's image, side × side, on dc.
func drawConfusion(dc draw.Canvas, side vg.Length, c [][]int, classes []string, rowSum, colSum []int, correct, n int) error {
	k := len(classes)
	dc.FillPolygon(color.White, []vg.Point{{X: 0, Y: 0}, {X: side, Y: 0}, {X: side, Y: side}, {X: 0, Y: side}})

	style := func(size vg.Length, clr color.Color) draw.TextStyle {
		return text.Style{
			Color: clr, Font: font.From(plot.DefaultFont, size),
			XAlign: draw.XCenter, YAlign: draw.YCenter, Handler: plot.DefaultTextHandler,
		}
	}
	titleStyle := style(14, color.Black)
	axisStyle := style(12, color.Black)
	labelStyle := style(10, color.Black)

	// Layout: title on top, "Predicted class" and the column names below
	// the grid, "True class" and the row names on its left.
	var nameWidth vg.Length
	for _, name := range classes {
		nameWidth = max(nameWidth, labelStyle.Width(name))
	}
	pad := vg.Points(6)
	top := titleStyle.Height("A") + 2*pad
	left := axisStyle.Height("A") + nameWidth + 3*pad
	cellGuess := (side - left - pad) / vg.Length(k+1)
	rotate := nameWidth > 0.9*cellGuess // column names that do not fit turn vertical
	colNames := labelStyle.Height("A")
	if rotate {
		colNames = nameWidth
	}
	bottom := axisStyle.Height("A") + colNames + 3*pad
	cell := min((side-left-pad)/vg.Length(k+1), (side-top-bottom)/vg.Length(k+1))
	if cell < vg.Points(16) {
		return fmt.Errorf("plots: Confusion: class names up to %.0f points wide leave %.1f-point cells on a %.1f-inch image; shorten them", float64(nameWidth), float64(cell), float64(side/vg.Inch))
	}
	gridW := cell * vg.Length(k+1)
	x0 := left + (side-left-pad-gridW)/2 // left edge of the grid
	yTop := side - top                   // top edge of the grid

	rect := func(col, row int) vg.Rectangle { // row 0 at the top
		x, y := x0+vg.Length(col)*cell, yTop-vg.Length(row+1)*cell
		return vg.Rectangle{Min: vg.Point{X: x, Y: y}, Max: vg.Point{X: x + cell, Y: y + cell}}
	}
	fill := func(r vg.Rectangle, clr color.Color) {
		dc.FillPolygon(clr, []vg.Point{r.Min, {X: r.Max.X, Y: r.Min.Y}, r.Max, {X: r.Min.X, Y: r.Max.Y}})
	}
	center := func(r vg.Rectangle) vg.Point {
		return vg.Point{X: (r.Min.X + r.Max.X) / 2, Y: (r.Min.Y + r.Max.Y) / 2}
	}
	big, small := vg.Length(math.Min(11, float64(cell)/3.6)), vg.Length(math.Min(8.5, float64(cell)/4.6))
	twoLines := func(r vg.Rectangle, a, b string, ca, cb color.Color) {
		p := center(r)
		dc.FillText(style(big, ca), vg.Point{X: p.X, Y: p.Y + 0.16*cell}, a)
		dc.FillText(style(small, cb), vg.Point{X: p.X, Y: p.Y - 0.18*cell}, b)
	}
	pct := func(num, den int) string { return fmt.Sprintf("%.1f%%", 100*float64(num)/float64(den)) }

	// The K×K cells.
	for i := 0; i < k; i++ {
		for j := 0; j < k; j++ {
			v := c[i][j]
			r := rect(j, i)
			bg, dark := cellColor(v, rowSum[i], i == j)
			fill(r, bg)
			ink := color.Color(color.Black)
			if dark {
				ink = color.White
			}
			if v == 0 { // an empty cell: a grey 0 alone, so the errors stand out
				dc.FillText(style(big, confusionGrid), center(r), "0")
				continue
			}
			twoLines(r, fmt.Sprint(v), pct(v, n), ink, ink)
		}
	}
	// Recall per true class (right column), precision per predicted class
	// (bottom row), accuracy (corner).
	rate := func(r vg.Rectangle, num, den int, bg color.Color) {
		fill(r, bg)
		if den == 0 {
			twoLines(r, "n/a", "", confusionGrid, confusionGrid)
			return
		}
		twoLines(r, pct(num, den), pct(den-num, den), confusionRight, confusionWrong)
	}
	for i := 0; i < k; i++ {
		rate(rect(k, i), c[i][i], rowSum[i], confusionMargin)
		rate(rect(i, k), c[i][i], colSum[i], confusionMargin)
	}
	rate(rect(k, k), correct, n, confusionTotal)

	// Grid lines, heavier around the margins.
	line := func(w vg.Length, a, b vg.Point) {
		dc.StrokeLine2(draw.LineStyle{Color: confusionGrid, Width: w}, a.X, a.Y, b.X, b.Y)
	}
	for t := 0; t <= k+1; t++ {
		w := vg.Points(0.5)
		if t == 0 || t == k || t == k+1 {
			w = vg.Points(1.2)
		}
		x := x0 + vg.Length(t)*cell
		line(w, vg.Point{X: x, Y: yTop}, vg.Point{X: x, Y: yTop - gridW})
		y := yTop - vg.Length(t)*cell
		line(w, vg.Point{X: x0, Y: y}, vg.Point{X: x0 + gridW, Y: y})
	}

	// Names and titles.
	for i, name := range classes {
		rc := center(rect(0, i))
		rs := labelStyle
		rs.XAlign = draw.XRight
		dc.FillText(rs, vg.Point{X: x0 - pad, Y: rc.Y}, name)
		cc := center(rect(i, k))
		cs := labelStyle
		cs.YAlign = draw.YTop
		if rotate {
			cs.Rotation, cs.XAlign, cs.YAlign = math.Pi/2, draw.XRight, draw.YCenter
		}
		dc.FillText(cs, vg.Point{X: cc.X, Y: yTop - gridW - pad}, name)
	}
	mid := x0 + gridW/2
	dc.FillText(titleStyle, vg.Point{X: mid, Y: side - top/2},
		fmt.Sprintf("Confusion matrix: accuracy %s (%d of %d)", pct(correct, n), correct, n))
	xs := axisStyle
	xs.YAlign = draw.YTop
	dc.FillText(xs, vg.Point{X: mid, Y: yTop - gridW - colNames - 2*pad}, "Predicted class")
	ys := axisStyle
	ys.Rotation = math.Pi / 2
	dc.FillText(ys, vg.Point{X: pad + axisStyle.Height("A")/2, Y: yTop - gridW/2}, "True class")

	return nil
}

// cellColor is the background of a confusion-matrix cell holding v of its
// row's rowSum samples, on the diagonal or not, and whether it is dark
// enough to want white text: white when empty, else green (diagonal) or
// red from 20 % of full colour up in proportion to v/rowSum.
func cellColor(v, rowSum int, diagonal bool) (color.RGBA, bool) {
	if v == 0 || rowSum == 0 {
		return color.RGBA{R: 255, G: 255, B: 255, A: 255}, false
	}
	base := confusionWrong
	if diagonal {
		base = confusionRight
	}
	shade := 0.2 + 0.8*float64(v)/float64(rowSum) // a single error still stands out
	return blend(color.RGBA{R: 255, G: 255, B: 255, A: 255}, base, shade), shade > 0.6
}

// blend mixes a and b, t = 0 giving a and t = 1 b.
func blend(a, b color.RGBA, t float64) color.RGBA {
	t = math.Max(0, math.Min(1, t))
	mix := func(x, y uint8) uint8 { return uint8(math.Round(float64(x) + t*(float64(y)-float64(x)))) }
	return color.RGBA{R: mix(a.R, b.R), G: mix(a.G, b.G), B: mix(a.B, b.B), A: 255}
}
