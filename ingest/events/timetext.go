package events

import "time"

// secondText remembers the last timestamp a Validator parsed in the form writers use,
// "YYYY-MM-DDTHH:MM:SS[.fraction](Z|±HH:MM)", by the text around its fraction: the
// date and time to the second, and the zone. Events come in time order, many to a
// second and more to a minute, so most timestamps repeat the last one's minute and
// zone, and only their second and fraction are new; time.Parse, which works out the
// date and the zone again for each, was about a twentieth of the ingester's CPU
// (docs/BENCHMARKS.md).
type secondText struct {
	ok     bool
	second [19]byte // "2014-01-31T00:00:09"
	zone   [6]byte  // "Z" or "+08:00": zoneN bytes of it
	zoneN  int
	offset int            // the zone's offset east of UTC in seconds
	minute int64          // the instant the second's minute starts, in Unix seconds
	loc    *time.Location // the location time.Parse gave it
}

// parseTime parses s as time.Parse(time.RFC3339Nano, s) does. A timestamp with the
// minute and zone of the last one time.Parse accepted in the writers' form takes its
// second and fraction from the text, when they are valid and time.Parse would give it
// the same location; any other goes to time.Parse, whose answer (and error) it
// returns, and is remembered when time.Parse accepts it and it has that form.
func (c *secondText) parseTime(s string) (time.Time, error) {
	if c.ok && len(s) >= 19+c.zoneN && string(c.second[:17]) == s[:17] && string(c.zone[:c.zoneN]) == s[len(s)-c.zoneN:] {
		if sec, ok := secondOfMinute(s[17:19]); ok {
			if ns, ok := fraction(s[19 : len(s)-c.zoneN]); ok {
				if string(c.second[17:]) == s[17:19] || c.sameLocation(c.minute+sec) {
					c.second[17], c.second[18] = s[17], s[18]
					return time.Unix(c.minute+sec, ns).In(c.loc), nil
				}
			}
		}
	}
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return t, err
	}
	if zoneAt, ok := writersForm(s); ok {
		if _, ok := fraction(s[19:zoneAt]); ok {
			c.ok, c.zoneN, c.minute, c.loc = true, len(s)-zoneAt, t.Unix()-int64(t.Second()), t.Location()
			_, c.offset = t.Zone()
			copy(c.second[:], s[:19])
			copy(c.zone[:], s[zoneAt:])
		}
	}
	return t, nil
}

// sameLocation reports whether time.Parse gives the instant unix, in the remembered
// zone, the remembered location. "Z" is always UTC. An offset is time.Local where
// Local keeps that offset at that instant, and a fixed zone elsewhere, so a change of
// Local's offset within the minute changes it.
func (c *secondText) sameLocation(unix int64) bool {
	if c.zoneN == 1 {
		return true
	}
	_, off := time.Unix(unix, 0).In(time.Local).Zone()
	return (off == c.offset) == (c.loc == time.Local)
}

// secondOfMinute reads two digits that time.Parse accepts as seconds, 00 to 59.
func secondOfMinute(ss string) (int64, bool) {
	if !isDigit(ss[0]) || !isDigit(ss[1]) || ss[0] > '5' {
		return 0, false
	}
	return int64(ss[0]-'0')*10 + int64(ss[1]-'0'), true
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
