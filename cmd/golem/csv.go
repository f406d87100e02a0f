package main

import (
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"strconv"
	"strings"

	"gonum.org/v1/gonum/mat"
)

// table is a CSV file of numbers with a header row.
type table struct {
	name    string      // the file's name, for errors
	columns []string    // the header
	rows    [][]float64 // one per data row, each as long as columns
	lines   []int       // each row's line in the file, for errors
}

// readTable reads a CSV file (or standard input for "-") whose first row
// names the columns and whose other rows are numbers. Errors name the file,
// the line and the column: data.csv:17: column "x3": "abc" is not a number.
func readTable(e *env, path string) (*table, error) {
	var data []byte
	var err error
	if path == "-" {
		data, err = io.ReadAll(e.stdin)
		path = "<stdin>"
	} else {
		data, err = os.ReadFile(path)
	}
	if err != nil {
		return nil, err
	}
	return parseTable(path, data)
}

// parseTable parses the bytes of a CSV file; see readTable.
func parseTable(name string, data []byte) (*table, error) {
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf")) // a UTF-8 byte order mark, as spreadsheets write
	if len(bytes.TrimSpace(data)) == 0 {
		return nil, fmt.Errorf("%s: the file is empty: it needs a header row naming the columns, then rows of numbers", name)
	}
	r := csv.NewReader(bytes.NewReader(data))
	r.FieldsPerRecord = -1 // ragged rows are reported below, with their line
	r.TrimLeadingSpace = true
	r.ReuseRecord = true
	t := &table{name: name}
	head, err := r.Read()
	if err != nil {
		return nil, csvError(name, err)
	}
	seen := map[string]int{}
	for j, h := range head {
		h = strings.TrimSpace(h)
		if h == "" {
			return nil, fmt.Errorf("%s:1: column %d has no name in the header row", name, j+1)
		}
		if _, err := strconv.ParseFloat(h, 64); err == nil {
			return nil, fmt.Errorf("%s:1: the first row must name the columns, but column %d is the number %s", name, j+1, h)
		}
		if k, dup := seen[h]; dup {
			return nil, fmt.Errorf("%s:1: columns %d and %d are both named %q", name, k+1, j+1, h)
		}
		seen[h] = j
		t.columns = append(t.columns, h)
	}
	for {
		rec, err := r.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, csvError(name, err)
		}
		line, _ := r.FieldPos(0)
		if len(rec) == 1 && strings.TrimSpace(rec[0]) == "" && len(t.columns) > 1 {
			continue // a blank line
		}
		if len(rec) != len(t.columns) {
			return nil, fmt.Errorf("%s:%d: %d fields, but the header has %d columns", name, line, len(rec), len(t.columns))
		}
		row := make([]float64, len(rec))
		for j, s := range rec {
			s = strings.TrimSpace(s)
			v, err := strconv.ParseFloat(s, 64)
			switch {
			case s == "":
				return nil, fmt.Errorf("%s:%d: column %q: the value is missing", name, line, t.columns[j])
			case err != nil && !errors.Is(err, strconv.ErrRange):
				return nil, fmt.Errorf("%s:%d: column %q: %q is not a number", name, line, t.columns[j], s)
			case math.IsNaN(v):
				return nil, fmt.Errorf("%s:%d: column %q: %s: missing values (NaN) are not allowed; remove the row or fill it in", name, line, t.columns[j], s)
			case math.IsInf(v, 0):
				return nil, fmt.Errorf("%s:%d: column %q: %s is not a finite number", name, line, t.columns[j], s)
			}
			row[j] = v
		}
		t.rows = append(t.rows, row)
		t.lines = append(t.lines, line)
	}
	if len(t.rows) == 0 {
		return nil, fmt.Errorf("%s: no data rows after the header", name)
	}
	return t, nil
}

// csvError names the line of a CSV syntax error.
func csvError(name string, err error) error {
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		return fmt.Errorf("%s:%d: %v", name, pe.Line, pe.Err)
	}
	return fmt.Errorf("%s: %v", name, err)
}

// index returns the position of the column named name.
func (t *table) index(name string) (int, error) {
	for j, c := range t.columns {
		if c == name {
			return j, nil
		}
	}
	return 0, fmt.Errorf("%s: no column %q (the columns are %s)", t.name, name, strings.Join(quoteAll(t.columns), ", "))
}

// indices returns the positions of the named columns.
func (t *table) indices(names []string) ([]int, error) {
	idx := make([]int, len(names))
	for i, n := range names {
		j, err := t.index(n)
		if err != nil {
			return nil, err
		}
		idx[i] = j
	}
	return idx, nil
}

// matrix returns the given columns as an N × len(cols) matrix.
func (t *table) matrix(cols []int) *mat.Dense {
	m := mat.NewDense(len(t.rows), len(cols), nil)
	for i, r := range t.rows {
		for k, j := range cols {
			m.Set(i, k, r[j])
		}
	}
	return m
}

// splitNames splits a comma-separated list of column names.
func splitNames(s string) []string {
	var out []string
	for _, p := range strings.Split(s, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

func quoteAll(ss []string) []string {
	out := make([]string, len(ss))
	for i, s := range ss {
		out[i] = strconv.Quote(s)
	}
	return out
}

// writeCSV writes a header and rows of numbers, each at full precision
// (the shortest text that reads back as the same float64).
func writeCSV(w io.Writer, header []string, m mat.Matrix) error {
	cw := csv.NewWriter(w)
	if err := cw.Write(header); err != nil {
		return err
	}
	n, k := m.Dims()
	rec := make([]string, k)
	for i := 0; i < n; i++ {
		for j := range rec {
			rec[j] = strconv.FormatFloat(m.At(i, j), 'g', -1, 64)
		}
		if err := cw.Write(rec); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}
