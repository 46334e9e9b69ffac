package main

import (
	"encoding/json"
	"strings"
	"testing"
)

// The built-in calibrations are listed by simulate and demo, and each can be printed
// by name to start a file of one's own.
func TestListAndPrintCalibrations(t *testing.T) {
	for _, cmd := range []string{"simulate", "demo"} {
		out, err := runHongbao(t, "", "--dir", t.TempDir(), cmd, "--list-calibrations")
		if err != nil {
			t.Fatalf("%s --list-calibrations: %v", cmd, err)
		}
		for _, name := range []string{"2014 ", "2014-since-launch", "2016", "reading B (default)"} {
			if !strings.Contains(out, name) {
				t.Errorf("%s --list-calibrations does not name %q:\n%s", cmd, name, out)
			}
		}
	}
	for name, reading := range map[string]string{"2014": "B", "2014-since-launch": "A", "2016": ""} {
		out, err := runHongbao(t, "", "simulate", "--print-calibration", "--calibration", name)
		if err != nil {
			t.Fatalf("--print-calibration --calibration %s: %v", name, err)
		}
		var c struct{ Name, Reading string }
		if err := json.Unmarshal([]byte(out), &c); err != nil || c.Name != name || c.Reading != reading {
			t.Errorf("printed calibration %s: name %q reading %q (%v)", name, c.Name, c.Reading, err)
		}
	}
}
