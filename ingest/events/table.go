package events

import (
	"hash/maphash"
	"math/bits"
	"unsafe"
)

// Tracker and Seen remember ids by hash, in a ring of fixed-size records with an
// open-addressing index, so that one remembered id costs a few dozen bytes and no
// pointer the garbage collector must trace (a map[string]*state costs 100+ bytes
// and a heap object per id).
//
// An id is remembered by 96 bits: a 64-bit hash that places it in the index and a
// 32-bit fingerprint from an independent seed. Two ids are taken for one only when
// all 96 bits agree; ids whose 64-bit hashes collide but fingerprints differ are
// both remembered, each in its own record.

var hashSeed, fpSeed = maphash.MakeSeed(), maphash.MakeSeed()

// idHash returns the 64-bit hash and the 32-bit fingerprint of id. The seeds are
// chosen per process: nothing hashed is ever stored outside memory.
func idHash(id string) (uint64, uint32) {
	return maphash.String(hashSeed, id), uint32(maphash.String(fpSeed, id))
}

// slot is one record: the id's hash and fingerprint and what is remembered of it.
// P is made of 32-bit words so that the record has no padding.
type slot[P any] struct {
	h  uint64
	fp uint32
	p  P
}

// table is a FIFO ring of records, oldest first, at most limit of them, with an
// index for lookup by (hash, fingerprint). A record can be dropped from the index
// (release) before it reaches the head; its ring slot is then reused once the head
// passes it, or at once if it was the newest.
//
// An index entry is 32 bits: the ring index + 1 (0 for an empty slot) in the low
// ringBits, then the entry's distance from its home slot (saturated at distMax), then
// as many bits of the hash as are left (the tag). Lookups compare tags before they
// read a record, and deletions find an entry's home from its distance: with the ring
// beyond the caches, each record read is a cache miss, and these skip nearly all of
// them.
type table[P any] struct {
	recs  []slot[P] // the ring; len(recs) is its capacity
	head  int       // ring index of the oldest record
	n     int       // records in the ring from head on, released ones included
	held  int       // records the index points to
	idx   []uint32  // linear probing; see entry layout above
	limit int       // the ring never grows past this many records
	// batch is how many of the oldest records a full ring forgets at once (0 or 1:
	// one for each new record). See evictBatch.
	batch int
	sink  uint32 // keeps evictBatch's loads from being optimized away

	ringBits uint   // bits of an entry that hold the ring index + 1
	distBits uint   // then the distance from home, up to distMax
	tagBits  uint   // then the tag
	ringMask uint32 // 1<<ringBits - 1
	distMax  int    // 1<<distBits - 1: "read the record's hash"
}

const (
	// maxDistBits is the widest distance an entry holds. Probes are short (the index
	// is at most half full), so a longer distance is rare; it is then stored as
	// distMax, and the home is computed from the record's hash.
	maxDistBits = 4
	// tagShift is where the tag is taken from the hash: above the bits that place an
	// id in the index (up to 2^36 slots) and below the 6 bits that choose Seen's shard.
	tagShift = 36
)

// layout sets the entry layout from limit; it runs once, before the first record.
// A ring of up to 2^27 records keeps the whole distance; larger rings keep less
// (none: every deletion reads the hashes), and less tag, which only costs reads.
func (t *table[P]) layout() {
	t.ringBits = uint(bits.Len(uint(t.limit)))
	t.distBits = uint(min(maxDistBits, max(0, 32-int(t.ringBits))))
	t.tagBits = uint(min(max(0, 32-int(t.ringBits+t.distBits)), 64-6-tagShift))
	t.ringMask = uint32(1)<<t.ringBits - 1
	t.distMax = 1<<t.distBits - 1
}

func (t *table[P]) tag(h uint64) uint32 {
	return uint32(h>>tagShift) & (uint32(1)<<t.tagBits - 1)
}

func (t *table[P]) entry(at, dist int, tag uint32) uint32 {
	return uint32(at+1) | uint32(min(dist, t.distMax))<<t.ringBits | tag<<(t.ringBits+t.distBits)
}

func (t *table[P]) ringOf(e uint32) int { return int(e&t.ringMask) - 1 }

func (t *table[P]) tagOf(e uint32) uint32 { return e >> (t.ringBits + t.distBits) }

// homeOf returns the home slot of the entry at index slot i.
func (t *table[P]) homeOf(i int, e uint32) int {
	d := int(e>>t.ringBits) & t.distMax
	if d == t.distMax {
		return t.home(t.recs[t.ringOf(e)].h)
	}
	return (i - d) & (len(t.idx) - 1)
}

// minRing is the first capacity of a ring: small, so that an idle tracker or an
// unused shard costs next to nothing.
const minRing = 64

func (t *table[P]) home(h uint64) int { return int(h & uint64(len(t.idx)-1)) }

// find returns the ring index of the record of (h, fp).
func (t *table[P]) find(h uint64, fp uint32) (int, bool) {
	if t.held == 0 {
		return 0, false
	}
	mask := len(t.idx) - 1
	tag := t.tag(h)
	for i := t.home(h); ; i = (i + 1) & mask {
		e := t.idx[i]
		if e == 0 {
			return 0, false
		}
		if t.tagOf(e) != tag {
			continue
		}
		if at := t.ringOf(e); t.recs[at].h == h && t.recs[at].fp == fp {
			return at, true
		}
	}
}

// oldest returns the record at the head, if any.
func (t *table[P]) oldest() (*slot[P], bool) {
	if t.n == 0 {
		return nil, false
	}
	return &t.recs[t.head], true
}

