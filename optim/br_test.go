package optim

import (
	"context"
	"encoding/json"
	"errors"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"testing"

	"gonum.org/v1/gonum/mat"
)

// brNet is a 1-H-1 tanh network y(x) = Σ_k v_k·tanh(w_k·x + b_k) + c as a
// LeastSquares objective with residuals r = y - t, weight w on every row
// and θ = [w(H), b(H), v(H), c]. nanAt makes the residuals NaN from the
// nanAt-th SumSquares call on (0: never).
type brNet struct {
	theta []float64
	x, t  []float64
	h     int
	w     float64
	nanAt int
	sums  int
	onSum func(call int) // optional: called at each SumSquares (from 1)
}

func newBRNet(h int, x, t, theta0 []float64, w float64) *brNet {
	return &brNet{theta: append([]float64(nil), theta0...), x: x, t: t, h: h, w: w}
}

func (p *brNet) Params() []float64 { return p.theta }
func (p *brNet) Rows() int         { return len(p.x) }

func (p *brNet) res(r []float64) {
	h, th := p.h, p.theta
	for q, x := range p.x {
		y := th[3*h]
		for k := 0; k < h; k++ {
			y += th[2*h+k] * math.Tanh(th[k]*x+th[h+k])
		}
		r[q] = y - p.t[q]
	}
	if p.nanAt > 0 && p.sums >= p.nanAt {
		r[0] = math.NaN()
	}
}

func (p *brNet) jac(J *mat.Dense) {
	h, th := p.h, p.theta
	for q, x := range p.x {
		for k := 0; k < h; k++ {
			a := math.Tanh(th[k]*x + th[h+k])
			d := (1 - a*a) * th[2*h+k]
			J.Set(q, k, d*x)
			J.Set(q, h+k, d)
			J.Set(q, 2*h+k, a)
		}
		J.Set(q, 3*h, 1)
	}
}

func (p *brNet) Loss() (float64, error) {
	r := make([]float64, len(p.x))
	p.res(r)
	var s float64
	for _, v := range r {
		s += p.w * v * v
	}
	return s, nil
}

func (p *brNet) SumSquares(ctx context.Context) (float64, error) {
	p.sums++
	if p.onSum != nil {
		p.onSum(p.sums)
	}
	if err := ctx.Err(); err != nil {
		return 0, err
	}
	return p.Loss()
}

func (p *brNet) Gradient(g []float64) (float64, error) {
	jtj := mat.NewSymDense(len(p.theta), nil)
	loss, err := p.NormalEquations(context.Background(), jtj, g)
	for i := range g {
		g[i] *= 2
	}
	return loss, err
}

func (p *brNet) NormalEquations(_ context.Context, jtj *mat.SymDense, jtr []float64) (float64, error) {
	P, n := len(p.theta), len(p.x)
	J := mat.NewDense(n, P, nil)
	r := make([]float64, n)
	p.res(r)
	p.jac(J)
	var loss float64
	for i := 0; i < P; i++ {
		jtr[i] = 0
		for q := 0; q < n; q++ {
			jtr[i] += p.w * J.At(q, i) * r[q]
		}
		for j := i; j < P; j++ {
			var s float64
			for q := 0; q < n; q++ {
				s += J.At(q, i) * J.At(q, j)
			}
			jtj.SetSym(i, j, p.w*s)
		}
	}
	for _, v := range r {
		loss += p.w * v * v
	}
	return loss, nil
}

func (p *brNet) Jacobian(_ context.Context, dst *mat.Dense, r []float64) error {
	p.jac(dst)
	p.res(r)
	sw := math.Sqrt(p.w)
	dst.Scale(sw, dst)
	for i := range r {
		r[i] *= sw
	}
	return nil
}

func (p *brNet) Residuals(_ context.Context, r []float64) error {
	p.res(r)
	for i := range r {
		r[i] *= math.Sqrt(p.w)
	}
	return nil
}

type brReference struct {
	Hidden int       `json:"hidden"`
	Mu     float64   `json:"mu"`
	MuDec  float64   `json:"mu_dec"`
	MuInc  float64   `json:"mu_inc"`
	MuMax  float64   `json:"mu_max"`
	X      []float64 `json:"x"`
	T      []float64 `json:"t"`
	Theta0 []float64 `json:"theta0"`
	Init   struct {
		Gamma float64 `json:"gamma"`
		Alpha float64 `json:"alpha"`
		Beta  float64 `json:"beta"`
		SSE   float64 `json:"sse"`
		SSW   float64 `json:"ssw"`
	} `json:"init"`
	Iters []brRefIter `json:"iters"`
}

