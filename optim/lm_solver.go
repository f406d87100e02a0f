package optim

import (
	"context"
	"fmt"
	"math"
	"runtime"

	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/blas64"
	"gonum.org/v1/gonum/lapack"
	"gonum.org/v1/gonum/lapack/lapack64"
	"gonum.org/v1/gonum/mat"

	"github.com/golem-ml/golem/internal/linalg"
)

// Solver chooses how Levenberg–Marquardt solves for its step.
type Solver int

const (
	// SolverCholesky factors the damped normal equations JᵀWJ + μD (the
	// default). J is streamed, never stored. When there are fewer
	// residuals than parameters it switches to the underdetermined form,
	// which factors an N·R × N·R system instead.
	SolverCholesky Solver = iota
	// SolverQR factors √W·J stacked on the damping rows √(μD). It squares
	// no condition number, so it is the choice for ill-conditioned
	// problems; it needs the full J in memory.
	SolverQR
)

func (s Solver) String() string {
	switch s {
	case SolverCholesky:
		return "cholesky"
	case SolverQR:
		return "qr"
	}
	return fmt.Sprintf("Solver(%d)", int(s))
}

// lmSystem holds one iteration's linear algebra and reusable workspace.
type lmSystem struct {
	p            int
	rows         int           // residual rows of the current step
	hasJ         bool          // J and r were computed for the current step
	jtj          *mat.SymDense // JᵀWJ, kept across μ retries
	jtr          []float64     // JᵀWr
	J            *mat.Dense    // √W·J (rows×P) when this step's solver or geodesic acceleration needs it
	r            []float64     // √W·r with J
	work         *mat.SymDense // the factored, equilibrated system of the last Cholesky solve
	norm         float64       // its 1-norm before factoring, for the condition estimate
	lastCholesky bool          // the last solve was a successful Cholesky solve
	qr           mat.QR
	aug          *mat.Dense
	rhs          []float64
	tmp          []float64
	tmp2         []float64
	js           *mat.Dense    // J·E^(-1/2) (underdetermined solver)
	m            *mat.SymDense // I + JS·JSᵀ, factored (underdetermined solver)
}

func newLMSystem(p int) *lmSystem {
	return &lmSystem{p: p, jtj: mat.NewSymDense(p, nil), jtr: make([]float64, p), work: mat.NewSymDense(p, nil)}
}

// needJ makes room for the full J of the given rows (its contents are
// left to the caller to overwrite).
func (s *lmSystem) needJ(rows int) {
	s.rows = rows
	if s.J == nil || len(s.r) != rows {
		s.J = mat.NewDense(rows, s.p, nil)
		s.r = make([]float64, rows)
	}
}

// solve finds δ with (JᵀWJ + diag(e))·δ = -b, where b = Jᵀ·res + lin.
// The Cholesky path uses b; the QR path and the underdetermined path (this
// step's J has fewer rows than P) use res and lin. It
// returns false when the factorization fails or the result is not finite,
// and ctx's error when it is cancelled during the solve. The condition
// estimate of the factored matrix is returned by the QR and underdetermined
// paths; the Cholesky path returns 0 and leaves it to cond, for the
// accepted step only.
func (s *lmSystem) solve(ctx context.Context, solver Solver, e, b, res, lin, delta []float64) (cond float64, ok bool, err error) {
	s.lastCholesky = false
	if err := ctx.Err(); err != nil {
		return 0, false, err
	}
	switch {
	case solver == SolverQR:
		cond, ok = s.solveQR(e, res, lin, delta)
	case s.hasJ && s.rows < s.p:
		cond, ok, err = s.solveUnderdetermined(ctx, e, res, lin, delta)
		if err != nil {
			return cond, false, err
		}
	default:
		cond, ok, err = s.solveCholesky(ctx, e, b, delta)
		if err != nil {
			return cond, false, err
		}
		s.lastCholesky = ok
	}
	if ok {
		for _, v := range delta {
			if math.IsNaN(v) || math.IsInf(v, 0) {
				return cond, false, nil
			}
		}
	}
	return cond, ok, nil
}

// cholesky factors a in place (UᵀU, LAPACK's upper layout) with golem's
// blocked, parallel factorization, which checks ctx between blocks, so a
// cancel returns within about one block at any P; its bits do not depend
// on the number of goroutines.
func cholesky(ctx context.Context, a blas64.Symmetric) (bool, error) {
	return linalg.Cholesky(ctx, a, 0)
}

