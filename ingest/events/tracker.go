package events

import (
	"math"
	"time"
)

// EnvelopeLifetime is how long an envelope can be claimed: WeChat returned what was
// left of an envelope to its sender after 24 hours.
const EnvelopeLifetime = 24 * time.Hour

// DefaultMaxEnvelopes is the number of envelopes a Tracker remembers when Max is 0.
//
// At full scale (simulate --scale 1, the 2014 calibration), the busiest 24 hours
// send about 1.44 million envelopes to each of the 4 partitions (measured at scale
// 0.01 and 0.1 and extrapolated; the count scales linearly). 2,000,000 leaves
// about 40% of headroom, so the full festival never evicts an envelope before it
// expires, let alone one that still gets claims (the simulator's claims come
// within minutes of the send). At the limit a Tracker holds 2,000,000 × 32 bytes
// of records plus a 4,194,304-slot index of 4 bytes: 80.8 MB, 40.4 bytes an
// envelope; four partitions in one ingester, 323 MB.
const DefaultMaxEnvelopes = 2_000_000

// MaxClockLead is how far past the tracker's clock an envelope's timestamp may be
// and still count as normal traffic for the clock (see Tracker). Normal sends are
// seconds apart, so the clock, which trails the newest send by 7 sends, stays well
// within it; in a stream so sparse that 7 sends take longer, the clock lags behind,
// which keeps envelopes longer, never shorter.
const MaxClockLead = time.Hour

// clockSamples is how many of the latest sends the clock takes its median of: a
// burst of up to clockSamples/2 consecutive outliers cannot move it.
const clockSamples = 15

// Tracker checks the rules that span the messages of one partition:
//
//   - a grab (claimed or missed) must name an envelope the tracker holds, or it is
//     rejected as unknown_envelope: the envelope was never sent, was sent more than
//     EnvelopeLifetime before the clock, or was evicted by Max. A missed grab is
//     rejected too: it refers to an envelope nobody sent. The rejection changes no
//     state, so the ingester may hold such a grab and call Check with it again
//     later (its envelope may arrive on the partition a little after it);
//   - a claim never takes an envelope past its shares (claims_exceed_shares) or its
//     total (claims_exceed_total);
//   - an envelope_sent whose envelope_id the tracker holds is rejected as
//     duplicate_envelope, naming the offset of the first send: a second send must
//     not reset the claims of the first.
//
// Only an accepted event changes the tracker, so Check must not be called twice for
// a claim it accepted: that would count the claim twice.
//
// The clock. Envelopes expire EnvelopeLifetime after they were sent, by a clock that
// one event cannot move: the median of the timestamps of the last 15 envelopes sent,
// where a timestamp more than MaxClockLead ahead of the clock counts as older than
// the others unless 8 of the 15 are that far ahead (then the stream has really
// moved on, after a gap, and the clock follows within 8 sends). Up to 7 envelopes
// dated a day (or a year) ahead thus leave the clock exactly where normal traffic
// has it; each is kept until the clock passes its own time plus the lifetime (or
// Max evicts it), without holding up the expiry of the others. The clock goes back
// only when 8 of the last 15 sends are more than MaxClockLead behind it: the
// stream replays an earlier period. Until 15 envelopes were seen the clock has not
// started and nothing expires. Grabs and other events do not move the clock. The
// clock trails the newest send by the time 7 sends take; envelopes are therefore
// kept a little longer than their lifetime, never shorter.
//
// Memory. An envelope costs a 32-byte record (64-bit hash and 32-bit fingerprint
// of its id, the offset and time of the send, shares, total and what was claimed)
// in a ring of at most Max records, and 4 to 8 bytes of index (the index has a power
// of two of slots, at least twice the ring's capacity): at most 48 bytes, 40.4 at the
// default Max. Nothing points into the messages decoded. See DefaultMaxEnvelopes for
// the figures at full scale. When Max envelopes are held, a new send evicts the
// oldest one; its later grabs are unknown_envelope (visible in quarantine and
// replayable), never passed unchecked.
//
// One Tracker serves one Kafka partition: envelope events are keyed by envelope id,
// so all of an envelope's events arrive on one partition, in order. A Tracker is not
// safe for concurrent use.
type Tracker struct {
	// Max bounds the number of envelopes remembered; 0 means DefaultMaxEnvelopes.
	// It is read at the first Check or Restore and must not change afterwards.
	Max int

	tab table[envelopeRec]
	clk medianClock
}

// envelopeRec is what a Tracker remembers of an envelope, in 20 bytes. Shares (at
// most MaxShares, 7 bits) and claims share a word with the total and claimed fen
// (at most MaxShares × MaxClaimFen = 2,000,000, 21 bits); the top bit of fund marks
// an envelope that arrived dated more than MaxClockLead ahead of the clock.
type envelopeRec struct {
	offLo, offHi uint32 // Kafka offset of the send
	sent         uint32 // unix seconds the envelope counts as sent, for expiry
	fund         uint32 // total fen | shares << fenBits | aheadFlag
	used         uint32 // claimed fen | claims << fenBits
}

