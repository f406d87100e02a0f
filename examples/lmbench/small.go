package main

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"sync"
	"time"

	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/blas64"
	"gonum.org/v1/gonum/mat"
	G "gorgonia.org/gorgonia"

	"github.com/golem-ml/golem"
	"github.com/golem-ml/golem/graph"
	"github.com/golem-ml/golem/internal/jac"
	"github.com/golem-ml/golem/internal/linalg"
	"github.com/golem-ml/golem/internal/nist"
	"github.com/golem-ml/golem/layers"
	"github.com/golem-ml/golem/losses"
	"github.com/golem-ml/golem/optim"
)

// The rows of the performance issue that are not one LM iteration of a
// network: small whole fits, the largest network's iteration, and the dense
// kernels' throughput.

// tanhCurve is w2·tanh(w1·x+b1)+b2, the classic LM tutorial curve.
func tanhCurve(e *graph.Expr, x, p []*G.Node) *G.Node {
	return e.Add(e.Mul(p[3], e.Tanh(e.Add(e.Mul(p[0], x[0]), p[1]))), p[2])
}

// tanhFits times the whole Compile + Fit of the one-unit tanh curve on 100
// points of 1.5·sin(πx) + noise, from (w1, b1, b2, w2) = (1, 0, 0, 1) —
// scipy_fit.py's (1, 1, 0, 0) in its order w1, w2, b1, b2 — with
// LM's trainlm defaults (MSE, as a network): the median over runs, in ms,
// after warmUp fits that are not counted (the first fits of a process pay
// for the heap growing, as scipy_fit.py's repeats in one Python process
// do not).
func tanhFits(runs int) (median float64, iters int, stop optim.Stop, err error) {
	const warmUp = 5
	rng := rand.New(rand.NewPCG(0, 1))
	x, y := mat.NewDense(100, 1, nil), mat.NewDense(100, 1, nil)
	for i := 0; i < 100; i++ {
		xi := -2 + 4*float64(i)/99
		x.Set(i, 0, xi)
		y.Set(i, 0, 1.5*math.Sin(math.Pi*xi)+0.2*rng.NormFloat64())
	}
	var times []float64
	for r := 0; r < warmUp+runs; r++ {
		start := time.Now()
		m := golem.NewSequential(layers.Parametric("tanh1", tanhCurve, 1, 0, 0, 1))
		if err := m.Compile(golem.Input(1), losses.MSE(), optim.LM(optim.LMConfig{})); err != nil {
			return 0, 0, "", err
		}
		h, err := m.Fit(context.Background(), x, y, golem.FitConfig{})
		if err != nil {
			return 0, 0, "", err
		}
		if r >= warmUp {
			times = append(times, float64(time.Since(start).Microseconds())/1000)
		}
		iters, stop = len(h.Steps), h.Stop
	}
	slices.Sort(times)
	return times[len(times)/2], iters, stop, nil
}

// nistFits times the 19 shipped NIST problems from both starts, whole
// Compile + Fit with optim.CurveFit: the total in seconds (the median of
// rounds), and the fits that did not reach LRE 7.
func nistFits(dir string, rounds int) (total float64, bad []string, err error) {
	var probs []*nist.Problem
	for _, name := range nist.Names {
		p, err := nist.Load(dir, name)
		if err != nil {
			return 0, nil, err
		}
		probs = append(probs, p)
	}
	var totals []float64
	for r := 0; r < rounds; r++ {
		bad = bad[:0]
		start := time.Now()
		for _, p := range probs {
			for s := 0; s < 2; s++ {
				layer, err := nist.Model(p.Name, p.Start[s])
				if err != nil {
					return 0, nil, err
				}
				m := golem.NewSequential(layer)
				_, cols := p.X.Dims()
				if err := m.Compile(golem.Input(cols), losses.SSE(), optim.LM(optim.CurveFit())); err != nil {
					return 0, nil, err
				}
				if _, err := m.Fit(context.Background(), p.X, p.Y, golem.FitConfig{}); err != nil {
					return 0, nil, err
				}
				for i, q := range layer.Params() {
					if nist.LRE(m.Params().View(q)[0], p.Certified[i]) < 7 {
						bad = append(bad, fmt.Sprintf("%s/%d", p.Name, s+1))
						break
					}
				}
			}
		}
		totals = append(totals, time.Since(start).Seconds())
	}
	slices.Sort(totals)
	return totals[len(totals)/2], bad, nil
}