type brRefIter struct {
	Theta    []float64 `json:"theta"`
	Gamma    float64   `json:"gamma"`
	Alpha    float64   `json:"alpha"`
	Beta     float64   `json:"beta"`
	SSE      float64   `json:"sse"`
	SSW      float64   `json:"ssw"`
	Mu       float64   `json:"mu"`
	Accepted bool      `json:"accepted"`
	Tries    int       `json:"tries"`
}

func loadBRReference(t *testing.T) brReference {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join("testdata", "br_reference.json"))
	if err != nil {
		t.Fatal(err)
	}
	var ref brReference
	if err := json.Unmarshal(raw, &ref); err != nil {
		t.Fatal(err)
	}
	if ref.Hidden == 0 || len(ref.X) == 0 || len(ref.Theta0) != 3*ref.Hidden+1 || len(ref.Iters) < 5 {
		t.Fatalf("reference fixture is incomplete: %d hidden, %d points, %d θ₀, %d iterations", ref.Hidden, len(ref.X), len(ref.Theta0), len(ref.Iters))
	}
	return ref
}

func relErr(got, want float64) float64 {
	if want == 0 {
		return math.Abs(got)
	}
	return math.Abs(got-want) / math.Abs(want)
}

// The fixture's trajectory (an independent NumPy implementation of the
// same iteration) is reproduced to 1e-8 relative in γ, α and β.
func TestBRReference(t *testing.T) {
	ref := loadBRReference(t)
	if ref.Mu != 0.005 || ref.MuDec != 0.1 || ref.MuInc != 10 || ref.MuMax != 1e10 {
		t.Fatalf("fixture uses μ %v/%v/%v/%v, not trainbr's defaults", ref.Mu, ref.MuDec, ref.MuInc, ref.MuMax)
	}
	p := newBRNet(ref.Hidden, ref.X, ref.T, ref.Theta0, 1)
	o := BR(BRConfig{})
	if err := o.Init(Problem{Params: len(p.theta), Rows: p.Rows()}); err != nil {
		t.Fatal(err)
	}
	sawReject := false
	var worst float64
	for k, want := range ref.Iters {
		info, err := o.Step(context.Background(), p)
		if err != nil {
			t.Fatalf("iteration %d: %v", k+1, err)
		}
		if info.Accepted != want.Accepted || info.Tries != want.Tries {
			t.Fatalf("iteration %d: accepted %v after %d tries, reference %v after %d", k+1, info.Accepted, info.Tries, want.Accepted, want.Tries)
		}
		sawReject = sawReject || info.Tries > 1
		if info.Mu != want.Mu || o.Mu() != want.Mu {
			t.Errorf("iteration %d: μ = %v, reference %v", k+1, o.Mu(), want.Mu)
		}
		ev := info.Evidence
		if ev == nil {
			t.Fatalf("iteration %d: StepInfo.Evidence is nil", k+1)
		}
		if ev.Gamma != o.Gamma() || ev.Alpha != o.Alpha() || ev.Beta != o.Beta() {
			t.Errorf("iteration %d: Evidence %+v disagrees with the accessors %v %v %v", k+1, *ev, o.Gamma(), o.Alpha(), o.Beta())
		}
		for _, c := range []struct {
			name      string
			got, want float64
		}{
			{"γ", ev.Gamma, want.Gamma}, {"α", ev.Alpha, want.Alpha}, {"β", ev.Beta, want.Beta},
			{"E_D", ev.SSE, want.SSE}, {"E_W", ev.SSW, want.SSW}, {"NewLoss", info.NewLoss, want.SSE},
		} {
			e := relErr(c.got, c.want)
			worst = math.Max(worst, e)
			if !(e <= 1e-8) {
				t.Errorf("iteration %d: %s = %.17g, reference %.17g (relative error %.2g)", k+1, c.name, c.got, c.want, e)
			}
		}
		for i, v := range p.theta {
			if e := math.Abs(v - want.Theta[i]); !(e <= 1e-8*(1+math.Abs(want.Theta[i]))) {
				t.Errorf("iteration %d: θ[%d] = %.17g, reference %.17g", k+1, i, v, want.Theta[i])
			}
		}
	}
	t.Logf("%d iterations; largest relative deviation from the reference in γ, α, β, E_D, E_W: %.2g", len(ref.Iters), worst)
	if !sawReject {
		t.Error("the fixture never rejects a trial; it does not exercise μ growth")
	}
	if last := ref.Iters[len(ref.Iters)-1]; !(last.Gamma < float64(len(p.theta))) || !(last.Gamma > 1) {
		t.Errorf("reference γ = %v is not inside (1, P)", last.Gamma)
	}
}

