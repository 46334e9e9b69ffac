package prefetch

// Line asks the CPU to load the cache line at addr into its caches without waiting
// for it (PREFETCHT0). It never faults, whatever addr is, and Go code never reads
// through addr, so a stale or freed address costs only a wasted fetch.
func Line(addr uintptr)
