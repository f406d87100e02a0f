package main

// Loaders for the two real series of this example. Both CSV files are copied
// unchanged from Debian's python3-statsmodels 0.13.5 (see data/README.md for
// their sources, licenses and checksums) and embedded into the binary, so the
// example runs from any directory. Every loader returns its series as gonum
// matrices with time along the rows (one row per sample, one column per
// variable) and checks the file against what this example documents: the
// header, the number of rows, consecutive dates and plausible values.

import (
	"bytes"
	_ "embed"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"

	"gonum.org/v1/gonum/mat"
)

//go:embed data/sunspots.csv
var sunspotsCSV []byte

//go:embed data/macrodata.csv
var macrodataCSV []byte

const (
	// sunspotsFirstYear and sunspotsYears describe data/sunspots.csv: yearly
	// mean sunspot numbers for 1700 to 2008.
	sunspotsFirstYear = 1700
	sunspotsYears     = 309

	// macroFirstYear and macroQuarters describe data/macrodata.csv: US
	// quarterly macroeconomic data for 1959Q1 to 2009Q3.
	macroFirstYear = 1959
	macroQuarters  = 203
)

// readNumericCSV parses a CSV file whose first line is a header of quoted
// column names and whose other lines hold only numbers. It returns the
// header and the values as a rows×columns matrix. name is used in errors.
// It rejects an empty file, a header that differs from want (when want is
// not nil), a row with the wrong number of fields, a field that is not a
// number, and a value that is not finite.
func readNumericCSV(name string, data []byte, want []string) ([]string, *mat.Dense, error) {
	r := csv.NewReader(bytes.NewReader(data))
	r.ReuseRecord = false
	header, err := r.Read()
	if errors.Is(err, io.EOF) {
		return nil, nil, fmt.Errorf("%s: empty file", name)
	}
	if err != nil {
		return nil, nil, fmt.Errorf("%s: header: %w", name, err)
	}
	if want != nil && strings.Join(header, ",") != strings.Join(want, ",") {
		return nil, nil, fmt.Errorf("%s: header %q, want %q", name, header, want)
	}
	var vals []float64
	rows := 0
	for {
		rec, err := r.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			// encoding/csv already checks that every row has as many fields as the header.
			return nil, nil, fmt.Errorf("%s: %w", name, err)
		}
		for j, f := range rec {
			v, err := strconv.ParseFloat(strings.TrimSpace(f), 64)
			if err != nil {
				return nil, nil, fmt.Errorf("%s: line %d, column %q: %q is not a number", name, rows+2, header[j], f)
			}
			if math.IsNaN(v) || math.IsInf(v, 0) {
				return nil, nil, fmt.Errorf("%s: line %d, column %q: value %v is not finite", name, rows+2, header[j], v)
			}
			vals = append(vals, v)
		}
		rows++
	}
	if rows == 0 {
		return nil, nil, fmt.Errorf("%s: no data rows after the header", name)
	}
	return header, mat.NewDense(rows, len(header), vals), nil
}

// copyColumn returns column j of m as a fresh rows×1 matrix.
func copyColumn(m *mat.Dense, j int) *mat.Dense {
	r, _ := m.Dims()
	out := mat.NewDense(r, 1, nil)
	out.Copy(m.ColView(j))
	return out
}

// loadSunspots returns the yearly sunspot numbers 1700–2008 (Wolfer/Zürich
// numbers, version 1 of the international series, as NOAA's National
// Geophysical Data Center published them): years holds the calendar year and
// activity the yearly mean sunspot number, both 309×1, row t being year
// 1700+t. The first values are 5 (1700) and 11 (1701), the last 7.5 (2007)
// and 2.9 (2008). It fails if the embedded file does not have that shape,
// if the years are not consecutive from 1700, or if a number is negative.
func loadSunspots() (years, activity *mat.Dense, err error) {
	return parseSunspots(sunspotsCSV)
}

