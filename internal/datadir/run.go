package datadir

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"time"

	"github.com/hongbao/hongbao/internal/locale"
	"github.com/hongbao/hongbao/internal/sqlfile"
	"github.com/hongbao/hongbao/internal/wholefile"
)

// MaxScale is the largest scale a simulation runs at: ten festivals, about 1.5 billion
// events. A run record claiming more was not written by one.
const MaxScale = 10

// Run is the record a simulation leaves of itself in DIR/run.json: its scale, seed,
// windows and the figures it was built to reproduce. The simulator writes it; the facts
// sheet and the report read it. Data from a real topic has none; they then assume
// scale 1 and the 2014 windows.
type Run struct {
	Scale       float64 `json:"scale"`
	Seed        uint64  `json:"seed"`
	Calibration string  `json:"calibration"`
	// Reading is the reading of the reported figures the calibration followed ("B",
	// "A"; empty for a world the facts registry does not describe); the facts sheet
	// judges by it.
	Reading  string             `json:"reading,omitempty"`
	Windows  Windows            `json:"windows"`
	Expected map[string]float64 `json:"expected"` // fact id → value expected at this scale
	Written  time.Time          `json:"written"`
}

// Windows are the instants the figures refer to (FACTS.md and its consistency notes).
type Windows struct {
	Launch        time.Time `json:"launch"`          // first simulated minute; for real data, the first claim
	End           time.Time `json:"end"`             // Day 1 16:00
	EveStart      time.Time `json:"eve_start"`       // Eve 00:00
	EveNightStart time.Time `json:"eve_night_start"` // Eve night, start
	EveNightEnd   time.Time `json:"eve_night_end"`   // Eve night, end: "up to Eve night" means before this
	PeakMinute    time.Time `json:"peak_minute"`
	// FiguresFrom starts the window the totals refer to (to End); zero means Launch.
	FiguresFrom time.Time `json:"figures_from,omitzero"`
}

// Figures is the start of the window the totals refer to.
func (w Windows) Figures() time.Time {
	if w.FiguresFrom.IsZero() {
		return w.Launch
	}
	return w.FiguresFrom
}

// SQL are the placeholders of the windows in the SQL of the facts sheet and the models,
// as literals: {end}, {from} (Figures), {eve}, {night_start}, {night_end} as
// TIMESTAMPTZ instants; {end_local}, {from_local}, {eve_local} and {peak_local} as
// local TIMESTAMPs, to compare with a model's local minute.
func (w Windows) SQL() map[string]string {
	return map[string]string{
		"end":         sqlfile.Instant(w.End),
		"from":        sqlfile.Instant(w.Figures()),
		"eve":         sqlfile.Instant(w.EveStart),
		"night_start": sqlfile.Instant(w.EveNightStart),
		"night_end":   sqlfile.Instant(w.EveNightEnd),
		"end_local":   sqlfile.Local(w.End),
		"from_local":  sqlfile.Local(w.Figures()),
		"eve_local":   sqlfile.Local(w.EveStart),
		"peak_local":  sqlfile.Local(w.PeakMinute),
	}
}

// OnMinutes reports whether every window starts and ends on a whole minute, so that a
// count over a window is the sum of the per-minute counts of its minutes.
func (w Windows) OnMinutes() bool {
	for _, t := range []time.Time{w.End, w.Figures(), w.EveStart, w.EveNightStart, w.EveNightEnd} {
		if !t.Truncate(time.Minute).Equal(t) {
			return false
		}
	}
	return true
}

// MaxWindow is the longest period a simulation covers: a year. The calibration names a
// weight for every day of it, and the report draws it hour by hour.
const MaxWindow = 366 * 24 * time.Hour

