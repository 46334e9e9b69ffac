package events

import (
	"fmt"
	"reflect"
	"testing"
	"time"
)

// sameAsParse fails t unless c.parseTime(s) gives what time.Parse gives: the same
// error or none, and the same Time, location included.
func sameAsParse(t *testing.T, c *secondText, s string) {
	t.Helper()
	got, gerr := c.parseTime(s)
	want, werr := time.Parse(time.RFC3339Nano, s)
	if (gerr == nil) != (werr == nil) || gerr != nil && gerr.Error() != werr.Error() {
		t.Fatalf("%q: error %v, time.Parse %v", s, gerr, werr)
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("%q: %v (%p), time.Parse %v (%p)", s, got, got.Location(), want, want.Location())
	}
}

// TestParseTimeIsTimeParse: timestamps in and out of the writers' form, valid and not,
// in runs that share a second and zone (the remembered path) and that do not, with the
// local zone both unlike and like the timestamps' offset (time.Parse then gives Local).
func TestParseTimeIsTimeParse(t *testing.T) {
	seconds := []string{"2014-01-30T23:59:59", "2014-01-31T00:00:00", "2016-02-29T12:00:00",
		"2015-02-29T12:00:00", "2014-13-01T00:00:00", "2014-01-32T00:00:00", "2014-01-31T24:00:00",
		"2014-01-31T00:60:00", "2014-01-31T00:00:60", "0000-01-01T00:00:00", "9999-12-31T23:59:59",
		"2014-01-31t00:00:00", "2014/01/31T00:00:00", "2014-01-31T0:00:000"}
	fractions := []string{"", ".5", ".436", ".000", ".123456789", ".1234567891", ".", ".12a", ",436"}
	zones := []string{"Z", "+08:00", "-05:30", "+00:00", "+24:00", "+08:60", "+0800", "z", "+08:0a", ""}
	local := time.Local
	defer func() { time.Local = local }()
	for _, l := range []*time.Location{time.UTC, time.FixedZone("CST", 8*3600)} {
		time.Local = l
		c := &secondText{}
		for _, sec := range seconds {
			for _, z := range zones {
				for _, f := range fractions {
					sameAsParse(t, c, sec+f+z)
				}
			}
		}
		// Interleaved seconds and zones: each changes what is remembered.
		for i := range 200 {
			sameAsParse(t, c, seconds[i%3]+fractions[i%5]+zones[i%4])
		}
	}
}

func FuzzParseTime(f *testing.F) {
	f.Add("2014-01-31T00:00:09.436+08:00", "2014-01-31T00:00:09.5+08:00")
	f.Add("2014-01-31T00:00:09Z", "2014-01-31T00:00:09.999999999Z")
	f.Add("2014-02-29T00:00:09Z", "2014-01-31T00:00:09.1234567890+08:00")
	f.Fuzz(func(t *testing.T, a, b string) {
		c := &secondText{}
		sameAsParse(t, c, a)
		sameAsParse(t, c, b)
		sameAsParse(t, c, a)
	})
}

// BenchmarkParseTime: a second's worth of the simulator's timestamps, against
// time.Parse.
func BenchmarkParseTime(b *testing.B) {
	ts := make([]string, 64)
	for i := range ts {
		ts[i] = fmt.Sprintf("2014-01-31T00:00:%02d.%03d+08:00", i/16, i*37%1000)
	}
	b.Run("parseTime", func(b *testing.B) {
		c := &secondText{}
		for i := 0; b.Loop(); i++ {
			if _, err := c.parseTime(ts[i%len(ts)]); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("time.Parse", func(b *testing.B) {
		for i := 0; b.Loop(); i++ {
			if _, err := time.Parse(time.RFC3339Nano, ts[i%len(ts)]); err != nil {
				b.Fatal(err)
			}
		}
	})
}
