package events

import (
	"strconv"
	"time"
	"unsafe"
)

// The plain paths of the wire format: the events a simulator makes (and most
// producers send) are laid out the one way Encode lays them out, with strings that
// need no escape. AppendEncoded and Decode write and read those field by field, and leave
// everything else to goccy/go-json; the tests hold each plain path to goccy's bytes
// and fields (FuzzEncoder, FuzzPlainWire). Together they were about a fifth of the
// producer's CPU and a tenth of the ingester's.

// appendPlain is AppendEncoded's fast path, for the events a simulator makes: every string
// printable ASCII that JSON writes as it is (no quote, backslash, control character,
// or the <, > and & that goccy escapes), a timestamp with a four-digit year and an
// offset under a day. It writes the bytes goccy would write, field by field (checked
// by TestEncoderAppendsWhatEncodeReturns and FuzzEncoder), at about half the cost:
// encoding was a fifth of the producer's CPU. It reports false for any other event.
func appendPlain(b []byte, e *Event, c *Encoder) ([]byte, bool) {
	if y := e.TS.Year(); y < 0 || y > 9999 {
		return b, false
	}
	_, off := e.TS.Zone()
	if off <= -24*3600 || off >= 24*3600 {
		return b, false
	}
	for _, s := range [...]string{e.EventID, string(e.Type), e.EnvelopeID, e.SenderID, e.ChatID, e.Kind,
		e.UserID, e.Outcome, e.Provider, e.BankCode, e.Scenario, e.URL} {
		for i := 0; i < len(s); i++ {
			if !plainByte[s[i]] {
				return b, false
			}
		}
	}
	b = append(b, `{"event_id":"`...)
	b = append(b, e.EventID...)
	b = append(b, `","type":"`...)
	b = append(b, e.Type...)
	b = append(b, `","ts":"`...)
	b = c.appendTime(b, e.TS, off)
	b = append(b, '"')
	b = plainString(b, fEnvelopeID, e.EnvelopeID)
	b = plainString(b, fSenderID, e.SenderID)
	b = plainString(b, fChatID, e.ChatID)
	b = plainString(b, fKind, e.Kind)
	b = plainInt(b, fTotalFen, e.TotalFen)
	b = plainInt(b, fShares, int64(e.Shares))
	b = plainString(b, fUserID, e.UserID)
	b = plainString(b, fOutcome, e.Outcome)
	b = plainInt(b, fAmountFen, e.AmountFen)
	b = plainString(b, fProvider, e.Provider)
	b = plainString(b, fBankCode, e.BankCode)
	b = plainString(b, fScenario, e.Scenario)
	b = plainString(b, fURL, e.URL)
	return append(b, '}'), true
}

// plainByte marks the bytes a JSON string holds as they are.
var plainByte = func() (t [256]bool) {
	for c := 0x20; c < 0x7f; c++ {
		t[c] = c != '"' && c != '\\' && c != '<' && c != '>' && c != '&'
	}
	return t
}()

// plainString appends ,"f":"v" unless v is empty (omitempty).
func plainString(b []byte, f field, v string) []byte {
	if v == "" {
		return b
	}
	b = append(b, `,"`...)
	b = append(b, fieldNames[f]...)
	b = append(b, `":"`...)
	b = append(b, v...)
	return append(b, '"')
}

// plainInt appends ,"f":v unless v is zero (omitempty).
func plainInt(b []byte, f field, v int64) []byte {
	if v == 0 {
		return b
	}
	b = append(b, `,"`...)
	b = append(b, fieldNames[f]...)
	b = append(b, `":`...)
	return strconv.AppendInt(b, v, 10)
}

// wireKeys are the keys of the wire format in Encode's order: event_id, type and ts,
// then the type-specific fields in the order of field (wireKeys[3+f] is f's key).
var wireKeys = append([]string{"event_id", "type", "ts"}, fieldNames[:]...)