// p4800 is the 8-64-64-1 network (P = 4,801) on W3's data: iters LM
// iterations, all but the first in the median.
func p4800(iters int) bench {
	b := w3(iters)
	b.id, b.name = "P48", "8-64-64-1 tanh, N=10000"
	b.layers = []layers.Layer{layers.Dense(64, layers.Tanh), layers.Dense(64, layers.Tanh), layers.Dense(1)}
	return b
}

// kernelRates measures the dense kernels LM spends its time in at large
// P: the Cholesky factorization of an n×n system (n³/3 flops) and the
// Gram update JᵀJ of a rows×p J (rows·p² flops: the upper triangle's
// multiply–adds, half of what a GEMM of the same shapes counts), in GF/s,
// the median of runs, each on 2 goroutines.
func kernelRates(n, rows, p, runs int) (chol, gram float64, err error) {
	rng := rand.New(rand.NewPCG(4, 4))
	a := make([]float64, n*n)
	for i := range a {
		a[i] = rng.Float64() - 0.5
	}
	spd := make([]float64, n*n) // AᵀA + n·I, positive definite
	if err := linalg.AddATB(context.Background(), true, n, n, n, 1, a, n, a, n, spd, n, 2); err != nil {
		return 0, 0, err
	}
	for i := 0; i < n; i++ {
		spd[i*n+i] += float64(n)
	}
	var cs, gs []float64
	work := make([]float64, n*n)
	for r := 0; r < runs; r++ {
		copy(work, spd)
		start := time.Now()
		ok, err := linalg.Cholesky(context.Background(), blas64.Symmetric{N: n, Stride: n, Uplo: blas.Upper, Data: work}, 2)
		if err != nil || !ok {
			return 0, 0, fmt.Errorf("cholesky: ok %v, %v", ok, err)
		}
		cs = append(cs, float64(n)*float64(n)*float64(n)/3/time.Since(start).Seconds()/1e9)
	}
	j := make([]float64, rows*p)
	for i := range j {
		j[i] = rng.Float64() - 0.5
	}
	c := make([]float64, p*p)
	for r := 0; r < runs; r++ {
		clear(c)
		start := time.Now()
		jac.AddGram(c, p, j, rows, p, p, 2)
		gs = append(gs, float64(rows)*float64(p)*float64(p)/time.Since(start).Seconds()/1e9)
	}
	slices.Sort(cs)
	slices.Sort(gs)
	return cs[len(cs)/2], gs[len(gs)/2], nil
}

// gemmPeaks measures the machine's float64 GEMM rate on an n×n·n×n product
// (2n³ flops), median of runs: blas64.Gemm (gonum's pure-Go Dgemm, its own
// goroutines; OpenBLAS with -tags openblas, one thread per call, so two
// goroutines each take half of the columns) and golem's own micro-kernel
// product (linalg.AddATB, 2 goroutines).
func gemmPeaks(n, runs int) (blas64Rate, golemRate float64) {
	rng := rand.New(rand.NewPCG(5, 5))
	x, y, z := make([]float64, n*n), make([]float64, n*n), make([]float64, n*n)
	for i := range x {
		x[i], y[i] = rng.Float64()-0.5, rng.Float64()-0.5
	}
	median := func(f func()) float64 {
		var rs []float64
		for r := 0; r < runs; r++ {
			start := time.Now()
			f()
			rs = append(rs, 2*float64(n)*float64(n)*float64(n)/time.Since(start).Seconds()/1e9)
		}
		slices.Sort(rs)
		return rs[len(rs)/2]
	}
	blas64Rate = median(func() {
		h := n / 2
		var wg sync.WaitGroup
		for _, cols := range [][2]int{{0, h}, {h, n}} {
			wg.Go(func() {
				w := cols[1] - cols[0]
				blas64.Gemm(blas.NoTrans, blas.NoTrans, 1,
					blas64.General{Rows: n, Cols: n, Stride: n, Data: x},
					blas64.General{Rows: n, Cols: w, Stride: n, Data: y[cols[0]:]}, 0,
					blas64.General{Rows: n, Cols: w, Stride: n, Data: z[cols[0]:]})
			})
		}
		wg.Wait()
	})
	golemRate = median(func() {
		_ = linalg.AddATB(context.Background(), false, n, n, n, 1, x, n, y, n, z, n, 2)
	})
	return blas64Rate, golemRate
}
