//go:build !unix

package linalg

import "time"

// processCPU is not measured here: GF/cpu-s is left out.
func processCPU() time.Duration { return 0 }