const (
	fenBits   = 21
	fenMask   = 1<<fenBits - 1
	countMask = 1<<7 - 1
	aheadFlag = 1 << 31 // in fund: sent more than MaxClockLead ahead of the clock
)

func (r *envelopeRec) offset() int64   { return int64(uint64(r.offHi)<<32 | uint64(r.offLo)) }
func (r *envelopeRec) totalFen() int64 { return int64(r.fund & fenMask) }
func (r *envelopeRec) shares() int64   { return int64(r.fund >> fenBits & countMask) }
func (r *envelopeRec) claimFen() int64 { return int64(r.used & fenMask) }
func (r *envelopeRec) claims() int64   { return int64(r.used >> fenBits) }

// pack makes a word of fen and a count, each saturated to its bits: a value
// restored from the lake above them (never written by this build, whose
// validation keeps them far below) is held at the limit, which still refuses every
// further claim.
func pack(fen, count int64) uint32 {
	return uint32(clamp(fen, 0, fenMask)) | uint32(clamp(count, 0, countMask))<<fenBits
}

func clamp(v, lo, hi int64) int64 { return min(max(v, lo), hi) }

func newEnvelopeRec(offset, sent int64, shares, totalFen, claims, claimFen int64) envelopeRec {
	return envelopeRec{offLo: uint32(offset), offHi: uint32(uint64(offset) >> 32),
		sent: uint32(clamp(sent, 0, math.MaxUint32)),
		fund: pack(totalFen, shares), used: pack(claimFen, claims)}
}

// Check applies the cross-message rules to e, the event read at offset of the
// tracker's partition, and, if e passes, records it. It returns a *RejectError for
// an event that breaks one. e must have passed Decode.
func (t *Tracker) Check(e *Event, offset int64) error {
	switch e.Type {
	case EnvelopeSent:
		t.init()
		h, fp := idHash(e.EnvelopeID)
		if at, ok := t.tab.find(h, fp); ok {
			return reject(ReasonDuplicateEnvelope, "envelope %q was already sent at offset %d; a second send would reset its claims",
				e.EnvelopeID, t.tab.recs[at].p.offset())
		}
		t.send(h, fp, e.TS.Unix(), offset, int64(e.Shares), e.TotalFen, 0, 0)
	case EnvelopeGrabbed:
		h, fp := idHash(e.EnvelopeID)
		at, ok := t.tab.find(h, fp)
		if !ok {
			return reject(ReasonUnknownEnvelope, "envelope %q is not known on this partition: never sent, sent over %s before the newest envelopes, or evicted (at most %d are held); replay the grab once its envelope has landed",
				e.EnvelopeID, EnvelopeLifetime, t.max())
		}
		if e.Outcome != OutcomeClaimed {
			return nil
		}
		r := &t.tab.recs[at].p
		if r.claims()+1 > r.shares() {
			return reject(ReasonClaimsExceedShares, "envelope %q has %d shares and all were already claimed", e.EnvelopeID, r.shares())
		}
		if r.claimFen()+e.AmountFen > r.totalFen() {
			return reject(ReasonClaimOverTotal, "envelope %q holds %d fen; claims would reach %d fen", e.EnvelopeID, r.totalFen(), r.claimFen()+e.AmountFen)
		}
		r.used = pack(r.claimFen()+e.AmountFen, r.claims()+1)
	}
	return nil
}

// Restore seeds the state of one envelope, as read back from the lake after a
// restart: when and at which offset it was sent, and what had been claimed of it.
// Call it in the order the envelopes were sent, as Check would have seen them: the
// sends also set the clock. Restoring an envelope the tracker holds replaces its
// state.
func (t *Tracker) Restore(envelopeID string, sent time.Time, offset int64, shares int32, totalFen int64, claims int32, claimFen int64) {
	t.init()
	h, fp := idHash(envelopeID)
	if at, ok := t.tab.find(h, fp); ok {
		r := &t.tab.recs[at].p
		*r = newEnvelopeRec(offset, int64(r.sent), int64(shares), totalFen, int64(claims), claimFen)
		return
	}
	t.send(h, fp, sent.Unix(), offset, int64(shares), totalFen, int64(claims), claimFen)
}

