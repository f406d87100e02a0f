//go:build !unix

package main

import "time"

// cpuTime is unavailable here: ok is false.
func cpuTime() (d time.Duration, ok bool) { return 0, false }
