package events

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
)

var t0 = time.Date(2014, 1, 31, 0, 0, 0, 0, time.UTC)

func sendAt(id string, ts time.Time, shares int32, total int64) *Event {
	return &Event{EventID: "s-" + id, Type: EnvelopeSent, TS: ts, EnvelopeID: id, SenderID: "u", ChatID: "g", Kind: KindLucky, Shares: shares, TotalFen: total}
}

func claimOf(id string, amount int64) *Event {
	return &Event{EventID: "c-" + id, Type: EnvelopeGrabbed, TS: t0, EnvelopeID: id, UserID: "u", Outcome: OutcomeClaimed, AmountFen: amount}
}

func missOf(id string) *Event {
	return &Event{EventID: "m-" + id, Type: EnvelopeGrabbed, TS: t0, EnvelopeID: id, UserID: "u", Outcome: OutcomeMissed}
}

func wantReason(t *testing.T, what string, err error, r Reason) *RejectError {
	t.Helper()
	var rej *RejectError
	if !errors.As(err, &rej) || rej.Reason != r {
		t.Errorf("%s: got %v, want %s", what, err, r)
		return nil
	}
	if rej.Detail == "" {
		t.Errorf("%s: no detail", what)
	}
	return rej
}

func TestTracker(t *testing.T) {
	var tr Tracker
	if err := tr.Check(sendAt("e", t0, 2, 100), 10); err != nil {
		t.Fatal(err)
	}
	if err := tr.Check(claimOf("e", 60), 11); err != nil {
		t.Fatal(err)
	}
	wantReason(t, "claim past the total", tr.Check(claimOf("e", 41), 12), ReasonClaimOverTotal)
	if err := tr.Check(claimOf("e", 40), 13); err != nil {
		t.Fatal(err)
	}
	wantReason(t, "third claim of two shares", tr.Check(claimOf("e", 1), 14), ReasonClaimsExceedShares)
	if err := tr.Check(missOf("e"), 15); err != nil {
		t.Errorf("a miss on a known envelope: %v", err)
	}

	// A re-sent envelope keeps its claims and names the first send.
	rej := wantReason(t, "second send", tr.Check(sendAt("e", t0.Add(time.Minute), 5, 1000), 16), ReasonDuplicateEnvelope)
	if rej != nil && !strings.Contains(rej.Detail, "offset 10;") {
		t.Errorf("the detail %q does not name offset 10", rej.Detail)
	}
	wantReason(t, "a claim after the second send", tr.Check(claimOf("e", 1), 17), ReasonClaimsExceedShares)

	// Grabs on an envelope the tracker does not hold are rejected, claimed or missed,
	// and change nothing: the same claim passes once its envelope has arrived.
	wantReason(t, "claim on an unknown envelope", tr.Check(claimOf("late", 5), 18), ReasonUnknownEnvelope)
	wantReason(t, "miss on an unknown envelope", tr.Check(missOf("late"), 19), ReasonUnknownEnvelope)
	if tr.Len() != 1 {
		t.Errorf("rejected grabs changed the tracker: %d envelopes", tr.Len())
	}
	if err := tr.Check(sendAt("late", t0, 1, 5), 20); err != nil {
		t.Fatal(err)
	}
	if err := tr.Check(claimOf("late", 5), 18); err != nil {
		t.Errorf("the held claim, checked again after its envelope: %v", err)
	}
}

// TestTrackerRejectedClaimChangesNothing: a rejected claim, checked again, gets the
// same answer, and leaves room for the claims that fit.
func TestTrackerRejectedClaimChangesNothing(t *testing.T) {
	var tr Tracker
	tr.Check(sendAt("e", t0, 3, 100), 0)
	for range 5 {
		wantReason(t, "claim over the total", tr.Check(claimOf("e", 101), 1), ReasonClaimOverTotal)
	}
	for i := range 3 {
		if err := tr.Check(claimOf("e", 33), int64(2+i)); err != nil {
			t.Fatalf("claim %d: %v", i, err)
		}
	}
	wantReason(t, "fourth claim", tr.Check(claimOf("e", 1), 9), ReasonClaimsExceedShares)
}

