package main

import (
	"bufio"
	"bytes"
	"compress/gzip"
	_ "embed"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"sort"
	"strconv"

	"gonum.org/v1/gonum/mat"
)

// digitsGz is scikit-learn's digits.csv.gz: 1797 rows of 64 pixels (0..16,
// row-major 8×8) and the label 0..9; see data/README.md.
//
//go:embed data/digits.csv.gz
var digitsGz []byte

// loadDigits decompresses and parses the embedded CSV, checking its shape
// and ranges; pixels are scaled from 0..16 to [0, 1], labels go in one
// column.
func loadDigits() (x, y *mat.Dense, err error) {
	zr, err := gzip.NewReader(bytes.NewReader(digitsGz))
	if err != nil {
		return nil, nil, fmt.Errorf("digits.csv.gz: %w", err)
	}
	r := csv.NewReader(bufio.NewReader(zr))
	r.FieldsPerRecord = pixels + 1
	r.ReuseRecord = true
	x, y = mat.NewDense(samples, pixels, nil), mat.NewDense(samples, 1, nil)
	n := 0
	for ; ; n++ {
		rec, err := r.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, nil, fmt.Errorf("digits.csv.gz: %w", err)
		}
		if n == samples {
			return nil, nil, fmt.Errorf("digits.csv.gz: more than %d rows", samples)
		}
		for j, f := range rec {
			v, err := strconv.Atoi(f)
			if err != nil {
				return nil, nil, fmt.Errorf("digits.csv.gz row %d, field %d: %w", n+1, j+1, err)
			}
			switch {
			case j < pixels && (v < 0 || v > 16):
				return nil, nil, fmt.Errorf("digits.csv.gz row %d: pixel %d is %d, outside 0..16", n+1, j, v)
			case j < pixels:
				x.Set(n, j, float64(v)/16)
			case v < 0 || v >= classes:
				return nil, nil, fmt.Errorf("digits.csv.gz row %d: label %d", n+1, v)
			default:
				y.Set(n, 0, float64(v))
			}
		}
	}
	if err := zr.Close(); err != nil {
		return nil, nil, fmt.Errorf("digits.csv.gz: %w", err)
	}
	if n != samples {
		return nil, nil, fmt.Errorf("digits.csv.gz: %d rows, want %d", n, samples)
	}
	return x, y, nil
}

// stratifiedSplit draws test samples for the test set, seeded, with each
// class's share of the test set as close to its share of the data as
// whole samples allow (largest remainders: 44 or 45 of each digit for 450),
// and puts the rest into the training set. Both keep the shuffled order.
func stratifiedSplit(y *mat.Dense, test int, seed uint64) (trainIdx, testIdx []int) {
	n, _ := y.Dims()
	count := make([]int, classes)
	for i := 0; i < n; i++ {
		count[int(y.At(i, 0))]++
	}
	quota, rem := make([]int, classes), make([]int, classes)
	left := test
	for c, k := range count {
		quota[c] = k * test / n
		left -= quota[c]
		rem[c] = c
	}
	frac := func(c int) int { return count[c] * test % n }
	sort.SliceStable(rem, func(a, b int) bool { return frac(rem[a]) > frac(rem[b]) })
	for _, c := range rem[:left] {
		quota[c]++
	}
	rng := rand.New(rand.NewPCG(seed, 0xd161))
	for _, i := range rng.Perm(n) {
		c := int(y.At(i, 0))
		if quota[c] > 0 {
			quota[c]--
			testIdx = append(testIdx, i)
		} else {
			trainIdx = append(trainIdx, i)
		}
	}
	return trainIdx, testIdx
}

// rows copies the rows idx of m.
func rows(m *mat.Dense, idx []int) *mat.Dense {
	_, c := m.Dims()
	out := mat.NewDense(len(idx), c, nil)
	for r, i := range idx {
		out.SetRow(r, m.RawRowView(i))
	}
	return out
}

// labels is the label column as ints.
func labels(y *mat.Dense) []int {
	n, _ := y.Dims()
	out := make([]int, n)
	for i := range out {
		out[i] = int(y.At(i, 0))
	}
	return out
}
