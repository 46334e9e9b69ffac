package chart

import (
	"math"
	"slices"
	"strings"
	"time"

	"gonum.org/v1/plot"
)

// timeStep is one choice of tick spacing: majors are labelled, minors not.
type timeStep struct {
	major, minor time.Duration // for sub-day steps
	days         int           // for day steps: major every days, minor every minorDays
	minorDays    int
	months       int // for month steps
}

var timeSteps = []timeStep{
	{major: time.Minute},
	{major: 2 * time.Minute, minor: time.Minute},
	{major: 5 * time.Minute, minor: time.Minute},
	{major: 10 * time.Minute, minor: 5 * time.Minute},
	{major: 15 * time.Minute, minor: 5 * time.Minute},
	{major: 30 * time.Minute, minor: 10 * time.Minute},
	{major: time.Hour, minor: 15 * time.Minute},
	{major: 2 * time.Hour, minor: 30 * time.Minute},
	{major: 3 * time.Hour, minor: time.Hour},
	{major: 6 * time.Hour, minor: time.Hour},
	{major: 12 * time.Hour, minor: 3 * time.Hour},
	{days: 1, minor: 6 * time.Hour},
	{days: 2, minorDays: 1},
	{days: 7, minorDays: 1},
	{days: 14, minorDays: 7},
	{months: 1},
	{months: 3},
	{months: 6},
	{months: 12},
	{months: 24},
	{months: 60},
}

// timeTicks marks a time axis whose values are Unix seconds, in loc, with at
// most maxMajor labelled ticks at round times (whole minutes, hours, local
// midnights, first days of months). Labels show the time of day, adding the
// date on the first tick and where the date changes, so a chart across
// midnight reads "23:30 … 00:00\n01-31 …".
type timeTicks struct {
	loc      *time.Location
	maxMajor int
}

func (tt timeTicks) Ticks(first, last float64) []plot.Tick {
	if !(last > first) {
		return []plot.Tick{{Value: first, Label: tt.at(first).Format("15:04\n01-02")}}
	}
	span := time.Duration((last - first) * float64(time.Second))
	step := timeSteps[len(timeSteps)-1]
	for _, s := range timeSteps {
		if tt.count(s, span) <= float64(max(tt.maxMajor, 2)) {
			step = s
			break
		}
	}
	lo, hi := tt.at(first), tt.at(last)
	var ticks []plot.Tick
	majors := tt.series(step, lo, hi, false)
	isMajor := map[int64]bool{}
	prev := time.Time{}
	for _, t := range majors {
		isMajor[t.Unix()] = true
		ticks = append(ticks, plot.Tick{Value: float64(t.Unix()), Label: tt.label(step, t, prev)})
		prev = t
	}
	// gonum aligns a one-line label with the first line of a two-line one
	// only if both have two lines.
	if slices.ContainsFunc(ticks, func(t plot.Tick) bool { return strings.Contains(t.Label, "\n") }) {
		for i := range ticks {
			if !strings.Contains(ticks[i].Label, "\n") {
				ticks[i].Label += "\n "
			}
		}
	}
	for _, t := range tt.series(step, lo, hi, true) {
		if !isMajor[t.Unix()] {
			ticks = append(ticks, plot.Tick{Value: float64(t.Unix())})
		}
	}
	return ticks
}

func (tt timeTicks) at(sec float64) time.Time {
	s, frac := math.Modf(sec)
	return time.Unix(int64(s), int64(frac*1e9)).In(tt.loc)
}

// count estimates how many majors step puts into span.
func (tt timeTicks) count(s timeStep, span time.Duration) float64 {
	switch {
	case s.months > 0:
		return span.Hours() / 24 / 30.4 / float64(s.months)
	case s.days > 0:
		return span.Hours() / 24 / float64(s.days)
	default:
		return float64(span) / float64(s.major)
	}
}

// series returns the major (or minor) tick times of step in [lo, hi].
func (tt timeTicks) series(s timeStep, lo, hi time.Time, minor bool) []time.Time {
	var next func(time.Time) time.Time
	var t time.Time
	midnight := time.Date(lo.Year(), lo.Month(), lo.Day(), 0, 0, 0, 0, tt.loc)
	switch {
	case s.months > 0 && !minor:
		t = time.Date(lo.Year(), lo.Month(), 1, 0, 0, 0, 0, tt.loc)
		for (int(t.Month())-1)%s.months != 0 {
			t = t.AddDate(0, 1, 0) // align quarters, half years, years
		}
		next = func(t time.Time) time.Time { return t.AddDate(0, s.months, 0) }
	case s.months > 0:
		t = time.Date(lo.Year(), lo.Month(), 1, 0, 0, 0, 0, tt.loc)
		next = func(t time.Time) time.Time { return t.AddDate(0, 1, 0) }
		if s.months >= 12 {
			next = func(t time.Time) time.Time { return t.AddDate(0, 3, 0) }
		}
	case s.days > 0 && (!minor || s.minorDays > 0):
		n := s.days
		if minor {
			n = s.minorDays
		}
		t = midnight
		next = func(t time.Time) time.Time { return t.AddDate(0, 0, n) }
	default:
		d := s.major
		if minor {
			d = s.minor
		}
		if d == 0 {
			return nil
		}
		// Sub-day steps divide a day, so counting from local midnight
		// lands majors on round clock times.
		t = midnight.Add(lo.Sub(midnight).Truncate(d))
		next = func(t time.Time) time.Time { return t.Add(d) }
	}
	var out []time.Time
	for ; !t.After(hi); t = next(t) {
		if !t.Before(lo) {
			out = append(out, t)
		}
		if len(out) > 500 {
			break
		}
	}
	return out
}

// label formats a major tick; prev is the previous major (zero for the first).
func (tt timeTicks) label(s timeStep, t, prev time.Time) string {
	newDay := prev.IsZero() || t.YearDay() != prev.YearDay() || t.Year() != prev.Year()
	switch {
	case s.months > 0:
		return t.Format("2006-01")
	case s.days > 0:
		if prev.IsZero() || t.Year() != prev.Year() {
			return t.Format("01-02\n2006")
		}
		return t.Format("01-02")
	case newDay:
		return t.Format("15:04\n01-02")
	default:
		return t.Format("15:04")
	}
}