// parseSunspots is loadSunspots on the given file contents.
func parseSunspots(data []byte) (years, activity *mat.Dense, err error) {
	const name = "sunspots.csv"
	_, m, err := readNumericCSV(name, data, []string{"YEAR", "SUNACTIVITY"})
	if err != nil {
		return nil, nil, err
	}
	if r, _ := m.Dims(); r != sunspotsYears {
		return nil, nil, fmt.Errorf("%s: %d years, want %d (%d–%d)", name, r, sunspotsYears, sunspotsFirstYear, sunspotsFirstYear+sunspotsYears-1)
	}
	for t := range sunspotsYears {
		if y := m.At(t, 0); y != float64(sunspotsFirstYear+t) {
			return nil, nil, fmt.Errorf("%s: row %d is year %v, want %d (years must be consecutive)", name, t, y, sunspotsFirstYear+t)
		}
		if a := m.At(t, 1); a < 0 {
			return nil, nil, fmt.Errorf("%s: year %d has sunspot number %v, want ≥ 0", name, sunspotsFirstYear+t, a)
		}
	}
	return copyColumn(m, 0), copyColumn(m, 1), nil
}

// macrodataColumns is the header of data/macrodata.csv.
var macrodataColumns = []string{"year", "quarter", "realgdp", "realcons", "realinv", "realgovt",
	"realdpi", "cpi", "m1", "tbilrate", "unemp", "pop", "infl", "realint"}

// loadMacrodata returns the whole of statsmodels' US macroeconomic data,
// 1959Q1–2009Q3: 203 rows (quarters) by the 14 columns of macrodataColumns
// (year, quarter, realgdp, realcons, ..., realint; data/README.md says what
// each is). It fails if the embedded file does not have that header and
// shape, if the quarters are not consecutive from 1959Q1, or if one of the
// level series (real GDP, consumption, investment, government spending,
// disposable income, CPI, M1, population) is not positive.
func loadMacrodata() (*mat.Dense, error) {
	return parseMacrodata(macrodataCSV)
}

// parseMacrodata is loadMacrodata on the given file contents.
func parseMacrodata(data []byte) (*mat.Dense, error) {
	const name = "macrodata.csv"
	_, m, err := readNumericCSV(name, data, macrodataColumns)
	if err != nil {
		return nil, err
	}
	if r, _ := m.Dims(); r != macroQuarters {
		return nil, fmt.Errorf("%s: %d quarters, want %d (1959Q1–2009Q3)", name, r, macroQuarters)
	}
	levels := []int{2, 3, 4, 5, 6, 7, 8, 11} // realgdp ... m1, pop
	for t := range macroQuarters {
		year, quarter := macroFirstYear+t/4, t%4+1
		if m.At(t, 0) != float64(year) || m.At(t, 1) != float64(quarter) {
			return nil, fmt.Errorf("%s: row %d is %vQ%v, want %dQ%d (quarters must be consecutive)", name, t, m.At(t, 0), m.At(t, 1), year, quarter)
		}
		for _, j := range levels {
			if v := m.At(t, j); v <= 0 {
				return nil, fmt.Errorf("%s: %dQ%d: %s = %v, want > 0", name, year, quarter, macrodataColumns[j], v)
			}
		}
	}
	return m, nil
}

// loadIncomeConsumption returns the input/output pair of the NARX example on
// real data: the quarterly growth of US real disposable personal income
// (input u, column realdpi) and of real personal consumption expenditures
// (output y, column realcons), each as 100·ln(x_t/x_{t−1}), i.e. percent per
// quarter, for 1959Q2–2009Q3. u and y are 202×1; row t is quarter t+1 of the
// file (row 0 is 1959Q2). Consumption growth follows income growth in the
// same quarter (correlation 0.44) and one quarter later (0.29), and its own
// past (autocorrelation 0.30), which is the relation a NARX model with input
// delays 0:2 and feedback delays 1:2 can use. Errors are those of
// loadMacrodata.
func loadIncomeConsumption() (u, y *mat.Dense, err error) {
	m, err := loadMacrodata()
	if err != nil {
		return nil, nil, err
	}
	return logGrowth(m.ColView(6)), logGrowth(m.ColView(3)), nil
}

// logGrowth returns 100·ln(x_t/x_{t−1}) for t = 1..len(x)−1 as a column
// matrix. x must be positive (the loaders check it).
func logGrowth(x mat.Vector) *mat.Dense {
	n := x.Len() - 1
	g := mat.NewDense(n, 1, nil)
	for t := range n {
		g.Set(t, 0, 100*math.Log(x.AtVec(t+1)/x.AtVec(t)))
	}
	return g
}