func TestTrackerExpiry(t *testing.T) {
	var tr Tracker
	// One send a minute for two days: the clock follows, and envelopes older than
	// the lifetime are forgotten.
	const n = 2 * 24 * 60
	for i := range n {
		if err := tr.Check(sendAt("e"+strconv.Itoa(i), t0.Add(time.Duration(i)*time.Minute), 1, 1), int64(i)); err != nil {
			t.Fatal(err)
		}
	}
	// The clock is the median of the last 15 sends: 7 minutes behind the newest.
	if want := t0.Add((n - 1 - 7) * time.Minute); !tr.Clock().Equal(want) {
		t.Errorf("clock %s, want %s", tr.Clock(), want)
	}
	// Kept: the envelopes sent within 24 h of the clock, that is 24·60 + 1 + the 7
	// minutes the clock trails the newest send.
	if want := 24*60 + 1 + 7; tr.Len() != want {
		t.Errorf("holds %d envelopes, want %d", tr.Len(), want)
	}
	oldest := n - 1 - 7 - 24*60
	wantReason(t, "claim on an expired envelope", tr.Check(claimOf("e"+strconv.Itoa(oldest-1), 1), n), ReasonUnknownEnvelope)
	if err := tr.Check(claimOf("e"+strconv.Itoa(oldest), 1), n); err != nil {
		t.Errorf("claim on the oldest envelope kept: %v", err)
	}
}

// TestTrackerReplayOfAnEarlierPeriod: a stream that goes back days in time (the same
// festival produced a second time into the topic) is followed: its envelopes are
// held, and their claims checked, from the first send on.
func TestTrackerReplayOfAnEarlierPeriod(t *testing.T) {
	var tr Tracker
	var off int64
	for round := range 2 {
		for i := range 3 * 24 * 60 { // one send a minute for three days, claimed a minute later
			id := fmt.Sprintf("r%d-%d", round, i)
			off++
			if err := tr.Check(sendAt(id, t0.Add(time.Duration(i)*time.Minute), 1, 10), off); err != nil {
				t.Fatal(err)
			}
			if i > 0 {
				prev := fmt.Sprintf("r%d-%d", round, i-1)
				off++
				if err := tr.Check(claimOf(prev, 10), off); err != nil {
					t.Fatalf("round %d: claim on %s: %v", round, prev, err)
				}
			}
		}
	}
	// The clock ends where the first round ended: the envelopes of the last day of
	// both rounds are within their lifetime.
	if want := 2 * (24*60 + 1 + 7); tr.Len() != want {
		t.Errorf("holds %d envelopes at the end, want %d", tr.Len(), want)
	}
}

// TestTrackerClockOutliers: future-dated envelopes among normal traffic expire
// nothing that the normal traffic alone would keep, and cost memory only for as
// long as MaxClockLead.
func TestTrackerClockOutliers(t *testing.T) {
	var normal, mixed Tracker
	const n = 3 * 24 * 60 // three days, one send a minute
	outliers := map[int][]time.Duration{
		100:  {24 * time.Hour},                                                                                                 // a day ahead: the case of the issue
		2000: {10 * 365 * 24 * time.Hour},                                                                                      // ten years ahead
		3000: {48 * time.Hour, 48 * time.Hour, 48 * time.Hour, 48 * time.Hour, 48 * time.Hour, 48 * time.Hour, 48 * time.Hour}, // a burst of 7
	}
	var off int64
	sentOutliers := 0
	for i := range n {
		ts := t0.Add(time.Duration(i) * time.Minute)
		id := "e" + strconv.Itoa(i)
		off++
		if err := normal.Check(sendAt(id, ts, 1, 1), off); err != nil {
			t.Fatal(err)
		}
		if err := mixed.Check(sendAt(id, ts, 1, 1), off); err != nil {
			t.Fatal(err)
		}
		for j, ahead := range outliers[i] {
			off++
			if err := mixed.Check(sendAt(fmt.Sprintf("future-%d-%d", i, j), ts.Add(ahead), 1, 1), off); err != nil {
				t.Fatal(err)
			}
		}
		if !normal.Clock().Equal(mixed.Clock()) {
			t.Fatalf("after send %d the clock is %s with outliers, %s without", i, mixed.Clock(), normal.Clock())
		}
		// Every envelope the normal tracker holds, the mixed one holds too (a miss
		// changes nothing, so it probes without side effects).
		if i%97 == 0 || outliers[i] != nil {
			for k := range i + 1 {
				id := "e" + strconv.Itoa(k)
				if normal.Check(missOf(id), 0) == nil {
					if err := mixed.Check(missOf(id), 0); err != nil {
						t.Fatalf("after send %d: envelope %s kept without outliers, lost with them: %v", i, id, err)
					}
				}
			}
		}
		// The outliers cost one record each, never the records of envelopes the
		// normal tracker has forgotten.
		sentOutliers += len(outliers[i])
		if extra := mixed.Len() - normal.Len(); extra < 0 || extra > sentOutliers {
			t.Fatalf("after send %d the outliers hold %d envelopes more (%d outliers sent)", i, extra, sentOutliers)
		}
	}
	// At the end only the outliers whose own time is still within the lifetime are
	// held: the ten-year one and the burst 48 h ahead, not the one a day ahead.
	if extra := mixed.Len() - normal.Len(); extra != 8 {
		t.Errorf("at the end the outliers hold %d envelopes more, want 8", extra)
	}
	if err := mixed.Check(missOf("future-100-0"), 0); err == nil {
		t.Error("the envelope dated a day ahead is still held after its lifetime")
	}
}