// solveCholesky factors the equilibrated system S·(JᵀWJ + E)·S with
// S = diag(1/√mᵢᵢ), which has a unit diagonal: Cholesky's accuracy depends
// on the condition number of that scaled matrix (van der Sluis), often
// orders of magnitude below the unscaled one when parameters differ in
// scale. The condition estimate (cholCond) is the scaled one.
func (s *lmSystem) solveCholesky(ctx context.Context, e, b, delta []float64) (float64, bool, error) {
	if len(s.tmp) != s.p {
		s.tmp = make([]float64, s.p)
	}
	scale := s.tmp
	src, dst := s.jtj.RawSymmetric(), s.work.RawSymmetric()
	for i := 0; i < s.p; i++ {
		d := src.Data[i*src.Stride+i] + e[i]
		if !(d > 0) || math.IsInf(d, 0) {
			return math.Inf(1), false, nil
		}
		scale[i] = 1 / math.Sqrt(d)
	}
	// The scaled copy is elementwise, so rows can go to any goroutine; at
	// P in the thousands it is a pass over two P×P matrices.
	const rowsPerTask = 64
	workers := 1
	if s.p >= 512 {
		workers = runtime.GOMAXPROCS(0)
	}
	linalg.Parallel(ctx, workers, (s.p+rowsPerTask-1)/rowsPerTask, func(t int) {
		for i := t * rowsPerTask; i < min(s.p, (t+1)*rowsPerTask); i++ {
			row, out := src.Data[i*src.Stride:i*src.Stride+s.p], dst.Data[i*dst.Stride:i*dst.Stride+s.p]
			si := scale[i]
			for j := i; j < s.p; j++ {
				out[j] = row[j] * si * scale[j]
			}
			out[i] = 1
		}
	})
	if err := ctx.Err(); err != nil {
		return math.Inf(1), false, err
	}
	// Factor in place and solve with two triangular solves; the condition
	// estimate (linalg.Pocon) is left to cholCond, so the rejected trials of an
	// iteration do not pay for it.
	sym := blas64.Symmetric{Uplo: blas.Upper, N: s.p, Data: dst.Data, Stride: dst.Stride}
	if len(s.tmp2) < s.p {
		s.tmp2 = make([]float64, s.p)
	}
	s.norm = lapack64.Lansy(lapack.MaxColumnSum, sym, s.tmp2[:s.p])
	ok, err := cholesky(ctx, sym)
	if err != nil || !ok {
		return math.Inf(1), false, err
	}
	tri := blas64.Triangular{Uplo: blas.Upper, Diag: blas.NonUnit, N: s.p, Data: dst.Data, Stride: dst.Stride}
	for i := range delta {
		delta[i] = b[i] * scale[i]
	}
	x := blas64.Vector{N: s.p, Data: delta, Inc: 1}
	blas64.Trsv(blas.Trans, tri, x)   // Uᵀy = S·b
	blas64.Trsv(blas.NoTrans, tri, x) // U·z = y
	for i := range delta {
		delta[i] = -delta[i] * scale[i]
	}
	return 0, true, nil
}

// cond returns the condition estimate of the last solve.
func (s *lmSystem) cond(fromSolve float64) float64 {
	if s.lastCholesky {
		return s.cholCond()
	}
	return fromSolve
}

// cholCond estimates the condition number of the system factored by the
// last successful solveCholesky.
func (s *lmSystem) cholCond() float64 {
	raw := s.work.RawSymmetric()
	factor := blas64.Symmetric{Uplo: blas.Upper, N: s.p, Data: raw.Data, Stride: raw.Stride}
	rcond := linalg.Pocon(factor, s.norm)
	if rcond == 0 {
		return math.Inf(1)
	}
	return 1 / rcond
}

// solveQR minimizes ‖J·δ + res‖² + Σ eᵢδᵢ² + 2·linᵀδ as the least-squares
// problem [J; diag(√e)]·δ ≈ -[res; lin/√e].
func (s *lmSystem) solveQR(e, res, lin, delta []float64) (float64, bool) {
	rows := len(res)
	if s.aug == nil || s.aug.RawMatrix().Rows != rows+s.p {
		s.aug = mat.NewDense(rows+s.p, s.p, nil)
		s.rhs = make([]float64, rows+s.p)
	}
	s.aug.Zero()
	s.aug.Slice(0, rows, 0, s.p).(*mat.Dense).Copy(s.J)
	for i, v := range res {
		s.rhs[i] = -v
	}
	for i, ei := range e {
		if !(ei > 0) {
			return math.Inf(1), false
		}
		se := math.Sqrt(ei)
		s.aug.Set(rows+i, i, se)
		s.rhs[rows+i] = 0
		if lin != nil {
			s.rhs[rows+i] = -lin[i] / se
		}
	}
	s.qr.Factorize(s.aug)
	cond := s.qr.Cond()
	if math.IsInf(cond, 1) || math.IsNaN(cond) {
		return cond, false
	}
	dst := mat.NewVecDense(s.p, delta)
	if err := s.qr.SolveVecTo(dst, false, mat.NewVecDense(rows+s.p, s.rhs)); err != nil {
		return cond, false
	}
	return cond, true
}

