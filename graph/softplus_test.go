package graph

import (
	"math"
	"testing"

	"github.com/stretchr/testify/require"
	G "gorgonia.org/gorgonia"
)

// relClose asserts |got - want| ≤ tol·|want| (exact equality when want is 0).
func relClose(t *testing.T, want, got, tol float64, msg string, args ...any) {
	t.Helper()
	require.LessOrEqualf(t, math.Abs(got-want), tol*math.Abs(want), msg+": got %.17g, want %.17g", append(args, got, want)...)
}

// TestSoftplusAndSigmoidKeepRelativeAccuracy: on both tails, where
// Gorgonia's Softplus returns x (x > 16) and its Sigmoid returns 0 or 1,
// graph.Softplus, graph.Sigmoid and their graph derivatives match the
// references to a few ulps, relative.
func TestSoftplusAndSigmoidKeepRelativeAccuracy(t *testing.T) {
	xs := []float64{-1000, -745, -700, -100, -40, -37, -20, -17, -16, -1, -1e-9, 0, 1e-9, 0.5, 16, 17, 20, 37, 40, 100, 700, 1000}
	sp, dsp := run(t, []int{len(xs)}, xs, func(_ *Builder, x *G.Node) (*G.Node, error) { return Softplus(x) })
	sg, dsg := run(t, []int{len(xs)}, xs, func(_ *Builder, x *G.Node) (*G.Node, error) { return Sigmoid(x) })
	for i, x := range xs {
		// log(1+eˣ) = eˣ - e²ˣ/2 + … below -37, x + log(1+e⁻ˣ) above.
		var wantSp, wantSg float64
		switch {
		case x < -37:
			wantSp, wantSg = math.Exp(x), math.Exp(x)
		case x > 37:
			wantSp, wantSg = x+math.Exp(-x), 1
		case x < 0:
			wantSp, wantSg = math.Log1p(math.Exp(x)), math.Exp(x)/(1+math.Exp(x))
		default:
			wantSp, wantSg = x+math.Log1p(math.Exp(-x)), 1/(1+math.Exp(-x))
		}
		relClose(t, wantSp, sp[i], 4e-16, "softplus(%v)", x)
		relClose(t, wantSg, sg[i], 4e-16, "sigmoid(%v)", x)
		relClose(t, wantSg, dsp[i], 4e-16, "softplus'(%v)", x)
		// σ' = σ(x)σ(-x), each factor from its accurate side.
		wantD := refSigmoid(x) * refSigmoid(-x)
		relClose(t, wantD, dsg[i], 1e-15, "sigmoid'(%v)", x)
	}
	// Gorgonia's own Softplus is exactly x above 16: the value that made a
	// BCE of softplus(z) - y·z exactly 0 while its gradient was not.
	g, _ := run(t, []int{1}, []float64{17}, func(_ *Builder, x *G.Node) (*G.Node, error) { return G.Softplus(x) })
	require.Equal(t, 17.0, g[0])
}

// TestSoftplusThirdDerivativeIsAnError: differentiating σ' is refused,
// never a silent zero.
func TestSoftplusThirdDerivativeIsAnError(t *testing.T) {
	b := NewBuilder(NewParams(), 1)
	in := b.input("x", 2)
	d, err := G.ApplyOp(unaryOp{elemSigmoidDeriv}, in.Node)
	require.NoError(t, err)
	cost, err := G.Sum(d)
	require.NoError(t, err)
	err = catch(func() error { _, e := G.Grad(cost, in.Node); return e })
	require.ErrorContains(t, err, "not implemented")
}

// TestNegLogSqueezedKeepsRelativeAccuracy: -log(ε + (1-2ε)p) and
// -log(1 - ε - (1-2ε)p) near the ends where they are about ε, and their
// derivatives against central differences.
func TestNegLogSqueezedKeepsRelativeAccuracy(t *testing.T) {
	const eps = 1e-7
	ps := []float64{0, 1e-300, 1e-12, 0.25, 0.5, 0.75, 1 - 1e-12, 1}
	nl, dnl := run(t, []int{len(ps)}, ps, func(_ *Builder, x *G.Node) (*G.Node, error) { return NegLogSqueezed(x, eps) })
	nlc, dnlc := run(t, []int{len(ps)}, ps, func(_ *Builder, x *G.Node) (*G.Node, error) { return NegLog1mSqueezed(x, eps) })
	for i, p := range ps {
		// Near p = 1, -log x = -log1p(-(ε + s·(1-p))) ≈ ε + s·(1-p).
		relClose(t, refNegLog(eps, p, false), nl[i], 1e-15, "-log x at p = %v", p)
		relClose(t, refNegLog(eps, p, true), nlc[i], 1e-15, "-log(1-x) at p = %v", p)
		h := 1e-4 * math.Min(eps+p, eps+1-p)
		fd := (squeezedLog{eps: eps}.Eval(p+h) - squeezedLog{eps: eps}.Eval(p-h)) / ((p + h) - (p - h))
		relClose(t, fd, dnl[i], 1e-6, "d(-log x)/dp at p = %v", p)
		fd = (squeezedLog{eps: eps, complement: true}.Eval(p+h) - squeezedLog{eps: eps, complement: true}.Eval(p-h)) / ((p + h) - (p - h))
		relClose(t, fd, dnlc[i], 1e-6, "d(-log(1-x))/dp at p = %v", p)
	}
	_, err := NegLogSqueezed(G.NewConstant(0.5), 0.5)
	require.ErrorContains(t, err, "outside (0, 0.5)")
	_, err = NegLog1mSqueezed(G.NewConstant(0.5), math.NaN())
	require.ErrorContains(t, err, "outside (0, 0.5)")
}

// refSigmoid is σ(x) from the side where it does not cancel.
func refSigmoid(x float64) float64 {
	if x < 0 {
		return math.Exp(x) / (1 + math.Exp(x))
	}
	return 1 / (1 + math.Exp(-x))
}

// refNegLog is -log x (or -log(1-x) when complement) for x = ε + (1-2ε)p:
// by the series -log(1-u) = u + u²/2 + u³/3 where the loss u is below 1e-6,
// u formed from p or 1-p (exact for p ≥ 0.5), else by math.Log.
func refNegLog(eps, p float64, complement bool) float64 {
	s := 1 - 2*eps
	x, u := eps+s*p, eps+s*(1-p) // x and 1-x
	if complement {
		x, u = u, x
	}
	if u < 1e-6 {
		return u + u*u/2 + u*u*u/3
	}
	return -math.Log(x)
}