func TestTrackerClockFollowsAGap(t *testing.T) {
	var tr Tracker
	for i := range 20 {
		tr.Check(sendAt("a"+strconv.Itoa(i), t0.Add(time.Duration(i)*time.Minute), 1, 1), int64(i))
	}
	before := tr.Clock()
	later := t0.Add(48 * time.Hour)
	for i := range 8 {
		if !tr.Clock().Equal(before) {
			t.Fatalf("the clock moved after %d sends past the gap", i)
		}
		tr.Check(sendAt("b"+strconv.Itoa(i), later.Add(time.Duration(i)*time.Minute), 1, 1), int64(20+i))
	}
	if want := later; !tr.Clock().Equal(want) {
		t.Errorf("after 8 sends past the gap the clock is %s, want %s", tr.Clock(), want)
	}
	// The envelopes before the gap have expired; those after it are held.
	if tr.Len() != 8 {
		t.Errorf("holds %d envelopes, want the 8 sent after the gap", tr.Len())
	}
}

func TestTrackerMax(t *testing.T) {
	tr := Tracker{Max: 10}
	for i := range 100 {
		if err := tr.Check(sendAt("e"+strconv.Itoa(i), t0, 1, 1), int64(i)); err != nil {
			t.Fatal(err)
		}
	}
	if tr.Len() != 10 {
		t.Errorf("bounded tracker holds %d envelopes, want 10", tr.Len())
	}
	rej := wantReason(t, "claim on an evicted envelope", tr.Check(claimOf("e89", 1), 100), ReasonUnknownEnvelope)
	if rej != nil && !strings.Contains(rej.Detail, "at most 10 are held") {
		t.Errorf("the detail %q does not say how many are held", rej.Detail)
	}
	if err := tr.Check(claimOf("e90", 1), 101); err != nil {
		t.Errorf("claim on the oldest envelope held: %v", err)
	}
}

func TestTrackerRestore(t *testing.T) {
	var tr Tracker
	// Restored in the order sent; they set the clock as the live sends did.
	for i := range 20 {
		tr.Restore("r"+strconv.Itoa(i), t0.Add(time.Duration(i)*time.Minute), int64(100+i), 3, 300, 2, 250)
	}
	if want := t0.Add(12 * time.Minute); !tr.Clock().Equal(want) {
		t.Errorf("clock after restore %s, want %s", tr.Clock(), want)
	}
	if err := tr.Check(claimOf("r19", 50), 200); err != nil {
		t.Errorf("the last share: %v", err)
	}
	wantReason(t, "a fourth claim", tr.Check(claimOf("r19", 1), 201), ReasonClaimsExceedShares)
	rej := wantReason(t, "a second send", tr.Check(sendAt("r5", t0.Add(20*time.Minute), 1, 1), 202), ReasonDuplicateEnvelope)
	if rej != nil && !strings.Contains(rej.Detail, "offset 105;") {
		t.Errorf("the detail %q does not name offset 105", rej.Detail)
	}
	// Counts restored from an old lake above what a record holds are held at the
	// limit, which still refuses every claim.
	tr.Restore("over", t0.Add(20*time.Minute), 300, 3, 300, 900, 1<<40)
	wantReason(t, "claim on an overdrawn envelope", tr.Check(claimOf("over", 1), 301), ReasonClaimsExceedShares)
}

