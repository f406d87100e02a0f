package losses

import (
	"math"
	"math/big"
	"testing"

	"github.com/stretchr/testify/require"
	G "gorgonia.org/gorgonia"

	"github.com/golem-ml/golem/graph"
	"github.com/golem-ml/golem/internal/engine"
	"github.com/golem-ml/golem/internal/graphrt"
)

// residualProbe evaluates a loss's residuals r (rows × R), its per-sample
// loss, and the per-row derivatives ∂rᵢⱼ/∂zᵢₖ with respect to the model
// output's logits (or probabilities) z, the quantities LM's Jacobian is
// built from.
type residualProbe struct {
	z, y, seed *graphrt.Input
	r, l, dz   *graphrt.Output
	m          *graphrt.Machine
	rows, k, R int
}

// newResidualProbe builds the graph: z is the logits of a sigmoid or
// softmax output (link), or the output itself (link 0, probabilities).
func newResidualProbe(t *testing.T, loss Residual, link graphrt.Link, rows, k, targetCols int) *residualProbe {
	t.Helper()
	ps := graph.NewParams()
	ps.Init(0)
	b := graph.NewBuilder(ps, rows)
	p := &residualProbe{rows: rows, k: k}
	p.z = engine.Input(b, "z", rows, k)
	p.y = engine.Input(b, "y", rows, targetCols)
	pred := p.z.Node
	var err error
	switch link {
	case graphrt.LinkSigmoid:
		pred, err = G.Sigmoid(p.z.Node)
		require.NoError(t, err)
		engine.MarkLogits(b, pred, p.z.Node, link)
	case graphrt.LinkSoftmax:
		lsm, err := graph.LogSoftmax(p.z.Node)
		require.NoError(t, err)
		pred, err = G.Exp(lsm)
		require.NoError(t, err)
		engine.MarkLogits(b, pred, p.z.Node, link)
	}
	r, err := loss.Residuals(b, pred, p.y.Node)
	require.NoError(t, err)
	require.Equal(t, 2, r.Dims())
	p.R = r.Shape()[1]
	l, err := loss.PerSample(b, pred, p.y.Node)
	require.NoError(t, err)
	p.seed = engine.Input(b, "seed", rows, p.R)
	seeded, err := G.HadamardProd(r, p.seed.Node)
	require.NoError(t, err)
	cost, err := G.Sum(seeded)
	require.NoError(t, err)
	grads, err := G.Grad(cost, p.z.Node)
	require.NoError(t, err)
	p.r, p.l, p.dz = engine.Output(b, r), engine.Output(b, l), engine.Output(b, grads[0])
	p.m, err = engine.Compile(b)
	require.NoError(t, err)
	t.Cleanup(func() { p.m.Close() })
	return p
}

// run evaluates at z and y and returns r and the per-sample losses (copies).
func (p *residualProbe) run(t *testing.T, z, y []float64) (r, l []float64) {
	t.Helper()
	copy(p.z.Data, z)
	copy(p.y.Data, y)
	require.NoError(t, p.m.Run())
	return append([]float64(nil), p.r.Data()...), append([]float64(nil), p.l.Data()...)
}

// jacobian returns J[i][j][k] = ∂rᵢⱼ/∂zᵢₖ by autodiff.
func (p *residualProbe) jacobian(t *testing.T, z, y []float64) [][][]float64 {
	t.Helper()
	J := make([][][]float64, p.rows)
	for i := range J {
		J[i] = make([][]float64, p.R)
	}
	for j := 0; j < p.R; j++ {
		for i := range p.seed.Data {
			p.seed.Data[i] = 0
		}
		for i := 0; i < p.rows; i++ {
			p.seed.Data[i*p.R+j] = 1
		}
		p.run(t, z, y)
		for i := 0; i < p.rows; i++ {
			J[i][j] = append([]float64(nil), p.dz.Data()[i*p.k:(i+1)*p.k]...)
		}
	}
	return J
}