// send moves the clock, expires what it leaves behind and remembers the envelope.
func (t *Tracker) send(h uint64, fp uint32, ts, offset, shares, totalFen, claims, claimFen int64) {
	started := t.clk.started()
	back := t.clk.observe(ts)
	rec := newEnvelopeRec(offset, ts, shares, totalFen, claims, claimFen)
	if t.clk.started() {
		ahead := t.clk.now + int64(MaxClockLead/time.Second)
		if !started || back {
			// The clock has just started, or gone back: mark the envelopes held that
			// are now far ahead of it as later ones are marked on arrival. Both are
			// rare: at most 14 envelopes are held before the start.
			for i := range t.tab.n {
				if r := &t.tab.recs[(t.tab.head+i)%len(t.tab.recs)].p; int64(r.sent) > ahead {
					r.fund |= aheadFlag
				}
			}
		}
		t.expire(t.clk.now - int64(EnvelopeLifetime/time.Second))
		if ts > ahead {
			rec.fund |= aheadFlag
		}
	}
	// An envelope dated before the window is remembered all the same, until it
	// reaches the head of the ring: the stream may be going back in time, which
	// the clock follows only after 8 sends.
	t.tab.add(h, fp, rec)
}

// expire forgets the envelopes sent before cutoff. They are found at the head of
// the ring, which is in arrival order and, for normal traffic, in time order within
// seconds. An envelope that arrived dated far ahead of the clock would hold up the
// expiry of all sent after it until its own time expires: when it reaches the head
// unexpired it is moved to the tail instead, at most two a call, so that a stream
// of such envelopes costs constant time per send.
func (t *Tracker) expire(cutoff int64) {
	for moved := 0; ; {
		r, ok := t.tab.oldest()
		if !ok {
			return
		}
		switch {
		case int64(r.p.sent) < cutoff:
			t.tab.evictOldest()
		case r.p.fund&aheadFlag != 0 && moved < 2 && t.tab.n > 1:
			rec := *r
			t.tab.evictOldest()
			t.tab.add(rec.h, rec.fp, rec.p)
			moved++
		default:
			return
		}
	}
}

func (t *Tracker) max() int {
	if t.Max > 0 {
		return t.Max
	}
	return DefaultMaxEnvelopes
}

func (t *Tracker) init() {
	if t.tab.limit == 0 {
		t.tab.limit = t.max()
	}
}

// Len is the number of envelopes remembered.
func (t *Tracker) Len() int { return t.tab.held }

// Bytes is the memory the tracker holds for its envelopes: records and index.
func (t *Tracker) Bytes() int { return t.tab.bytes() }

// Clock is the tracker's clock: envelopes sent more than EnvelopeLifetime before
// it are forgotten. It is zero until clockSamples envelopes were seen.
func (t *Tracker) Clock() time.Time {
	if !t.clk.started() {
		return time.Time{}
	}
	return time.Unix(t.clk.now, 0).UTC()
}

// medianClock follows the median of the last clockSamples timestamps it observed,
// never going back.
type medianClock struct {
	recent [clockSamples]int64 // in arrival order, a ring once full
	sorted [clockSamples]int64 // the first n, in order
	n      int
	next   int   // the oldest of recent, once full
	now    int64 // unix seconds, once started
}

func (c *medianClock) started() bool { return c.n == clockSamples }

// observe adds a sample and moves the clock; it reports whether the clock went back.
func (c *medianClock) observe(ts int64) (back bool) {
	if c.n < clockSamples {
		c.recent[c.n] = ts
		c.n++
		insertSorted(c.sorted[:c.n], ts)
		if c.started() {
			c.now = c.sorted[clockSamples/2]
		}
		return false
	}
	old := c.recent[c.next]
	c.recent[c.next] = ts
	c.next = (c.next + 1) % clockSamples
	// Remove old from sorted, then insert ts.
	s := c.sorted[:]
	i := 0
	for s[i] != old {
		i++
	}
	copy(s[i:], s[i+1:])
	insertSorted(s, ts)
	// Samples more than MaxClockLead ahead of the clock count as if they were
	// older than all others: up to 7 of them leave the clock exactly where the
	// other samples put it, instead of pushing it forward by one sample each. Once 8
	// of the last 15 are ahead, the stream itself has moved on, and the clock
	// follows it.
	lead := c.now + int64(MaxClockLead/time.Second)
	if med := s[clockSamples/2]; med < c.now-int64(MaxClockLead/time.Second) {
		// 8 of the last 15 are far behind the clock: the stream went back in time
		// (a replay of an earlier period), and the clock follows it back.
		c.now = med
		return true
	}
	ahead := 0
	for ahead < clockSamples && s[clockSamples-1-ahead] > lead {
		ahead++
	}
	med := s[clockSamples/2]
	if ahead <= clockSamples/2 {
		med = s[clockSamples/2-ahead]
	}
	c.now = max(c.now, med)
	return false
}

// insertSorted places v into s, whose first len(s)-1 elements are in order.
func insertSorted(s []int64, v int64) {
	i := len(s) - 1
	for i > 0 && s[i-1] > v {
		s[i] = s[i-1]
		i--
	}
	s[i] = v
}