// The first step starts from γ = P, β = (N − P)/(2E_D) and α = 0 (it weighs
// E_D alone): its GradNorm is that F's gradient.
func TestBRInitialEvidence(t *testing.T) {
	ref := loadBRReference(t)
	p := newBRNet(ref.Hidden, ref.X, ref.T, ref.Theta0, 1)
	P := float64(len(p.theta))
	sse, _ := p.Loss()
	ssw := brSumSq(p.theta)
	if relErr(sse, ref.Init.SSE) > 1e-12 || relErr(ssw, ref.Init.SSW) > 1e-12 {
		t.Fatalf("E_D, E_W at θ₀ = %v, %v; reference %v, %v", sse, ssw, ref.Init.SSE, ref.Init.SSW)
	}
	beta, alpha := (float64(len(ref.X))-P)/(2*sse), 0.0
	if relErr(beta, ref.Init.Beta) > 1e-12 || alpha != ref.Init.Alpha || ref.Init.Gamma != P {
		t.Fatalf("initial β, α = %v, %v; reference %v, %v (γ %v)", beta, alpha, ref.Init.Beta, ref.Init.Alpha, ref.Init.Gamma)
	}
	jtj, jtr := mat.NewSymDense(len(p.theta), nil), make([]float64, len(p.theta))
	if _, err := p.NormalEquations(context.Background(), jtj, jtr); err != nil {
		t.Fatal(err)
	}
	var sq float64
	for i, v := range jtr {
		g := beta*v + alpha*p.theta[i]
		sq += g * g
	}
	info, err := BR(BRConfig{}).Step(context.Background(), p)
	if err != nil {
		t.Fatal(err)
	}
	if e := relErr(info.GradNorm, 2*math.Sqrt(sq)); e > 1e-12 {
		t.Errorf("GradNorm = %v, ‖∇F‖ at the initial evidence = %v", info.GradNorm, 2*math.Sqrt(sq))
	}
	if info.Loss != sse {
		t.Errorf("Loss = %v, E_D at θ₀ = %v", info.Loss, sse)
	}
}

func TestBRValidate(t *testing.T) {
	if err := (BRConfig{}).Validate(); err != nil {
		t.Fatalf("zero config: %v", err)
	}
	if err := BR(BRConfig{}).Validate(); err != nil {
		t.Fatalf("defaults: %v", err)
	}
	nan, inf := math.NaN(), math.Inf(1)
	bad := []BRConfig{
		{Mu: nan}, {MuDec: nan}, {MuInc: nan}, {MuMax: nan}, {MinGrad: nan},
		{Mu: inf}, {MuMax: inf}, {MinGrad: -inf},
		{Mu: -1}, {MuMax: -1}, {MuDec: 1}, {MuDec: -0.1}, {MuInc: 1}, {MuInc: 0.5},
	}
	for _, c := range bad {
		if err := c.Validate(); err == nil {
			t.Errorf("%+v: Validate accepted it", c)
		}
		o := BR(c)
		if err := o.Init(Problem{Params: 3}); err == nil {
			t.Errorf("%+v: Init accepted it", c)
		}
		p, _ := linearProblemBR()
		if _, err := o.Step(context.Background(), p); err == nil {
			t.Errorf("%+v: Step without Init accepted it", c)
		}
	}
	if err := BR(BRConfig{}).Init(Problem{Params: 0}); err == nil {
		t.Error("Init accepted a problem without parameters")
	}
}

// linearProblemBR is r = A·θ − y for a fixed 8×3 A.
func linearProblemBR() (*brLinear, []float64) {
	A := []float64{1, 2, 0, 0, 1, 1, 3, 0, 1, 1, 1, 1, 2, -1, 0, 0, 0, 4, 1, -1, 1, 2, 2, 0}
	y := []float64{1, -2, 0.5, 3, 2, -1, 0.3, 1.1}
	return &brLinear{A: mat.NewDense(8, 3, A), y: y, theta: []float64{0.1, -0.2, 0.3}}, y
}

type brLinear struct {
	A     *mat.Dense
	y     []float64
	theta []float64
}