// finiteDiff returns central differences of r in z with Richardson
// extrapolation, (4·D(h/2) - D(h))/3, with step h(i, k) per entry; rows
// are independent, so one column of z moves for all rows at once.
func (p *residualProbe) finiteDiff(t *testing.T, z, y []float64, h func(i, k int) float64) [][][]float64 {
	t.Helper()
	FD := make([][][]float64, p.rows)
	for i := range FD {
		FD[i] = make([][]float64, p.R)
		for j := range FD[i] {
			FD[i][j] = make([]float64, p.k)
		}
	}
	// The step actually taken is (z+h) - (z-h) as rounded, not 2h: near
	// p = 1 the two differ in the sixth digit for h = 1e-10.
	central := func(k int, scale float64) []float64 {
		zz := append([]float64(nil), z...)
		step := make([]float64, p.rows)
		for i := 0; i < p.rows; i++ {
			zz[i*p.k+k] = z[i*p.k+k] + scale*h(i, k)
			step[i] = zz[i*p.k+k]
		}
		up, _ := p.run(t, zz, y)
		for i := 0; i < p.rows; i++ {
			zz[i*p.k+k] = z[i*p.k+k] - scale*h(i, k)
			step[i] -= zz[i*p.k+k]
		}
		down, _ := p.run(t, zz, y)
		d := make([]float64, len(up))
		for i := 0; i < p.rows; i++ {
			for j := 0; j < p.R; j++ {
				d[i*p.R+j] = (up[i*p.R+j] - down[i*p.R+j]) / step[i]
			}
		}
		return d
	}
	for k := 0; k < p.k; k++ {
		wide, narrow := central(k, 1), central(k, 0.5)
		for i := 0; i < p.rows; i++ {
			for j := 0; j < p.R; j++ {
				FD[i][j][k] = (4*narrow[i*p.R+j] - wide[i*p.R+j]) / 3
			}
		}
	}
	return FD
}

// nlSigmoid is -log σ(t), by a route other than graph.Softplus.
func nlSigmoid(t float64) float64 {
	if t > 0 {
		return math.Log1p(math.Exp(-t))
	}
	return -t + math.Log1p(math.Exp(t))
}

// nlSoftmax is -log softmax(z)_c: log1p(Σ_{k≠c} e^{z_k-z_c}) when z_c is
// the largest logit, else the plain log-sum-exp (then ℓ ≥ log 2, no
// cancellation to fear).
func nlSoftmax(z []float64, c int) float64 {
	m := math.Inf(-1)
	for _, v := range z {
		m = math.Max(m, v)
	}
	if z[c] == m {
		var s float64
		for k, v := range z {
			if k != c {
				s += math.Exp(v - m)
			}
		}
		return math.Log1p(s)
	}
	var s float64
	for _, v := range z {
		s += math.Exp(v - m)
	}
	return m - z[c] + math.Log(s)
}

// extremeLogits spans both tails: where e^{-|z|} is 1e-17 (|z| = 40), where
// Gorgonia's Softplus returned x (z > 16), where ℓ leaves the normal range
// (|z| > 708) and where it underflows to 0 (|z| > 745).
var extremeLogits = []float64{-1000, -745, -720, -100, -60, -40, -37, -20, -17, -16, -1, 0, 0.5, 16, 17, 20, 37, 40, 60, 100, 720, 745, 1000}

// checkResiduals compares the per-sample loss with want (relative 1e-13,
// plus the 1e-300 guard), checks Σⱼ rᵢⱼ² is that loss, and compares J with
// finite differences entry by entry: |J - FD| ≤ 1e-6·scale + 1e-100, with
// scale the largest |J| or |FD| of that residual's row (so an entry far
// below its row's gradient, which differences cannot resolve, is judged
// against the row, as jac.Check judges against a column).
// maxJ bounds |J| (the derivative of a square-root cross-entropy residual
// in a logit is bounded; the bug was J = 1e141 where FD gave 0).
func checkResiduals(t *testing.T, p *residualProbe, z, y, want []float64, maxJ float64, h func(i, k int) float64) {
	t.Helper()
	r, l := p.run(t, z, y)
	for i := 0; i < p.rows; i++ {
		var ss float64
		for j := 0; j < p.R; j++ {
			v := r[i*p.R+j]
			require.Falsef(t, math.IsNaN(v) || math.IsInf(v, 0) || v < 0, "row %d: residual %d is %v", i, j, v)
			ss += v * v
		}
		tol := 1e-13*want[i] + 2*residualGuard
		tc := len(y) / p.rows
		require.InDeltaf(t, want[i], l[i], tol, "row %d (z %v, y %v): loss", i, z[i*p.k:(i+1)*p.k], y[i*tc:(i+1)*tc])
		require.InDeltaf(t, l[i], ss, 1e-15*l[i], "row %d: PerSample is not Σ r²", i)
	}
	J := p.jacobian(t, z, y)
	FD := p.finiteDiff(t, z, y, h)
	worst := 0.0
	for i := 0; i < p.rows; i++ {
		for j := 0; j < p.R; j++ {
			scale := 0.0
			for k := 0; k < p.k; k++ {
				scale = math.Max(scale, math.Max(math.Abs(J[i][j][k]), math.Abs(FD[i][j][k])))
			}
			for k := 0; k < p.k; k++ {
				a, fd := J[i][j][k], FD[i][j][k]
				require.Falsef(t, math.IsNaN(a) || math.IsInf(a, 0), "row %d: J[%d][%d] is %v", i, j, k, a)
				require.LessOrEqualf(t, math.Abs(a), maxJ, "row %d (z %v): J[%d][%d] = %g, finite differences %g", i, z[i*p.k:(i+1)*p.k], j, k, a, fd)
				require.LessOrEqualf(t, math.Abs(a-fd), 1e-6*scale+1e-100,
					"row %d (z %v): J[%d][%d] = %g, finite differences %g", i, z[i*p.k:(i+1)*p.k], j, k, a, fd)
				if scale > 1e-100 && math.Abs(a-fd)/scale > worst {
					worst = math.Abs(a-fd) / scale
				}
			}
		}
	}
	t.Logf("%d rows × %d residuals × %d inputs: worst relative |J - FD| %.2g", p.rows, p.R, p.k, worst)
}

