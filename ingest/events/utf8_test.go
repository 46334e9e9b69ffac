package events

import (
	"bytes"
	"errors"
	"strings"
	"testing"
	"time"
	"unicode/utf8"
)

// stringFields are the string fields each type's events carry, the common three first.
func stringFields(t Type) []string {
	names := []string{"event_id", "type", "ts"}
	for _, f := range requiredFields(t) {
		if n := f.String(); !f.isInt() {
			names = append(names, n)
		}
	}
	return names
}

// slowPathField is a field the event of type t does not use, given a JSON type that
// its wire field cannot take: the fast decode fails on it, and the exact path, which
// ignores fields the type does not use, decodes the message.
func slowPathField(t Type) string {
	if t == LinkShared {
		return `,"amount_fen":"lots"}`
	}
	return `,"url":17}`
}

// corrupt inserts bad right after the opening quote of field name's value in msg.
func corrupt(tb testing.TB, msg []byte, name, bad string) []byte {
	tb.Helper()
	key := []byte(`"` + name + `":"`)
	i := bytes.Index(msg, key)
	if i < 0 {
		tb.Fatalf("no string field %s in %s", name, msg)
	}
	i += len(key)
	return append(append(append([]byte{}, msg[:i]...), bad...), msg[i:]...)
}

// TestInvalidUTF8EveryField puts raw bytes that are not UTF-8 into each string field
// of each type, on both decode paths: goccy/go-json copies such bytes into the
// string as they are, and one of them in a lake file stops every warehouse refresh.
func TestInvalidUTF8EveryField(t *testing.T) {
	v := DefaultValidator()
	bads := map[string]string{
		"0xff":                 "\xff",
		"truncated sequence":   "\xe7\xba",
		"encoded surrogate":    "\xed\xa0\x80",
		"overlong slash":       "\xc0\xaf",
		"continuation at once": "\x80",
	}
	for _, e := range sampleEvents() {
		good, err := Encode(&e)
		if err != nil {
			t.Fatal(err)
		}
		slow := append(bytes.TrimSuffix(append([]byte{}, good...), []byte("}")), slowPathField(e.Type)...)
		if _, err := Decode(slow, v); err != nil {
			t.Fatalf("%s: the slow-path message does not decode: %v", e.Type, err)
		}
		for path, msg := range map[string][]byte{"fast": good, "exact": slow} {
			for _, name := range stringFields(e.Type) {
				for what, bad := range bads {
					m := corrupt(t, msg, name, bad)
					_, err := Decode(m, v)
					var rej *RejectError
					if !errors.As(err, &rej) || rej.Reason != ReasonInvalidUTF8 {
						t.Errorf("%s, %s path, %s in %s: got %v, want %s", e.Type, path, what, name, err, ReasonInvalidUTF8)
						continue
					}
					if !strings.Contains(rej.Detail, "field "+name+" ") {
						t.Errorf("%s, %s path: the detail %q does not name field %s", e.Type, path, rej.Detail, name)
					}
					if !utf8.ValidString(rej.Detail) {
						t.Errorf("%s, %s path: the detail %q is not valid UTF-8 itself", e.Type, path, rej.Detail)
					}
				}
			}
		}
	}
}

// TestSurrogateEscapes pins what goccy/go-json does with \u escapes of UTF-16
// surrogates (a lone one becomes U+FFFD) and what Decode makes of it: a lone one is
// refused, a pair is the character it encodes.
func TestSurrogateEscapes(t *testing.T) {
	v := DefaultValidator()
	link := func(id string) string {
		return `{"event_id":"` + id + `","type":"link_shared",` + okTS + `,"user_id":"u","chat_id":"c","url":"x"}`
	}
	for _, c := range []struct {
		name, msg string
		want      string // the event_id, or "" for invalid_utf8
	}{
		{"lone high", link(`a\ud800b`), ""},
		{"lone low", link(`a\uDC00`), ""},
		{"high at the end", link(`a\ud83d`), ""},
		{"high then not low", link(`\ud83d\u0041`), ""},
		{"lone, exact path", `{"event_id":"a\udbff","type":"link_shared",` + okTS + `,"user_id":"u","chat_id":"c","url":"x","amount_fen":"x"}`, ""},
		{"lone, key in capitals", `{"EVENT_ID":"a\udbff","type":"link_shared",` + okTS + `,"user_id":"u","chat_id":"c","url":"x"}`, ""},
		{"pair", link(`a\ud83d\ude00`), "a😀"},
		{"pair in capitals", link(`\uD83D\uDE00`), "😀"},
		{"escaped backslash", link(`a\\ud800`), `a\ud800`},
		{"replacement character itself", link("a\uFFFD"), "a\uFFFD"},
		{"escaped replacement character", link(`a\ufffd`), "a\uFFFD"},
		{"lone surrogate in a field the type does not use", `{"event_id":"a","type":"link_shared",` + okTS + `,"user_id":"u","chat_id":"c","url":"x","bank_code":"\ud800"}`, "a"},
	} {
		e, err := Decode([]byte(c.msg), v)
		if c.want == "" {
			var rej *RejectError
			if !errors.As(err, &rej) || rej.Reason != ReasonInvalidUTF8 || !strings.Contains(rej.Detail, "field event_id ") {
				t.Errorf("%s: got %v, want %s naming event_id", c.name, err, ReasonInvalidUTF8)
			}
			continue
		}
		if err != nil || e.EventID != c.want {
			t.Errorf("%s: got %q, %v; want %q", c.name, e.EventID, err, c.want)
		}
	}
}

