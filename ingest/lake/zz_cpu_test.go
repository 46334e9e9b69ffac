package lake

import (
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"time"
)

func cpuTime() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

func BenchmarkZZCPU(b *testing.B) {
	n := 100_000
	evs := benchGrabs(n)
	dir := b.TempDir()
	l := openLake(b, dir)
	w := l.NewPartitionWriter(topic, 0)
	defer w.Release()
	var offset int64
	c0 := cpuTime()
	var size int64
	for b.Loop() {
		for i := range evs {
			w.Append(offset, &evs[i])
			offset++
		}
		c, err := w.Commit()
		if err != nil {
			b.Fatal(err)
		}
		st, _ := os.Stat(filepath.Join(dir, "lake", "grabs", c.Files[0].File))
		size = st.Size()
	}
	cpu := cpuTime() - c0
	b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "events/s")
	b.ReportMetric(float64(n)*float64(b.N)/cpu.Seconds(), "events/cpu-s")
	b.ReportMetric(float64(size)/float64(n), "B/event")
}
