package simulate

import (
	"math"
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
