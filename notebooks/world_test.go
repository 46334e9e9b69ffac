package notebooks

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/hongbao/hongbao/ingest/events"
	"github.com/hongbao/hongbao/ingest/lake"
	"github.com/hongbao/hongbao/ingest/simulate"
	"github.com/hongbao/hongbao/internal/locale"
	"github.com/hongbao/hongbao/internal/testworld"
	"github.com/hongbao/hongbao/query"
	"github.com/hongbao/hongbao/transform"
)

// worldScale keeps the test world small (about 290,000 events, two seconds to build)
// while the curve still peaks at 2014-01-31 00:00, as it does at any scale.
const worldScale = 0.002

// world is a warehouse built the real way, without Kafka: the simulator's events are
// appended to the Parquet lake with the ingester's lake writer, a few refused messages
// are quarantined, and transform refreshes the warehouse. Beside it, want holds what
// the tests expect, counted in Go from the same events as they were written, so that no
// SQL of the notebooks checks itself.
type world struct {
	dir  string
	want worldFacts
}

// worldFacts are counted from the event stream, independently of the warehouse.
type worldFacts struct {
	claims          int64
	peakMinute      string // Beijing time, 2006-01-02 15:04
	peakClaims      int64
	firstFiveTries  int64 // grabs 00:00-00:05 on 2014-01-31
	grabbed         int   // distinct users per funnel stage
	claimed         int
	triedBind       int
	bound           int
	withdrew        int
	paid            int
	recordClaims    int64 // the heaviest grabber's claims before 2014-01-31 02:00 CST
	quarantine      map[events.Reason]int
	refusedWeChat   int64 // WeChat Pay bindings refused as bank_not_supported
	wechatBindTries int64
}

// shared is the world, built once per test binary.
var shared = testworld.Shared[*world]{Name: "notebooks", Build: buildWorld}

func TestMain(m *testing.M) { shared.Main(m) }

// testWorld returns the world, built on the first call.
func testWorld(t *testing.T) *world {
	t.Helper()
	_, w := shared.Get(t)
	return w
}

// badMessages are the quarantined messages of the world, by reason.
var badMessages = []struct {
	reason events.Reason
	raw    string
}{
	{events.ReasonNotJSON, `{"event_id": "x1", "type": "envelope_sent", `},
	{events.ReasonNotJSON, `not json at all`},
	{events.ReasonNotJSON, `{"event_id": `},
	{events.ReasonClaimOverLimit, `{"event_id":"x7","type":"envelope_grabbed","ts":"2014-01-31T00:00:01+08:00","envelope_id":"e","user_id":"u2","outcome":"claimed","amount_fen":20001}`},
	{events.ReasonClaimOverLimit, `{"event_id":"x8","type":"envelope_grabbed","ts":"2014-01-31T00:00:02+08:00","envelope_id":"e","user_id":"u3","outcome":"claimed","amount_fen":30000}`},
	{events.ReasonMissingField, `{"event_id":"x4","type":"withdrawal","ts":"2014-01-31T12:00:00+08:00","user_id":"u1","provider":"wechat_pay","bank_code":"ICBC"}`},
}

func buildWorld(t testing.TB, dir string) *world {
	start := time.Now()
	shanghai, err := time.LoadLocation(locale.ZoneName)
	if err != nil {
		t.Fatal(err)
	}
	eveNightEnd := time.Date(2014, 1, 31, 2, 0, 0, 0, shanghai)
	midnight := time.Date(2014, 1, 31, 0, 0, 0, 0, shanghai)

	w := &world{dir: dir}
	f := &w.want
	perMinute := map[string]int64{}
	stage := [6]map[string]bool{}
	for i := range stage {
		stage[i] = map[string]bool{}
	}
	toEve := map[string]int64{}

	lk := testworld.New(t, dir)
	lk.Simulate(simulate.Config{Scale: worldScale, Seed: 2014}, func(e *events.Event) {
		switch e.Type {
		case events.EnvelopeGrabbed:
			stage[0][e.UserID] = true
			if !e.TS.Before(midnight) && e.TS.Before(midnight.Add(5*time.Minute)) {
				f.firstFiveTries++
			}
			if e.Outcome == events.OutcomeClaimed {
				f.claims++
				perMinute[e.TS.In(shanghai).Format("2006-01-02 15:04")]++
				stage[1][e.UserID] = true
				if e.TS.Before(eveNightEnd) {
					toEve[e.UserID]++
				}
			}
		case events.CardBound:
			if e.Provider == events.ProviderWeChatPay {
				f.wechatBindTries++
				stage[2][e.UserID] = true
				if e.Outcome == events.BindOK {
					stage[3][e.UserID] = true
				} else {
					f.refusedWeChat++
				}
			}
		case events.Withdrawal:
			if e.Provider == events.ProviderWeChatPay {
				stage[4][e.UserID] = true
			}
		case events.Payment:
			if e.Provider == events.ProviderWeChatPay {
				stage[5][e.UserID] = true
			}
		}
	})

	// Refused messages on another partition, as a second ingester loop would land them.
	f.quarantine = map[events.Reason]int{}
	for i, m := range badMessages {
		lk.Quarantine(1, lake.QuarantineRecord{Key: []byte(fmt.Sprintf("k%d", i)), Raw: []byte(m.raw),
			KafkaTS: midnight.Add(time.Duration(i) * time.Second), Reason: m.reason, Detail: "test: " + string(m.reason)})
		f.quarantine[m.reason]++
	}
	lk.Commit()

	for m, n := range perMinute {
		if n > f.peakClaims || n == f.peakClaims && m < f.peakMinute {
			f.peakMinute, f.peakClaims = m, n
		}
	}
	for _, n := range toEve {
		f.recordClaims = max(f.recordClaims, n)
	}
	f.grabbed, f.claimed, f.triedBind = len(stage[0]), len(stage[1]), len(stage[2])
	f.bound, f.withdrew, f.paid = len(stage[3]), len(stage[4]), len(stage[5])

	testworld.Refresh(t, transform.Open, dir)
	t.Logf("test world at scale %g built in %s", worldScale, time.Since(start).Round(time.Millisecond))
	return w
}

// runShipped runs a shipped notebook against the world.
func runShipped(t *testing.T, w *world, name string) *Run {
	t.Helper()
	nb, err := Open(name)
	if err != nil {
		t.Fatal(err)
	}
	wh, err := query.OpenSandbox(w.dir, query.SandboxOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer wh.Close()
	conn, err := wh.DB().Conn(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	return (&Runner{DB: conn, Warehouse: wh.Path()}).Run(context.Background(), nb)
}

// sortedKeys is for stable messages.
func sortedKeys[V any](m map[events.Reason]V) []events.Reason {
	keys := make([]events.Reason, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
