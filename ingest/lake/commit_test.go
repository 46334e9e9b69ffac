package lake

import (
	"errors"
	"os"
	"syscall"
	"testing"
)

// TestSealPipeline seals batches on one goroutine and commits them on another, as an
// ingester overlapping decoding with writing does.
func TestSealPipeline(t *testing.T) {
	l := openLake(t, t.TempDir())
	w := l.NewPartitionWriter(topic, 1)
	batches := make(chan *Batch, 2)
	done := make(chan error)
	go func() {
		var first error
		for b := range batches {
			if _, err := b.Commit(); err != nil && first == nil {
				first = err
			}
		}
		done <- first
	}()
	var offset, sum int64
	for range 5 {
		for i := range 1000 {
			g := grab("g", "env", at(i), int64(i%100+1))
			w.Append(offset, &g)
			offset++
			sum += int64(i%100 + 1)
		}
		batches <- w.Seal()
	}
	if w.Seal() != nil {
		t.Error("Seal with nothing pending is not nil")
	}
	close(batches)
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	w.Release()

	all, err := l.Commits()
	if err != nil {
		t.Fatal(err)
	}
	var rows, got int64
	for i, c := range all {
		if c.FirstOffset != int64(i)*1000 || c.LastOffset != int64(i)*1000+999 {
			t.Errorf("commit %d covers %d-%d", i, c.FirstOffset, c.LastOffset)
		}
		f, _ := c.File("grabs")
		rows += f.Rows
		got += f.SumFen
	}
	if len(all) != 5 || rows != 5000 || got != sum {
		t.Errorf("%d commits, %d rows, sum %d; want 5, 5000, %d", len(all), rows, got, sum)
	}
	if next, ok := l.NextOffset(topic, 1); !ok || next != 5000 {
		t.Errorf("NextOffset = %d, %v", next, ok)
	}
}

// TestSealOutOfOrder: a later batch committed before an earlier one would let the
// markers skip the earlier rows; both are refused.
func TestSealOutOfOrder(t *testing.T) {
	l := openLake(t, t.TempDir())
	w := l.NewPartitionWriter(topic, 0)
	defer w.Release()
	appendRange(w, 0, 4)
	b1 := w.Seal()
	appendRange(w, 5, 9)
	b2 := w.Seal()
	if _, err := b2.Commit(); !errors.Is(err, ErrAborted) {
		t.Errorf("second batch first: %v, want ErrAborted", err)
	}
	if _, err := b1.Commit(); !errors.Is(err, ErrAborted) {
		t.Errorf("first batch after that: %v, want ErrAborted", err)
	}
	if _, ok := l.NextOffset(topic, 0); ok {
		t.Error("something was committed")
	}
}

// TestFileErrorNamesThePathOnce: a failed write on a full disk read "lake: write P:
// write P: no space left on device"; the os error already names the file.
func TestFileErrorNamesThePathOnce(t *testing.T) {
	const p = "/lake/grabs/.f.parquet.tmp"
	full := &os.PathError{Op: "write", Path: p, Err: syscall.ENOSPC}
	if got, want := fileError("write", p, full).Error(), "lake: write "+p+": no space left on device"; got != want {
		t.Errorf("fileError = %q, want %q", got, want)
	}
	if err := fileError("write", p, full); !errors.Is(err, syscall.ENOSPC) {
		t.Errorf("fileError loses the cause: %v", err)
	}
	if got, want := fileError("write", p, errors.New("parquet: bad page")).Error(), "lake: write "+p+": parquet: bad page"; got != want {
		t.Errorf("fileError = %q, want %q", got, want)
	}
}
