package events

import (
	"fmt"
	"reflect"
	"testing"
	"time"
	_ "time/tzdata" // Asia/Shanghai on a machine without a tz database
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

// TestParseTimeWithinAMinute: every second of a minute and a few that are not, one
// after the other and out of order, in each zone; and a Local whose offset changes in
// the middle of a minute (Shanghai's local mean time, +08:05:43, became +08:00 at
// 1900-12-31 15:54:17 UTC), where time.Parse gives a fixed zone before the change and
// Local after it.
func TestParseTimeWithinAMinute(t *testing.T) {
	shanghai, err := time.LoadLocation("Asia/Shanghai")
	if err != nil {
		t.Fatal(err)
	}
	_, change := time.Date(1900, 6, 1, 0, 0, 0, 0, shanghai).ZoneBounds()
	if change.Second() == 0 {
		t.Fatalf("the zone changes at %v, on a whole minute", change)
	}
	local := time.Local
	defer func() { time.Local = local }()
	for _, l := range []*time.Location{time.UTC, time.FixedZone("CST", 8*3600), shanghai} {
		time.Local = l
		for _, z := range []string{"Z", "+08:00", "-05:30"} {
			c := &secondText{}
			for i := range 130 {
				ss := fmt.Sprintf("%02d", (i*7)%62) // 00 to 61, out of order
				if i%17 == 16 {
					ss = []string{"5a", "99", "60", " 1"}[i/17%4]
				}
				sameAsParse(t, c, "2014-01-31T00:07:"+ss+[]string{"", ".25", ".000001"}[i%3]+z)
			}
		}
		c := &secondText{}
		for _, d := range []time.Duration{-9, -7, -1, 0, 3, 20, -3, 5} {
			sameAsParse(t, c, change.Add(d*time.Second).In(time.FixedZone("", 8*3600)).Format(time.RFC3339Nano))
		}
	}
}

func FuzzParseTime(f *testing.F) {
	f.Add("2014-01-31T00:00:09.436+08:00", "2014-01-31T00:00:09.5+08:00")
	f.Add("2014-01-31T00:00:09Z", "2014-01-31T00:00:09.999999999Z")
	f.Add("2014-02-29T00:00:09Z", "2014-01-31T00:00:09.1234567890+08:00")
	f.Add("2014-01-31T00:00:09.436+08:00", "2014-01-31T00:00:59.5+08:00")
	f.Fuzz(func(t *testing.T, a, b string) {
		c := &secondText{}
		sameAsParse(t, c, a)
		sameAsParse(t, c, b)
		sameAsParse(t, c, a)
	})
}

// BenchmarkParseTime: the simulator's timestamps, 16 to a second (the festival's
// busy hours) and one a second (its quiet ones, and each partition's share at small
// scales), against time.Parse.
func BenchmarkParseTime(b *testing.B) {
	for _, perSecond := range []int{16, 1} {
		ts := make([]string, 64)
		for i := range ts {
			ts[i] = fmt.Sprintf("2014-01-31T00:00:%02d.%03d+08:00", i/perSecond%60, i*37%1000)
		}
		b.Run(fmt.Sprintf("parseTime/%d-a-second", perSecond), func(b *testing.B) {
			c := &secondText{}
			for i := 0; b.Loop(); i++ {
				if _, err := c.parseTime(ts[i%len(ts)]); err != nil {
					b.Fatal(err)
				}
			}
		})
		b.Run(fmt.Sprintf("time.Parse/%d-a-second", perSecond), func(b *testing.B) {
			for i := 0; b.Loop(); i++ {
				if _, err := time.Parse(time.RFC3339Nano, ts[i%len(ts)]); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
