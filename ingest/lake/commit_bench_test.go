package lake

import (
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/hongbao/hongbao/ingest/events"
)

// benchGrabs makes n grabs shaped like the simulator's on one partition: event ids
// from a counter in base 36 after the run's prefix (the partition's share of them, so
// with gaps), about ten grabs per envelope, users drawn from a million, one in five a
// miss, a few milliseconds apart.
func benchGrabs(n int) []events.Event {
	r := rand.New(rand.NewPCG(1, 2))
	ts := time.Date(2014, 1, 30, 16, 0, 0, 0, time.UTC)
	evs := make([]events.Event, n)
	var seq uint64
	for i := range evs {
		seq += 1 + r.Uint64N(8)
		ts = ts.Add(time.Duration(r.IntN(6_000)) * time.Microsecond)
		e := events.Event{
			EventID:    "s1jy-" + strconv.FormatUint(seq, 36),
			Type:       events.EnvelopeGrabbed,
			TS:         ts,
			EnvelopeID: "s1jy-env-" + strconv.FormatUint(uint64(i/10), 36),
			UserID:     "u" + strconv.Itoa(r.IntN(1_000_000)),
			Outcome:    events.OutcomeClaimed,
			AmountFen:  1 + r.Int64N(20_000),
		}
		if r.IntN(5) == 0 {
			e.Outcome, e.AmountFen = events.OutcomeMissed, 0
		}
		evs[i] = e
	}
	return evs
}

// BenchmarkCommit appends batches of grabs and commits each one durably (zstd Parquet,
// fsync, marker, renames), the lake writer's whole share of the ingester's work. Beside
// events/s (wall time) it reports events per CPU-second of the whole process, which is
// what the ingester's budget of two cores is spent in, and the file size per event.
func BenchmarkCommit(b *testing.B) {
	for _, n := range []int{10_000, 100_000} {
		b.Run(fmt.Sprintf("batch=%d", n), func(b *testing.B) {
			evs := benchGrabs(n)
			dir := b.TempDir()
			l := openLake(b, dir)
			w := l.NewPartitionWriter(topic, 0)
			defer w.Release()
			var offset, bytes int64
			b.ReportAllocs()
			cpu0, cpuOK := cpuTime()
			for b.Loop() {
				for i := range evs {
					w.Append(offset, &evs[i])
					offset++
				}
				c, err := w.Commit()
				if err != nil {
					b.Fatal(err)
				}
				st, err := os.Stat(filepath.Join(dir, "lake", "grabs", c.Files[0].File))
				if err != nil {
					b.Fatal(err)
				}
				bytes += st.Size()
			}
			events := float64(n) * float64(b.N)
			b.ReportMetric(events/b.Elapsed().Seconds(), "events/s")
			if cpu1, ok := cpuTime(); ok && cpuOK {
				b.ReportMetric(events/(cpu1-cpu0).Seconds(), "events/cpu-s")
			}
			b.ReportMetric(float64(bytes)/events, "file-B/event")
		})
	}
}

// BenchmarkAppend measures appending alone, without writing files.
func BenchmarkAppend(b *testing.B) {
	evs := benchGrabs(100_000)
	l := openLake(b, b.TempDir())
	w := l.NewPartitionWriter(topic, 0)
	defer w.Release()
	b.ReportAllocs()
	var offset int64
	for b.Loop() {
		for i := range evs {
			w.Append(offset, &evs[i])
			offset++
		}
		w.discard()
	}
	b.ReportMetric(float64(len(evs))*float64(b.N)/b.Elapsed().Seconds(), "events/s")
}
