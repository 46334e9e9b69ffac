package lake

import "sync"

// kept is a short free list: it keeps up to n values between uses. A sync.Pool loses
// what it holds at every other garbage collection, and under the ingester's Go memory
// limit the collector runs every fraction of a second at full scale (800 times in a
// festival): what the pool held is then allocated, cleared and faulted in again.
type kept[T any] struct {
	mu    sync.Mutex
	n     int
	free  []T
	fresh func() T
}

func newKept[T any](n int, fresh func() T) *kept[T] { return &kept[T]{n: n, fresh: fresh} }

// get takes a kept value, or makes one when none is free.
func (k *kept[T]) get() T {
	k.mu.Lock()
	if i := len(k.free) - 1; i >= 0 {
		v := k.free[i]
		k.free = k.free[:i]
		k.mu.Unlock()
		return v
	}
	k.mu.Unlock()
	return k.fresh()
}

// put keeps v for the next get, unless n are kept already: v is then left to the
// collector.
func (k *kept[T]) put(v T) {
	k.mu.Lock()
	if len(k.free) < k.n {
		k.free = append(k.free, v)
	}
	k.mu.Unlock()
}

// keptEncoders is how many zstd encoders, and write buffers, the lake keeps between
// files: more than the files the writers compress at once on a small machine (two
// cores, four partitions), few enough that they hold little memory (an encoder holds
// an 8 MiB history).
const keptEncoders = 4