// TestTrackerHashCollision: two ids whose 64-bit hashes collide but fingerprints
// differ are two envelopes.
func TestTrackerHashCollision(t *testing.T) {
	var tb table[envelopeRec]
	tb.limit = 100
	a := tb.add(42, 1, newEnvelopeRec(1, 0, 1, 1, 0, 0))
	b := tb.add(42, 2, newEnvelopeRec(2, 0, 1, 1, 0, 0))
	if at, ok := tb.find(42, 1); !ok || at != a {
		t.Errorf("find(42, 1) = %d, %v; want %d", at, ok, a)
	}
	if at, ok := tb.find(42, 2); !ok || at != b {
		t.Errorf("find(42, 2) = %d, %v; want %d", at, ok, b)
	}
	if _, ok := tb.find(42, 3); ok {
		t.Error("found a fingerprint never added")
	}
}

// TestTableModel runs random adds, releases and evictions against a map.
func TestTableModel(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for round := range 20 {
		var tb table[uint32]
		tb.limit = 1 + r.IntN(300)
		type key struct {
			h  uint64
			fp uint32
		}
		model := map[key]uint32{} // held keys and their payload
		var fifo []key            // all slots in ring order, for eviction
		for op := range 5000 {
			// Few distinct hashes, so that probes collide and wrap often (and run past
			// the distance an index entry holds); some differ only in their tag bits.
			k := key{uint64(r.IntN(64))<<56>>uint(r.IntN(2)*56) | uint64(r.IntN(3))<<tagShift, uint32(r.IntN(4))}
			switch {
			case r.IntN(4) > 0: // add if not held
				if _, ok := model[k]; ok {
					continue
				}
				if len(fifo) == tb.limit {
					old := fifo[0]
					fifo = fifo[1:]
					delete(model, old)
				}
				tb.add(k.h, k.fp, uint32(op))
				model[k] = uint32(op)
				fifo = append(fifo, k)
			default: // release a held key
				if len(fifo) == 0 {
					continue
				}
				victim := fifo[r.IntN(len(fifo))]
				at, ok := tb.find(victim.h, victim.fp)
				if _, held := model[victim]; ok != held {
					t.Fatalf("round %d op %d: find %v = %v, model %v", round, op, victim, ok, held)
				}
				if !ok {
					continue
				}
				newest := (tb.head + tb.n - 1) % len(tb.recs)
				tb.release(at)
				delete(model, victim)
				if at == newest {
					fifo = fifo[:len(fifo)-1]
				} else {
					for i := range fifo {
						if fifo[i] == victim {
							fifo[i] = key{^uint64(0), ^uint32(0)} // a dead slot: never looked up
						}
					}
				}
			}
			if tb.held != len(model) || tb.n != len(fifo) {
				t.Fatalf("round %d op %d: held %d n %d, model %d slots %d", round, op, tb.held, tb.n, len(model), len(fifo))
			}
		}
		for k, p := range model {
			at, ok := tb.find(k.h, k.fp)
			if !ok || tb.recs[at].p != p {
				t.Fatalf("round %d: key %v lost", round, k)
			}
		}
	}
}

