package fit

import (
	"context"
	"fmt"
	"math"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"golem/internal/nist"
)

const nistDir = "../internal/nist/testdata"

// nistModel wraps problem name's Go-code model, parameters b1, b2, ...
func nistModel(t testing.TB, p *nist.Problem) *Model {
	names := make([]string, len(p.Certified))
	for i := range names {
		names[i] = fmt.Sprintf("b%d", i+1)
	}
	f, ok := nist.Func(p.Name)
	require.True(t, ok, p.Name)
	m := Func(p.Name, f, names...)
	_, cols := p.X.Dims()
	if cols > 1 {
		m.Inputs = nil
		for j := 0; j < cols; j++ {
			m.Inputs = append(m.Inputs, fmt.Sprintf("x%d", j+1))
		}
	}
	return m
}

func nistY(p *nist.Problem) []float64 {
	n, _ := p.Y.Dims()
	y := make([]float64, n)
	for i := range y {
		y[i] = p.Y.At(i, 0)
	}
	return y
}

// TestNISTDefaults fits every shipped NIST problem from both starts through
// Curve with default Options and requires LRE ≥ 7 on every parameter.
func TestNISTDefaults(t *testing.T) {
	var table strings.Builder
	for _, name := range nist.Names {
		p, err := nist.Load(nistDir, name)
		require.NoError(t, err)
		m := nistModel(t, p)
		for s := 0; s < 2; s++ {
			res, err := Curve(context.Background(), m, p.X, nistY(p), Options{Params: Start(m, p.Start[s]...)})
			require.NoError(t, err, "%s start %d", name, s+1)
			lre := 11.0
			for i, c := range p.Certified {
				lre = math.Min(lre, nist.LRE(res.Params[i].Value, c))
			}
			assert.GreaterOrEqual(t, lre, 7.0, "%s start %d: %v (stop %s)", name, s+1, res.Values(), res.Stop)
			fmt.Fprintf(&table, "%-9s start %d: LRE %5.1f  %4d it  %s\n", name, s+1, lre, res.Iterations, res.Stop)
		}
	}
	t.Log("\n" + table.String())
}