// Check reports the first way w is not a festival's windows, naming the field as
// run.json does: launch before end, at most MaxWindow apart; the window of the figures
// (figures_from), the peak minute and Eve (eve_start) inside them; Eve night a span
// inside them.
func (w Windows) Check() error {
	inside := func(name string, t time.Time, from time.Time, closed bool) error {
		if t.Before(from) || t.After(w.End) || !closed && t.Equal(w.End) {
			return fmt.Errorf("%s %s is not inside the run, %s to %s", name, t.Format(time.RFC3339), from.Format(time.RFC3339), w.End.Format(time.RFC3339))
		}
		return nil
	}
	switch {
	case w.Launch.IsZero() || w.End.IsZero():
		return errors.New("launch and end must both be set")
	case !w.Launch.Before(w.End):
		return fmt.Errorf("launch %s must be before end %s", w.Launch.Format(time.RFC3339), w.End.Format(time.RFC3339))
	case w.End.Sub(w.Launch) > MaxWindow:
		return fmt.Errorf("launch %s to end %s is more than a year; a simulation covers at most %d days",
			w.Launch.Format(time.RFC3339), w.End.Format(time.RFC3339), int(MaxWindow/(24*time.Hour)))
	case !w.EveNightStart.Before(w.EveNightEnd):
		return fmt.Errorf("eve_night_start %s must be before eve_night_end %s", w.EveNightStart.Format(time.RFC3339), w.EveNightEnd.Format(time.RFC3339))
	}
	for _, err := range []error{
		inside("figures_from", w.Figures(), w.Launch, false),
		inside("peak_minute", w.PeakMinute, w.Figures(), false),
		inside("eve_start", w.EveStart, w.Launch, false),
		inside("eve_night_start", w.EveNightStart, w.Launch, false),
		inside("eve_night_end", w.EveNightEnd, w.Launch, true),
	} {
		if err != nil {
			return err
		}
	}
	return nil
}

// Windows is the windows the facts sheet and the warehouse's models judge the data of
// d by: the run record's, or the 2014 festival's (Default2014) for data without one.
func (d Dir) Windows() (Windows, error) {
	run, _, err := d.ReadRun()
	if err != nil {
		return Default2014(), err
	}
	return run.Windows, nil
}

// Default2014 are the windows of the 2014 festival as hongbao reads the article by
// default (reading B: the totals refer to Eve 00:00 → Day 1 16:00).
func Default2014() Windows {
	cst := locale.Zone
	return Windows{
		Launch:        time.Date(2014, 1, 26, 0, 0, 0, 0, cst),
		FiguresFrom:   time.Date(2014, 1, 30, 0, 0, 0, 0, cst),
		End:           time.Date(2014, 1, 31, 16, 0, 0, 0, cst),
		EveStart:      time.Date(2014, 1, 30, 0, 0, 0, 0, cst),
		EveNightStart: time.Date(2014, 1, 30, 20, 0, 0, 0, cst),
		EveNightEnd:   time.Date(2014, 1, 31, 2, 0, 0, 0, cst),
		PeakMinute:    time.Date(2014, 1, 31, 0, 0, 0, 0, cst),
	}
}

// ReadRun reads the run record; ok is false when there is none, and r is then scale 1
// with the 2014 windows. A record without windows gets the 2014 windows.
func (d Dir) ReadRun() (r Run, ok bool, err error) {
	p := d.RunRecord()
	b, err := os.ReadFile(p)
	if errors.Is(err, fs.ErrNotExist) {
		return Run{Scale: 1, Windows: Default2014()}, false, nil
	}
	if err != nil {
		return r, false, err
	}
	if err := json.Unmarshal(b, &r); err != nil {
		return r, false, fmt.Errorf("%s: %w", p, err)
	}
	if !(r.Scale > 0 && r.Scale <= MaxScale) {
		return r, false, fmt.Errorf("%s: scale %g must be above 0 and at most %d, as a simulation's is", p, r.Scale, MaxScale)
	}
	if r.Windows.PeakMinute.IsZero() {
		r.Windows = Default2014()
	}
	if err := r.Windows.Check(); err != nil {
		return r, false, fmt.Errorf("%s: windows: %w; write it again with 'hongbao simulate', or remove it to judge the data by the 2014 windows", p, err)
	}
	return r, true, nil
}

// WriteRun writes the run record, creating the folder if needed. A reader sees the
// earlier record or this one whole.
func (d Dir) WriteRun(r Run) error {
	if err := os.MkdirAll(string(d), 0o755); err != nil {
		return err
	}
	b, err := json.MarshalIndent(r, "", "  ")
	if err != nil {
		return err
	}
	return wholefile.WriteBytes(d.RunRecord(), 0o644, append(b, '\n'))
}