func (p *brLinear) Params() []float64 { return p.theta }
func (p *brLinear) Rows() int         { return len(p.y) }
func (p *brLinear) res(r []float64) {
	for q := range p.y {
		r[q] = -p.y[q]
		for i, v := range p.theta {
			r[q] += p.A.At(q, i) * v
		}
	}
}
func (p *brLinear) Loss() (float64, error) {
	r := make([]float64, len(p.y))
	p.res(r)
	return brSumSq(r), nil
}
func (p *brLinear) SumSquares(context.Context) (float64, error) { return p.Loss() }
func (p *brLinear) Gradient(g []float64) (float64, error) {
	jtj := mat.NewSymDense(len(p.theta), nil)
	l, err := p.NormalEquations(context.Background(), jtj, g)
	for i := range g {
		g[i] *= 2
	}
	return l, err
}
func (p *brLinear) NormalEquations(_ context.Context, jtj *mat.SymDense, jtr []float64) (float64, error) {
	r := make([]float64, len(p.y))
	p.res(r)
	for i := range p.theta {
		jtr[i] = 0
		for q := range r {
			jtr[i] += p.A.At(q, i) * r[q]
		}
		for j := i; j < len(p.theta); j++ {
			var s float64
			for q := range r {
				s += p.A.At(q, i) * p.A.At(q, j)
			}
			jtj.SetSym(i, j, s)
		}
	}
	return brSumSq(r), nil
}
func (p *brLinear) Jacobian(_ context.Context, dst *mat.Dense, r []float64) error {
	dst.Copy(p.A)
	p.res(r)
	return nil
}
func (p *brLinear) Residuals(_ context.Context, r []float64) error { p.res(r); return nil }

type brState struct {
	theta              []float64
	gamma, alpha, beta float64
	mu                 float64
}

func brRun(t *testing.T, o *BROptimizer, p Objective, steps int) []brState {
	t.Helper()
	var out []brState
	for k := 0; k < steps; k++ {
		info, err := o.Step(context.Background(), p)
		if err != nil {
			t.Fatalf("step %d: %v", k+1, err)
		}
		out = append(out, brState{append([]float64(nil), p.Params()...), o.Gamma(), o.Alpha(), o.Beta(), o.Mu()})
		if info.Stop != "" {
			break
		}
	}
	return out
}

func brSameBits(t *testing.T, what string, a, b []brState) {
	t.Helper()
	if len(a) != len(b) {
		t.Fatalf("%s: %d steps vs %d", what, len(a), len(b))
	}
	for k := range a {
		x, y := a[k], b[k]
		if x.gamma != y.gamma || x.alpha != y.alpha || x.beta != y.beta || x.mu != y.mu {
			t.Fatalf("%s: step %d: (γ, α, β, μ) = (%v, %v, %v, %v) vs (%v, %v, %v, %v)", what, k+1, x.gamma, x.alpha, x.beta, x.mu, y.gamma, y.alpha, y.beta, y.mu)
		}
		for i := range x.theta {
			if math.Float64bits(x.theta[i]) != math.Float64bits(y.theta[i]) {
				t.Fatalf("%s: step %d: θ[%d] = %v vs %v", what, k+1, i, x.theta[i], y.theta[i])
			}
		}
	}
}

// Init without Continue discards μ, γ, α and β: a second run from the same
// weights gives the first run's bits. With Continue, 4 + 6 steps are 10.
func TestBRInitResetsAndContinue(t *testing.T) {
	ref := loadBRReference(t)
	p := newBRNet(ref.Hidden, ref.X, ref.T, ref.Theta0, 1)
	prob := Problem{Params: len(p.theta), Rows: p.Rows()}
	o := BR(BRConfig{})
	if err := o.Init(prob); err != nil {
		t.Fatal(err)
	}
	first := brRun(t, o, p, 10)
	if o.Mu() == 0.005 && o.Gamma() == float64(len(p.theta)) {
		t.Fatal("the run changed neither μ nor γ; the reset test would prove nothing")
	}
	copy(p.theta, ref.Theta0)
	if err := o.Init(prob); err != nil {
		t.Fatal(err)
	}
	if o.Mu() != 0.005 || o.Gamma() != 0 || o.Alpha() != 0 || o.Beta() != 0 {
		t.Errorf("after Init: μ %v, γ %v, α %v, β %v; want 0.005 and zeros", o.Mu(), o.Gamma(), o.Alpha(), o.Beta())
	}
	second := brRun(t, o, p, 10)
	brSameBits(t, "second run after Init", first, second)

	// Continue: 4 steps, Init(Continue), 6 steps.
	copy(p.theta, ref.Theta0)
	if err := o.Init(prob); err != nil {
		t.Fatal(err)
	}
	a := brRun(t, o, p, 4)
	cont := prob
	cont.Continue = true
	if err := o.Init(cont); err != nil {
		t.Fatal(err)
	}
	b := brRun(t, o, p, 6)
	brSameBits(t, "4 + Continue + 6 steps", first, append(a, b...))

	bad := cont
	bad.Params++
	if err := o.Init(bad); err == nil {
		t.Error("Init(Continue) accepted another parameter count")
	}
	// A fresh optimizer without Init gives the same bits too.
	copy(p.theta, ref.Theta0)
	p2 := newBRNet(ref.Hidden, ref.X, ref.T, ref.Theta0, 1)
	brSameBits(t, "fresh optimizer without Init", first, brRun(t, BR(BRConfig{}), p2, 10))
	if _, err := o.Step(context.Background(), p2); !errors.Is(err, ErrForeignParams) {
		t.Errorf("stepping another θ: err = %v, want ErrForeignParams", err)
	}
}

