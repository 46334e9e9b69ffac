package events

import (
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"unsafe"
)

func TestSeen(t *testing.T) {
	s := NewSeen(0)
	if first, dup := s.Claim("a", 1, 100); dup || first != (Position{1, 100}) {
		t.Errorf("first claim: %v, %v", first, dup)
	}
	// The same message read again (a restart before the commit) is no duplicate.
	if first, dup := s.Claim("a", 1, 100); dup || first != (Position{1, 100}) {
		t.Errorf("the same position again: %v, %v", first, dup)
	}
	// A copy at another offset or partition is, and names the first.
	for _, p := range []Position{{1, 101}, {2, 100}} {
		if first, dup := s.Claim("a", p.Partition, p.Offset); !dup || first != (Position{1, 100}) {
			t.Errorf("a copy at %v: %v, %v; want a duplicate of partition 1, offset 100", p, first, dup)
		}
	}
	rej := DuplicateEventID("a", Position{1, 100})
	if rej.Reason != ReasonDuplicateEventID || !strings.Contains(rej.Detail, "partition 1, offset 100") {
		t.Errorf("rejection %v does not name the first position", rej)
	}
	// Release only undoes the claim it names.
	if s.Release("a", 2, 100) {
		t.Error("released a claim made at another position")
	}
	if !s.Release("a", 1, 100) {
		t.Error("did not release the claim")
	}
	if s.Len() != 0 {
		t.Errorf("holds %d ids after the release", s.Len())
	}
	if first, dup := s.Claim("a", 2, 100); dup || first != (Position{2, 100}) {
		t.Errorf("a copy after the first was released: %v, %v", first, dup)
	}
	s.Seed("b", 3, 7)
	s.Seed("b", 3, 9) // an id already held keeps its first position
	if first, dup := s.Claim("b", 0, 1); !dup || first != (Position{3, 7}) {
		t.Errorf("a seeded id: %v, %v", first, dup)
	}
	// Offsets beyond 32 bits survive the split into halves.
	s.Claim("big", 0, 1<<40+5)
	if first, _ := s.Claim("big", 1, 0); first != (Position{0, 1<<40 + 5}) {
		t.Errorf("offset beyond 32 bits: %v", first)
	}
}

// TestSeenEvictsOldestFirst checks the window against a model of its shards: a ring
// of perShard records, oldest first, a full one dropping its batch oldest (held or
// released) for a new one; a release leaves a hole, or shortens the ring when it is
// the newest record.
func TestSeenEvictsOldestFirst(t *testing.T) {
	for _, perShard := range []int{4, 48} {
		t.Run(strconv.Itoa(perShard), func(t *testing.T) {
			type rec struct {
				id   string
				held bool
			}
			s := NewSeen(seenShards * perShard)
			batch := evictBatchOf(perShard)
			var rings [seenShards][]rec
			oldestHeld := func(r []rec) (int, int) { // index of the oldest held, and how many are held
				at, n := -1, 0
				for i := range r {
					if r[i].held {
						if at < 0 {
							at = i
						}
						n++
					}
				}
				return at, n
			}
			for i := range 20_000 {
				id := "ev-" + strconv.Itoa(i)
				h, _ := idHash(id)
				r := &rings[h>>58]
				if len(*r) == perShard {
					*r = (*r)[batch:]
				}
				*r = append(*r, rec{id, true})
				if _, dup := s.Claim(id, 0, int64(i)); dup {
					t.Fatalf("%s taken for a duplicate", id)
				}
				// Releases in the middle of a shard leave a hole that the ring reuses later.
				if at, n := oldestHeld(*r); i%7 == 0 && n > 1 {
					victim := (*r)[at].id
					off, _ := strconv.Atoi(strings.TrimPrefix(victim, "ev-"))
					if !s.Release(victim, 0, int64(off)) {
						t.Fatalf("release of %s failed", victim)
					}
					(*r)[at].held = false
				}
			}
			held := 0
			for _, r := range rings {
				for _, x := range r {
					if !x.held {
						continue
					}
					held++
					off, _ := strconv.Atoi(strings.TrimPrefix(x.id, "ev-"))
					if first, dup := s.Claim(x.id, 9, 9); !dup || first.Offset != int64(off) {
						t.Errorf("%s should be held at offset %d: %v, %v", x.id, off, first, dup)
					}
				}
			}
			if s.Len() != held {
				t.Errorf("holds %d ids, the model %d", s.Len(), held)
			}
			if _, dup := s.Claim("ev-0", 9, 9); dup {
				t.Error("the oldest id is still held")
			}
		})
	}
}

