package events

import (
	stdjson "encoding/json"
	"errors"
	"math/rand/v2"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/hongbao/hongbao/internal/locale"
)

func sampleEvents() []Event {
	ts := time.Date(2014, 1, 31, 0, 0, 12, 345_000_000, locale.Zone)
	return []Event{
		{EventID: "e1", Type: EnvelopeSent, TS: ts, EnvelopeID: "env1", SenderID: "u1", ChatID: "g1", Kind: KindLucky, TotalFen: 1070, Shares: 5},
		{EventID: "e2", Type: EnvelopeGrabbed, TS: ts, EnvelopeID: "env1", UserID: "u2", Outcome: OutcomeClaimed, AmountFen: 233},
		{EventID: "e3", Type: EnvelopeGrabbed, TS: ts, EnvelopeID: "env1", UserID: "u3", Outcome: OutcomeMissed},
		{EventID: "e4", Type: CardBound, TS: ts, UserID: "u2", Provider: ProviderWeChatPay, BankCode: "ICBC", Outcome: BindBankNotSupported},
		{EventID: "e5", Type: Withdrawal, TS: ts, UserID: "u2", Provider: ProviderWeChatPay, BankCode: "ICBC", AmountFen: 233},
		{EventID: "e6", Type: Payment, TS: ts, UserID: "u2", Provider: ProviderAlipay, Scenario: "taxi", AmountFen: 2300, BankCode: "CMB"},
		{EventID: "e7", Type: LinkShared, TS: ts, UserID: "u4", ChatID: "g1", URL: "http://hongbao.example.invalid/a?b=c&d=<e>"},
	}
}

func TestRoundTrip(t *testing.T) {
	v := DefaultValidator()
	for _, e := range sampleEvents() {
		b, err := Encode(&e)
		if err != nil {
			t.Fatal(err)
		}
		got, err := Decode(b, v)
		if err != nil {
			t.Fatalf("%s: decode %s: %v", e.Type, b, err)
		}
		if !got.TS.Equal(e.TS) {
			t.Errorf("%s: ts %s, want %s", e.Type, got.TS, e.TS)
		}
		got.TS = e.TS
		if !reflect.DeepEqual(got, e) {
			t.Errorf("%s: round trip\n got %+v\nwant %+v", e.Type, got, e)
		}
		// The encoding is stable: a second encode gives the same bytes.
		b2, _ := Encode(&got)
		if string(b) != string(b2) {
			t.Errorf("%s: encoding not stable:\n%s\n%s", e.Type, b, b2)
		}
		// DecodeOwned gives the same event from a message handed over, and Decode's
		// event keeps its fields when the caller then reuses its buffer.
		owned, err := DecodeOwned(slices.Clone(b), v)
		if err != nil {
			t.Fatalf("%s: decode owned %s: %v", e.Type, b, err)
		}
		for j := range b {
			b[j] = 'x'
		}
		if owned.TS = e.TS; !reflect.DeepEqual(got, owned) {
			t.Errorf("%s: Decode then a reused buffer\n%+v\nDecodeOwned\n%+v", e.Type, got, owned)
		}
	}
}

// TestEncoderAppendsWhatEncodeReturns: AppendEncoded gives Encode's bytes
// (HTML characters escaped alike) and leaves what the buffer held before untouched.
func TestEncoderAppendsWhatEncodeReturns(t *testing.T) {
	buf := []byte("before|")
	var want strings.Builder
	want.WriteString("before|")
	for _, e := range sampleEvents() {
		b, err := Encode(&e)
		if err != nil {
			t.Fatal(err)
		}
		start := len(buf)
		if buf, err = AppendEncoded(buf, &e); err != nil {
			t.Fatal(err)
		}
		if got := string(buf[start:]); got != string(b) {
			t.Errorf("%s: Append gave\n%s\nEncode gave\n%s", e.Type, got, b)
		}
		want.Write(b)
	}
	if string(buf) != want.String() {
		t.Errorf("the buffer holds\n%s\nwant\n%s", buf, want.String())
	}
}