// TestInvalidUTF8OutsideTheEvent: bytes the event does not use (an unknown field, a
// field of another type, a key) never reach the lake, so they do not reject it.
func TestInvalidUTF8OutsideTheEvent(t *testing.T) {
	v := DefaultValidator()
	for _, m := range []string{
		"{\"event_id\":\"a\",\"type\":\"link_shared\"," + okTS + ",\"user_id\":\"u\",\"chat_id\":\"c\",\"url\":\"x\",\"note\":\"\xff\"}",
		"{\"event_id\":\"a\",\"type\":\"link_shared\"," + okTS + ",\"user_id\":\"u\",\"chat_id\":\"c\",\"url\":\"x\",\"bank_code\":\"\xff\"}",
		"{\"event_id\":\"a\",\"type\":\"link_shared\"," + okTS + ",\"user_id\":\"u\",\"chat_id\":\"c\",\"url\":\"x\",\"k\xff\":1}",
	} {
		if _, err := Decode([]byte(m), v); err != nil {
			t.Errorf("%q: %v", m, err)
		}
	}
}

// TestLowercaseTZ: RFC 3339 §5.6 (NOTE) allows t and z in lower case.
func TestLowercaseTZ(t *testing.T) {
	v := DefaultValidator()
	want := time.Date(2014, 1, 30, 16, 0, 0, 500_000_000, time.UTC)
	for _, ts := range []string{"2014-01-30t16:00:00.5z", "2014-01-30T16:00:00.5z", "2014-01-30t16:00:00.5Z", "2014-01-31t00:00:00.5+08:00"} {
		m := `{"event_id":"a","type":"link_shared","ts":"` + ts + `","user_id":"u","chat_id":"c","url":"x"}`
		e, err := Decode([]byte(m), v)
		if err != nil {
			t.Errorf("%s: %v", ts, err)
			continue
		}
		if !e.TS.Equal(want) {
			t.Errorf("%s: %s, want %s", ts, e.TS, want)
		}
	}
	// Only the separator and the zone letter: other letters stay refused.
	for _, ts := range []string{"2014-01-30x16:00:00z", "2014-01-30t16:00:00", "2014-01-30 16:00:00z"} {
		m := `{"event_id":"a","type":"link_shared","ts":"` + ts + `","user_id":"u","chat_id":"c","url":"x"}`
		var rej *RejectError
		if _, err := Decode([]byte(m), v); !errors.As(err, &rej) || rej.Reason != ReasonBadTimestamp {
			t.Errorf("%s: got %v, want %s", ts, err, ReasonBadTimestamp)
		}
	}
}

// TestTooLarge: the size limit is checked before parsing, so that even bytes that
// are not JSON are refused as too large, and a message of exactly the limit is read.
func TestTooLarge(t *testing.T) {
	v := DefaultValidator()
	head := `{"event_id":"a","type":"link_shared",` + okTS + `,"user_id":"u","chat_id":"c","url":"x","pad":"`
	exact := head + strings.Repeat("x", MaxMessageBytes-len(head)-2) + `"}`
	if len(exact) != MaxMessageBytes {
		t.Fatalf("test message is %d bytes", len(exact))
	}
	if _, err := Decode([]byte(exact), v); err != nil {
		t.Errorf("a message of exactly MaxMessageBytes: %v", err)
	}
	var rej *RejectError
	_, err := Decode(bytes.Repeat([]byte{0xff}, MaxMessageBytes+1), v)
	if !errors.As(err, &rej) || rej.Reason != ReasonTooLarge || !strings.Contains(rej.Detail, "65537 bytes") {
		t.Errorf("a message one byte over: %v, want %s naming its size", err, ReasonTooLarge)
	}
}
