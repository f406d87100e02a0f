// Command lmbench measures golem's Levenberg–Marquardt on the workloads of
// its speed targets, to compare with the optional peer scripts in
// bench/peers (see bench/peers/README.md) run on the same machine
// (scipy_fit.py for the small fits, torch_lm.py for the networks,
// gemm_bench.py for the kernels):
//
//	tanh  the one-unit curve w2·tanh(w1·x+b1)+b2, 100 points, from (1, 1, 0, 0):
//	      whole Compile + Fit with trainlm's defaults, median ms
//	nist  the 19 shipped NIST StRD problems × 2 starts, whole fits with
//	      optim.CurveFit: total seconds
//	W1    sinfit: 1-10-1 tanh, N = 100
//	W2    10-20-1 tanh on 353 × 10 standardized inputs (synthetic)
//	W3    8-32-32-1 tanh, N = 10,000, y = Σⱼ sin(xⱼ·j/2) + x₁·x₂, x ~ U[-1,1]⁸
//	P48   8-64-64-1 tanh (P = 4,801) on W3's data (about a minute)
//	kern  the dense kernels, in GF/s on 2 goroutines: the machine's float64
//	      GEMM rate (blas64.Gemm: gonum's pure Go, or OpenBLAS with
//	      -tags openblas; and golem's own micro-kernel), Cholesky at
//	      n = 1,377 and 4,801, JᵀJ of a 10,000 × 1,377 and a 2,000 × 4,801 J
//
// For each it prints the median wall time of one LM iteration (linearize,
// then solve and evaluate until a step is accepted), the mean (total time
// over iterations, which is what the PyTorch script reports), the trial
// solves per iteration and the final training MSE. The first iteration,
// which builds and verifies the Jacobian graphs, is left out of the median.
//
// Everything it prints is also written to DIR/lmbench.txt (-out DIR,
// default out/, as the other examples).
//
//	go run ./examples/lmbench
//	go run ./examples/lmbench -out /tmp -workloads w3 -w3-iters 10
//	go run ./examples/lmbench -workloads tanh,nist,kern
package main

import (
	"context"
	"flag"
	"fmt"
	"log"
	"math"
	"math/rand/v2"
	"os"
	"runtime"
	"runtime/pprof"
	"slices"
	"strings"
	"time"

	"gonum.org/v1/gonum/mat"

	"github.com/golem-ml/golem"
	"github.com/golem-ml/golem/internal/linalg"
	"github.com/golem-ml/golem/internal/openblas"
	"github.com/golem-ml/golem/layers"
	"github.com/golem-ml/golem/losses"
	"github.com/golem-ml/golem/optim"
)

