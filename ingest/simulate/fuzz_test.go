package simulate

import (
	"context"
	"encoding/json"
	"errors"
	"testing"
	"time"

	"github.com/hongbao/hongbao/ingest/events"
)

// errEnough stops a fuzzed run once it has shown that events come out.
var errEnough = errors.New("enough events")

// FuzzCalibration: a user's calibration file of any bytes is refused with an error, or
// builds a simulator whose run emits valid events; nothing panics or loops. (The run
// stops after its first 2,000 events or two seconds.)
func FuzzCalibration(f *testing.F) {
	for _, c := range Builtins() {
		b, _ := BuiltinJSON(c.Name)
		f.Add(b)
	}
	f.Fuzz(runCalibration)
}

// runCalibration parses b as a calibration file and, when it is accepted, runs the
// simulator on it until 2,000 events or two seconds: each event must encode and pass
// the ingester's rules (any date: the file chooses the festival's).
func runCalibration(t *testing.T, b []byte) {
	cal, err := ParseCalibration(b)
	if err != nil {
		return
	}
	sim, err := New(Config{Scale: 0.0001, Seed: 1, Calibration: cal})
	if err != nil {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	v := &events.Validator{Earliest: time.Date(1, 1, 1, 0, 0, 0, 0, time.UTC), Latest: time.Date(9999, 1, 1, 0, 0, 0, 0, time.UTC)}
	n := 0
	err = sim.Run(ctx, func(e *events.Event) error {
		raw, err := events.Encode(e)
		if err != nil {
			t.Fatalf("event %d does not encode: %v\n%+v", n, err, e)
		}
		if _, err := events.Decode(raw, v); err != nil {
			t.Fatalf("event %d is not valid: %v\n%s", n, err, raw)
		}
		if n++; n == 2000 {
			return errEnough
		}
		return nil
	})
	if err != nil && !errors.Is(err, errEnough) && !errors.Is(err, context.DeadlineExceeded) {
		t.Logf("run: %v", err)
	}
}

// FuzzCalibrationValues: the built-in calibration with numbers changed (the hour, day
// and share weights scaled, the chances and spreads set, the figures scaled) to any
// values a JSON file can hold is refused with an error, or runs as FuzzCalibration's
// files do.
func FuzzCalibrationValues(f *testing.F) {
	f.Add(1.0, 1.0, 1.0, 1.0, 0.92, 0.2, 0.9, 8, 1.0)
	f.Add(2.0, 0.5, 3.0, 1.0, 1.0, 0.0, 0.0, 8, 0.5)
	f.Add(0.0, 1.0, 1.0, 1.0, 0.92, 0.2, 0.9, 8, 1.0)
	f.Add(1.0, -1.0, 0.0, 1e300, 2.0, -0.5, -3.0, 8, 1e-9)
	f.Fuzz(func(t *testing.T, hour, day, lucky, fixed, fully, miss, sigma float64, tz int, figures float64) {
		c, err := ParseCalibration(DefaultCalibrationJSON())
		if err != nil {
			t.Fatal(err)
		}
		a := &c.Assumptions
		for i := range a.HourWeights {
			a.HourWeights[i] *= hour
		}
		for k := range a.DayWeights {
			a.DayWeights[k] *= day
		}
		for k := range a.LuckyShares {
			a.LuckyShares[k] *= lucky
		}
		for k := range a.FixedShares {
			a.FixedShares[k] *= fixed
		}
		a.FullyClaimed, a.MissRatioBase, a.TotalSigma = fully, miss, sigma
		c.TZOffsetHours = tz
		tg := &c.Targets
		tg.ClaimsTotal = int64(float64(tg.ClaimsTotal) * figures)
		tg.AttemptsTotal = int64(float64(tg.AttemptsTotal) * figures)
		tg.PeakClaims = int64(float64(tg.PeakClaims) * figures)
		tg.First5MinAttempts = int64(float64(tg.First5MinAttempts) * figures)
		b, err := json.Marshal(c)
		if err != nil {
			return // not a file a user could write
		}
		runCalibration(t, b)
	})
}
