package events

// prefetch asks the CPU to load the cache line at addr into its caches without
// waiting for it (PREFETCHT0). It never faults, whatever addr is.
func prefetch(addr uintptr)
