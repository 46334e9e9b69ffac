package produce

import (
	"bufio"
	"bytes"
	"context"
	"testing"
	"time"

	"github.com/hongbao/hongbao/ingest/events"
)

// TestLineWriterCountsWhatItWrites writes events as JSON lines and counts them as the
// producer does: per type, in fen (total_fen for an envelope), and in bytes.
func TestLineWriterCountsWhatItWrites(t *testing.T) {
	ctx := context.Background()
	ts := time.Date(2014, 1, 31, 0, 0, 0, 0, time.UTC)
	evs := []events.Event{
		{EventID: "e1", Type: events.EnvelopeSent, TS: ts, EnvelopeID: "E1", SenderID: "u0", ChatID: "c1",
			Kind: events.KindLucky, TotalFen: 300, Shares: 3},
		{EventID: "g1", Type: events.EnvelopeGrabbed, TS: ts, EnvelopeID: "E1", UserID: "u1",
			Outcome: events.OutcomeClaimed, AmountFen: 120},
		{EventID: "g2", Type: events.EnvelopeGrabbed, TS: ts, EnvelopeID: "E1", UserID: "u2",
			Outcome: events.OutcomeClaimed, AmountFen: 80},
	}
	var out bytes.Buffer
	lw := NewLineWriter(&out)
	for i := range evs {
		if err := lw.Add(ctx, &evs[i]); err != nil {
			t.Fatal(err)
		}
	}
	if err := lw.Flush(); err != nil {
		t.Fatal(err)
	}
	st := lw.Written()
	if st.Messages != 3 || st.Count[events.EnvelopeSent] != 1 || st.Count[events.EnvelopeGrabbed] != 2 ||
		st.SumFen[events.EnvelopeSent] != 300 || st.SumFen[events.EnvelopeGrabbed] != 200 {
		t.Errorf("written %+v, want 1 envelope of 300 fen and 2 grabs of 200 fen", st)
	}
	if st.Bytes != int64(out.Len()-len(evs)) { // every byte but the newlines
		t.Errorf("counted %d bytes, wrote %d in %d lines", st.Bytes, out.Len(), len(evs))
	}
	var table bytes.Buffer
	st.Print(&table)
	for _, want := range []string{"envelope_sent                 1                300\n", "total                         3"} {
		if !bytes.Contains(table.Bytes(), []byte(want)) {
			t.Errorf("the table lacks %q:\n%s", want, table.String())
		}
	}
	sc := bufio.NewScanner(&out)
	for i := 0; sc.Scan(); i++ {
		e, err := events.Decode(sc.Bytes(), events.DefaultValidator())
		if err != nil {
			t.Fatalf("line %d: %v", i+1, err)
		}
		if e.EventID != evs[i].EventID || e.Type != evs[i].Type {
			t.Errorf("line %d is %s %s, want %s %s", i+1, e.Type, e.EventID, evs[i].Type, evs[i].EventID)
		}
	}
}

// TestTallyCountsEveryType counts the listed types in arrays and any other in maps,
// and adds both to a Stats as the producer adds an acknowledged chunk.
func TestTallyCountsEveryType(t *testing.T) {
	var ta tally
	ta.add(events.Payment, 10, 500)
	ta.add(events.Payment, 12, 250)
	ta.add("coupon_used", 7, 30) // not in events.Types: a producer of raw messages may send one
	ta.add(events.LinkShared, 5, 0)
	st := newStats()
	st.add(Stats{Messages: 1, Bytes: 4, Count: map[events.Type]int64{events.Payment: 1}, SumFen: map[events.Type]int64{events.Payment: 5}})
	ta.addTo(&st)
	want := Stats{Messages: 5, Bytes: 38,
		Count:  map[events.Type]int64{events.Payment: 3, "coupon_used": 1, events.LinkShared: 1},
		SumFen: map[events.Type]int64{events.Payment: 755, "coupon_used": 30, events.LinkShared: 0}}
	if st.Messages != want.Messages || st.Bytes != want.Bytes || len(st.Count) != len(want.Count) {
		t.Fatalf("stats %+v, want %+v", st, want)
	}
	for typ, n := range want.Count {
		if st.Count[typ] != n || st.SumFen[typ] != want.SumFen[typ] {
			t.Errorf("%s: %d messages, %d fen; want %d, %d", typ, st.Count[typ], st.SumFen[typ], n, want.SumFen[typ])
		}
	}
}