func main() {
	workloads := flag.String("workloads", "tanh,nist,w1,w2,w3,p48,kern", "comma-separated workloads to run")
	nistDir := flag.String("nist", "internal/nist/testdata", "directory of the NIST StRD .dat files")
	w1Iters := flag.Int("w1-iters", 200, "LM iterations for W1")
	w2Iters := flag.Int("w2-iters", 100, "LM iterations for W2")
	w3Iters := flag.Int("w3-iters", 6, "LM iterations for W3")
	p48Iters := flag.Int("p48-iters", 2, "LM iterations for P48 (the first, which builds the graphs, is not in the median)")
	cpuProfile := flag.String("cpuprofile", "", "write a CPU profile of the whole run to this file")
	out := flag.String("out", "out", "directory for the report, lmbench.txt (created if missing)")
	flag.Parse()
	rep, err := startReport(*out)
	if err != nil {
		log.Fatal(err)
	}
	defer func() {
		if err := rep.close(); err != nil {
			log.Fatal(err)
		}
	}()
	if *cpuProfile != "" {
		f, err := os.Create(*cpuProfile)
		if err != nil {
			log.Fatal(err)
		}
		if err := pprof.StartCPUProfile(f); err != nil {
			log.Fatal(err)
		}
		defer pprof.StopCPUProfile()
	}

	fmt.Printf("golem lmbench: %s, %d CPUs, GOMAXPROCS %d\n\n", runtime.Version(), runtime.NumCPU(), runtime.GOMAXPROCS(0))
	header := false
	for _, w := range strings.Split(*workloads, ",") {
		var b bench
		switch strings.TrimSpace(w) {
		case "tanh":
			ms, iters, stop, err := tanhFits(51)
			if err != nil {
				log.Fatal(err)
			}
			fmt.Printf("tanh  one-unit curve, N=100: whole Compile + Fit %.2f ms (median of 51 after 5 warm-up fits; %d LM iterations, stop %s)   [peer: scipy_fit.py's tanh fit]\n", ms, iters, stop)
			continue
		case "nist":
			sec, bad, err := nistFits(*nistDir, 3)
			if err != nil {
				log.Fatal(err)
			}
			fmt.Printf("nist  19 NIST problems × 2 starts, whole fits: %.3f s in all (median of 3; below LRE 7: %v)   [peer: scipy_fit.py --variants lm_tight]\n", sec, bad)
			continue
		case "kern":
			peakBLAS, peakGolem := gemmPeaks(2000, 3)
			blasName := "gonum, pure Go"
			if openblas.Enabled {
				blasName = "OpenBLAS"
			}
			fmt.Printf("kern  GEMM peak, 2000×2000 float64, 2 cores: blas64.Gemm (%s) %.1f GF/s; golem's %s micro-kernel %.1f GF/s   [peer: gemm_bench.py]\n", blasName, peakBLAS, linalg.KernelName(), peakGolem)
			for _, k := range [][3]int{{1377, 10000, 1377}, {4801, 2000, 4801}} {
				chol, gram, err := kernelRates(k[0], k[1], k[2], 3)
				if err != nil {
					log.Fatal(err)
				}
				fmt.Printf("kern  n=%d: Cholesky %.1f GF/s (n³/3); JᵀJ of %d×%d: %.1f GF/s (rows·P², half a GEMM's count)   [peer: gemm_bench.py]\n", k[0], chol, k[1], k[2], gram)
			}
			continue
		case "p48":
			b = p4800(*p48Iters)
		}
		if !header {
			fmt.Printf("%-4s %-28s %6s %6s %12s %12s %12s %8s %12s  %s\n", "", "workload", "P", "iters", "median ms/it", "mean ms/it", "cpu ms/it", "tries/it", "train MSE", "stop")
			header = true
		}
		switch strings.TrimSpace(w) {
		case "p48":
		case "w1":
			b = w1(*w1Iters)
		case "w2":
			b = w2(*w2Iters)
		case "w3":
			b = w3(*w3Iters)
		default:
			log.Fatalf("unknown workload %q (want tanh, nist, w1, w2, w3, p48 or kern)", w)
		}
		r, err := b.run(context.Background())
		if err != nil {
			log.Fatal(err)
		}
		fmt.Printf("%-4s %-28s %6d %6d %12.3f %12.3f %12.3f %8.2f %12.6f  %s\n", b.id, b.name, r.params, r.iters, r.medianMs, r.meanMs, r.cpuMs, r.tries, r.mse, r.stop)
	}
}

// bench is one workload: a network and its data.
type bench struct {
	id, name string
	layers   []layers.Layer
	x, y     *mat.Dense
	iters    int
}

type result struct {
	params           int
	iters            int
	medianMs, meanMs float64
	cpuMs            float64 // process CPU time over the Fit per iteration: the work, whatever else runs on the machine
	tries            float64
	mse              float64
	stop             optim.Stop
}

