package prefetch

import (
	"testing"
	"unsafe"
)

// TestLineNeverFaults: the callers prefetch addresses they compute without a lock,
// which may be stale, freed or nonsense; the instruction must ignore any of them.
func TestLineNeverFaults(t *testing.T) {
	buf := make([]uint64, 1<<16)
	for i := 0; i < len(buf); i += 8 {
		Line(uintptr(unsafe.Pointer(&buf[i])))
	}
	for _, addr := range []uintptr{0, 1, 0xdead_beef, 1 << 47, ^uintptr(0)} {
		Line(addr)
	}
}
