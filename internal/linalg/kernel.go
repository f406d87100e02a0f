package linalg

import "math"

// microKernel computes one mr×nr block of C += AᵀB from packed panels:
//
//	c[i*ldc+j] = fma(a[p*mr+i], b[p*nr+j], c[i*ldc+j])   for p = 0, 1, …, k-1,
//
// for every i < mr and j < nr, one rounding per term, in order of p. a
// holds k·mr values, b k·nr, and c mr rows of ldc (the last row needs only
// nr values). fn needs k ≥ 1 or non-empty slices.
type microKernel struct {
	mr, nr int
	name   string
	fn     func(k int, a, b, c []float64, ldc int)
}

// kernel is the fastest micro-kernel for this CPU (set up by init on amd64).
var kernel = microKernel{mr: 4, nr: 4, name: "go", fn: kernGo}

// kernels lists every kernel usable here, the portable one first, for
// tests that compare them.
var kernels = []microKernel{{mr: 4, nr: 4, name: "go", fn: kernGo}}

// KernelName names the micro-kernel the dense routines use on this machine:
// "avx512", "avx2" or "go".
func KernelName() string { return kernel.name }

// kernGo is the portable 4×4 kernel (about 4–5 GF/s here; used where no
// assembly kernel runs, and with -tags purego). math.FMA is one instruction
// on arm64 and on amd64 CPUs with FMA (elsewhere it is exact but slow in
// software), so it rounds as the assembly kernels do.
func kernGo(k int, a, b, c []float64, ldc int) {
	c0, c1, c2, c3 := c[0:4:4], c[ldc:ldc+4:ldc+4], c[2*ldc:2*ldc+4:2*ldc+4], c[3*ldc:3*ldc+4:3*ldc+4]
	c00, c01, c02, c03 := c0[0], c0[1], c0[2], c0[3]
	c10, c11, c12, c13 := c1[0], c1[1], c1[2], c1[3]
	c20, c21, c22, c23 := c2[0], c2[1], c2[2], c2[3]
	c30, c31, c32, c33 := c3[0], c3[1], c3[2], c3[3]
	a, b = a[:4*k], b[:4*k]
	for p := 0; p < len(a); p += 4 {
		ap, bp := a[p:p+4:p+4], b[p:p+4:p+4]
		a0, a1, a2, a3 := ap[0], ap[1], ap[2], ap[3]
		b0, b1, b2, b3 := bp[0], bp[1], bp[2], bp[3]
		c00, c01, c02, c03 = math.FMA(a0, b0, c00), math.FMA(a0, b1, c01), math.FMA(a0, b2, c02), math.FMA(a0, b3, c03)
		c10, c11, c12, c13 = math.FMA(a1, b0, c10), math.FMA(a1, b1, c11), math.FMA(a1, b2, c12), math.FMA(a1, b3, c13)
		c20, c21, c22, c23 = math.FMA(a2, b0, c20), math.FMA(a2, b1, c21), math.FMA(a2, b2, c22), math.FMA(a2, b3, c23)
		c30, c31, c32, c33 = math.FMA(a3, b0, c30), math.FMA(a3, b1, c31), math.FMA(a3, b2, c32), math.FMA(a3, b3, c33)
	}
	c0[0], c0[1], c0[2], c0[3] = c00, c01, c02, c03
	c1[0], c1[1], c1[2], c1[3] = c10, c11, c12, c13
	c2[0], c2[1], c2[2], c2[3] = c20, c21, c22, c23
	c3[0], c3[1], c3[2], c3[3] = c30, c31, c32, c33
}
