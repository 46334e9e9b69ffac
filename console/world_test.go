package console

import (
	"testing"
	"time"

	"github.com/hongbao/hongbao/ingest/events"
	"github.com/hongbao/hongbao/ingest/lake"
	"github.com/hongbao/hongbao/ingest/simulate"
	"github.com/hongbao/hongbao/internal/datadir"
	"github.com/hongbao/hongbao/internal/locale"
	"github.com/hongbao/hongbao/internal/testworld"
	"github.com/hongbao/hongbao/transform"
)

// worldScale keeps the world small (a couple of seconds to build) while the curve
// still peaks at 2014-01-31 00:00.
const worldScale = 0.002

// world is a data folder built the real way (the simulator's events through the lake
// writer, a refreshed warehouse, the run record), and what the tests expect of it,
// counted in Go from the events as they were written.
type world struct {
	peakMinute string // local, 2006-01-02 15:04
	peakClaims int64
	grabs      int64
	quarantine int
}

var shared = testworld.Shared[*world]{Name: "console", Build: buildWorld}

func TestMain(m *testing.M) { shared.Main(m) }

func buildWorld(t testing.TB, dir string) *world {
	w := &world{}
	perMinute := map[string]int64{}
	lk := testworld.New(t, dir)
	sim := lk.Simulate(simulate.Config{Scale: worldScale, Seed: 2014}, func(e *events.Event) {
		if e.Type != events.EnvelopeGrabbed {
			return
		}
		w.grabs++
		if e.Outcome == events.OutcomeClaimed {
			perMinute[e.TS.In(locale.Zone).Format("2006-01-02 15:04")]++
		}
	})
	for m, n := range perMinute {
		if n > w.peakClaims || n == w.peakClaims && m < w.peakMinute {
			w.peakMinute, w.peakClaims = m, n
		}
	}
	midnight := time.Date(2014, 1, 31, 0, 0, 0, 0, locale.Zone)
	for i, raw := range []string{`not json`, `{"event_id": `} {
		lk.Quarantine(1, lake.QuarantineRecord{Key: []byte{'k', byte('0' + i)}, Raw: []byte(raw),
			KafkaTS: midnight.Add(time.Duration(i) * time.Second), Reason: events.ReasonNotJSON, Detail: "test"})
		w.quarantine++
	}
	lk.Commit()
	if err := sim.WriteRunRecord(datadir.Dir(dir)); err != nil {
		t.Fatal(err)
	}
	testworld.Refresh(t, transform.Open, dir)
	return w
}
