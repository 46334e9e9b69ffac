package datadir

import (
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"
)

func TestRunRecord(t *testing.T) {
	d := Dir(filepath.Join(t.TempDir(), "data"))
	r, ok, err := d.ReadRun()
	if err != nil || ok || r.Scale != 1 || !sameWindows(r.Windows, Default2014()) {
		t.Errorf("no record: %+v ok=%v err=%v; want scale 1 and the 2014 windows", r, ok, err)
	}

	w := Default2014()
	w.Launch = w.Launch.Add(time.Hour)
	want := Run{Scale: 0.01, Seed: 2014, Calibration: "built-in", Windows: w,
		Expected: map[string]float64{"max_claims_one_user": 3.5}, Written: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)}
	if err := d.WriteRun(want); err != nil {
		t.Fatal(err)
	}
	got, ok, err := d.ReadRun()
	if err != nil || !ok || !sameRun(got, want) {
		t.Errorf("read back %+v ok=%v err=%v, want %+v", got, ok, err, want)
	}
	if got := names(t, d); !slices.Equal(got, []string{"run.json"}) {
		t.Errorf("the folder holds %v, want run.json alone", got)
	}

	// The field names existing data folders hold.
	b, err := os.ReadFile(d.RunRecord())
	if err != nil {
		t.Fatal(err)
	}
	var fields map[string]json.RawMessage
	if err := json.Unmarshal(b, &fields); err != nil {
		t.Fatal(err)
	}
	var windows map[string]json.RawMessage
	if err := json.Unmarshal(fields["windows"], &windows); err != nil {
		t.Fatal(err)
	}
	if got, want := keys(fields), []string{"calibration", "expected", "scale", "seed", "windows", "written"}; !slices.Equal(got, want) {
		t.Errorf("run.json fields %v, want %v", got, want)
	}
	if got, want := keys(windows), []string{"end", "eve_night_end", "eve_night_start", "eve_start", "figures_from", "launch", "peak_minute"}; !slices.Equal(got, want) {
		t.Errorf("run.json windows %v, want %v", got, want)
	}
}

// TestReadRunOlder reads records as earlier builds wrote them: without windows (they
// are then 2014's), and refuses a scale no simulation has (from a record edited by hand:
// 1e308 made every expected count +Inf).
func TestReadRunOlder(t *testing.T) {
	d := Dir(t.TempDir())
	write := func(s string) {
		t.Helper()
		if err := os.WriteFile(d.RunRecord(), []byte(s), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write(`{"scale": 0.5, "seed": 7, "calibration": "c", "expected": {"max_claims_one_user": 2}}`)
	r, ok, err := d.ReadRun()
	if err != nil || !ok || r.Scale != 0.5 || r.Seed != 7 || r.Expected["max_claims_one_user"] != 2 || !sameWindows(r.Windows, Default2014()) {
		t.Errorf("record without windows: %+v ok=%v err=%v", r, ok, err)
	}
	for _, scale := range []string{"0", "-1", "10.5", "1e308"} {
		write(`{"scale": ` + scale + `}`)
		if _, ok, err := d.ReadRun(); err == nil || ok || !strings.Contains(err.Error(), "must be above 0 and at most 10") {
			t.Errorf("scale %s: ok=%v err=%v, want an error", scale, ok, err)
		}
	}
	write(`{"scale": `)
	if _, ok, err := d.ReadRun(); err == nil || ok {
		t.Errorf("cut record: ok=%v err=%v, want an error", ok, err)
	}
}

// TestReadRunRefusesWindowsNoRunHas: a record whose windows were edited or damaged is
// refused with the field at fault and the way out; its 9999 end had the report allocate
// an hour for each of 70 million hours until it died out of memory.
func TestReadRunRefusesWindowsNoRunHas(t *testing.T) {
	d := Dir(t.TempDir())
	for _, tc := range []struct {
		set  func(*Windows)
		want string
	}{
		{func(w *Windows) { w.End = time.Date(9999, 12, 31, 0, 0, 0, 0, time.UTC) }, "is more than a year"},
		{func(w *Windows) { w.End = w.Launch }, "launch 2014-01-26T00:00:00+08:00 must be before end"},
		{func(w *Windows) { *w = Windows{PeakMinute: w.PeakMinute} }, "launch and end must both be set"},
		{func(w *Windows) { w.EveNightEnd = w.EveNightStart }, "eve_night_start 2014-01-30T20:00:00+08:00 must be before eve_night_end"},
		{func(w *Windows) { w.PeakMinute = w.End }, "peak_minute 2014-01-31T16:00:00+08:00 is not inside the run"},
		{func(w *Windows) { w.FiguresFrom = w.Launch.Add(-time.Hour) }, "figures_from 2014-01-25T23:00:00+08:00 is not inside the run"},
		{func(w *Windows) { w.EveStart = time.Time{} }, "eve_start 0001-01-01T00:00:00Z is not inside the run"},
	} {
		r := Run{Scale: 1, Windows: Default2014()}
		tc.set(&r.Windows)
		if err := d.WriteRun(r); err != nil {
			t.Fatal(err)
		}
		_, ok, err := d.ReadRun()
		if ok || err == nil || !strings.Contains(err.Error(), tc.want) || !strings.Contains(err.Error(), "or remove it to judge the data by the 2014 windows") {
			t.Errorf("windows %+v: ok=%v err=%v, want an error saying %q and the way out", r.Windows, ok, err, tc.want)
		}
	}
	for _, w := range []Windows{Default2014(), func() Windows { w := Default2014(); w.EveNightEnd = w.End; return w }()} {
		if err := w.Check(); err != nil {
			t.Errorf("Check(%+v) = %v", w, err)
		}
	}
}

func sameRun(a, b Run) bool {
	return a.Scale == b.Scale && a.Seed == b.Seed && a.Calibration == b.Calibration &&
		sameWindows(a.Windows, b.Windows) && reflect.DeepEqual(a.Expected, b.Expected) && a.Written.Equal(b.Written)
}

func sameWindows(a, b Windows) bool {
	return a.Launch.Equal(b.Launch) && a.End.Equal(b.End) && a.EveStart.Equal(b.EveStart) &&
		a.EveNightStart.Equal(b.EveNightStart) && a.EveNightEnd.Equal(b.EveNightEnd) && a.PeakMinute.Equal(b.PeakMinute)
}

func keys(m map[string]json.RawMessage) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

// TestWindowsOnMinutes: the 2014 windows fall on whole minutes; a window shifted by a
// second, or a figures window starting off the minute, does not.
func TestWindowsOnMinutes(t *testing.T) {
	w := Default2014()
	if !w.OnMinutes() {
		t.Fatalf("the 2014 windows %+v are not on whole minutes", w)
	}
	for name, shift := range map[string]func(*Windows){
		"end":          func(w *Windows) { w.End = w.End.Add(time.Second) },
		"eve":          func(w *Windows) { w.EveStart = w.EveStart.Add(-time.Millisecond) },
		"night start":  func(w *Windows) { w.EveNightStart = w.EveNightStart.Add(30 * time.Second) },
		"night end":    func(w *Windows) { w.EveNightEnd = w.EveNightEnd.Add(time.Microsecond) },
		"figures from": func(w *Windows) { w.FiguresFrom = w.EveStart.Add(59 * time.Second) },
	} {
		s := w
		shift(&s)
		if s.OnMinutes() {
			t.Errorf("windows with the %s off the minute count as on whole minutes", name)
		}
	}
}
