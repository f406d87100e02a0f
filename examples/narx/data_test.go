package main

import (
	"crypto/sha256"
	"encoding/hex"
	"math"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"gonum.org/v1/gonum/mat"
	"gonum.org/v1/gonum/stat"
)

// TestEmbeddedChecksums pins the embedded CSVs to the sha256 sums that
// data/README.md states, which are those of the files in Debian's
// python3-statsmodels 0.13.5+dfsg-7.
func TestEmbeddedChecksums(t *testing.T) {
	for name, c := range map[string]struct {
		data []byte
		sum  string
	}{
		"sunspots.csv":  {sunspotsCSV, "f67889b1d9002cd5227f0e0ef54e35b419cdd85a31279adef6f73fb41e5c0a9b"},
		"macrodata.csv": {macrodataCSV, "d93c0d3a7a77ef83c3af14e46032bb1d02ae3a512b22ab94159a8ca226fcf708"},
	} {
		s := sha256.Sum256(c.data)
		assert.Equal(t, c.sum, hex.EncodeToString(s[:]), name)
	}
}

// TestLoadSunspots checks the shape, the first and last years and values,
// and the maximum (190.2 in 1957) of the sunspot series.
func TestLoadSunspots(t *testing.T) {
	years, act, err := loadSunspots()
	require.NoError(t, err)
	r, c := years.Dims()
	assert.Equal(t, [2]int{309, 1}, [2]int{r, c})
	r, c = act.Dims()
	require.Equal(t, [2]int{309, 1}, [2]int{r, c})
	assert.Equal(t, []float64{1700, 1701, 2007, 2008}, []float64{years.At(0, 0), years.At(1, 0), years.At(307, 0), years.At(308, 0)})
	assert.Equal(t, []float64{5, 11, 7.5, 2.9}, []float64{act.At(0, 0), act.At(1, 0), act.At(307, 0), act.At(308, 0)})
	assert.Equal(t, 190.2, mat.Max(act))
	assert.Equal(t, 190.2, act.At(1957-1700, 0))
}

// TestLoadMacrodata checks the shape and the first and last rows of the
// macroeconomic table.
func TestLoadMacrodata(t *testing.T) {
	m, err := loadMacrodata()
	require.NoError(t, err)
	r, c := m.Dims()
	require.Equal(t, [2]int{203, 14}, [2]int{r, c})
	assert.Equal(t, []float64{1959, 1, 2710.349, 1707.4, 286.898, 470.045, 1886.9, 28.980, 139.7, 2.82, 5.8, 177.146, 0, 0}, mat.Row(nil, 0, m))
	assert.Equal(t, []float64{2009, 3, 12990.341, 9256.0, 1486.398, 1044.088, 10040.6, 216.385, 1673.9, 0.12, 9.6, 308.013, 3.56, -3.44}, mat.Row(nil, 202, m))
}

// TestLoadIncomeConsumption checks the growth rates against values worked
// out by hand from the first and last rows of the file, and the correlation
// between them that the doc comment states.
func TestLoadIncomeConsumption(t *testing.T) {
	u, y, err := loadIncomeConsumption()
	require.NoError(t, err)
	r, c := u.Dims()
	assert.Equal(t, [2]int{202, 1}, [2]int{r, c})
	r, c = y.Dims()
	require.Equal(t, [2]int{202, 1}, [2]int{r, c})
	assert.InDelta(t, 100*math.Log(1919.7/1886.9), u.At(0, 0), 1e-12)     // 1959Q2 income
	assert.InDelta(t, 100*math.Log(1733.7/1707.4), y.At(0, 0), 1e-12)     // 1959Q2 consumption
	assert.InDelta(t, 100*math.Log(10040.6/10077.5), u.At(201, 0), 1e-12) // 2009Q3 income
	assert.InDelta(t, 100*math.Log(9256.0/9189.0), y.At(201, 0), 1e-12)   // 2009Q3 consumption
	corr := stat.Correlation(mat.Col(nil, 0, u), mat.Col(nil, 0, y), nil)
	assert.InDelta(t, 0.439, corr, 0.001)
}

