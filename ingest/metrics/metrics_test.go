package metrics_test

import (
	"context"
	"fmt"
	"net/http"
	"path/filepath"
	"sync"
	"testing"
	"time"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"

	"github.com/hongbao/hongbao/ingest"
	"github.com/hongbao/hongbao/ingest/broker"
	"github.com/hongbao/hongbao/ingest/events"
	"github.com/hongbao/hongbao/ingest/lake"
	"github.com/hongbao/hongbao/ingest/metrics"
	"github.com/hongbao/hongbao/ingest/produce"
	"github.com/hongbao/hongbao/internal/testtopic"
)

// refused are messages the ingester must quarantine, with their reasons.
var refused = []struct {
	value  string
	reason events.Reason
}{
	{`{"event_id": "x1", "type": "envelope_sent", `, events.ReasonNotJSON},
	{`not json`, events.ReasonNotJSON},
	{`[1, 2]`, events.ReasonNotObject},
}

// startTopic starts the embedded broker in dir and produces to its topic the world
// simulated at scale, then the messages raw; it returns the broker and what it
// acknowledged.
func startTopic(t testing.TB, dir string, scale float64, raw ...string) (*broker.Broker, produce.Stats) {
	t.Helper()
	b := testtopic.Broker(t, filepath.Join(dir, "broker"))
	return b, testtopic.Produce(t, b.Addr(), scale, 3, raw...)
}

// scrape reads the metrics at url with the Prometheus text parser.
func scrape(t *testing.T, url string) map[string]*dto.MetricFamily {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: %s", url, resp.Status)
	}
	parser := expfmt.NewTextParser(model.UTF8Validation)
	fams, err := parser.TextToMetricFamilies(resp.Body)
	if err != nil {
		t.Fatalf("the metrics do not parse: %v", err)
	}
	return fams
}

// value is the sample of family name whose labels include want.
func value(fams map[string]*dto.MetricFamily, name string, want map[string]string) (float64, bool) {
	f := fams[name]
	if f == nil {
		return 0, false
	}
next:
	for _, m := range f.Metric {
		got := map[string]string{}
		for _, l := range m.Label {
			got[l.GetName()] = l.GetValue()
		}
		for k, v := range want {
			if got[k] != v {
				continue next
			}
		}
		switch {
		case m.Counter != nil:
			return m.Counter.GetValue(), true
		case m.Gauge != nil:
			return m.Gauge.GetValue(), true
		case m.Histogram != nil:
			return float64(m.Histogram.GetSampleCount()), true
		}
	}
	return 0, false
}