// On an overparameterized network (1-10-1, 31 parameters, 25 noisy points
// of a smooth curve) the evidence framework switches most parameters off.
func TestBROverparameterized(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 11))
	const n, h = 25, 10
	x, y := make([]float64, n), make([]float64, n)
	for i := range x {
		x[i] = -2 + 4*float64(i)/(n-1)
		y[i] = math.Sin(x[i]) + 0.2*rng.NormFloat64()
	}
	theta0 := make([]float64, 3*h+1)
	for i := range theta0 {
		theta0[i] = 0.5 * rng.NormFloat64()
	}
	p := newBRNet(h, x, y, theta0, 1)
	o := BR(BRConfig{})
	var info StepInfo
	var err error
	k := 0
	for ; k < 300; k++ {
		if info, err = o.Step(context.Background(), p); err != nil {
			t.Fatal(err)
		}
		if info.Stop != "" {
			break
		}
	}
	P := float64(len(theta0))
	g := o.Gamma()
	t.Logf("after %d steps (stop %q): γ = %.3f of P = %v, α = %.4g, β = %.4g, E_D = %.4g (noise n·σ² = %.3g)", k, info.Stop, g, P, o.Alpha(), o.Beta(), info.Evidence.SSE, n*0.04)
	if !(g > 1 && g < 0.5*P) {
		t.Errorf("γ = %v; want it well below P = %v (and above 1)", g, P)
	}
	// β ≈ 1/(2σ²) with σ = 0.2 within a generous factor.
	if b := o.Beta(); !(b > 12.5/4 && b < 12.5*4) {
		t.Errorf("β = %v; the noise level says about 12.5", b)
	}
}

// W = 1/N on every residual gives the θ path of W = 1: β scales by N, γ
// and α do not change.
func TestBRScaleInvariance(t *testing.T) {
	ref := loadBRReference(t)
	n := float64(len(ref.X))
	p1 := newBRNet(ref.Hidden, ref.X, ref.T, ref.Theta0, 1)
	pn := newBRNet(ref.Hidden, ref.X, ref.T, ref.Theta0, 1/n)
	o1, on := BR(BRConfig{}), BR(BRConfig{})
	for k := 0; k < 30; k++ {
		i1, err1 := o1.Step(context.Background(), p1)
		in, errn := on.Step(context.Background(), pn)
		if err1 != nil || errn != nil {
			t.Fatal(err1, errn)
		}
		if i1.Accepted != in.Accepted || i1.Tries != in.Tries || i1.Mu != in.Mu {
			t.Fatalf("step %d: accepted %v/%v, tries %d/%d, μ %v/%v", k+1, i1.Accepted, in.Accepted, i1.Tries, in.Tries, i1.Mu, in.Mu)
		}
		for i := range p1.theta {
			if e := math.Abs(p1.theta[i] - pn.theta[i]); e > 1e-9*(1+math.Abs(p1.theta[i])) {
				t.Fatalf("step %d: θ[%d] = %v with W = 1, %v with W = 1/N", k+1, i, p1.theta[i], pn.theta[i])
			}
		}
		if relErr(on.Gamma(), o1.Gamma()) > 1e-9 || relErr(on.Alpha(), o1.Alpha()) > 1e-9 || relErr(on.Beta(), n*o1.Beta()) > 1e-9 {
			t.Fatalf("step %d: (γ, α, β) = (%v, %v, %v) with W = 1/N, (%v, %v, N·%v) with W = 1", k+1, on.Gamma(), on.Alpha(), on.Beta(), o1.Gamma(), o1.Alpha(), o1.Beta())
		}
		if i1.Stop != "" || in.Stop != "" {
			break
		}
	}
}

