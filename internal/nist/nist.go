package nist

import (
	"bufio"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"

	"gonum.org/v1/gonum/mat"
)

// Problem is one StRD data set with its certified results.
type Problem struct {
	Name      string
	Start     [2][]float64 // the two published starting points
	Certified []float64    // certified parameter values
	StdDev    []float64    // certified standard deviations of the estimates
	RSS       float64      // certified residual sum of squares
	// ResidualSD is the certified residual standard deviation
	// √(RSS/DegreesOfFreedom).
	ResidualSD float64
	// DegreesOfFreedom is the file's "Degrees of Freedom" (0 when the file
	// has none). It is NIST's printed number: for Rat43 that is 9 where
	// N - P = 11 (ResidualSD agrees with 11).
	DegreesOfFreedom int
	X                *mat.Dense // N × predictors
	Y                *mat.Dense // N × 1
}

var (
	paramLine = regexp.MustCompile(`^\s*b(\d+)\s*=\s*(\S+)\s+(\S+)\s+(\S+)\s+(\S+)`)
	dataLines = regexp.MustCompile(`Data\s+\(lines (\d+) to (\d+)\)`)
)

// Load reads dir/name.dat.
func Load(dir, name string) (*Problem, error) {
	f, err := os.Open(filepath.Join(dir, name+".dat"))
	if err != nil {
		return nil, err
	}
	defer f.Close()
	p := &Problem{Name: name}
	var lines []string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		lines = append(lines, sc.Text())
	}
	first, last := 0, 0
	var rows [][]float64
	for i, line := range lines {
		if m := dataLines.FindStringSubmatch(line); m != nil && first == 0 {
			first, _ = strconv.Atoi(m[1])
			last, _ = strconv.Atoi(m[2])
		}
		if m := paramLine.FindStringSubmatch(line); m != nil && (first == 0 || i+1 < first) {
			vals := make([]float64, 4)
			for k := range vals {
				if vals[k], err = strconv.ParseFloat(m[k+2], 64); err != nil {
					return nil, fmt.Errorf("nist: %s: %q: %w", name, line, err)
				}
			}
			p.Start[0] = append(p.Start[0], vals[0])
			p.Start[1] = append(p.Start[1], vals[1])
			p.Certified = append(p.Certified, vals[2])
			p.StdDev = append(p.StdDev, vals[3])
		}
		if v, ok := strings.CutPrefix(line, "Residual Sum of Squares:"); ok {
			if p.RSS, err = strconv.ParseFloat(strings.TrimSpace(v), 64); err != nil {
				return nil, fmt.Errorf("nist: %s: residual sum of squares %q: %w", name, line, err)
			}
		}
		if v, ok := strings.CutPrefix(line, "Residual Standard Deviation:"); ok {
			if p.ResidualSD, err = strconv.ParseFloat(strings.TrimSpace(v), 64); err != nil {
				return nil, fmt.Errorf("nist: %s: residual standard deviation %q: %w", name, line, err)
			}
		}
		if v, ok := strings.CutPrefix(line, "Degrees of Freedom:"); ok {
			if p.DegreesOfFreedom, err = strconv.Atoi(strings.TrimSpace(v)); err != nil {
				return nil, fmt.Errorf("nist: %s: degrees of freedom %q: %w", name, line, err)
			}
		}
	}
	if first == 0 || last > len(lines) {
		return nil, fmt.Errorf("nist: %s: no data line range in the header", name)
	}
	for _, line := range lines[first-1 : last] { // the header counts lines from 1
		fields := strings.Fields(line)
		row := make([]float64, len(fields))
		for k, f := range fields {
			if row[k], err = strconv.ParseFloat(f, 64); err != nil {
				return nil, fmt.Errorf("nist: %s: data %q: %w", name, line, err)
			}
		}
		rows = append(rows, row)
	}
	if err := sc.Err(); err != nil {
		return nil, err
	}
	if len(rows) == 0 || len(p.Certified) == 0 {
		return nil, fmt.Errorf("nist: %s: no data or parameters found", name)
	}
	n, cols := len(rows), len(rows[0])
	p.X = mat.NewDense(n, cols-1, nil)
	p.Y = mat.NewDense(n, 1, nil)
	for i, r := range rows {
		if len(r) != cols {
			return nil, fmt.Errorf("nist: %s: data row %d has %d values, want %d", name, i, len(r), cols)
		}
		p.Y.Set(i, 0, r[0])
		for j := 1; j < cols; j++ {
			p.X.Set(i, j-1, r[j])
		}
	}
	if name == "Nelson" { // the model is for log(y)
		for i := 0; i < n; i++ {
			p.Y.Set(i, 0, math.Log(p.Y.At(i, 0)))
		}
	}
	return p, nil
}

// LRE is the log relative error -log10(|b - c|/|c|), capped at 11: the
// number of significant digits b shares with the certified value c.
func LRE(b, c float64) float64 {
	if b == c {
		return 11
	}
	var rel float64
	if c == 0 {
		rel = math.Abs(b)
	} else {
		rel = math.Abs(b-c) / math.Abs(c)
	}
	if math.IsNaN(rel) {
		return 0
	}
	return math.Min(11, math.Max(0, -math.Log10(rel)))
}

// Names lists the 19 problems of lower and average difficulty shipped in
// shared/data/nist.
var Names = []string{
	"Misra1a", "Chwirut2", "Chwirut1", "Lanczos3", "Gauss1", "Gauss2", "DanWood", "Misra1b",
	"Kirby2", "Hahn1", "Nelson", "MGH17", "Lanczos1", "Lanczos2", "Gauss3", "Misra1c", "Misra1d", "Roszman1", "ENSO",
}

// HigherNames lists the 8 problems of higher difficulty (testdata only),
// in NIST's order.
var HigherNames = []string{"MGH09", "Thurber", "BoxBOD", "Rat42", "MGH10", "Eckerle4", "Rat43", "Bennett5"}