// solveUnderdetermined is for a J with fewer rows than columns. With
// E = diag(e) and M = I + J·E⁻¹·Jᵀ (rows×rows), the push-through identity
// turns (JᵀJ + E)·δ = -(Jᵀres + lin) into
//
//	δ = -E⁻¹·(Jᵀ·M⁻¹·(res - J·E⁻¹·lin) + lin)
//
// which factors M instead of the P×P system and, unlike the Woodbury form
// E⁻¹b - E⁻¹Jᵀ·M⁻¹·J·E⁻¹b, subtracts no large terms when μ is small.
func (s *lmSystem) solveUnderdetermined(ctx context.Context, e, res, lin, delta []float64) (float64, bool, error) {
	rows, p := s.rows, s.p
	if len(s.tmp) != p {
		s.tmp = make([]float64, p)
	}
	if len(s.tmp2) < rows {
		s.tmp2 = make([]float64, rows)
	}
	for i, ei := range e {
		if !(ei > 0) {
			return math.Inf(1), false, nil
		}
		s.tmp[i] = 0
		if lin != nil {
			s.tmp[i] = lin[i] / ei // E⁻¹·lin
		}
	}
	// JS = J·E^(-1/2), then M = I + JS·JSᵀ by row panels of its upper
	// triangle, checking ctx between panels, and factored in place.
	if s.js == nil || len(s.js.RawMatrix().Data) != rows*p {
		s.js = mat.NewDense(rows, p, nil)
		s.m = mat.NewSymDense(rows, nil)
	}
	js, J := s.js.RawMatrix(), s.J.RawMatrix()
	scale := make([]float64, p)
	for i, ei := range e {
		scale[i] = 1 / math.Sqrt(ei)
	}
	for q := 0; q < rows; q++ {
		src, dst := J.Data[q*J.Stride:q*J.Stride+p], js.Data[q*js.Stride:q*js.Stride+p]
		for i, v := range src {
			dst[i] = v * scale[i]
		}
	}
	M := s.m.RawSymmetric()
	const panel = 128
	for i0 := 0; i0 < rows; i0 += panel {
		if err := ctx.Err(); err != nil {
			return 0, false, err
		}
		i1 := min(i0+panel, rows)
		a := blas64.General{Rows: i1 - i0, Cols: p, Stride: js.Stride, Data: js.Data[i0*js.Stride:]}
		b := blas64.General{Rows: rows - i0, Cols: p, Stride: js.Stride, Data: js.Data[i0*js.Stride:]}
		c := blas64.General{Rows: i1 - i0, Cols: rows - i0, Stride: M.Stride, Data: M.Data[i0*M.Stride+i0:]}
		blas64.Gemm(blas.NoTrans, blas.Trans, 1, a, b, 0, c)
	}
	for i := 0; i < rows; i++ {
		M.Data[i*M.Stride+i]++
	}
	sym := blas64.Symmetric{Uplo: blas.Upper, N: rows, Data: M.Data, Stride: M.Stride}
	norm := lapack64.Lansy(lapack.MaxColumnSum, sym, make([]float64, rows))
	ok, err := cholesky(ctx, sym)
	if err != nil || !ok {
		return math.Inf(1), false, err
	}
	rcond := linalg.Pocon(sym, norm)
	cond := math.Inf(1)
	if rcond > 0 {
		cond = 1 / rcond
	}
	u := s.tmp2[:rows]
	uv := mat.NewVecDense(rows, u)
	uv.MulVec(s.J, mat.NewVecDense(p, s.tmp)) // J·E⁻¹·lin
	for q := 0; q < rows; q++ {
		u[q] = res[q] - u[q]
	}
	x := blas64.Vector{N: rows, Data: u, Inc: 1}
	tri := blas64.Triangular{Uplo: blas.Upper, Diag: blas.NonUnit, N: rows, Data: M.Data, Stride: M.Stride}
	blas64.Trsv(blas.Trans, tri, x)   // Uᵀy = u
	blas64.Trsv(blas.NoTrans, tri, x) // U·z = y
	back := mat.NewVecDense(p, nil)
	back.MulVec(s.J.T(), uv) // Jᵀ·M⁻¹·(res - J·E⁻¹·lin)
	for i := range delta {
		l := 0.0
		if lin != nil {
			l = lin[i]
		}
		delta[i] = -(back.AtVec(i) + l) / e[i]
	}
	return cond, true, nil
}