// A trial that never lowers F (here: every trial's residuals are NaN) is
// rejected until μ passes MuMax; θ stays bit-identical and the stop is
// StopMuMax, which is not convergence.
func TestBRMuMaxKeepsTheta(t *testing.T) {
	ref := loadBRReference(t)
	p := newBRNet(ref.Hidden, ref.X, ref.T, ref.Theta0, 1)
	p.nanAt = 2 // the first SumSquares (at θ) is fine, every trial is NaN
	o := BR(BRConfig{MuMax: 1})
	info, err := o.Step(context.Background(), p)
	if err != nil {
		t.Fatal(err)
	}
	if info.Stop != StopMuMax || info.Accepted || info.Stop.Converged() {
		t.Fatalf("stop %q, accepted %v; want mu_max, rejected", info.Stop, info.Accepted)
	}
	if info.Tries != 3 { // μ 0.005 → 0.05 → 0.5 → 5 > 1
		t.Errorf("tries = %d, want 3", info.Tries)
	}
	for i, v := range p.theta {
		if math.Float64bits(v) != math.Float64bits(ref.Theta0[i]) {
			t.Fatalf("θ[%d] = %v, was %v", i, v, ref.Theta0[i])
		}
	}
	// γ, α and β keep their initial values.
	if o.Gamma() != float64(len(p.theta)) {
		t.Errorf("γ = %v after a rejected step, want P", o.Gamma())
	}
}

func TestBRNotFiniteAndCancel(t *testing.T) {
	ref := loadBRReference(t)
	p := newBRNet(ref.Hidden, ref.X, ref.T, ref.Theta0, 1)
	p.nanAt = 1
	o := BR(BRConfig{})
	if _, err := o.Step(context.Background(), p); !errors.Is(err, ErrNotFinite) {
		t.Fatalf("NaN loss: err = %v, want ErrNotFinite", err)
	}
	if o.Gamma() != 0 {
		t.Errorf("a failed first step initialized γ = %v", o.Gamma())
	}
	p.nanAt = 0
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := o.Step(ctx, p); !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled: err = %v", err)
	}
	for i, v := range p.theta {
		if v != ref.Theta0[i] {
			t.Fatalf("θ[%d] changed on error", i)
		}
	}
	if _, err := o.Step(context.Background(), notLS{p}); !errors.Is(err, ErrNotLeastSquares) {
		t.Errorf("an objective without LeastSquares: err = %v, want ErrNotLeastSquares", err)
	}
}

type notLS struct{ p *brNet }

func (n notLS) Params() []float64                     { return n.p.Params() }
func (n notLS) Loss() (float64, error)                { return n.p.Loss() }
func (n notLS) Gradient(g []float64) (float64, error) { return n.p.Gradient(g) }

// MinGrad stops before stepping; the linear problem converges to a
// regularized least-squares solution with a small gradient of F.
func TestBRMinGradAndLinear(t *testing.T) {
	p, _ := linearProblemBR()
	before := append([]float64(nil), p.theta...)
	info, err := BR(BRConfig{MinGrad: 1e10}).Step(context.Background(), p)
	if err != nil {
		t.Fatal(err)
	}
	if info.Stop != StopMinGrad || info.Accepted || p.theta[0] != before[0] {
		t.Fatalf("stop %q, accepted %v; want min_grad before stepping", info.Stop, info.Accepted)
	}
	o := BR(BRConfig{})
	for k := 0; k < 200; k++ {
		if info, err = o.Step(context.Background(), p); err != nil {
			t.Fatal(err)
		}
		if info.Stop != "" {
			break
		}
	}
	if info.Stop != StopMinGrad && info.Stop != StopMuMax {
		t.Fatalf("200 steps on a linear problem ended without a stop (γ %v)", o.Gamma())
	}
	// At the fixed point θ solves (βAᵀA + αI)θ = βAᵀy, and γ is in (0, 3).
	if g := o.Gamma(); !(g > 0 && g < 3) {
		t.Errorf("γ = %v outside (0, 3)", g)
	}
	a, b := o.Alpha(), o.Beta()
	jtj, jtr := mat.NewSymDense(3, nil), make([]float64, 3)
	if _, err := p.NormalEquations(context.Background(), jtj, jtr); err != nil {
		t.Fatal(err)
	}
	for i := range jtr {
		if g := b*jtr[i] + a*p.theta[i]; math.Abs(g) > 1e-6*b {
			t.Errorf("∇F[%d]/2 = %v at the end", i, g)
		}
	}
}

