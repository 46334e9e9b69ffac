package events

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"testing"
	"time"
	"unicode/utf8"

	json "github.com/goccy/go-json"
)

// fuzzValidator has a fixed range, so that a failure replays the same way later.
func fuzzValidator() *Validator {
	return &Validator{Earliest: time.Date(2009, 1, 1, 0, 0, 0, 0, time.UTC), Latest: time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)}
}

// FuzzDecode: no message makes Decode panic, and each is either a valid event whose
// strings are all valid UTF-8 and which survives Encode and Decode unchanged, or a
// rejection with a known reason and a detail a person can read (valid UTF-8 itself:
// it is stored in the quarantine table).
func FuzzDecode(f *testing.F) {
	for _, e := range sampleEvents() {
		b, err := Encode(&e)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Add([]byte(`{"event_id":"a","type":"link_shared","ts":"2014-01-30t16:00:00z","user_id":"u","chat_id":"c","url":"x"}`))
	f.Add([]byte("{\"event_id\":\"a\xff\",\"type\":\"link_shared\"," + okTS + `,"user_id":"u","chat_id":"c","url":"x"}`))
	f.Add([]byte(`{"event_id":"a\ud800","type":"link_shared",` + okTS + `,"user_id":"u","chat_id":"c","url":"x","amount_fen":"x"}`))
	f.Add([]byte(`{"EVENT_ID":"a","Type":"payment",` + okTS + `,"user_id":"u","provider":"alipay","scenario":"s","bank_code":"B","amount_fen":1,"amount_fen":2}`))
	f.Add([]byte(`{"event_id":"a","type":"envelope_sent",` + okTS + `,"envelope_id":"e","sender_id":"u","chat_id":"c","kind":"fixed","total_fen":2000000,"shares":100}`))
	v := fuzzValidator()
	f.Fuzz(func(t *testing.T, raw []byte) {
		e, err := Decode(raw, v)
		if err != nil {
			var rej *RejectError
			if !errors.As(err, &rej) {
				t.Fatalf("%q: error %v is not a *RejectError", raw, err)
			}
			if !slices.Contains(Reasons, rej.Reason) {
				t.Fatalf("%q: reason %q is not one of Reasons", raw, rej.Reason)
			}
			if rej.Detail == "" || !utf8.ValidString(rej.Detail) {
				t.Fatalf("%q: detail %q is empty or not UTF-8", raw, rej.Detail)
			}
			return
		}
		for _, s := range []string{e.EventID, string(e.Type), e.EnvelopeID, e.SenderID, e.ChatID, e.Kind,
			e.UserID, e.Outcome, e.Provider, e.BankCode, e.Scenario, e.URL} {
			if !utf8.ValidString(s) {
				t.Fatalf("%q: accepted with the string %q, not valid UTF-8", raw, s)
			}
		}
		b, err := Encode(&e)
		if err != nil {
			t.Fatalf("%q: accepted, but does not encode: %v", raw, err)
		}
		again, err := Decode(b, v)
		if err != nil {
			t.Fatalf("%q: accepted, encoded as %s, which is rejected: %v", raw, b, err)
		}
		if !again.TS.Equal(e.TS) {
			t.Fatalf("%q: ts %s became %s", raw, e.TS, again.TS)
		}
		again.TS = e.TS
		if again != e {
			t.Fatalf("%q: round trip changed the event\n got %+v\nwant %+v", raw, again, e)
		}
	})
}

// TestFuzzCorpusCoversEveryReason: the seed corpus in testdata holds a message for
// each reason Decode gives, and valid messages of each type.
func TestFuzzCorpusCoversEveryReason(t *testing.T) {
	dir := filepath.Join("testdata", "fuzz", "FuzzDecode")
	files, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	reasons := map[Reason]bool{}
	types := map[Type]bool{}
	v := fuzzValidator()
	for _, f := range files {
		b, err := os.ReadFile(filepath.Join(dir, f.Name()))
		if err != nil {
			t.Fatal(err)
		}
		raw, err := parseCorpusFile(b)
		if err != nil {
			t.Fatalf("%s: %v", f.Name(), err)
		}
		e, err := Decode(raw, v)
		var rej *RejectError
		switch {
		case errors.As(err, &rej):
			reasons[rej.Reason] = true
		case err == nil:
			types[e.Type] = true
		}
	}
	for _, r := range Reasons {
		switch r {
		case ReasonClaimsExceedShares, ReasonClaimOverTotal, ReasonUnknownEnvelope, ReasonDuplicateEnvelope, ReasonDuplicateEventID:
			continue // need other messages: FuzzTracker and TestSeen
		case ReasonWrongKey:
			continue // needs the Kafka key: the ingester's TestHostileInput
		}
		if !reasons[r] {
			t.Errorf("no corpus file is rejected as %s", r)
		}
	}
	for _, ty := range Types {
		if !types[ty] {
			t.Errorf("no corpus file is a valid %s", ty)
		}
	}
}

// parseCorpusFile reads a one-value []byte file of Go's fuzzing corpus format.
func parseCorpusFile(b []byte) ([]byte, error) {
	const head = "go test fuzz v1\n[]byte("
	s := string(b)
	if len(s) < len(head)+2 || s[:len(head)] != head {
		return nil, errors.New("not a go test fuzz v1 file of one []byte")
	}
	s = s[len(head):]
	end := len(s) - 1
	for end > 0 && s[end] != ')' {
		end--
	}
	q, err := strconv.Unquote(s[:end])
	return []byte(q), err
}

// FuzzTracker runs programs of sends, claims and misses, with clock jumps and
// future-dated sends, through a small Tracker: it never panics, never accepts a
// grab on an envelope it was never sent, never lets the claims it accepted since
// an accepted send exceed that send's shares or total, and a rejected grab
// checked again gets the same answer.
func FuzzTracker(f *testing.F) {
	f.Add([]byte{8, 0, 0, 2, 5, 1, 0, 0, 100, 1, 0, 0, 100, 1, 0, 0, 100, 0, 0, 1, 1})              // a send, three claims (exceeds shares), a second send
	f.Add([]byte{8, 0, 1, 0, 3, 1, 1, 255, 255, 1, 1, 255, 255})                                    // a claim over the total
	f.Add([]byte{8, 1, 3, 0, 0, 2, 4, 0, 0})                                                        // a claim and a miss on envelopes never sent
	f.Add([]byte{2, 0, 0, 0, 1, 0, 1, 0, 1, 0, 2, 0, 1, 1, 0, 0, 1})                                // eviction by Max
	f.Add([]byte{64, 3, 0, 200, 0x80, 0, 0, 0, 1, 3, 0, 10, 0, 0, 1, 0, 1, 1, 0, 0, 1, 1, 1, 0, 1}) // a future-dated send among normal ones
	f.Fuzz(func(t *testing.T, prog []byte) {
		if len(prog) == 0 {
			return
		}
		tr := Tracker{Max: 1 + int(prog[0]%64)}
		prog = prog[1:]
		type sent struct{ shares, total, claims, fen int64 }
		model := map[string]*sent{} // the state of each envelope since its last accepted send
		everSent := map[string]bool{}
		now := t0
		var off int64
		for len(prog) >= 4 {
			op, env, a, b := prog[0]%4, prog[1]%16, int64(prog[2]), int64(prog[3])
			prog = prog[4:]
			off++
			id := "env-" + strconv.Itoa(int(env))
			switch op {
			case 0: // send
				shares := a%MaxShares + 1
				total := min(shares+b*b*b, shares*MaxClaimFen)
				e := sendAt(id, now, int32(shares), total)
				if err := tr.Check(e, off); err == nil {
					model[id] = &sent{shares: shares, total: total}
					everSent[id] = true
				} else if !errors.As(err, new(*RejectError)) {
					t.Fatal(err)
				}
			case 1, 2: // claim or miss
				e := claimOf(id, (a<<8|b)%MaxClaimFen+1)
				if op == 2 {
					e = missOf(id)
				}
				err := tr.Check(e, off)
				if err != nil {
					again := tr.Check(e, off)
					var r1, r2 *RejectError
					if !errors.As(err, &r1) || !errors.As(again, &r2) || r1.Reason != r2.Reason {
						t.Fatalf("a rejected grab checked again: %v, then %v", err, again)
					}
					continue
				}
				if !everSent[id] {
					t.Fatalf("accepted a grab on %s, never sent", id)
				}
				if op == 2 {
					continue
				}
				m := model[id]
				m.claims++
				m.fen += e.AmountFen
				if m.claims > m.shares || m.fen > m.total {
					t.Fatalf("%s: accepted %d claims of %d fen on %d shares of %d fen", id, m.claims, m.fen, m.shares, m.total)
				}
			case 3: // time passes; the top bit of b dates the next send far ahead once
				now = now.Add(time.Duration(a) * time.Minute)
				if b&0x80 != 0 {
					e := sendAt("future-"+strconv.FormatInt(off, 10), now.Add(time.Duration(b)*24*time.Hour), 1, 1)
					tr.Check(e, off)
				}
			}
			if tr.Len() > tr.Max {
				t.Fatalf("holds %d envelopes, Max %d", tr.Len(), tr.Max)
			}
		}
	})
}

// FuzzEncoder: AppendEncoded gives the bytes of Encode (goccy's) for any event, on
// its fast path (plain ASCII strings, ordinary times) and off it, and an event Encode
// refuses (a year past 9999) is refused too.
func FuzzEncoder(f *testing.F) {
	for _, e := range sampleEvents() {
		f.Add(e.EventID, string(e.Type), e.UserID, e.URL, e.TotalFen, e.Shares, e.AmountFen, e.TS.UnixNano(), 480)
	}
	f.Add("a<b", "payment", "u\x00", "http://x/?a=1&b=2", int64(-1), int32(0), int64(1<<62), int64(0), -59)
	f.Add("é", "", "\u2028", "\xff", int64(0), int32(-5), int64(0), int64(-1), 24*60)
	f.Fuzz(func(t *testing.T, id, typ, user, url string, total int64, shares int32, amount, unixNano int64, offMin int) {
		ts := time.Unix(0, unixNano).In(time.FixedZone("", (offMin%(48*60))*60))
		e := Event{EventID: id, Type: Type(typ), TS: ts, EnvelopeID: user + id, SenderID: id, ChatID: url,
			Kind: typ, TotalFen: total, Shares: shares, UserID: user, Outcome: typ, AmountFen: amount,
			Provider: id, BankCode: user, Scenario: typ, URL: url}
		want, werr := Encode(&e)
		got, gerr := AppendEncoded([]byte("x"), &e)
		if (werr != nil) != (gerr != nil) {
			t.Fatalf("Encode error %v, Append error %v", werr, gerr)
		}
		if werr == nil && string(got) != "x"+string(want) {
			t.Fatalf("Append gave\n%s\nEncode gave\n%s", got[1:], want)
		}
	})
}

// FuzzPlainWire: whatever Decode's plain path accepts, goccy decodes to the same
// fields; and the encodings of the sample events (but the link, whose URL needs
// escapes) take the plain path.
func FuzzPlainWire(f *testing.F) {
	for i, e := range sampleEvents() {
		b, err := Encode(&e)
		if err != nil {
			f.Fatal(err)
		}
		w := emptyWire
		if plain := plainWire(b, &w, false); plain != (e.Type != LinkShared) {
			f.Fatalf("sample %d (%s): plain path %v", i, e.Type, plain)
		}
		f.Add(b)
	}
	f.Add([]byte(`{"event_id":"a","type":"payment","ts":"x","amount_fen":-0}`))
	f.Add([]byte(`{"event_id":"a","event_id":"b"}`))
	f.Add([]byte(`{"type":"a","event_id":"b","shares":012}`))
	f.Add([]byte(`{"event_id":"a","total_fen":123456789012345678,"url":""}`))
	f.Fuzz(func(t *testing.T, raw []byte) {
		fast, owned := emptyWire, emptyWire
		if took := plainWire(raw, &fast, false); took != plainWire(bytes.Clone(raw), &owned, true) {
			t.Fatalf("%q: the copying and the owning plain paths disagree on taking it", raw)
		} else if !took {
			return
		}
		if fast != owned {
			t.Fatalf("%q: copied\n%+v\nowned\n%+v", raw, fast, owned)
		}
		slow := emptyWire
		if err := json.Unmarshal(raw, &slow); err != nil {
			t.Fatalf("plain path took %q, goccy refuses it: %v", raw, err)
		}
		if fast != slow {
			t.Fatalf("%q: plain path\n%+v\ngoccy\n%+v", raw, fast, slow)
		}
		if !utf8.Valid(raw) {
			t.Fatalf("plain path took %q, not valid UTF-8", raw)
		}
	})
}
