package events

import (
	"fmt"
	"sync"
	"sync/atomic"
	"unsafe"

	"github.com/hongbao/hongbao/internal/prefetch"
)

// DefaultSeenIDs is the number of event ids a Seen made by NewSeen(0) remembers:
// 4,194,304 ids at 32 bytes each, 134 MB when full. At full scale (simulate --scale
// 1: 141.6 M events over the festival, about 450,000 in the minute after midnight
// on New Year's Eve) the window spans at least the last 51 minutes of the stream
// (measured at scale 0.01 and extrapolated), and many hours away from the eve. A
// copy that arrives later than that after the first is not caught.
const DefaultSeenIDs = 1 << 22

// seenShards spreads the ids over independently locked shards, so that the
// goroutines of one ingester (one per partition) rarely wait for each other.
const seenShards = 64

// seenEvictBatch is how many of its oldest ids a full shard forgets at once, at most:
// evictBatchOf.
const seenEvictBatch = 32

// evictBatchOf is how many of its oldest ids a full shard of per ids forgets at once:
// an eighth of it, at least 1 and at most seenEvictBatch (the default window's). A
// window of n ids so holds between n less 64 × (batch - 1) ids and n: 4,192,320 to
// 4,194,304 for the default. BenchmarkSeenClaimFullWindow: 287–303 ns a claim evicting
// one at a time, 222–254 ns by 32 (8 gave 242–249, 128 242–256).
func evictBatchOf(per int) int { return max(1, min(seenEvictBatch, per/8)) }

// Position is where a message landed: its Kafka partition and offset.
type Position struct {
	Partition int32
	Offset    int64
}

func (p Position) String() string {
	return fmt.Sprintf("partition %d, offset %d", p.Partition, p.Offset)
}

// Seen is the duplicate-event window of one ingester: it remembers the most recent
// event ids, each with the position of the message it landed from, across all the
// partitions the ingester reads. Safe for concurrent use.
//
// An id is held as a 64-bit hash and a 32-bit fingerprint from an independent hash
// (96 bits), with its position, in a 24-byte record, plus 4 to 8 bytes of index:
// 32 bytes an id when the window is full (the index stays half empty for short
// probes), and nothing that points into the messages. Two distinct ids are taken for
// one only if all 96 bits agree: with the default window, the chance that one
// happens over a full festival of 150 M events is below 150e6 × 4.2e6 / 2^96 ≈
// 8e-15 (and 150e6² / 2 / 2^96 ≈ 1.4e-13 even if every id stayed in the window).
//
// The window is kept per shard (64 of them, chosen by the hash), oldest first: a
// full shard forgets its oldest ids, up to 32 at once (evictBatchOf), to make room
// for new ones. Since ids spread evenly over the shards, Seen holds about the N most
// recent ids.
type Seen struct {
	shards [seenShards]seenShard
}

type seenShard struct {
	mu  sync.Mutex
	tab table[seenRec]
	// index and mask are the address of tab's index and len(index)-1, published for
	// Prefetch, which reads them without the lock and never dereferences them.
	index, mask atomic.Uintptr
	_           [64]byte // keeps two shards' locks off one cache line
}

// seenRec is a position in 12 bytes: the offset as two 32-bit halves, so that the
// record with its 12 bytes of hash and fingerprint has no padding.
type seenRec struct {
	part         int32
	offLo, offHi uint32
}

func newSeenRec(partition int32, offset int64) seenRec {
	return seenRec{part: partition, offLo: uint32(offset), offHi: uint32(uint64(offset) >> 32)}
}

func (r seenRec) position() Position {
	return Position{Partition: r.part, Offset: int64(uint64(r.offHi)<<32 | uint64(r.offLo))}
}

// NewSeen returns a window of the n most recent event ids; n <= 0 means
// DefaultSeenIDs. Memory is taken as ids arrive, up to 32 bytes an id.
func NewSeen(n int) *Seen {
	if n <= 0 {
		n = DefaultSeenIDs
	}
	per := max(1, (n+seenShards-1)/seenShards)
	s := &Seen{}
	for i := range s.shards {
		s.shards[i].tab.limit = per
		s.shards[i].tab.batch = evictBatchOf(per)
	}
	return s
}