func (b bench) run(ctx context.Context) (result, error) {
	model := golem.NewSequential(b.layers...)
	_, in := b.x.Dims()
	if err := model.Compile(golem.Input(in), losses.MSE(), optim.LM(optim.LMConfig{})); err != nil {
		return result{}, err
	}
	start, cpu0 := time.Now(), processCPU()
	hist, err := model.Fit(ctx, b.x, b.y, golem.FitConfig{Epochs: b.iters})
	if err != nil {
		return result{}, err
	}
	total, cpu := time.Since(start), processCPU()-cpu0
	ev, err := model.Evaluate(b.x, b.y)
	if err != nil {
		return result{}, err
	}
	var times []float64
	var tries int
	for i, s := range hist.Steps {
		tries += s.Tries
		if i > 0 || len(hist.Steps) == 1 {
			times = append(times, float64(s.Time.Microseconds())/1000)
		}
	}
	slices.Sort(times)
	n := len(hist.Steps)
	return result{
		params:   model.Params().Len(),
		iters:    n,
		medianMs: times[len(times)/2],
		meanMs:   float64(total.Microseconds()) / 1000 / float64(n),
		cpuMs:    float64(cpu.Microseconds()) / 1000 / float64(n),
		tries:    float64(tries) / float64(n),
		mse:      ev.Loss,
		stop:     hist.Stop,
	}, nil
}

// w1 is the sinfit problem, x evenly spaced over [-2, 2].
func w1(iters int) bench {
	rng := rand.New(rand.NewPCG(0, 1))
	x, y := mat.NewDense(100, 1, nil), mat.NewDense(100, 1, nil)
	for i := 0; i < 100; i++ {
		xi := -2 + 4*float64(i)/99
		x.Set(i, 0, xi)
		y.Set(i, 0, 1.5*math.Sin(math.Pi*xi)+0.2*rng.NormFloat64())
	}
	return bench{id: "W1", name: "sinfit 1-10-1 tanh, N=100", x: x, y: y, iters: iters,
		layers: []layers.Layer{layers.Dense(10, layers.Tanh), layers.Dense(1)}}
}

// w2 has the shape of the diabetes regression: 353 training rows of 10
// standardized features and a standardized target with noise.
func w2(iters int) bench {
	rng := rand.New(rand.NewPCG(0, 2))
	const n = 353
	x, y := mat.NewDense(n, 10, nil), mat.NewDense(n, 1, nil)
	w := make([]float64, 10)
	for j := range w {
		w[j] = rng.NormFloat64() / math.Sqrt(10)
	}
	for i := 0; i < n; i++ {
		var v float64
		for j := 0; j < 10; j++ {
			xij := rng.NormFloat64()
			x.Set(i, j, xij)
			v += w[j] * xij
		}
		y.Set(i, 0, math.Tanh(v)+0.3*x.At(i, 2)*x.At(i, 3)+0.5*rng.NormFloat64())
	}
	return bench{id: "W2", name: "10-20-1 tanh, N=353", x: x, y: y, iters: iters,
		layers: []layers.Layer{layers.Dense(20, layers.Tanh), layers.Dense(1)}}
}

// w3 is the scale workload.
func w3(iters int) bench {
	rng := rand.New(rand.NewPCG(0, 3))
	const n = 10000
	x, y := mat.NewDense(n, 8, nil), mat.NewDense(n, 1, nil)
	for i := 0; i < n; i++ {
		v := 0.0
		for j := 0; j < 8; j++ {
			xij := 2*rng.Float64() - 1
			x.Set(i, j, xij)
			v += math.Sin(xij * float64(j+1) / 2)
		}
		y.Set(i, 0, v+x.At(i, 0)*x.At(i, 1))
	}
	return bench{id: "W3", name: "8-32-32-1 tanh, N=10000", x: x, y: y, iters: iters,
		layers: []layers.Layer{layers.Dense(32, layers.Tanh), layers.Dense(32, layers.Tanh), layers.Dense(1)}}
}

func init() { log.SetFlags(0); log.SetOutput(os.Stderr) }
