package ingest_test

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/hongbao/hongbao/ingest"
)

// BenchmarkIngest measures events/s from Kafka (the embedded broker, in process) to
// durable Parquet in the lake: each iteration reads the whole topic into a new lake.
// The topic is produced once, before the timer starts. Scale with -args.
func BenchmarkIngest(b *testing.B) {
	dir := b.TempDir()
	br := startBroker(b, filepath.Join(dir, "broker"))
	st := produceWorld(b, br.Addr(), 0.003, 1)
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		lakeDir := filepath.Join(dir, fmt.Sprintf("run%d", i))
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
		var read readCount
		go func() {
			read.wait(ctx, st.Messages)
			cancel()
		}()
		sum, err := ingest.Run(ctx, ingest.Config{Brokers: []string{br.Addr()}, Topic: topic,
			Group: fmt.Sprintf("bench%d", i), Dir: lakeDir, OnConsumed: read.add})
		cancel()
		if err != nil {
			b.Fatal(err)
		}
		if sum.Messages != st.Messages {
			b.Fatalf("read %d of %d", sum.Messages, st.Messages)
		}
	}
	b.ReportMetric(float64(st.Messages)*float64(b.N)/b.Elapsed().Seconds(), "events/s")
}
