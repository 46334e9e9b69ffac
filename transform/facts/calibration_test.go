package facts

import (
	"context"
	"testing"

	"github.com/hongbao/hongbao/ingest/simulate"
	"github.com/hongbao/hongbao/internal/datadir"
	"github.com/hongbao/hongbao/internal/testworld"
)

// simulatedWarehouse replays the 2014 festival at scale straight into a lake (one
// partition, no Kafka) and builds the warehouse on it.
func simulatedWarehouse(t *testing.T, cal string, scale float64, seed uint64) (string, datadir.Run) {
	t.Helper()
	c, err := simulate.LoadCalibration(cal)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	sim := testworld.New(t, dir).Simulate(simulate.Config{Calibration: c, Scale: scale, Seed: seed}, nil)
	refreshWarehouse(t, dir)
	return dir, sim.RunRecord()
}

// TestCalibrationAtSmallScale checks that a small run of each 2014 calibration
// reproduces every event-level figure of the article, judged by the calibration's own
// reading, within the tolerances of the facts sheet: the counts scaled, the means as
// reported, the record grabber as the model expects at that scale.
func TestCalibrationAtSmallScale(t *testing.T) {
	for _, c := range []struct {
		cal     string
		seed    uint64
		reading string
	}{{"2014", 2014, "B"}, {"2014", 7, "B"}, {"2014-since-launch", 2014, "A"}} {
		seed := c.seed
		dir, run := simulatedWarehouse(t, c.cal, 0.004, seed)
		if run.Reading != c.reading {
			t.Errorf("calibration %s recorded reading %q, want %s", c.cal, run.Reading, c.reading)
		}
		sh, err := Compute(context.Background(), openReadOnly(t, dir), run, true, "en")
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range sh.Results {
			if r.Verdict == NotDerivable {
				continue
			}
			if r.Verdict != Reproduced {
				c := "none"
				if r.Computed != nil {
					c = number(*r.Computed)
				}
				t.Errorf("seed %d: %s not reproduced: computed %s, expected %s (tolerance %.0f%%) %s", seed, r.ID, c, number(r.Expected), 100*r.Tolerance, r.Error)
			}
		}
	}
}