// TestMetricsDuringIngest scrapes /metrics while an ingester drains a topic on the
// embedded broker, and checks the counters against what was produced and landed.
func TestMetricsDuringIngest(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	raw := make([]string, len(refused))
	for i, m := range refused {
		raw[i] = m.value
	}
	b, st := startTopic(t, dir, 0.001, raw...)

	m := metrics.New(dir)
	srv, err := m.Serve("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()

	// A scrape while the ingester runs: once it has read a first block.
	var once sync.Once
	midway := make(chan struct{})
	var during map[string]*dto.MetricFamily
	scraped := make(chan struct{})
	go func() {
		defer close(scraped)
		select {
		case <-midway:
			during = scrape(t, srv.URL())
		case <-time.After(time.Minute):
		}
	}()
	sum, err := ingest.Run(ctx, ingest.Config{
		Brokers: []string{b.Addr()}, Topic: broker.DefaultTopic, Group: "metrics-test", Dir: dir,
		UntilIdle: 500 * time.Millisecond, FlushRows: 5_000, Consumed: &m.Read, Observer: m,
		OnConsumed: func(int64) { once.Do(func() { close(midway) }) },
	})
	if err != nil {
		t.Fatal(err)
	}
	<-scraped
	if during == nil {
		t.Fatal("no scrape during the ingest")
	}
	if read, ok := value(during, "hongbao_ingest_messages_total", map[string]string{"stage": "read"}); !ok || read <= 0 {
		t.Errorf("during the ingest, messages read is %v (present %v); want some", read, ok)
	}
	for _, name := range []string{"hongbao_ingest_lag_messages", "hongbao_ingest_messages_total"} {
		if during[name] == nil {
			t.Errorf("during the ingest, no %s", name)
		}
	}

	fams := scrape(t, srv.URL())
	if read, _ := value(fams, "hongbao_ingest_messages_total", map[string]string{"stage": "read", "type": "all"}); int64(read) != st.Messages || sum.Messages != st.Messages {
		t.Errorf("messages read: metric %v, summary %d; produced %d", read, sum.Messages, st.Messages)
	}
	for _, typ := range events.Types {
		got, _ := value(fams, "hongbao_ingest_messages_total", map[string]string{"stage": "landed", "type": string(typ)})
		if int64(got) != st.Count[typ] {
			t.Errorf("%s landed: metric %v, produced %d", typ, got, st.Count[typ])
		}
	}
	wantReasons := map[events.Reason]int{}
	for _, m := range refused {
		wantReasons[m.reason]++
	}
	for r, n := range wantReasons {
		if got, _ := value(fams, "hongbao_ingest_quarantined_total", map[string]string{"reason": string(r)}); int(got) != n {
			t.Errorf("quarantined %s: metric %v, want %d", r, got, n)
		}
	}
	// The lake holds every partition up to its end (the drain checked it).
	lk, err := lake.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	ends, err := lk.Ends(broker.DefaultTopic)
	if err != nil {
		t.Fatal(err)
	}
	lags := fams["hongbao_ingest_lag_messages"]
	if lags == nil || len(lags.Metric) != len(ends) {
		t.Fatalf("lag metric %v; want one for each of the %d partitions", lags, len(ends))
	}
	for _, s := range lags.Metric {
		if s.Gauge.GetValue() != 0 {
			t.Errorf("partition %s: lag %v after the drain; want 0", s.Label[0].GetValue(), s.Gauge.GetValue())
		}
	}
	for _, e := range ends {
		if hwm, _ := value(fams, "hongbao_ingest_high_watermark", map[string]string{"partition": fmt.Sprint(e.Partition)}); int64(hwm) != e.Next {
			t.Errorf("partition %d: high watermark %v, the lake ends at %d", e.Partition, hwm, e.Next)
		}
	}
	if commits, _ := value(fams, "hongbao_ingest_commits_total", nil); int64(commits) != sum.Commits || commits == 0 {
		t.Errorf("commits: metric %v, summary %d", commits, sum.Commits)
	}
	if n, _ := value(fams, "hongbao_ingest_commit_duration_seconds", nil); int64(n) != sum.Commits {
		t.Errorf("commit durations observed %v, commits %d", n, sum.Commits)
	}
	if bytes, _ := value(fams, "hongbao_ingest_lake_bytes_written_total", nil); bytes < 1000 {
		t.Errorf("bytes written %v; want the Parquet files' sizes", bytes)
	}
	snap := m.Snapshot()
	if snap.Read != st.Messages || snap.Lag != 0 || snap.Quarantined != int64(len(refused)) {
		t.Errorf("snapshot %+v; want %d read, lag 0, %d quarantined", snap, st.Messages, len(refused))
	}
}

// BenchmarkObserverCost ingests one topic into new lakes without an observer and with
// the metrics as observer, in turns, to show what the metrics cost the ingester.
func BenchmarkObserverCost(b *testing.B) {
	ctx := context.Background()
	dir := b.TempDir()
	br, st := startTopic(b, dir, 0.003)
	total := st.Messages
	run := 0
	for _, observed := range []bool{false, true} {
		b.Run(fmt.Sprintf("metrics=%v", observed), func(b *testing.B) {
			for b.Loop() {
				run++
				lakeDir := filepath.Join(dir, fmt.Sprintf("run%d", run))
				cfg := ingest.Config{Brokers: []string{br.Addr()}, Topic: broker.DefaultTopic,
					Group: fmt.Sprintf("bench%d", run), Dir: lakeDir, StopAfter: total}
				if observed {
					m := metrics.New(lakeDir)
					cfg.Observer, cfg.Consumed = m, &m.Read
				}
				rctx, cancel := context.WithTimeout(ctx, 5*time.Minute)
				sum, err := ingest.Run(rctx, cfg)
				cancel()
				if err != nil || sum.Messages != total {
					b.Fatalf("read %v of %d: %v", sum, total, err)
				}
			}
			b.ReportMetric(float64(total)*float64(b.N)/b.Elapsed().Seconds(), "events/s")
		})
	}
}
