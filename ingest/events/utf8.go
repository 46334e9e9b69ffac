package events

import (
	"bytes"
	"strings"
	"unicode/utf8"

	json "github.com/goccy/go-json"
)

// checkUTF8 rejects a message whose event uses a string that is not valid UTF-8.
// The lake's string columns must hold valid UTF-8: DuckDB refuses a Parquet file
// with one bad string, and lake files are immutable.
//
// goccy/go-json copies raw bytes of a JSON string as they are, valid or not, and
// turns an escaped lone surrogate ("\ud800") into U+FFFD. So a message that is valid
// UTF-8 as a whole and holds no escaped surrogate yields only valid strings: that is
// the common case, settled by one pass over the bytes. Otherwise each string the
// event uses is checked, to name the field. A lone surrogate is refused rather than
// replaced: the replacement would change the data silently, and turn two distinct
// ids into one.
func checkUTF8(w *wire, raw []byte) *RejectError {
	if utf8.Valid(raw) && !maySurrogate(raw) {
		return nil
	}
	var rawFields map[string]json.RawMessage // read only if a field holds U+FFFD
	check := func(name, s string) *RejectError {
		if !utf8.ValidString(s) {
			i := firstInvalid(s)
			return reject(ReasonInvalidUTF8, "field %s is not valid UTF-8: byte %#02x at position %d of %q", name, s[i], i, s)
		}
		if !strings.Contains(s, "\uFFFD") {
			return nil
		}
		if rawFields == nil {
			// Cannot fail: the message decoded as an object already.
			if err := json.Unmarshal(raw, &rawFields); err != nil {
				return reject(ReasonInvalidUTF8, "field %s holds U+FFFD and the message cannot be read again to tell why: %v", name, err)
			}
		}
		for key, v := range rawFields {
			// The struct decoder matches keys case-insensitively; be as wide.
			if strings.EqualFold(key, name) {
				if esc, ok := loneSurrogate(v); ok {
					return reject(ReasonInvalidUTF8, "field %s holds the escape %s, a lone UTF-16 surrogate that is not a character", name, esc)
				}
			}
		}
		return nil
	}
	for _, f := range []struct{ name, s string }{{"event_id", w.EventID}, {"type", w.Type}, {"ts", w.TS}} {
		if rerr := check(f.name, f.s); rerr != nil {
			return rerr
		}
	}
	for _, f := range requiredFields(Type(w.Type)) {
		if f.isInt() {
			continue
		}
		if rerr := check(f.String(), *w.stringField(f)); rerr != nil {
			return rerr
		}
	}
	return nil
}

// maySurrogate reports whether raw may hold an escaped UTF-16 surrogate: a \u
// escape whose first hex digit is d. It errs on the side of yes (it does not
// tell an escaped backslash from an escape), which only costs the exact check.
func maySurrogate(raw []byte) bool {
	for {
		i := bytes.IndexByte(raw, '\\')
		if i < 0 || i+2 >= len(raw) {
			return false
		}
		if raw[i+1] == 'u' && (raw[i+2] == 'd' || raw[i+2] == 'D') {
			return true
		}
		raw = raw[i+1:]
	}
}

// loneSurrogate reports the first escaped UTF-16 surrogate in the JSON string tok
// that is not half of a pair (a high surrogate followed by a low one).
func loneSurrogate(tok []byte) (string, bool) {
	for i := 0; i < len(tok); i++ {
		if tok[i] != '\\' || i+1 >= len(tok) {
			continue
		}
		if tok[i+1] != 'u' {
			i++ // skip the escaped character, which may be a backslash
			continue
		}
		r, ok := hex4(tok, i+2)
		if !ok {
			continue
		}
		switch {
		case r >= 0xd800 && r < 0xdc00: // high: must be followed by \uDC00..\uDFFF
			if lo, ok := hex4(tok, i+8); ok && i+7 < len(tok) && tok[i+6] == '\\' && tok[i+7] == 'u' && lo >= 0xdc00 && lo < 0xe000 {
				i += 11
				continue
			}
			return string(tok[i : i+6]), true
		case r >= 0xdc00 && r < 0xe000:
			return string(tok[i : i+6]), true
		}
		i += 5
	}
	return "", false
}

func hex4(b []byte, at int) (rune, bool) {
	if at < 0 || at+4 > len(b) {
		return 0, false
	}
	var r rune
	for _, c := range b[at : at+4] {
		switch {
		case c >= '0' && c <= '9':
			r = r<<4 | rune(c-'0')
		case c >= 'a' && c <= 'f':
			r = r<<4 | rune(c-'a'+10)
		case c >= 'A' && c <= 'F':
			r = r<<4 | rune(c-'A'+10)
		default:
			return 0, false
		}
	}
	return r, true
}

// firstInvalid is the index of the first byte of s that does not start a valid
// UTF-8 sequence.
func firstInvalid(s string) int {
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			return i
		}
		i += size
	}
	return 0
}

// upperTZ accepts the lowercase t and z that RFC 3339 (§5.6, NOTE) allows, which
// time.Parse does not: it returns ts with them in upper case. Only the separator
// (always at index 10 once the date is valid) and a final z are touched; the copy
// is made only when one of them is lowercase.
func upperTZ(ts string) string {
	if len(ts) <= 10 || (ts[10] != 't' && ts[len(ts)-1] != 'z') {
		return ts
	}
	b := []byte(ts)
	if b[10] == 't' {
		b[10] = 'T'
	}
	if b[len(b)-1] == 'z' {
		b[len(b)-1] = 'Z'
	}
	return string(b)
}
