package metrics_test

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/hongbao/hongbao/ingest"
	"github.com/hongbao/hongbao/ingest/broker"
	"github.com/hongbao/hongbao/ingest/metrics"
)

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
