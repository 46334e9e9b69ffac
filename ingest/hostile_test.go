package ingest_test

import (
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/hongbao/hongbao/ingest/events"
	"github.com/hongbao/hongbao/ingest/produce"
	"github.com/hongbao/hongbao/ingest/simulate"
	"github.com/hongbao/hongbao/internal/testtopic"
)

// hostileMessage is one message of the hostile mix, with the reason it must be
// quarantined for ("" when it must land).
type hostileMessage struct {
	key, value []byte
	reason     events.Reason
}

// hostileMix builds n messages an attacker or a broken producer might send, around
// the valid events of a small simulated world: random bytes, truncated JSON,
// invalid UTF-8 in every string field, wrong types, odd and future timestamps,
// exact copies of valid events (on their own partition and on others), claims on
// envelopes never sent, an envelope sent twice, huge and deeply nested values.
func hostileMix(t testing.TB, valid []events.Event, n int) []hostileMessage {
	t.Helper()
	rng := rand.New(rand.NewPCG(8, 8))
	var out []hostileMessage
	enc := func(e *events.Event) []byte {
		b, err := events.Encode(e)
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	var envelopes []events.Event
	for _, e := range valid {
		if e.Type == events.EnvelopeSent {
			envelopes = append(envelopes, e)
		}
	}
	// Envelopes sent in the last 12 hours of the world, which every partition's
	// tracker still holds at the end, and ones sent over two days before its end.
	last := envelopes[0].TS
	for _, e := range envelopes {
		if e.TS.After(last) {
			last = e.TS
		}
	}
	var recent, old []events.Event
	for _, e := range envelopes {
		if e.TS.After(last.Add(-12 * time.Hour)) {
			recent = append(recent, e)
		} else if e.TS.Before(last.Add(-48 * time.Hour)) {
			old = append(old, e)
		}
	}
	for i := 0; len(out) < n; i++ {
		e := valid[rng.IntN(len(valid))]
		switch i % 12 {
		case 0: // random bytes
			b := make([]byte, 1+rng.IntN(200))
			for j := range b {
				b[j] = byte(rng.IntN(256))
			}
			b[0] = 'x' // never a valid JSON start
			out = append(out, hostileMessage{[]byte("rnd"), b, events.ReasonNotJSON})
		case 1: // truncated JSON
			b := enc(&e)
			out = append(out, hostileMessage{[]byte(e.Key()), b[:len(b)/2], events.ReasonNotJSON})
		case 2: // invalid UTF-8 in a string field
			b := enc(&e)
			field := []string{`"event_id":"`, `"user_id":"`, `"envelope_id":"`}[rng.IntN(3)]
			if k := strings.Index(string(b), field); k >= 0 {
				k += len(field)
				b = append(b[:k:k], append([]byte{0xff, 0xfe}, b[k:]...)...)
				out = append(out, hostileMessage{[]byte(e.Key()), b, events.ReasonInvalidUTF8})
			}
		case 3: // a wrong type
			m := map[string]any{}
			json.Unmarshal(enc(&e), &m)
			m["event_id"] = fmt.Sprintf("wt-%d", i)
			m["ts"] = 20140131
			b, _ := json.Marshal(m)
			out = append(out, hostileMessage{[]byte(e.Key()), b, events.ReasonWrongType})
		case 4: // a timestamp far out of range
			c := e
			c.EventID = fmt.Sprintf("ts-%d", i)
			c.TS = time.Date(2099, 1, 1, 0, 0, 0, 0, time.UTC)
			out = append(out, hostileMessage{[]byte(c.Key()), enc(&c), events.ReasonTimestampRange})
		case 5: // an exact copy of a valid event, under its own key
			out = append(out, hostileMessage{[]byte(e.Key()), enc(&e), events.ReasonDuplicateEventID})
		case 6: // an exact copy under another key: another partition
			want := events.ReasonDuplicateEventID
			if e.Type == events.EnvelopeSent || e.Type == events.EnvelopeGrabbed {
				want = events.ReasonWrongKey // its envelope lives on the partition of its own key
			}
			out = append(out, hostileMessage{[]byte(fmt.Sprintf("other-%d", i)), enc(&e), want})
		case 7: // a claim on an envelope never sent
			c := events.Event{EventID: fmt.Sprintf("ghost-claim-%d", i), Type: events.EnvelopeGrabbed,
				TS: e.TS, EnvelopeID: fmt.Sprintf("ghost-env-%d", i), UserID: "u-ghost",
				Outcome: events.OutcomeClaimed, AmountFen: 100}
			out = append(out, hostileMessage{[]byte(c.EnvelopeID), enc(&c), events.ReasonUnknownEnvelope})
		case 8: // an envelope sent again under a new event id: a recent one the
			// ingester remembers, or one from days before, which it cannot check
			env := recent[rng.IntN(len(recent))]
			if i%24 == 8 {
				env = old[rng.IntN(len(old))] // found in the lake
			}
			env.EventID = fmt.Sprintf("resend-%d", i)
			out = append(out, hostileMessage{[]byte(env.EnvelopeID), enc(&env), events.ReasonDuplicateEnvelope})
		case 9: // a huge value; the first larger than one of the ingester's fetches
			b := []byte(`{"event_id":"huge-` + fmt.Sprint(i) + `","type":"link_shared","ts":"2014-01-31T00:00:00+08:00","user_id":"u","chat_id":"c","url":"`)
			if i == 9 { // random letters: lz4 leaves the batch larger than a fetch
				for range 6 << 20 {
					b = append(b, byte('a'+rng.IntN(26)))
				}
			} else {
				b = append(b, strings.Repeat("a", 200_000)...)
			}
			b = append(b, `"}`...)
			out = append(out, hostileMessage{[]byte("huge"), b, events.ReasonTooLarge})
		case 10: // deeply nested
			b := []byte(`{"event_id":"deep-` + fmt.Sprint(i) + `","type":"payment","x":` + strings.Repeat("[", 5000) + strings.Repeat("]", 5000) + `}`)
			out = append(out, hostileMessage{[]byte("deep"), b, events.ReasonMissingField})
		case 11: // valid, with lowercase t and z
			c := e
			c.EventID = fmt.Sprintf("lower-%d", i)
			b := enc(&c)
			ts, _ := c.TS.UTC().MarshalText()
			b = []byte(strings.Replace(string(b), `"ts":"`+c.TS.Format(time.RFC3339Nano)+`"`, `"ts":"`+strings.ToLower(string(ts))+`"`, 1))
			if c.Type == events.EnvelopeSent || c.Type == events.EnvelopeGrabbed {
				continue // an envelope's own rules would decide these; keep the case about time
			}
			out = append(out, hostileMessage{[]byte(c.Key()), b, ""})
		}
	}
	return out
}

// TestHostileInput: valid events and a hostile mix through the real protocol.
// Nothing invalid reaches the lake, the warehouse refreshes, every offset is once in
// a table or in quarantine, no event_id is twice in a table, no claim in grabs is on
// an unknown envelope or overdraws one.
func TestHostileInput(t *testing.T) {
	dir := t.TempDir()
	b := testtopic.Broker(t, filepath.Join(dir, "broker"))
	ctx, cancel := context.WithTimeout(context.Background(), 4*time.Minute)
	defer cancel()

	sim, err := simulate.New(simulate.Config{Scale: 0.0002, Seed: 31})
	if err != nil {
		t.Fatal(err)
	}
	var valid []events.Event
	if err := sim.Run(ctx, func(e *events.Event) error { valid = append(valid, *e); return nil }); err != nil {
		t.Fatal(err)
	}
	p := produce.New(produce.Config{Brokers: []string{b.Addr()}, Topic: topic})
	for i := range valid {
		if err := p.Add(ctx, &valid[i]); err != nil {
			t.Fatal(err)
		}
	}
	mix := hostileMix(t, valid, torture(2_000, 20_000))
	want := map[events.Reason]int64{}
	for _, m := range mix {
		if err := p.AddRaw(ctx, m.key, m.value, "hostile", 0); err != nil {
			t.Fatal(err)
		}
		if m.reason != "" {
			want[m.reason]++
		}
	}
	if err := p.Close(ctx); err != nil {
		t.Fatal(err)
	}
	total := int64(len(valid) + len(mix))

	sum, err := drain(ctx, b.Addr(), dir, "test", 500*time.Millisecond)
	if err != nil || !sum.Drained {
		t.Fatalf("drain: %v", err)
	}
	if n := checkEveryOffsetOnce(t, dir, b.Addr()); n != total {
		t.Errorf("the lake holds %d offsets; %d were produced", n, total)
	}
	db := openWarehouse(t, dir) // fails if DuckDB cannot read a lake file
	got := map[events.Reason]int64{}
	rows, err := db.Query("SELECT reason, count(*) FROM quarantine GROUP BY reason")
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var r string
		var n int64
		rows.Scan(&r, &n)
		got[events.Reason(r)] = n
	}
	rows.Close()
	for r, n := range want {
		if got[r] != n {
			t.Errorf("quarantine %s: %d messages, want %d", r, got[r], n)
		}
	}
	for r, n := range got {
		if want[r] == 0 {
			t.Errorf("quarantine %s: %d messages, want none", r, n)
		}
	}
	for _, q := range []struct{ what, sql string }{
		{"event_ids landed twice", `SELECT count(*) - count(DISTINCT event_id) FROM (
			SELECT event_id FROM envelopes UNION ALL SELECT event_id FROM grabs UNION ALL SELECT event_id FROM card_bindings
			UNION ALL SELECT event_id FROM withdrawals UNION ALL SELECT event_id FROM payments UNION ALL SELECT event_id FROM links)`},
		{"grabs on an envelope never sent", `SELECT count(*) FROM grabs g ANTI JOIN envelopes e USING (envelope_id)`},
		{"envelopes sent twice", `SELECT count(*) - count(DISTINCT envelope_id) FROM envelopes`},
		{"envelopes overdrawn", `SELECT count(*) FROM envelopes e JOIN (SELECT envelope_id, count(*) AS n, sum(amount_fen) AS fen
			FROM grabs WHERE outcome = 'claimed' GROUP BY ALL) g USING (envelope_id) WHERE g.n > e.shares OR g.fen > e.total_fen`},
		{"quarantined raw payloads over 64 KiB", `SELECT count(*) FROM quarantine WHERE octet_length(raw) > 65536`},
	} {
		var n int64
		if err := db.QueryRow(q.sql).Scan(&n); err != nil {
			t.Fatalf("%s: %v", q.what, err)
		}
		if n != 0 {
			t.Errorf("%s: %d", q.what, n)
		}
	}
	var landed int64
	if err := db.QueryRow(`SELECT (SELECT count(*) FROM envelopes) + (SELECT count(*) FROM grabs) + (SELECT count(*) FROM card_bindings)
		+ (SELECT count(*) FROM withdrawals) + (SELECT count(*) FROM payments) + (SELECT count(*) FROM links)`).Scan(&landed); err != nil {
		t.Fatal(err)
	}
	var quarantined int64
	for _, n := range got {
		quarantined += n
	}
	t.Logf("%d messages: %d landed, %d quarantined (%v)", total, landed, quarantined, got)
}