var (
	_ LeastSquaresOptimizer = (*BROptimizer)(nil)
	_ TrainingDefaults      = (*BROptimizer)(nil)
	_ Initializer           = (*BROptimizer)(nil)
	_ Validator             = (*BROptimizer)(nil)
)

// E_W = 0 (θ₀ = 0) is no problem for the first step, which weighs E_D
// alone (α = 0); E_D = 0 (an exact fit) starts at once with trainbr's
// estimates, β = 1 and α = γ/(2E_W) (a first step on E_D alone could not
// lower it); training goes on from both.
func TestBRZeroGuards(t *testing.T) {
	initial := func(p *brLinear) *Evidence {
		t.Helper()
		// MinGrad above any gradient: the step stops at once and reports
		// the initial evidence.
		info, err := BR(BRConfig{MinGrad: 1e30}).Step(context.Background(), p)
		if err != nil || info.Stop != StopMinGrad || info.Evidence == nil {
			t.Fatalf("err %v, stop %q, evidence %v", err, info.Stop, info.Evidence)
		}
		return info.Evidence
	}
	zero, _ := linearProblemBR()
	for i := range zero.theta {
		zero.theta[i] = 0
	}
	sse := brSumSq(zero.y)
	if ev := initial(zero); ev.Gamma != 3 || ev.Alpha != 0 || ev.Beta != 5/(2*sse) || ev.SSW != 0 {
		t.Errorf("θ₀ = 0: initial evidence %+v; want γ 3, α 0, β %v", *ev, 5/(2*sse))
	}
	exact, _ := linearProblemBR()
	exact.theta = []float64{1, -2, 3} // integers: A·θ₀ is exact
	r := make([]float64, len(exact.y))
	exact.res(r)
	for q := range exact.y {
		exact.y[q] += r[q] // now A·θ₀ = y
	}
	if ev := initial(exact); ev.SSE != 0 || ev.Beta != 1 || ev.Alpha != 3/(2*brSumSq(exact.theta)) {
		t.Errorf("exact fit: initial evidence %+v; want E_D 0, β 1", *ev)
	}
	for _, p := range []*brLinear{zero, exact} {
		o := BR(BRConfig{})
		for k := 0; k < 20; k++ {
			info, err := o.Step(context.Background(), p)
			if err != nil {
				t.Fatal(err)
			}
			if info.Stop != "" {
				break
			}
		}
		if !(o.Gamma() >= 0 && o.Gamma() <= 3 && o.Alpha() > 0 && o.Beta() > 0) || !brFinite(p.theta) {
			t.Errorf("after 20 steps: γ, α, β = %v, %v, %v, θ = %v", o.Gamma(), o.Alpha(), o.Beta(), p.theta)
		}
	}
}

// A cancel in the middle of a step (in a trial after rejected ones, μ
// already raised) leaves θ, μ, γ, α and β as they were: the run then goes
// on exactly as one that was never cancelled.
func TestBRCancelMidStep(t *testing.T) {
	ref := loadBRReference(t)
	want := brRun(t, BR(BRConfig{}), newBRNet(ref.Hidden, ref.X, ref.T, ref.Theta0, 1), 4)
	// Iteration 2 of the fixture rejects twice: its SumSquares calls are
	// 1 (iteration 1's start), 2 (its accepted trial), 3 (iteration 2's
	// start), 4 and 5 (rejected trials), 6 (accepted).
	for _, at := range []int{4, 5, 6} {
		p := newBRNet(ref.Hidden, ref.X, ref.T, ref.Theta0, 1)
		o := BR(BRConfig{})
		ctx, cancel := context.WithCancel(context.Background())
		p.onSum = func(call int) {
			if call == at {
				cancel()
			}
		}
		got := brRun(t, o, p, 1)
		before := append([]float64(nil), p.theta...)
		g, a, b, mu := o.Gamma(), o.Alpha(), o.Beta(), o.Mu()
		if _, err := o.Step(ctx, p); !errors.Is(err, context.Canceled) {
			t.Fatalf("cancel at SumSquares %d: err = %v", at, err)
		}
		if o.Gamma() != g || o.Alpha() != a || o.Beta() != b || o.Mu() != mu {
			t.Errorf("cancel at SumSquares %d: state (%v %v %v %v) → (%v %v %v %v)", at, g, a, b, mu, o.Gamma(), o.Alpha(), o.Beta(), o.Mu())
		}
		for i := range before {
			if math.Float64bits(p.theta[i]) != math.Float64bits(before[i]) {
				t.Fatalf("cancel at SumSquares %d: θ[%d] changed", at, i)
			}
		}
		p.onSum = nil
		got = append(got, brRun(t, o, p, 3)...)
		brSameBits(t, "run after a cancelled step", want, got)
	}
}

