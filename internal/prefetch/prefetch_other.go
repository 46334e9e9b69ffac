//go:build !amd64

package prefetch

// Line does nothing where no prefetch instruction is written for the CPU.
func Line(uintptr) {}