// TestAppendTimeIsRFC3339Nano: the plain encoder's timestamps are AppendFormat's
// (time.RFC3339Nano) across the years it takes (0 to 9999), leap days, century
// years, offsets east and west (whole minutes or not), and fractions of any length.
func TestAppendTimeIsRFC3339Nano(t *testing.T) {
	zones := []*time.Location{time.UTC, locale.Zone, time.FixedZone("", -59), time.FixedZone("", -(9*3600 + 30*60 + 7)),
		time.FixedZone("", 23*3600+59*60+59), time.FixedZone("", 5*3600+45*60)}
	times := []time.Time{
		time.Date(0, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(9999, 12, 31, 23, 59, 59, 999_999_999, time.UTC),
		time.Date(2000, 2, 29, 12, 0, 0, 1, time.UTC), time.Date(1900, 3, 1, 0, 0, 0, 100_000_000, time.UTC),
		time.Date(1969, 12, 31, 23, 59, 59, 500_000_000, time.UTC), time.Date(2014, 1, 31, 0, 0, 12, 345_000_000, locale.Zone),
	}
	r := rand.New(rand.NewPCG(1, 2))
	for range 20000 {
		times = append(times, time.Unix(r.Int64N(253402300799+62167219200)-62167219200, r.Int64N(1e9)))
	}
	// Each zone has one Encoder, which sees every time in turn: seconds it wrote just
	// before, and seconds it did not.
	encs := make([]Encoder, len(zones))
	for i, base := range times {
		for j, z := range zones {
			ts := base.In(z)
			if ts.Year() < 0 || ts.Year() > 9999 {
				continue
			}
			if i%3 == 1 {
				ts = ts.Truncate(time.Millisecond)
			}
			_, off := ts.Zone()
			// Then a nanosecond later: most often the second just written, remembered.
			later := ts.Add(time.Nanosecond)
			if later.Year() > 9999 {
				later = ts
			}
			for _, at := range []time.Time{ts, later} {
				want := at.AppendFormat([]byte("x"), time.RFC3339Nano)
				if got := encs[j].appendTime([]byte("x"), at, off); string(got) != string(want) {
					t.Fatalf("time %d in zone %d: appendTime gave %s, AppendFormat %s", i, j, got, want)
				}
			}
		}
	}
}

func TestEncodingIsWireFormat(t *testing.T) {
	e := sampleEvents()[1]
	b, _ := Encode(&e)
	want := `{"event_id":"e2","type":"envelope_grabbed","ts":"2014-01-31T00:00:12.345+08:00","envelope_id":"env1","user_id":"u2","outcome":"claimed","amount_fen":233}`
	if string(b) != want {
		t.Errorf("encoded\n%s\nwant\n%s", b, want)
	}
}

const okTS = `"ts":"2014-01-31T00:00:00+08:00"`

func TestValidation(t *testing.T) {
	cases := []struct {
		name, msg string
		reason    Reason
	}{
		{"not json", `{"event_id":`, ReasonNotJSON},
		{"binary", "\x00\x01\x02", ReasonNotJSON},
		{"empty", ``, ReasonNotJSON},
		{"array", `[{"type":"payment"}]`, ReasonNotObject},
		{"string", `"hello"`, ReasonNotObject},
		{"no type", `{"event_id":"a",` + okTS + `}`, ReasonMissingField},
		{"unknown type", `{"event_id":"a","type":"envelope_opened",` + okTS + `}`, ReasonUnknownType},
		{"no event id", `{"type":"link_shared",` + okTS + `,"user_id":"u","chat_id":"c","url":"x"}`, ReasonMissingField},
		{"no ts", `{"event_id":"a","type":"link_shared","user_id":"u","chat_id":"c","url":"x"}`, ReasonMissingField},
		{"ts without offset", `{"event_id":"a","type":"link_shared","ts":"2014-01-31T00:00:00","user_id":"u","chat_id":"c","url":"x"}`, ReasonBadTimestamp},
		{"ts as number", `{"event_id":"a","type":"link_shared","ts":1391097600,"user_id":"u","chat_id":"c","url":"x"}`, ReasonWrongType},
		{"ts too early", `{"event_id":"a","type":"link_shared","ts":"1999-01-31T00:00:00Z","user_id":"u","chat_id":"c","url":"x"}`, ReasonTimestampRange},
		{"ts in the future", `{"event_id":"a","type":"link_shared","ts":"2999-01-31T00:00:00Z","user_id":"u","chat_id":"c","url":"x"}`, ReasonTimestampRange},
		{"missing url", `{"event_id":"a","type":"link_shared",` + okTS + `,"user_id":"u","chat_id":"c"}`, ReasonMissingField},
		{"amount as string", `{"event_id":"a","type":"withdrawal",` + okTS + `,"user_id":"u","provider":"alipay","bank_code":"B","amount_fen":"100"}`, ReasonWrongType},
		{"amount as float", `{"event_id":"a","type":"withdrawal",` + okTS + `,"user_id":"u","provider":"alipay","bank_code":"B","amount_fen":1.5}`, ReasonWrongType},
		{"user id as number", `{"event_id":"a","type":"withdrawal",` + okTS + `,"user_id":7,"provider":"alipay","bank_code":"B","amount_fen":100}`, ReasonWrongType},
		{"missing amount", `{"event_id":"a","type":"withdrawal",` + okTS + `,"user_id":"u","provider":"alipay","bank_code":"B"}`, ReasonMissingField},
		{"zero amount", `{"event_id":"a","type":"withdrawal",` + okTS + `,"user_id":"u","provider":"alipay","bank_code":"B","amount_fen":0}`, ReasonNonPositiveAmount},
		{"negative payment", `{"event_id":"a","type":"payment",` + okTS + `,"user_id":"u","provider":"alipay","scenario":"s","bank_code":"B","amount_fen":-1}`, ReasonNonPositiveAmount},
		{"bad provider", `{"event_id":"a","type":"payment",` + okTS + `,"user_id":"u","provider":"paypal","scenario":"s","bank_code":"B","amount_fen":1}`, ReasonInvalidValue},
		{"bad kind", `{"event_id":"a","type":"envelope_sent",` + okTS + `,"envelope_id":"e","sender_id":"u","chat_id":"c","kind":"huge","total_fen":100,"shares":2}`, ReasonInvalidValue},
		{"zero shares", `{"event_id":"a","type":"envelope_sent",` + okTS + `,"envelope_id":"e","sender_id":"u","chat_id":"c","kind":"lucky","total_fen":100,"shares":0}`, ReasonNonPositiveAmount},
		{"too many shares", `{"event_id":"a","type":"envelope_sent",` + okTS + `,"envelope_id":"e","sender_id":"u","chat_id":"c","kind":"lucky","total_fen":10000,"shares":101}`, ReasonInvalidValue},
		{"total below shares", `{"event_id":"a","type":"envelope_sent",` + okTS + `,"envelope_id":"e","sender_id":"u","chat_id":"c","kind":"lucky","total_fen":3,"shares":5}`, ReasonInvalidValue},
		{"envelope over limit", `{"event_id":"a","type":"envelope_sent",` + okTS + `,"envelope_id":"e","sender_id":"u","chat_id":"c","kind":"fixed","total_fen":40001,"shares":2}`, ReasonClaimOverLimit},
		{"payment over a million yuan", `{"event_id":"a","type":"payment",` + okTS + `,"user_id":"u","provider":"alipay","scenario":"s","bank_code":"B","amount_fen":9223372036854775807}`, ReasonInvalidValue},
		{"withdrawal over a million yuan", `{"event_id":"a","type":"withdrawal",` + okTS + `,"user_id":"u","provider":"alipay","bank_code":"B","amount_fen":100000001}`, ReasonInvalidValue},
		{"claim over 200 yuan", `{"event_id":"a","type":"envelope_grabbed",` + okTS + `,"envelope_id":"e","user_id":"u","outcome":"claimed","amount_fen":20001}`, ReasonClaimOverLimit},
		{"claim without amount", `{"event_id":"a","type":"envelope_grabbed",` + okTS + `,"envelope_id":"e","user_id":"u","outcome":"claimed"}`, ReasonMissingField},
		{"miss with amount", `{"event_id":"a","type":"envelope_grabbed",` + okTS + `,"envelope_id":"e","user_id":"u","outcome":"missed","amount_fen":5}`, ReasonInvalidValue},
		{"bad outcome", `{"event_id":"a","type":"envelope_grabbed",` + okTS + `,"envelope_id":"e","user_id":"u","outcome":"won","amount_fen":5}`, ReasonInvalidValue},
		{"bad bind outcome", `{"event_id":"a","type":"card_bound",` + okTS + `,"user_id":"u","provider":"wechat_pay","bank_code":"B","outcome":"maybe"}`, ReasonInvalidValue},
		{"invalid utf-8", "{\"event_id\":\"a\xff\",\"type\":\"link_shared\"," + okTS + `,"user_id":"u","chat_id":"c","url":"x"}`, ReasonInvalidUTF8},
		{"too large", `{"event_id":"a","type":"link_shared",` + okTS + `,"user_id":"u","chat_id":"c","url":"x","pad":"` + strings.Repeat("x", MaxMessageBytes) + `"}`, ReasonTooLarge},
	}
	seen := map[Reason]bool{}
	v := DefaultValidator()
	for _, c := range cases {
		_, err := Decode([]byte(c.msg), v)
		var rej *RejectError
		if !errors.As(err, &rej) {
			t.Errorf("%s: got %v, want a rejection %s", c.name, err, c.reason)
			continue
		}
		if rej.Reason != c.reason {
			t.Errorf("%s: reason %s (%s), want %s", c.name, rej.Reason, rej.Detail, c.reason)
		}
		if rej.Detail == "" {
			t.Errorf("%s: no detail", c.name)
		}
		seen[rej.Reason] = true
	}
	// The cross-message reasons are checked by the Tracker (see TestTracker) and by
	// Seen (see TestSeen).
	seen[ReasonClaimsExceedShares], seen[ReasonClaimOverTotal] = true, true
	seen[ReasonUnknownEnvelope], seen[ReasonDuplicateEnvelope] = true, true
	seen[ReasonDuplicateEventID] = true
	// The ingester applies the key rule (ingest.handler); see TestHostileInput.
	seen[ReasonWrongKey] = true
	for _, r := range Reasons {
		if !seen[r] {
			t.Errorf("no test case for reason %s", r)
		}
	}
}

func TestTolerantOfUnknownFields(t *testing.T) {
	msgs := []string{
		// An unknown field of any JSON type.
		`{"event_id":"a","type":"link_shared",` + okTS + `,"user_id":"u","chat_id":"c","url":"x","app_version":{"major":5,"minor":2}}`,
		// A field of another event type, with a type that would be wrong there.
		`{"event_id":"a","type":"link_shared",` + okTS + `,"user_id":"u","chat_id":"c","url":"x","amount_fen":"lots"}`,
		// A missed grab with an explicit null amount.
		`{"event_id":"a","type":"envelope_grabbed",` + okTS + `,"envelope_id":"e","user_id":"u","outcome":"missed","amount_fen":null}`,
	}
	for _, m := range msgs {
		if _, err := Decode([]byte(m), DefaultValidator()); err != nil {
			t.Errorf("%s: %v", m, err)
		}
	}
}

func benchMessages(b *testing.B) [][]byte {
	var msgs [][]byte
	for _, e := range sampleEvents() {
		m, err := Encode(&e)
		if err != nil {
			b.Fatal(err)
		}
		msgs = append(msgs, m)
	}
	return msgs
}

// BenchmarkDecode measures hongbao's decode and validation per message.
// Its sub-benchmark owned is DecodeOwned, the ingester's call.
func BenchmarkDecode(b *testing.B) {
	msgs := benchMessages(b)
	v := DefaultValidator()
	for _, d := range []struct {
		name   string
		decode func([]byte, *Validator) (Event, error)
	}{{"copy", Decode}, {"owned", DecodeOwned}} {
		b.Run(d.name, func(b *testing.B) {
			b.ReportAllocs()
			for i := 0; b.Loop(); i++ {
				if _, err := d.decode(msgs[i%len(msgs)], v); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkDecodeStdlib is the baseline: the same wire struct decoded with
// encoding/json, before validation.
func BenchmarkDecodeStdlib(b *testing.B) {
	msgs := benchMessages(b)
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		w := emptyWire
		if err := stdjson.Unmarshal(msgs[i%len(msgs)], &w); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkEncode compares AppendEncoded (its fast path for all but the
// sample link, whose URL holds & and <) with goccy's Marshal (Encode).
func BenchmarkEncode(b *testing.B) {
	evs := sampleEvents()
	b.Run("goccy", func(b *testing.B) {
		b.ReportAllocs()
		for i := 0; b.Loop(); i++ {
			if _, err := Encode(&evs[i%len(evs)]); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("encoder", func(b *testing.B) {
		var buf []byte
		b.ReportAllocs()
		for i := 0; b.Loop(); i++ {
			var err error
			if buf, err = AppendEncoded(buf[:0], &evs[i%len(evs)]); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// TestPlainPathsKnowEveryField: the plain encoder and decoder write and read the keys
// of wireKeys, in that order; a field added to Event or wire must be added there too.
func TestPlainPathsKnowEveryField(t *testing.T) {
	for _, v := range []any{Event{}, wire{}} {
		typ := reflect.TypeOf(v)
		var keys []string
		for f := range typ.Fields() {
			keys = append(keys, strings.Split(f.Tag.Get("json"), ",")[0])
		}
		if !reflect.DeepEqual(keys, wireKeys) {
			t.Errorf("%s's keys are\n%v\nthe plain paths know\n%v", typ.Name(), keys, wireKeys)
		}
	}
}
