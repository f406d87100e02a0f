// Command narx fits NARX and NAR time-series networks in open and closed
// loop. This placeholder only makes the package compile on its own; the lead
// replaces this file.
package main

func main() {}