// countingNet is brNet counting its linearizations; versionedNet adds a
// BatchVersion.
type countingNet struct {
	*brNet
	normals int
}

func (p *countingNet) NormalEquations(ctx context.Context, jtj *mat.SymDense, jtr []float64) (float64, error) {
	p.normals++
	return p.brNet.NormalEquations(ctx, jtj, jtr)
}

type versionedNet struct {
	countingNet
	version uint64
	at      [][]float64 // θ at each linearization
}

func (p *versionedNet) NormalEquations(ctx context.Context, jtj *mat.SymDense, jtr []float64) (float64, error) {
	p.at = append(p.at, append([]float64(nil), p.theta...))
	return p.countingNet.NormalEquations(ctx, jtj, jtr)
}

// linearizedAt reports whether a linearization since call k was at θ.
func (p *versionedNet) linearizedAt(k int, theta []float64) bool {
	for _, at := range p.at[k:] {
		same := true
		for i := range at {
			same = same && math.Float64bits(at[i]) == math.Float64bits(theta[i])
		}
		if same {
			return true
		}
	}
	return false
}

func (p *versionedNet) BatchVersion() uint64 { return p.version }

// With BatchVersion, a step reuses the normal equations of the previous γ
// update (one linearization per accepted step instead of two) and gives
// the same bits; a new batch version makes it linearize again.
func TestBRReusesNormalEquations(t *testing.T) {
	ref := loadBRReference(t)
	plain := &countingNet{brNet: newBRNet(ref.Hidden, ref.X, ref.T, ref.Theta0, 1)}
	v := &versionedNet{countingNet: countingNet{brNet: newBRNet(ref.Hidden, ref.X, ref.T, ref.Theta0, 1)}}
	a, b := BR(BRConfig{}), BR(BRConfig{})
	accepted := 0
	for k := 0; k < 10; k++ {
		ia, err := a.Step(context.Background(), plain)
		if err != nil {
			t.Fatal(err)
		}
		ib, err := b.Step(context.Background(), v)
		if err != nil {
			t.Fatal(err)
		}
		if ia.Accepted {
			accepted++
		}
		for i := range plain.theta {
			if math.Float64bits(plain.theta[i]) != math.Float64bits(v.theta[i]) {
				t.Fatalf("step %d: θ%d %v vs %v", k+1, i, plain.theta[i], v.theta[i])
			}
		}
		if *ia.Evidence != *ib.Evidence {
			t.Fatalf("step %d: evidence %+v vs %+v", k+1, *ia.Evidence, *ib.Evidence)
		}
	}
	// Every γ update (each accepted step but the first) saves the next
	// Step's linearization, except after the last step.
	if saved := plain.normals - v.normals; saved < accepted-2 {
		t.Errorf("%d linearizations with BatchVersion, %d without, %d accepted steps", v.normals, plain.normals, accepted)
	}
	before, theta := len(v.at), append([]float64(nil), v.theta...)
	v.version++
	if _, err := b.Step(context.Background(), v); err != nil {
		t.Fatal(err)
	}
	if !v.linearizedAt(before, theta) {
		t.Error("a new batch version reused the old normal equations")
	}
	// Init, even to continue, forgets them: a new run may bring new data
	// under the same θ and version.
	for k := 0; k < 20; k++ {
		info, err := b.Step(context.Background(), v)
		if err != nil {
			t.Fatal(err)
		}
		if info.Accepted && info.Evidence != nil {
			break
		}
	}
	if err := b.Init(Problem{Params: len(v.theta), Rows: v.Rows(), Continue: true}); err != nil {
		t.Fatal(err)
	}
	before, theta = len(v.at), append([]float64(nil), v.theta...)
	if _, err := b.Step(context.Background(), v); err != nil {
		t.Fatal(err)
	}
	if !v.linearizedAt(before, theta) {
		t.Error("a Step after Init reused the previous run's normal equations")
	}
}
