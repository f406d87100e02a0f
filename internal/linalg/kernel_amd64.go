//go:build amd64 && !purego

package linalg

//go:generate python3 gen_kernel.py kernel_amd64.s

// The amd64 micro-kernels are written in assembly (kernel_amd64.s) because
// the Go compiler issues no vector instructions: kernAVX512 (12×16, 24 zmm
// accumulators) where the CPU and OS support AVX-512F, else kernAVX2 (6×8,
// 12 ymm accumulators) with AVX2 and FMA, else the portable Go kernel.
// Every one of them rounds exactly like kernGo (one fused multiply–add per
// term, in order), so the choice changes the speed, never the bits.

//go:noescape
func kernAVX2(k int, a, b, c *float64, ldc int)

//go:noescape
func kernAVX512(k int, a, b, c *float64, ldc int)

func cpuid(eax, ecx uint32) (a, b, c, d uint32)
func xgetbv() (eax, edx uint32)

func init() {
	_, _, ecx1, _ := cpuid(1, 0)
	const (
		fma     = 1 << 12
		osxsave = 1 << 27
		avx     = 1 << 28
	)
	if ecx1&(fma|osxsave|avx) != fma|osxsave|avx {
		return
	}
	maxLeaf, _, _, _ := cpuid(0, 0)
	if maxLeaf < 7 {
		return
	}
	_, ebx7, _, _ := cpuid(7, 0)
	xcr0, _ := xgetbv()
	const (
		avx2    = 1 << 5
		avx512f = 1 << 16
		ymmOS   = 0x6  // XMM and YMM state enabled by the OS
		zmmOS   = 0xe6 // also opmask, ZMM_Hi256 and Hi16_ZMM
	)
	if ebx7&avx2 != 0 && xcr0&ymmOS == ymmOS {
		kernel = microKernel{mr: 6, nr: 8, name: "avx2", fn: func(k int, a, b, c []float64, ldc int) {
			kernAVX2(k, &a[0], &b[0], &c[0], ldc)
		}}
		kernels = append(kernels, kernel)
	}
	if ebx7&avx512f != 0 && xcr0&zmmOS == zmmOS {
		kernel = microKernel{mr: 12, nr: 16, name: "avx512", fn: func(k int, a, b, c []float64, ldc int) {
			kernAVX512(k, &a[0], &b[0], &c[0], ldc)
		}}
		kernels = append(kernels, kernel)
	}
}
