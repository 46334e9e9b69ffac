package simulate

import (
	"encoding/json"
	"math"
	"strconv"
	"strings"
	"testing"
	"time"
)

// claimsIn counts the claims of the minutes in [from, to).
func (tl tally) claimsIn(from, to time.Time) int { return sumMinutes(tl.claimsPerMin, from, to) }

// attemptsIn counts the attempts (claims and misses) of the minutes in [from, to).
func (tl tally) attemptsIn(from, to time.Time) int { return sumMinutes(tl.attemptsByMin, from, to) }

func sumMinutes(m map[int64]int, from, to time.Time) int {
	n := 0
	for min, c := range m {
		if min >= from.Unix()/60 && min < to.Unix()/60 {
			n += c
		}
	}
	return n
}

func (tl tally) busiestSecond() int {
	best := 0
	for _, n := range tl.perSecond {
		best = max(best, n)
	}
	return best
}

func near(t *testing.T, what string, got, want, tol float64) {
	t.Helper()
	if math.Abs(got/want-1) > tol {
		t.Errorf("%s: %.0f, want %.0f ± %.0f%%", what, got, want, tol*100)
	} else {
		t.Logf("%s: %.0f (want %.0f)", what, got, want)
	}
}

func TestBuiltinCalibrationsAreListed(t *testing.T) {
	var names []string
	for _, c := range Builtins() {
		names = append(names, c.Name)
		if c.Title == "" {
			t.Errorf("calibration %s has no title", c.Name)
		}
	}
	if len(names) != 3 || names[0] != "2014" || names[1] != "2014-since-launch" || names[2] != "2016" {
		t.Errorf("built-in calibrations %v, want 2014, 2014-since-launch, 2016", names)
	}
	if DefaultCalibration().Name != "2014" || DefaultCalibration().Reading != "B" {
		t.Errorf("the default calibration is %s (reading %s), want 2014 reading B", DefaultCalibration().Name, DefaultCalibration().Reading)
	}
	if _, err := LoadCalibration("2015"); err == nil {
		t.Error("an unknown calibration name loaded")
	}
}

// simulateNamed loads a built-in calibration and simulates it with seed 7.
func simulateNamed(t *testing.T, name string, scale float64) (*Calibration, tally) {
	t.Helper()
	cal, err := LoadCalibration(name)
	if err != nil {
		t.Fatal(err)
	}
	return cal, simulateCal(t, cal, scale, 7)
}

// checkMidnight2014 checks the 2014 midnight both readings share: 585,000 attempts in
// 00:00-00:05 of Day 1 and 25,000 claims in its first minute.
func checkMidnight2014(t *testing.T, tl tally, w Window, scale float64) {
	t.Helper()
	near(t, "attempts 00:00-00:05 Day 1", float64(tl.attemptsIn(w.PeakMinute, w.PeakMinute.Add(5*time.Minute))), 585000*scale, 0.05)
	if got, want := tl.claimsPerMin[w.PeakMinute.Unix()/60], int(math.Round(25000*scale)); got != want {
		t.Errorf("claims at 00:00 Day 1: %d, want %d", got, want)
	}
}

// Reading B: every figure in Eve 00:00 → Day 1 16:00.
func TestCalibration2014ReadingB(t *testing.T) {
	const scale = 0.002
	cal, tl := simulateNamed(t, "2014", scale)
	w := cal.Window
	if got, want := float64(tl.claimsIn(w.Figures(), w.End)), 9412*2400*scale; math.Abs(got-want) > 1 {
		t.Errorf("claims Eve 00:00 → Day 1 16:00: %.0f, want %.0f exactly", got, want)
	}
	near(t, "attempts Eve 00:00 → Day 1 16:00", float64(tl.attemptsIn(w.Figures(), w.End)), 75e6*scale, 0.02)
	checkMidnight2014(t, tl, w, scale)
	for m, n := range tl.claimsPerMin {
		if m != w.PeakMinute.Unix()/60 && n >= tl.claimsPerMin[w.PeakMinute.Unix()/60] {
			t.Errorf("minute %s has %d claims, as many as the peak", time.Unix(m*60, 0).In(cal.Location()), n)
		}
	}
	if before := tl.claimsIn(w.Start, w.EveStart); before == 0 {
		t.Error("no claims before Eve: the launch days must keep their adoption curve")
	}
}

// Reading A: 75 M claims since 03:11 on launch day.
func TestCalibration2014SinceLaunch(t *testing.T) {
	const scale = 0.002
	cal, tl := simulateNamed(t, "2014-since-launch", scale)
	w := cal.Window
	if got, want := float64(tl.claimsIn(w.Start, w.End)), 75e6*scale; math.Abs(got-want) > 1 {
		t.Errorf("claims since launch: %.0f, want %.0f exactly", got, want)
	}
	near(t, "claims a minute since launch", float64(tl.claimsIn(w.Start, w.End))/w.End.Sub(w.Start).Minutes(), 9412*scale, 0.01)
	checkMidnight2014(t, tl, w, scale)
}

