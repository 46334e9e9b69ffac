package facts

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"
)

// RunFile is the name, inside the data folder, of the record a simulation leaves of
// itself: its scale, seed, windows and the figures it was built to reproduce.
const RunFile = "run.json"

// Run is that record. Data from a real topic has none; facts then assumes scale 1
// and the 2014 windows.
type Run struct {
	Scale       float64            `json:"scale"`
	Seed        uint64             `json:"seed"`
	Calibration string             `json:"calibration"`
	Windows     Windows            `json:"windows"`
	Expected    map[string]float64 `json:"expected"` // fact id → value expected at this scale
	Written     time.Time          `json:"written"`
}

// Windows are the instants the figures refer to (FACTS.md and its consistency notes).
type Windows struct {
	Launch        time.Time `json:"launch"`          // first simulated minute; for real data, the first claim
	End           time.Time `json:"end"`             // Day 1 16:00
	EveStart      time.Time `json:"eve_start"`       // Eve 00:00
	EveNightStart time.Time `json:"eve_night_start"` // Eve night, start
	EveNightEnd   time.Time `json:"eve_night_end"`   // Eve night, end: "up to Eve night" means before this
	PeakMinute    time.Time `json:"peak_minute"`
}

var cst = time.FixedZone("CST", 8*3600)

// Default2014 are the windows of the 2014 festival as hongbao reads the article.
func Default2014() Windows {
	return Windows{
		Launch:        time.Date(2014, 1, 26, 3, 11, 0, 0, cst),
		End:           time.Date(2014, 1, 31, 16, 0, 0, 0, cst),
		EveStart:      time.Date(2014, 1, 30, 0, 0, 0, 0, cst),
		EveNightStart: time.Date(2014, 1, 30, 20, 0, 0, 0, cst),
		EveNightEnd:   time.Date(2014, 1, 31, 2, 0, 0, 0, cst),
		PeakMinute:    time.Date(2014, 1, 31, 0, 0, 0, 0, cst),
	}
}

// ReadRun reads DIR/run.json; ok is false when there is none.
func ReadRun(dir string) (r Run, ok bool, err error) {
	b, err := os.ReadFile(filepath.Join(dir, RunFile))
	if errors.Is(err, os.ErrNotExist) {
		return Run{Scale: 1, Windows: Default2014()}, false, nil
	}
	if err != nil {
		return r, false, err
	}
	if err := json.Unmarshal(b, &r); err != nil {
		return r, false, fmt.Errorf("%s: %w", filepath.Join(dir, RunFile), err)
	}
	if r.Scale <= 0 {
		return r, false, fmt.Errorf("%s: scale %g must be positive", filepath.Join(dir, RunFile), r.Scale)
	}
	return r, true, nil
}

// WriteRun writes DIR/run.json.
func WriteRun(dir string, r Run) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	b, err := json.MarshalIndent(r, "", "  ")
	if err != nil {
		return err
	}
	tmp := filepath.Join(dir, "."+RunFile+".tmp")
	if err := os.WriteFile(tmp, append(b, '\n'), 0o644); err != nil {
		return err
	}
	return os.Rename(tmp, filepath.Join(dir, RunFile))
}
