package main

// The simulated plant of this example: a nonlinear system with known
// dynamics, so that a NARX model's open- and closed-loop predictions can be
// judged against the truth. It is Example 2 of
//
//	K. S. Narendra and K. Parthasarathy, "Identification and control of
//	dynamical systems using neural networks", IEEE Transactions on Neural
//	Networks 1(1):4–27, 1990, doi:10.1109/72.80202
//
// (their "Model I" plant, in which the input enters linearly):
//
//	y(k+1) = y(k)·y(k−1)·(y(k)+2.5) / (1 + y(k)² + y(k−1)²) + u(k)
//
// The paper identifies it with an input drawn uniformly from [−2, 2] at every
// step and tests with u(k) = sin(2πk/25). Here the identification input is a
// random staircase (an amplitude-modulated pseudo-random signal): levels
// drawn uniformly from [−2, 2], each held for a number of steps drawn
// uniformly from 1 to 5, which excites the slow as well as the fast
// behaviour. Under it y stays within about [−4, 6.5] (seeds 1–20, 5000 steps).

import (
	"math"
	"math/rand/v2"

	"gonum.org/v1/gonum/mat"
)

const (
	// plantInputMax bounds the identification input: u(k) ∈ [−plantInputMax, plantInputMax].
	plantInputMax = 2.0
	// plantMaxHold is the longest run of steps a level of the input is held.
	plantMaxHold = 5
	// plantStreamInput and plantStreamNoise tell apart the two PCG streams of
	// one seed, so that the noise level does not change the input.
	plantStreamInput = 0x6e617278_696e7075 // "narxinpu"
	plantStreamNoise = 0x6e617278_6e6f6973 // "narxnois"
)

// plantStep is the right-hand side of the plant: y(k+1) from y(k), y(k−1)
// and u(k).
func plantStep(y, yPrev, u float64) float64 {
	return y*yPrev*(y+2.5)/(1+y*y+yPrev*yPrev) + u
}

// plantResponse returns the noise-free output of the plant, started at rest
// (y(−1) = y(0) = 0), to the input u (n×1): row k of the result is y(k), so
// u(k) first shows in y(k+1) and the last input does not show at all. It
// panics if u is not a column (a programmer error).
func plantResponse(u *mat.Dense) *mat.Dense {
	n, c := u.Dims()
	if c != 1 {
		panic("narx: plantResponse needs a column of inputs")
	}
	y := mat.NewDense(n, 1, nil)
	prev, cur := 0.0, 0.0 // y(k−1), y(k), at rest for k = 0
	for k := 0; k+1 < n; k++ {
		next := plantStep(cur, prev, u.At(k, 0))
		y.Set(k+1, 0, next)
		prev, cur = cur, next
	}
	return y
}

// plantTestInput returns Narendra and Parthasarathy's test input
// u(k) = sin(2πk/25) for k = 0..n−1, as an n×1 column.
func plantTestInput(n int) *mat.Dense {
	u := mat.NewDense(n, 1, nil)
	for k := range n {
		u.Set(k, 0, math.Sin(2*math.Pi*float64(k)/25))
	}
	return u
}

// simulate runs the plant for n steps from rest under the random staircase
// input described above and returns the input u and the measured output y,
// both n×1 with time along the rows: y(k) = y_true(k) + noise·e(k), e(k)
// standard normal and independent. The noise is measurement noise only; it
// does not feed back into the plant (an output-error setting, so a model
// simulated in closed loop is judged against y_true plus white noise). The
// same seed gives the same series; the input and y_true do not depend on
// noise. It panics if n < 1 or noise is negative or not finite (programmer
// errors).
func simulate(n int, seed uint64, noise float64) (u, y *mat.Dense) {
	if n < 1 {
		panic("narx: simulate needs n ≥ 1")
	}
	if !(noise >= 0) || math.IsInf(noise, 1) {
		panic("narx: simulate needs a finite noise level ≥ 0")
	}
	in := rand.New(rand.NewPCG(seed, plantStreamInput))
	u = mat.NewDense(n, 1, nil)
	for k := 0; k < n; {
		level := plantInputMax * (2*in.Float64() - 1)
		hold := 1 + in.IntN(plantMaxHold)
		for ; hold > 0 && k < n; hold-- {
			u.Set(k, 0, level)
			k++
		}
	}
	y = plantResponse(u)
	if noise > 0 {
		e := rand.New(rand.NewPCG(seed, plantStreamNoise))
		for k := range n {
			y.Set(k, 0, y.At(k, 0)+noise*e.NormFloat64())
		}
	}
	return u, y
}