// TestTrackerMemoryPerEnvelope keeps the ingester's cross-message state small and
// detached from the messages: an envelope decoded from a ~200-byte message, and its
// claims, must not keep their messages alive.
func TestTrackerMemoryPerEnvelope(t *testing.T) {
	const n = 200_000
	v := DefaultValidator()
	var tr Tracker
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	for i := range n {
		msg := fmt.Sprintf(`{"event_id":"s1-%d","type":"envelope_sent","ts":"2014-01-30T21:00:00+08:00","envelope_id":"s1-env-%d","sender_id":"u%d","chat_id":"g%d","kind":"lucky","total_fen":1070,"shares":3,"padding":"%s"}`,
			i, i, i, i, strings.Repeat("x", 64))
		e, err := Decode([]byte(msg), v)
		if err != nil {
			t.Fatal(err)
		}
		if err := tr.Check(&e, int64(2*i)); err != nil {
			t.Fatal(err)
		}
		claim := fmt.Sprintf(`{"event_id":"s1-c%d","type":"envelope_grabbed","ts":"2014-01-30T21:00:01+08:00","envelope_id":"s1-env-%d","user_id":"u%d","outcome":"claimed","amount_fen":300,"padding":"%s"}`,
			i, i, i+1, strings.Repeat("x", 64))
		if e, err = Decode([]byte(claim), v); err != nil {
			t.Fatal(err)
		}
		if err := tr.Check(&e, int64(2*i+1)); err != nil {
			t.Fatal(err)
		}
	}
	runtime.GC()
	runtime.ReadMemStats(&after)
	per := float64(after.HeapAlloc-before.HeapAlloc) / n
	// 200,000 envelopes: a ring of 262,144 records of 32 bytes and an index of
	// 524,288 slots of 4 bytes, 52.4 bytes an envelope.
	t.Logf("%.1f bytes of heap per tracked envelope (%.1f counted by Bytes)", per, float64(tr.Bytes())/n)
	if tr.Bytes() != 262_144*32+524_288*4 {
		t.Errorf("Bytes() = %d, want %d", tr.Bytes(), 262_144*32+524_288*4)
	}
	if per > 56 {
		t.Errorf("the tracker holds %.1f bytes per envelope; want at most 56", per)
	}
	runtime.KeepAlive(&tr)
}

// TestTrackerFullScale fills a tracker with the default maximum of envelopes: the
// memory given in DefaultMaxEnvelopes's comment, measured.
func TestTrackerFullScale(t *testing.T) {
	if testing.Short() {
		t.Skip("fills 80 MB")
	}
	var tr Tracker
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	e := sendAt("", t0, 3, 1070)
	for i := range DefaultMaxEnvelopes + 1000 {
		e.EnvelopeID = "s1-env-" + strconv.Itoa(i)
		if err := tr.Check(e, int64(i)); err != nil {
			t.Fatal(err)
		}
	}
	runtime.GC()
	runtime.ReadMemStats(&after)
	if tr.Len() != DefaultMaxEnvelopes {
		t.Errorf("holds %d envelopes, want %d", tr.Len(), DefaultMaxEnvelopes)
	}
	const want = DefaultMaxEnvelopes*32 + 4_194_304*4 // 80,777,216
	if tr.Bytes() != want {
		t.Errorf("Bytes() = %d, want %d", tr.Bytes(), want)
	}
	heap := int64(after.HeapAlloc) - int64(before.HeapAlloc)
	t.Logf("%d envelopes: %d bytes of heap, %.1f an envelope", tr.Len(), heap, float64(heap)/float64(tr.Len()))
	if heap > want+want/50 {
		t.Errorf("heap grew by %d bytes; want at most %d", heap, want+want/50)
	}
	wantReason(t, "claim on the first, evicted, envelope", tr.Check(claimOf("s1-env-999", 1), 0), ReasonUnknownEnvelope)
	runtime.KeepAlive(&tr)
}

// TestRingGrowsByQuartersWhenLarge: a ring doubles up to bigRing records, then grows
// by a quarter, so that the 1.44 M envelopes a full festival's tracker holds take a
// ring of 1.64 M records, not the 2 M limit; every record stays findable.
func TestRingGrowsByQuartersWhenLarge(t *testing.T) {
	tab := table[seenRec]{limit: 2_000_000}
	const n = 1_440_000
	var caps []int
	for i := range n {
		h := uint64(i+1) * 0x9E3779B97F4A7C15
		tab.add(h, uint32(h>>7), newSeenRec(0, int64(i)))
		if len(caps) == 0 || caps[len(caps)-1] != len(tab.recs) {
			caps = append(caps, len(tab.recs))
		}
	}
	if got := caps[len(caps)-4:]; !slices.Equal(got, []int{1 << 19, 1 << 20, 1_310_720, 1_638_400}) {
		t.Fatalf("the ring grew through %v", caps)
	}
	for _, i := range []int{0, 1, n / 2, n - 1} {
		h := uint64(i+1) * 0x9E3779B97F4A7C15
		at, ok := tab.find(h, uint32(h>>7))
		if !ok || tab.recs[at].p.position().Offset != int64(i) {
			t.Fatalf("record %d: found %v at %d", i, ok, at)
		}
	}
}
