package simulate

import (
	"path/filepath"
	"testing"
	"time"

	"github.com/hongbao/hongbao/internal/datadir"
)

// TestWriteRunRecord: the record a run leaves holds its scale, seed, calibration and
// windows, and the population model's heaviest grabber, and reads back whole.
func TestWriteRunRecord(t *testing.T) {
	s, err := New(Config{Scale: 0.001, Seed: 7})
	if err != nil {
		t.Fatal(err)
	}
	dir := datadir.Dir(filepath.Join(t.TempDir(), "data"))
	before := time.Now().Add(-time.Second)
	if err := s.WriteRunRecord(dir); err != nil {
		t.Fatal(err)
	}
	r, ok, err := dir.ReadRun()
	if err != nil || !ok {
		t.Fatalf("read back: ok=%v err=%v", ok, err)
	}
	if r.Scale != 0.001 || r.Seed != 7 || r.Calibration != s.Calibration().Source() {
		t.Errorf("scale %g, seed %d, calibration %q; want 0.001, 7, %q", r.Scale, r.Seed, r.Calibration, s.Calibration().Source())
	}
	cw := s.Calibration().Window
	for _, c := range []struct {
		name      string
		got, want time.Time
	}{
		{"launch", r.Windows.Launch, cw.Start}, {"end", r.Windows.End, cw.End}, {"eve start", r.Windows.EveStart, cw.EveStart},
		{"eve night start", r.Windows.EveNightStart, cw.EveNightStart}, {"eve night end", r.Windows.EveNightEnd, cw.EveNightEnd},
		{"peak minute", r.Windows.PeakMinute, cw.PeakMinute},
	} {
		if !c.got.Equal(c.want) {
			t.Errorf("window %s %v, want %v", c.name, c.got, c.want)
		}
	}
	top := s.Expect().MaxClaimsOneUser
	if got := r.Expected["max_claims_one_user"]; top <= 0 || got != top || len(r.Expected) != 1 {
		t.Errorf("expected %v, want max_claims_one_user %v alone", r.Expected, top)
	}
	if r.Written.Before(before) || r.Written.After(time.Now()) {
		t.Errorf("written %v, want about now", r.Written)
	}
}