// TestSeenConcurrent: goroutines (one per partition) claiming the same ids agree on
// one first position per id.
func TestSeenConcurrent(t *testing.T) {
	const workers, ids = 8, 20_000
	s := NewSeen(0)
	firsts := make([][]Position, workers)
	wins := make([]int, workers)
	var wg sync.WaitGroup
	for w := range workers {
		firsts[w] = make([]Position, ids)
		wg.Go(func() {
			for i := range ids {
				first, dup := s.Claim("id-"+strconv.Itoa(i), int32(w), int64(i))
				firsts[w][i] = first
				if !dup {
					wins[w]++
				}
			}
		})
	}
	wg.Wait()
	total := 0
	for w := range workers {
		total += wins[w]
	}
	if total != ids {
		t.Errorf("%d claims won, want one per id (%d)", total, ids)
	}
	for i := range ids {
		for w := 1; w < workers; w++ {
			if firsts[w][i] != firsts[0][i] {
				t.Fatalf("id %d: worker %d saw first %v, worker 0 %v", i, w, firsts[w][i], firsts[0][i])
			}
		}
	}
}

// TestSeenMemoryPerID measures the window full, at the default size unless -short.
func TestSeenMemoryPerID(t *testing.T) {
	n := DefaultSeenIDs
	if testing.Short() {
		n = 1 << 18
	}
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	s := NewSeen(n)
	for i := range n + n/4 { // past full: the window evicts and stays at n
		s.Claim("s1-"+strconv.FormatUint(uint64(i), 36), int32(i%4), int64(i))
	}
	runtime.GC()
	runtime.ReadMemStats(&after)
	if low := n - seenShards*(evictBatchOf(n/seenShards)-1); s.Len() < low || s.Len() > n {
		t.Errorf("holds %d ids, want %d to %d", s.Len(), low, n)
	}
	if want := n * 32; s.Bytes() != want {
		t.Errorf("Bytes() = %d, want %d (32 an id)", s.Bytes(), want)
	}
	per := float64(int64(after.HeapAlloc)-int64(before.HeapAlloc)) / float64(n)
	t.Logf("%d ids: %.1f bytes of heap an id, %.1f MB", n, per, per*float64(n)/1e6)
	if per > 33 {
		t.Errorf("%.1f bytes of heap an id; want at most 33", per)
	}
	runtime.KeepAlive(s)
}

func BenchmarkSeenClaim(b *testing.B) {
	ids := make([]string, 1<<20)
	for i := range ids {
		ids[i] = "s1-" + strconv.FormatUint(uint64(i), 36)
	}
	s := NewSeen(1 << 18) // full after the first quarter: the rest evict as they claim
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		s.Claim(ids[i&(len(ids)-1)], 0, int64(i))
	}
}

func BenchmarkSeenClaimParallel(b *testing.B) {
	ids := make([]string, 1<<20)
	for i := range ids {
		ids[i] = "s1-" + strconv.FormatUint(uint64(i), 36)
	}
	s := NewSeen(1 << 18)
	var workers atomic.Int32
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		// One goroutine a partition, each through its own ids, as an ingester's.
		p := workers.Add(1)
		i := int(p) << 16
		for pb.Next() {
			s.Claim(ids[i&(len(ids)-1)], p, int64(i))
			i++
		}
	})
}

// BenchmarkSeenClaimFullWindow claims new ids against the default window, full, so
// that every claim evicts: the window far beyond the caches, as at full scale.
func BenchmarkSeenClaimFullWindow(b *testing.B) {
	ids := make([]string, 1<<23)
	for i := range ids {
		ids[i] = "s2014-" + strconv.FormatUint(uint64(i)*2654435761, 36)
	}
	s := NewSeen(0)
	for i := range DefaultSeenIDs {
		s.Claim(ids[i], 0, int64(i))
	}
	b.ReportAllocs()
	for i := DefaultSeenIDs; b.Loop(); i++ {
		s.Claim(ids[i&(len(ids)-1)], 0, int64(i))
	}
}

// TestSeenPrefetchAddress checks what Prefetch reads without a lock: each shard's
// published index and mask name its current index as it grows, so the slot it fetches
// is the one ClaimKey then probes. Prefetch on a window that holds nothing yet is safe.
func TestSeenPrefetchAddress(t *testing.T) {
	s := NewSeen(1 << 16)
	s.Prefetch(KeyOf("nothing held yet"))
	for i := range 20000 {
		k := KeyOf("id-" + strconv.Itoa(i))
		s.Prefetch(k)
		if _, dup := s.ClaimKey(k, 0, int64(i)); dup {
			t.Fatalf("id %d claimed as a duplicate", i)
		}
		sh := s.shard(k.h)
		if got, want := sh.index.Load(), uintptr(unsafe.Pointer(&sh.tab.idx[0])); got != want {
			t.Fatalf("after claim %d the shard publishes index %#x; its index is at %#x", i, got, want)
		}
		if got, want := sh.mask.Load(), uintptr(len(sh.tab.idx)-1); got != want {
			t.Fatalf("after claim %d the shard publishes mask %#x; its index has %d slots", i, got, len(sh.tab.idx))
		}
	}
	// A key claims as its id does.
	if first, dup := s.Claim("id-7", 1, 1); !dup || first != (Position{0, 7}) {
		t.Errorf("Claim after ClaimKey: %v, %v; want a duplicate of partition 0, offset 7", first, dup)
	}
}