// plainWire decodes raw into w (which holds absent integers) when raw is an object
// laid out as Encode lays one out: no whitespace, keys of wireKeys in their order,
// each at most once, no other key, strings of plain bytes (no escape, no byte
// outside printable ASCII), integers as plain digits. It reports false for anything
// else, w then half written: the caller resets it and decodes with goccy. A message
// it accepts is ASCII, so valid UTF-8.
//
// The fields are substrings of one copy of raw (no allocation per field, nothing
// pointing into raw, which the caller may reuse), or, when raw is owned (see
// DecodeOwned), substrings of raw itself.
func plainWire(raw []byte, w *wire, owned bool) bool {
	n := len(raw)
	if n < 2 || raw[0] != '{' || raw[n-1] != '}' {
		return false
	}
	var str string
	if owned {
		str = unsafe.String(unsafe.SliceData(raw), n)
	} else {
		str = string(raw)
	}
	i, next := 1, 0 // next: the first key of wireKeys that may still come
	for i < n-1 {
		if next > 0 {
			if raw[i] != ',' {
				return false
			}
			i++
		}
		key, j, ok := plainBytesAt(raw, i)
		if !ok || j >= n || raw[j] != ':' {
			return false
		}
		k := next
		for k < len(wireKeys) && wireKeys[k] != string(key) {
			k++
		}
		if k == len(wireKeys) {
			return false // another key, or one out of order or repeated
		}
		next, i = k+1, j+1
		if k >= 3 && field(k-3).isInt() {
			v, j, ok := plainIntAt(raw, i)
			if !ok {
				return false
			}
			*w.intField(field(k - 3)) = v
			i = j
			continue
		}
		b, j, ok := plainBytesAt(raw, i)
		if !ok {
			return false
		}
		s := str[j-1-len(b) : j-1]
		switch k {
		case 0:
			w.EventID = s
		case 1:
			w.Type = s
		case 2:
			w.TS = s
		default:
			*w.stringField(field(k - 3)) = s
		}
		i = j
	}
	return i == n-1 && next > 0
}

// plainBytesAt reads the JSON string that starts at raw[i] when it holds plain bytes
// only, and returns its bytes with the index after its closing quote.
func plainBytesAt(raw []byte, i int) ([]byte, int, bool) {
	if i >= len(raw) || raw[i] != '"' {
		return nil, 0, false
	}
	for j := i + 1; j < len(raw); j++ {
		if c := raw[j]; c == '"' {
			return raw[i+1 : j], j + 1, true
		} else if !plainByte[c] {
			return nil, 0, false
		}
	}
	return nil, 0, false
}

// plainIntAt reads the integer that starts at raw[i] when it is written as JSON
// writes an int64 of at most 18 digits (no leading zero, no "-0", no fraction or
// exponent), followed by ',' or '}'; it returns it with the index after it.
func plainIntAt(raw []byte, i int) (int64, int, bool) {
	neg := i < len(raw) && raw[i] == '-'
	if neg {
		i++
	}
	start := i
	var v int64
	for i < len(raw) && raw[i] >= '0' && raw[i] <= '9' {
		v = v*10 + int64(raw[i]-'0')
		i++
	}
	digits := i - start
	if digits == 0 || digits > 18 || (raw[start] == '0' && (digits > 1 || neg)) {
		return 0, 0, false
	}
	if i >= len(raw) || (raw[i] != ',' && raw[i] != '}') {
		return 0, 0, false
	}
	if neg {
		v = -v
	}
	return v, i, true
}

// An Encoder is AppendEncoded with a memory of the last second it wrote: a producer's
// events come in time order, most in a second already written, whose date and time of
// day it copies instead of working them out again. The zero Encoder is ready to use;
// one Encoder is not safe for concurrent use.
type Encoder struct {
	sec  int64    // the local second text holds: Unix seconds plus the offset
	text [19]byte // sec as 2006-01-02T15:04:05
	ok   bool     // text holds sec
}

