package nist

import (
	"context"
	"fmt"
	"math"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"golem"
	"golem/losses"
	"golem/optim"
)

// Fit fits problem p from start with the CurveFit preset and returns the
// fitted parameters and the History.
func Fit(ctx context.Context, p *Problem, start []float64) ([]float64, *golem.History, error) {
	layer, err := Model(p.Name, start)
	if err != nil {
		return nil, nil, err
	}
	m := golem.NewSequential(layer)
	_, cols := p.X.Dims()
	if err := m.Compile(golem.Input(cols), losses.SSE(), optim.LM(optim.CurveFit())); err != nil {
		return nil, nil, err
	}
	h, err := m.Fit(ctx, p.X, p.Y, golem.FitConfig{})
	if err != nil {
		return nil, h, err
	}
	b := make([]float64, len(start))
	for i, q := range layer.Params() {
		b[i] = m.Params().View(q)[0]
	}
	return b, h, nil
}

// TestNISTCertifiedValues fits all 19 problems from both starting points
// with one configuration (optim.CurveFit) and requires LRE ≥ 6 on every
// parameter; it logs the table of LREs (go test -v -run NIST).
func TestNISTCertifiedValues(t *testing.T) {
	var table strings.Builder
	fmt.Fprintf(&table, "%-9s %18s %18s\n", "problem", "start 1: LRE (it)", "start 2: LRE (it)")
	var sum float64
	var runs int
	for _, name := range Names {
		p, err := Load(dataDir, name)
		require.NoError(t, err)
		fmt.Fprintf(&table, "%-9s", name)
		for s := 0; s < 2; s++ {
			b, h, err := Fit(context.Background(), p, p.Start[s])
			require.NoError(t, err, "%s start %d", name, s+1)
			lre := 11.0
			for i, v := range b {
				lre = math.Min(lre, LRE(v, p.Certified[i]))
			}
			assert.GreaterOrEqual(t, lre, 6.0, "%s from start %d: b = %v, certified %v (stop %s)", name, s+1, b, p.Certified, h.Stop)
			fmt.Fprintf(&table, " %13.1f (%3d)", lre, len(h.Steps))
			sum += lre
			runs++
		}
		table.WriteString("\n")
	}
	fmt.Fprintf(&table, "mean LRE %.2f over %d fits\n", sum/float64(runs), runs)
	t.Log("\n" + table.String())
}