// Cap is the number of ids the window holds when full.
func (s *Seen) Cap() int { return s.shards[0].tab.limit * seenShards }

func (s *Seen) shard(h uint64) *seenShard {
	// The top bits pick the shard; the table places ids by the low bits.
	return &s.shards[h>>58]
}

// Claim records that event id landed from the message at partition and offset. If
// the window holds the id at another position, it records nothing and returns that
// first position with dup set: the message is a duplicate. If it holds it at the
// same position, the message is being read again (after a restart or a failed
// commit): not a duplicate.
func (s *Seen) Claim(id string, partition int32, offset int64) (first Position, dup bool) {
	return s.ClaimKey(KeyOf(id), partition, offset)
}

// IDKey is an event id as Seen holds it: its hash and fingerprint.
type IDKey struct {
	h  uint64
	fp uint32
}

// KeyOf returns the key of event id.
func KeyOf(id string) IDKey {
	h, fp := idHash(id)
	return IDKey{h, fp}
}

// Prefetch asks the CPU to bring the index slot where k is looked up into its cache,
// without waiting for it. A ClaimKey of k a little later (after the next message is
// read and decoded) then finds it there instead of waiting for memory, which is most
// of what a claim on a window beyond the caches costs: about 345 ns a claim without,
// 200 ns with, in a benchmark with 1.7 µs of work between the two (docs/BENCHMARKS.md).
// It takes no lock: the address it computes is never read by Go code, and one made
// stale by a growing index costs only a wasted fetch.
func (s *Seen) Prefetch(k IDKey) {
	sh := s.shard(k.h)
	if base := sh.index.Load(); base != 0 {
		prefetch.Line(base + uintptr(k.h)&sh.mask.Load()*4)
	}
}

// ClaimKey is Claim of the id whose key is k.
func (s *Seen) ClaimKey(k IDKey, partition int32, offset int64) (first Position, dup bool) {
	sh := s.shard(k.h)
	sh.mu.Lock()
	defer sh.mu.Unlock()
	if at, ok := sh.tab.find(k.h, k.fp); ok {
		first = sh.tab.recs[at].p.position()
		return first, first != Position{partition, offset}
	}
	sh.tab.add(k.h, k.fp, newSeenRec(partition, offset))
	if base := uintptr(unsafe.Pointer(unsafe.SliceData(sh.tab.idx))); base != sh.index.Load() {
		// The index grew. A Prefetch between the two stores may pair the new index with
		// the old, smaller mask: an address inside the index, only a less useful one.
		sh.index.Store(base)
		sh.mask.Store(uintptr(len(sh.tab.idx) - 1))
	}
	return Position{partition, offset}, false
}

// Release undoes a Claim of id at partition and offset, for a message that a later
// check rejected: a copy of it may then still land. It reports whether the id was
// held there; an id held at another position is left as it is.
func (s *Seen) Release(id string, partition int32, offset int64) bool {
	h, fp := idHash(id)
	sh := s.shard(h)
	sh.mu.Lock()
	defer sh.mu.Unlock()
	at, ok := sh.tab.find(h, fp)
	if !ok || sh.tab.recs[at].p.position() != (Position{partition, offset}) {
		return false
	}
	sh.tab.release(at)
	return true
}

// Seed records an id read back from the lake after a restart. Seed the ids oldest
// first, so that the window keeps the most recent; an id already held keeps its
// first position.
func (s *Seen) Seed(id string, partition int32, offset int64) { s.Claim(id, partition, offset) }

// Len is the number of ids held.
func (s *Seen) Len() int {
	n := 0
	for i := range s.shards {
		sh := &s.shards[i]
		sh.mu.Lock()
		n += sh.tab.held
		sh.mu.Unlock()
	}
	return n
}

// Bytes is the memory the window holds: records and indexes.
func (s *Seen) Bytes() int {
	n := 0
	for i := range s.shards {
		sh := &s.shards[i]
		sh.mu.Lock()
		n += sh.tab.bytes()
		sh.mu.Unlock()
	}
	return n
}

// DuplicateEventID is the rejection of a message whose event id already landed at
// first.
func DuplicateEventID(id string, first Position) *RejectError {
	return reject(ReasonDuplicateEventID, "event_id %q already landed from %s; this copy is a duplicate", id, first)
}
