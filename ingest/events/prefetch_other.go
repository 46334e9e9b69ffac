//go:build !amd64

package events

// prefetch does nothing where no prefetch instruction is written for the CPU.
func prefetch(uintptr) {}