// add appends a record as the newest, evicting the oldest when the ring is full
// at its limit. It returns the ring index of the new record.
func (t *table[P]) add(h uint64, fp uint32, p P) int {
	if t.n == len(t.recs) {
		if len(t.recs) < t.limit {
			t.grow()
		} else if t.batch > 1 {
			t.evictBatch(t.batch)
		} else {
			t.evictOldest()
		}
	}
	at := t.head + t.n
	if at >= len(t.recs) {
		at -= len(t.recs)
	}
	t.recs[at] = slot[P]{h: h, fp: fp, p: p}
	t.n++
	t.held++
	t.insertIndex(h, at)
	return at
}

// evictOldest drops the record at the head.
func (t *table[P]) evictOldest() {
	if t.n == 0 {
		return
	}
	if i, ok := t.indexSlotOf(t.head); ok {
		t.deleteIndex(i)
		t.held--
	}
	t.recs[t.head] = slot[P]{}
	t.head++
	if t.head == len(t.recs) {
		t.head = 0
	}
	t.n--
}

// evictBatch drops the k oldest records. It first reads the index slot where each of
// them starts its probe: the loads do not depend on each other, so the CPU waits for
// them together, and the deletions after find their slots in the cache. Evicted one at
// a time, each waited for memory on its own: with the index beyond the caches that was
// half of what a claim on a full window cost (BenchmarkSeenClaimFullWindow).
func (t *table[P]) evictBatch(k int) {
	k = min(k, t.n)
	mask := len(t.idx) - 1
	var sink uint32
	for i := range k {
		j := t.head + i
		if j >= len(t.recs) {
			j -= len(t.recs)
		}
		sink += t.idx[t.recs[j].h&uint64(mask)]
	}
	t.sink += sink
	for range k {
		t.evictOldest()
	}
}

// release drops the record at ring index at from the index.
func (t *table[P]) release(at int) {
	if i, ok := t.indexSlotOf(at); ok {
		t.deleteIndex(i)
		t.held--
	}
	newest := t.head + t.n - 1
	if newest >= len(t.recs) {
		newest -= len(t.recs)
	}
	if at == newest {
		t.recs[at] = slot[P]{}
		t.n--
	}
}

// indexSlotOf finds the index slot that points to ring index at, if any.
func (t *table[P]) indexSlotOf(at int) (int, bool) {
	if t.held == 0 {
		return 0, false
	}
	mask := len(t.idx) - 1
	want := uint32(at + 1)
	for i := t.home(t.recs[at].h); ; i = (i + 1) & mask {
		switch e := t.idx[i]; {
		case e == 0:
			return 0, false
		case e&t.ringMask == want:
			return i, true
		}
	}
}

func (t *table[P]) insertIndex(h uint64, at int) {
	mask := len(t.idx) - 1
	i, d := t.home(h), 0
	for t.idx[i] != 0 {
		i = (i + 1) & mask
		d++
	}
	t.idx[i] = t.entry(at, d, t.tag(h))
}

// deleteIndex empties index slot i and shifts back the records after it that would
// otherwise no longer be found (deletion without tombstones, for linear probing).
func (t *table[P]) deleteIndex(i int) {
	mask := len(t.idx) - 1
	t.idx[i] = 0
	for j := (i + 1) & mask; t.idx[j] != 0; j = (j + 1) & mask {
		e := t.idx[j]
		k := t.homeOf(j, e)
		// The record at j may move to i only if its home is not within (i, j].
		if (j > i && (k <= i || k > j)) || (j < i && k <= i && k > j) {
			t.idx[i] = t.entry(t.ringOf(e), (i-k)&mask, t.tagOf(e))
			t.idx[j] = 0
			i = j
		}
	}
}

// bigRing is the capacity from which a ring grows by a quarter instead of doubling.
// A full festival's trackers hold about 1.44 M envelopes each at the busiest time:
// doubling from 2^20 took each to its limit of 2 M records, 18 MB more than it
// needed, four times over, in a heap that must stay under the ingester's memory
// limit; by quarters it stops at 1.64 M. The extra copies cost a few milliseconds.
const bigRing = 1 << 20

// grow enlarges the ring (doubling it, by a quarter from bigRing, never past limit),
// laying its records out from 0, and rebuilds the index at a load of at most one
// half, for short probes.
func (t *table[P]) grow() {
	if t.ringBits == 0 {
		t.layout()
	}
	c := 2 * len(t.recs)
	if len(t.recs) >= bigRing {
		c = len(t.recs) + len(t.recs)/4
	}
	c = min(max(c, minRing), t.limit)
	recs := make([]slot[P], c)
	old := t.recs
	for i := range t.n {
		j := t.head + i
		if j >= len(old) {
			j -= len(old)
		}
		recs[i] = old[j]
	}
	var live []bool
	if t.held != t.n { // some records were released: keep them out of the new index
		live = make([]bool, len(old))
		for _, e := range t.idx {
			if e != 0 {
				live[t.ringOf(e)] = true
			}
		}
	}
	oldHead := t.head
	t.recs, t.head = recs, 0
	t.idx = make([]uint32, 1<<bits.Len(uint(2*c-1)))
	for i := range t.n {
		j := oldHead + i
		if j >= len(old) {
			j -= len(old)
		}
		if live == nil || live[j] {
			t.insertIndex(recs[i].h, i)
		}
	}
}

// bytes is the memory the table holds: its ring and its index.
func (t *table[P]) bytes() int {
	var s slot[P]
	return len(t.recs)*int(unsafe.Sizeof(s)) + 4*len(t.idx)
}