// Append appends the wire form of e to dst, as AppendEncoded does.
func (c *Encoder) Append(dst []byte, e *Event) ([]byte, error) {
	if b, ok := appendPlain(dst, e, c); ok {
		return b, nil
	}
	b, err := Encode(e)
	if err != nil {
		return dst, err
	}
	return append(dst, b...), nil
}

// appendTime appends t as time.RFC3339Nano writes it (the form goccy gives a
// time.Time), t's offset from UTC being off seconds, for a year from 0 to 9999 and an
// offset under a day, as appendPlain checks. The date comes from the days since 1970
// in one calculation and every field has a fixed width: AppendFormat, which looks the
// zone up for each field and writes each number of any width, took a seventh of the
// CPU of writing the simulator's events (docs/BENCHMARKS.md).
func (c *Encoder) appendTime(b []byte, t time.Time, off int) []byte {
	secs := t.Unix() + int64(off)
	if !c.ok || secs != c.sec {
		c.sec, c.ok = secs, true
		days := secs / 86400
		if secs%86400 < 0 {
			days--
		}
		sod := int(secs - days*86400) // the second of the day, 0 to 86399
		y, m, d := civil(days)
		x := append4(c.text[:0], y)
		x = append(x, '-')
		x = append2(x, m)
		x = append(x, '-')
		x = append2(x, d)
		x = append(x, 'T')
		x = append2(x, sod/3600)
		x = append(x, ':')
		x = append2(x, sod/60%60)
		x = append(x, ':')
		append2(x, sod%60)
	}
	b = append(b, c.text[:]...)
	if ns := t.Nanosecond(); ns != 0 {
		var frac [10]byte
		frac[0] = '.'
		n := 10
		if ns%1_000_000 == 0 { // whole milliseconds, as the simulator and most producers write
			ms := ns / 1_000_000
			frac[1], frac[2], frac[3] = byte('0'+ms/100), byte('0'+ms/10%10), byte('0'+ms%10)
			n = 4
		} else {
			for i := 9; i > 0; i-- {
				frac[i] = byte('0' + ns%10)
				ns /= 10
			}
		}
		for frac[n-1] == '0' {
			n--
		}
		b = append(b, frac[:n]...)
	}
	if off == 0 {
		return append(b, 'Z')
	}
	zone := off / 60 // minutes, truncated toward zero as the time package does
	sign := byte('+')
	if zone < 0 {
		sign, zone = '-', -zone
	}
	b = append(b, sign)
	b = append2(b, zone/60)
	b = append(b, ':')
	return append2(b, zone%60)
}

// civil returns the proleptic Gregorian date of the day days after 1970-01-01 (Howard
// Hinnant's days-to-civil algorithm: years of 400 in eras, each starting on March 1).
func civil(days int64) (year, month, day int) {
	z := days + 719468 // days since 0000-03-01
	era := z / 146097
	if z < 0 && z%146097 != 0 {
		era--
	}
	doe := z - era*146097                                  // day of the era, 0 to 146096
	yoe := (doe - doe/1460 + doe/36524 - doe/146096) / 365 // year of the era, 0 to 399
	doy := doe - (365*yoe + yoe/4 - yoe/100)               // day of the year from March 1
	mp := (5*doy + 2) / 153                                // month from March, 0 to 11
	day = int(doy - (153*mp+2)/5 + 1)
	month = int(mp + 3)
	if month > 12 {
		month -= 12
	}
	year = int(yoe + era*400)
	if month <= 2 {
		year++
	}
	return year, month, day
}

// append2 and append4 append v with two and four digits, zero-padded.
func append2(b []byte, v int) []byte { return append(b, byte('0'+v/10), byte('0'+v%10)) }

func append4(b []byte, v int) []byte {
	return append(b, byte('0'+v/1000), byte('0'+v/100%10), byte('0'+v/10%10), byte('0'+v%10))
}