// forEachForm runs f on the loss's default residual form (R residuals per
// sample) and on its SoftTargets form (softR).
func forEachForm(t *testing.T, loss func(...CrossEntropyOption) Residual, R, softR int, f func(t *testing.T, loss Residual, R int)) {
	t.Run("default", func(t *testing.T) { f(t, loss(), R) })
	t.Run("soft targets", func(t *testing.T) { f(t, loss(SoftTargets()), softR) })
}

func TestBinaryCrossEntropyResidualsFromLogitsAtExtremes(t *testing.T) {
	// Every (z, y) with y ∈ {0, 1, 0.25}, two outputs per row.
	var zs, ys []float64
	for _, z := range extremeLogits {
		for _, y := range []float64{0, 1, 0.25} {
			zs, ys = append(zs, z), append(ys, y)
		}
	}
	if len(zs)%2 == 1 {
		zs, ys = append(zs, 3), append(ys, 1)
	}
	rows := len(zs) / 2
	want := make([]float64, rows)
	for i := range want {
		for k := 0; k < 2; k++ {
			z, y := zs[2*i+k], ys[2*i+k]
			want[i] += (y*nlSigmoid(z) + (1-y)*nlSigmoid(-z)) / 2
		}
	}
	forEachForm(t, BinaryCrossEntropy, 2, 4, func(t *testing.T, loss Residual, R int) {
		p := newResidualProbe(t, loss, graphrt.LinkSigmoid, rows, 2, 2)
		require.Equal(t, R, p.R)
		checkResiduals(t, p, zs, ys, want, 1, func(int, int) float64 { return 1e-3 })
	})
}

func TestBinaryCrossEntropyResidualsFromProbabilitiesAtExtremes(t *testing.T) {
	ps := []float64{0, 1e-300, 1e-12, 1e-7, 0.5, 1 - 1e-7, 1 - 1e-12, 1}
	var zs, ys []float64
	for _, p := range ps {
		for _, y := range []float64{0, 1, 0.25} {
			zs, ys = append(zs, p), append(ys, y)
		}
	}
	rows := len(zs)
	want := make([]float64, rows)
	for i := range want {
		nlx, nl1mx := squeezedLogs(zs[i])
		want[i] = ys[i]*nlx + (1-ys[i])*nl1mx
	}
	forEachForm(t, BinaryCrossEntropy, 1, 2, func(t *testing.T, loss Residual, R int) {
		p := newResidualProbe(t, loss, 0, rows, 1, 1)
		require.Equal(t, R, p.R)
		// dr/dp is up to (1-2ε)/(2ε√ℓ) ≈ 1.2e6 at p = 0 with y = 1: large
		// but true, and finite.
		checkResiduals(t, p, zs, ys, want, 1e7, func(i, _ int) float64 { return squeezedStep(zs[i]) })
	})
}

// squeezedLogs returns -log x and -log(1-x) for x = ε + (1-2ε)·p, with x
// and 1 - x formed exactly in big.Float before rounding, so the one near 0
// is exact to rounding whichever it is.
func squeezedLogs(p float64) (nlx, nl1mx float64) {
	prec := uint(2000)
	eps := new(big.Float).SetPrec(prec).SetFloat64(probEpsilon)
	s := new(big.Float).SetPrec(prec).Sub(new(big.Float).SetFloat64(1), new(big.Float).SetPrec(prec).Add(eps, eps))
	x := new(big.Float).SetPrec(prec).Mul(s, new(big.Float).SetFloat64(p))
	x.Add(x, eps)
	xbar := new(big.Float).SetPrec(prec).Sub(new(big.Float).SetFloat64(1), x)
	xf, _ := x.Float64()
	xbarf, _ := xbar.Float64()
	negLog := func(v, complement float64) float64 {
		if v < 0.5 {
			return -math.Log(v)
		}
		return -math.Log1p(-complement)
	}
	return negLog(xf, xbarf), negLog(xbarf, xf)
}

