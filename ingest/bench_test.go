package ingest_test

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/hongbao/hongbao/ingest"
	"github.com/hongbao/hongbao/internal/testtopic"
)

// The stages of BenchmarkIngest have benchmarks of their own, so that a regression
// shows where: BenchmarkConsume below (Kafka fetch and message framing),
// events.BenchmarkDecode (decode and validate one message), lake.BenchmarkAppend
// (Arrow building) and lake.BenchmarkCommit (zstd Parquet, fsync, marker).

// BenchmarkConsume measures the consume stage alone: the ingester's partition reader
// fetching every message of the topic from the embedded broker, nothing done with
// them. Partitions are read one after the other, so it is one core's rate.
func BenchmarkConsume(b *testing.B) {
	dir := b.TempDir()
	br := testtopic.Broker(b, filepath.Join(dir, "broker"))
	st := testtopic.Produce(b, br.Addr(), 0.003, 1)
	ranges, _, err := ingest.TopicRanges(context.Background(), []string{br.Addr()}, topic)
	if err != nil {
		b.Fatal(err)
	}
	var bytes int64
	b.ResetTimer()
	for b.Loop() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
		var msgs int64
		bytes = 0
		for p := range ranges {
			n, nb, err := ingest.ReadAll(ctx, []string{br.Addr()}, topic, p)
			if err != nil {
				cancel()
				b.Fatal(err)
			}
			msgs += n
			bytes += nb
		}
		cancel()
		if msgs != st.Messages {
			b.Fatalf("read %d of %d", msgs, st.Messages)
		}
	}
	b.SetBytes(bytes)
	b.ReportMetric(float64(st.Messages)*float64(b.N)/b.Elapsed().Seconds(), "events/s")
}

// BenchmarkIngest measures events/s from Kafka (the embedded broker, in process) to
// durable Parquet in the lake: each iteration reads the whole topic into a new lake.
// The topic is produced once, before the timer starts. Scale with -args.
func BenchmarkIngest(b *testing.B) {
	dir := b.TempDir()
	br := testtopic.Broker(b, filepath.Join(dir, "broker"))
	st := testtopic.Produce(b, br.Addr(), 0.003, 1)
	var reading time.Duration
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
		reading += sum.Reading
	}
	b.ReportMetric(float64(st.Messages)*float64(b.N)/b.Elapsed().Seconds(), "events/s")
	// The rate from each run's first message to its last, as 'hongbao ingest' prints
	// it: without the group's join and the last commit.
	b.ReportMetric(float64(st.Messages)*float64(b.N)/reading.Seconds(), "events/s-reading")
}