// TestLoaderValidation feeds the parsers broken copies of the files and
// checks that each is rejected with an error naming the problem.
func TestLoaderValidation(t *testing.T) {
	sun := string(sunspotsCSV)
	sunCases := map[string]struct{ data, want string }{
		"empty":        {"", "empty file"},
		"header":       {strings.Replace(sun, `"SUNACTIVITY"`, `"ACTIVITY"`, 1), "header"},
		"no rows":      {`"YEAR","SUNACTIVITY"` + "\n", "no data rows"},
		"short":        {strings.Replace(sun, "2008,2.9\n", "", 1), "308 years, want 309"},
		"gap":          {strings.Replace(sun, "1701,11", "1702,11", 1), "row 1 is year 1702"},
		"negative":     {strings.Replace(sun, "1701,11", "1701,-11", 1), "year 1701 has sunspot number -11"},
		"not a number": {strings.Replace(sun, "1701,11", "1701,eleven", 1), `"eleven" is not a number`},
		"NaN":          {strings.Replace(sun, "1701,11", "1701,NaN", 1), "not finite"},
		"fields":       {strings.Replace(sun, "1701,11", "1701,11,3", 1), "wrong number of fields"},
	}
	for name, c := range sunCases {
		_, _, err := parseSunspots([]byte(c.data))
		if assert.Error(t, err, name) {
			assert.Contains(t, err.Error(), c.want, name)
			assert.Contains(t, err.Error(), "sunspots.csv", name)
		}
	}
	macro := string(macrodataCSV)
	macroCases := map[string]struct{ data, want string }{
		"quarter": {strings.Replace(macro, "1959,2,", "1959,3,", 1), "row 1 is 1959Q3, want 1959Q2"},
		"level":   {strings.Replace(macro, "1959,2,2778.801,", "1959,2,0,", 1), "1959Q2: realgdp = 0, want > 0"},
		"short":   {macro[:strings.LastIndex(macro[:len(macro)-1], "\n")+1], "202 quarters, want 203"},
		"header":  {strings.Replace(macro, `"realdpi"`, `"dpi"`, 1), "header"},
	}
	for name, c := range macroCases {
		_, err := parseMacrodata([]byte(c.data))
		if assert.Error(t, err, name) {
			assert.Contains(t, err.Error(), c.want, name)
		}
	}
}

// TestSimulateDeterministic checks that one seed gives the same bits twice,
// pins the first values of seed 1 (so a change of the random streams shows),
// and that another seed gives another series.
func TestSimulateDeterministic(t *testing.T) {
	u1, y1 := simulate(500, 1, 0.05)
	u2, y2 := simulate(500, 1, 0.05)
	assert.True(t, mat.Equal(u1, u2))
	assert.True(t, mat.Equal(y1, y2))
	r, c := u1.Dims()
	assert.Equal(t, [2]int{500, 1}, [2]int{r, c})
	r, c = y1.Dims()
	assert.Equal(t, [2]int{500, 1}, [2]int{r, c})
	assert.Equal(t, -0.49660998193534356, u1.At(0, 0))
	assert.Equal(t, -1.284353497582428, u1.At(1, 0))
	assert.Equal(t, 0.0091355657451795812, y1.At(0, 0))
	assert.Equal(t, -0.41843272177292951, y1.At(1, 0))
	// The end of a longer run, which has gone through the plant's nonlinearity
	// about 3000 times (values printed by this code on 2026-12-02).
	u4, y4 := simulate(3000, 1, 0.05)
	assert.Equal(t, 0.11818027820107435, u4.At(2999, 0))
	assert.Equal(t, 0.13101235945340559, y4.At(2999, 0))
	u3, y3 := simulate(500, 2, 0.05)
	assert.False(t, mat.Equal(u1, u3))
	assert.False(t, mat.Equal(y1, y3))
}