// 2016: 8.08 bn sent plus received on Eve, the busiest second 409,000.
func TestCalibration2016(t *testing.T) {
	const scale = 0.0003
	cal, tl := simulateNamed(t, "2016", scale)
	onEve := 0
	for sec, n := range tl.perSecond {
		if sec >= cal.Window.Start.Unix() && sec < cal.Window.End.Unix() {
			onEve += n
		}
	}
	near(t, "sent plus received on Eve 2016-02-07", float64(onEve), 8.08e9*scale, 0.03)
	near(t, "busiest second", float64(tl.busiestSecond()), 409000*scale, 0.10)
	if len(cal.Targets.Assumed) == 0 {
		t.Error("2016 names no assumed targets")
	}
}

// TestCalibrationRefuses: a calibration file with a value no world can have is refused
// with a sentence naming the field, never run. Each case changes the built-in 2014 file.
func TestCalibrationRefuses(t *testing.T) {
	for _, tc := range []struct {
		path []string
		to   any
		want string
	}{
		{[]string{"assumptions", "fully_claimed"}, 2, "assumptions.fully_claimed is a chance: 2 must be from 0 to 1"},
		{[]string{"assumptions", "bind_after_first_claim"}, -4, "assumptions.bind_after_first_claim is a chance: -4 must be from 0 to 1"},
		{[]string{"assumptions", "fake_link_per_envelope"}, 1.5, "assumptions.fake_link_per_envelope is a chance"},
		{[]string{"assumptions", "envelope_total_sigma"}, -3, "assumptions.envelope_total_sigma -3 must not be negative"},
		{[]string{"assumptions", "payments_per_minute_alipay"}, -1, "assumptions.payments_per_minute_alipay -1 must not be negative"},
		{[]string{"assumptions", "spike_decay_minutes"}, 0, "spike_ramp_minutes and spike_decay_minutes must be above 0"},
		{[]string{"assumptions", "hour_weights", "3"}, -10, "assumptions.hour_weights: the weight of 3, -10, must not be negative"},
		{[]string{"assumptions", "lucky_shares"}, map[string]float64{"2": 0, "5": 0}, "assumptions.lucky_shares: at least one weight must be above 0"},
		{[]string{"timezone_offset_hours"}, 99, "timezone_offset_hours 99 must be from -12 to 14"},
		{[]string{"assumptions", "heavy_draw_share"}, 0.25, "heavy_draw_share is not an assumption the simulator reads"},
		{[]string{"targets", "mean_envelope_fen"}, 0, "targets.mean_envelope_fen must be positive"},
		{[]string{"targets", "mean_envelope_fen"}, 1_000_000_000, "targets.mean_envelope_fen 1000000000 cannot be met: an envelope holds at most 200 yuan a share"},
		{[]string{"assumptions", "spike_height"}, 3, `unknown field "spike_height"`},
		{[]string{"window", "end"}, "2016-01-31T16:00:00+08:00", "window: launch 2014-01-26T00:00:00+08:00 to end 2016-01-31T16:00:00+08:00 is more than a year"},
		{[]string{"window", "eve_night_end"}, "2014-01-30T19:00:00+08:00", "window: eve_night_start 2014-01-30T20:00:00+08:00 must be before eve_night_end"},
		{[]string{"window", "eve_start"}, "2014-02-01T00:00:00+08:00", "window: eve_start 2014-02-01T00:00:00+08:00 is not inside the run"},
		{[]string{"window", "peak_minute"}, "2014-01-29T00:00:00+08:00", "window: peak_minute 2014-01-29T00:00:00+08:00 is not inside the run, 2014-01-30T00:00:00+08:00"},
	} {
		var doc map[string]any
		if err := json.Unmarshal(DefaultCalibrationJSON(), &doc); err != nil {
			t.Fatal(err)
		}
		set(t, doc, tc.path, tc.to)
		b, err := json.Marshal(doc)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := ParseCalibration(b); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s = %v: ParseCalibration = %v, want an error saying %q", strings.Join(tc.path, "."), tc.to, err, tc.want)
		}
	}
}

// set puts v at path in a decoded JSON document; a number in the path indexes a list.
func set(t *testing.T, doc map[string]any, path []string, v any) {
	t.Helper()
	var at any = doc
	for i, k := range path {
		last := i == len(path)-1
		switch node := at.(type) {
		case map[string]any:
			if last {
				node[k] = v
				return
			}
			at = node[k]
		case []any:
			n, err := strconv.Atoi(k)
			if err != nil {
				t.Fatalf("path %v: %s indexes a list", path, k)
			}
			if last {
				node[n] = v
				return
			}
			at = node[n]
		default:
			t.Fatalf("path %v: nothing at %s", path, k)
		}
	}
}
