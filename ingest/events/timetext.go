package events

import "time"

// secondText remembers the last timestamp a Validator parsed in the form writers use,
// "YYYY-MM-DDTHH:MM:SS[.fraction](Z|±HH:MM)", by the text around its fraction: the
// date and time to the second, and the zone. Events come in time order, many to a
// second, so most timestamps repeat the last one's second and zone, and only their
// fraction is new; time.Parse, which works out the date and the zone again for each,
// was about a twentieth of the ingester's CPU (docs/BENCHMARKS.md).
type secondText struct {
	ok     bool
	second [19]byte // "2014-01-31T00:00:09"
	zone   [6]byte  // "Z" or "+08:00": zoneN bytes of it
	zoneN  int
	unix   int64          // the instant of the second
	loc    *time.Location // the location time.Parse gave it
}

// parseTime parses s as time.Parse(time.RFC3339Nano, s) does. A timestamp with the
// second and zone of the last one time.Parse accepted in the writers' form takes only
// its fraction from the text; any other goes to time.Parse, whose answer (and error)
// it returns, and is remembered when time.Parse accepts it and it has that form.
func (c *secondText) parseTime(s string) (time.Time, error) {
	if c.ok && len(s) >= 19+c.zoneN && string(c.second[:]) == s[:19] && string(c.zone[:c.zoneN]) == s[len(s)-c.zoneN:] {
		if ns, ok := fraction(s[19 : len(s)-c.zoneN]); ok {
			return time.Unix(c.unix, ns).In(c.loc), nil
		}
		return time.Parse(time.RFC3339Nano, s)
	}
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return t, err
	}
	if zoneAt, ok := writersForm(s); ok {
		if _, ok := fraction(s[19:zoneAt]); ok {
			c.ok, c.zoneN, c.unix, c.loc = true, len(s)-zoneAt, t.Unix(), t.Location()
			copy(c.second[:], s[:19])
			copy(c.zone[:], s[zoneAt:])
		}
	}
	return t, nil
}

// writersForm reports whether s has the shape "YYYY-MM-DDTHH:MM:SS", then anything,
// then "Z" or "±HH:MM" (digits where digits belong), and where the zone starts.
func writersForm(s string) (zoneAt int, ok bool) {
	if len(s) < 20 {
		return 0, false
	}
	for i := range 19 {
		switch i {
		case 4, 7:
			ok = s[i] == '-'
		case 10:
			ok = s[i] == 'T'
		case 13, 16:
			ok = s[i] == ':'
		default:
			ok = '0' <= s[i] && s[i] <= '9'
		}
		if !ok {
			return 0, false
		}
	}
	if s[len(s)-1] == 'Z' {
		return len(s) - 1, true
	}
	if len(s) < 25 {
		return 0, false
	}
	z := s[len(s)-6:]
	if (z[0] != '+' && z[0] != '-') || z[3] != ':' || !isDigit(z[1]) || !isDigit(z[2]) || !isDigit(z[4]) || !isDigit(z[5]) {
		return 0, false
	}
	return len(s) - 6, true
}

func isDigit(b byte) bool { return '0' <= b && b <= '9' }

// fraction parses "" or "." and one to nine digits as nanoseconds.
func fraction(f string) (int64, bool) {
	if f == "" {
		return 0, true
	}
	if len(f) < 2 || len(f) > 10 || f[0] != '.' {
		return 0, false
	}
	var ns int64
	for i := 1; i < len(f); i++ {
		if !isDigit(f[i]) {
			return 0, false
		}
		ns = ns*10 + int64(f[i]-'0')
	}
	for range 10 - len(f) {
		ns *= 10
	}
	return ns, true
}