// TestSimulateDynamics checks the documented properties of the series: the
// noise-free output obeys the plant equation from rest, the input is a
// staircase within [−2, 2] with runs of 1 to 5 steps, the noise level does
// not change the input, and the measurement noise has the requested
// standard deviation and no lag-1 correlation.
func TestSimulateDynamics(t *testing.T) {
	const n = 5000
	u, y0 := simulate(n, 7, 0)
	uNoisy, y := simulate(n, 7, 0.1)
	assert.True(t, mat.Equal(u, uNoisy), "the noise level changed the input")
	assert.Equal(t, 0.0, y0.At(0, 0))
	assert.Equal(t, u.At(0, 0), y0.At(1, 0))
	for k := 1; k+1 < n; k++ {
		want := plantStep(y0.At(k, 0), y0.At(k-1, 0), u.At(k, 0))
		if y0.At(k+1, 0) != want {
			t.Fatalf("y(%d) = %v, the plant gives %v", k+1, y0.At(k+1, 0), want)
		}
	}
	run, runs, total := 1, 0, 0
	for k := range n {
		v := u.At(k, 0)
		require.LessOrEqual(t, math.Abs(v), plantInputMax, "u(%d)", k)
		if k+1 < n && u.At(k+1, 0) == v {
			run++
			continue
		}
		if k+1 < n { // the last run may be cut short by n
			require.LessOrEqual(t, run, plantMaxHold, "run ending at %d", k)
			runs++
			total += run
		}
		run = 1
	}
	mean := float64(total) / float64(runs)
	assert.InDelta(t, 3, mean, 0.15, "mean hold length") // uniform on 1..5
	e := make([]float64, n)
	for k := range n {
		e[k] = y.At(k, 0) - y0.At(k, 0)
	}
	assert.InDelta(t, 0.1, stat.StdDev(e, nil), 0.005)
	assert.InDelta(t, 0, stat.Correlation(e[1:], e[:n-1], nil), 0.05)
	assert.Less(t, mat.Max(y0), 7.0)
	assert.Greater(t, mat.Min(y0), -4.5)
}

// TestPlantStep checks the plant equation at points worked out by hand.
func TestPlantStep(t *testing.T) {
	// 1·2·3.5/(1+1+4) + 0.5 = 7/6 + 1/2
	assert.InDelta(t, 7.0/6+0.5, plantStep(1, 2, 0.5), 1e-15)
	// (−1)·1·1.5/(1+1+1) − 2 = −0.5 − 2
	assert.InDelta(t, -2.5, plantStep(-1, 1, -2), 1e-15)
	assert.Equal(t, 0.3, plantStep(0, 5, 0.3))
}

// TestPlantTestInput checks the sinusoid of period 25 and that the plant's
// response to it is bounded and periodic once the start has died out.
func TestPlantTestInput(t *testing.T) {
	u := plantTestInput(600)
	assert.Equal(t, 0.0, u.At(0, 0))
	assert.InDelta(t, 1, u.At(6, 0), 0.02) // sin(2π·6/25) ≈ 0.998
	assert.InDelta(t, u.At(3, 0), u.At(28, 0), 1e-12)
	y := plantResponse(u)
	for k := 500; k < 575; k++ {
		assert.InDelta(t, y.At(k, 0), y.At(k+25, 0), 1e-6, "y(%d) is not periodic", k)
	}
}

// TestSimulatePanics checks the documented programmer errors.
func TestSimulatePanics(t *testing.T) {
	assert.Panics(t, func() { simulate(0, 1, 0) })
	assert.Panics(t, func() { simulate(10, 1, -0.1) })
	assert.Panics(t, func() { simulate(10, 1, math.NaN()) })
	assert.Panics(t, func() { plantResponse(mat.NewDense(3, 2, nil)) })
	assert.NotPanics(t, func() { simulate(1, 1, 0) })
}