// squeezedStep is a finite-difference step for a probability p: small
// against both x = ε + (1-2ε)p and 1 - x, so p ± h stays inside the loss's
// domain even at p = 0 and 1.
func squeezedStep(p float64) float64 {
	x := probEpsilon + (1-2*probEpsilon)*p
	return 1e-3 * math.Min(x, 1-x)
}

// softmaxRows are logits whose gaps span 1e-17 to underflow, with ties.
var softmaxRows = [][]float64{
	{0, -40, -50}, {40, 0, 0}, {0, 0, 0}, {100, -100, 0}, {800, 0, -800},
	{0, 17, 16.9}, {1000, 1000, 0}, {-5, 3, 36}, {-760, 0, -1000}, {1, 2, 3},
}

// categoricalCases returns, for every softmax row, each one-hot target and
// two soft ones, as logits, one-hot (or soft) targets and labels (-1 for
// soft targets).
func categoricalCases() (z, onehot, labels []float64) {
	for _, row := range softmaxRows {
		for c := 0; c < 3; c++ {
			t := []float64{0, 0, 0}
			t[c] = 1
			z, onehot, labels = append(z, row...), append(onehot, t...), append(labels, float64(c))
		}
		for _, t := range [][]float64{{0.1, 0.8, 0.1}, {0, 0.5, 0.5}} {
			z, onehot, labels = append(z, row...), append(onehot, t...), append(labels, -1)
		}
	}
	return z, onehot, labels
}

func TestCategoricalCrossEntropyResidualsFromLogitsAtExtremes(t *testing.T) {
	z, y, _ := categoricalCases()
	rows := len(z) / 3
	want := make([]float64, rows)
	for i := range want {
		for c := 0; c < 3; c++ {
			if y[3*i+c] != 0 {
				want[i] += y[3*i+c] * nlSoftmax(z[3*i:3*i+3], c)
			}
		}
	}
	forEachForm(t, CategoricalCrossEntropy, 1, 3, func(t *testing.T, loss Residual, R int) {
		p := newResidualProbe(t, loss, graphrt.LinkSoftmax, rows, 3, 3)
		require.Equal(t, R, p.R)
		checkResiduals(t, p, z, y, want, 1, func(int, int) float64 { return 1e-3 })
	})
}

func TestSparseCategoricalCrossEntropyResidualsFromLogitsAtExtremes(t *testing.T) {
	zAll, _, labelsAll := categoricalCases()
	var z, labels, want []float64
	for i, l := range labelsAll {
		if l >= 0 {
			row := zAll[3*i : 3*i+3]
			z, labels = append(z, row...), append(labels, l)
			want = append(want, nlSoftmax(row, int(l)))
		}
	}
	p := newResidualProbe(t, SparseCategoricalCrossEntropy(), graphrt.LinkSoftmax, len(labels), 3, 1)
	require.Equal(t, 1, p.R)
	checkResiduals(t, p, z, labels, want, 1, func(int, int) float64 { return 1e-3 })
}

func TestCategoricalCrossEntropyResidualsFromProbabilitiesAtExtremes(t *testing.T) {
	probs := [][]float64{
		{1, 0, 0}, {1 - 1e-12, 1e-12, 0}, {1 - 1e-7, 5e-8, 5e-8}, {0.2, 0.3, 0.5}, {1e-300, 1, 0},
	}
	var z, y []float64
	for _, row := range probs {
		for c := 0; c < 3; c++ {
			t := []float64{0, 0, 0}
			t[c] = 1
			z, y = append(z, row...), append(y, t...)
		}
		z, y = append(z, row...), append(y, 0.1, 0.8, 0.1)
	}
	rows := len(z) / 3
	want := make([]float64, rows)
	for i := range want {
		for c := 0; c < 3; c++ {
			nlx, _ := squeezedLogs(z[3*i+c])
			want[i] += y[3*i+c] * nlx
		}
	}
	forEachForm(t, CategoricalCrossEntropy, 1, 3, func(t *testing.T, loss Residual, R int) {
		p := newResidualProbe(t, loss, 0, rows, 3, 3)
		require.Equal(t, R, p.R)
		checkResiduals(t, p, z, y, want, 1e7, func(i, k int) float64 { return squeezedStep(z[3*i+k]) })
	})
}
