package lake

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/apache/arrow-go/v18/parquet/file"
	"github.com/apache/arrow-go/v18/parquet/pqarrow"

	"github.com/hongbao/hongbao/ingest/events"
	"github.com/hongbao/hongbao/internal/locale"
)

const topic = "hongbao.events"

// at is minute m after midnight of the 2014 Spring Festival eve, Beijing time.
func at(m int) time.Time {
	return time.Date(2014, 1, 31, 0, 0, 0, 0, locale.Zone).Add(time.Duration(m) * time.Minute)
}

func openLake(t testing.TB, dir string) *Lake {
	t.Helper()
	l, err := Open(dir)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	return l
}

// newLake opens a lake in a fresh folder.
func newLake(t testing.TB) (dir string, l *Lake) {
	t.Helper()
	dir = t.TempDir()
	return dir, openLake(t, dir)
}

// newLakeWriter opens a lake in a fresh folder and a writer of topic's partition in it.
func newLakeWriter(t testing.TB, partition int) (dir string, l *Lake, w *PartitionWriter) {
	t.Helper()
	dir, l = newLake(t)
	return dir, l, l.NewPartitionWriter(topic, partition)
}

func sent(id string, ts time.Time, shares int32, total int64) events.Event {
	return events.Event{EventID: "e-" + id, Type: events.EnvelopeSent, TS: ts, EnvelopeID: id,
		SenderID: "u-sender", ChatID: "c-1", Kind: events.KindLucky, TotalFen: total, Shares: shares}
}

func grab(eventID, envelope string, ts time.Time, amount int64) events.Event {
	e := events.Event{EventID: eventID, Type: events.EnvelopeGrabbed, TS: ts, EnvelopeID: envelope,
		UserID: "u-" + eventID, Outcome: events.OutcomeClaimed, AmountFen: amount}
	if amount == 0 {
		e.Outcome = events.OutcomeMissed
	}
	return e
}

// appendRange appends one grab per offset in [first, last] and one envelope at first.
func appendRange(w *PartitionWriter, first, last int64) {
	e := sent("env", at(0), 3, 300)
	w.Append(first, &e)
	for o := first + 1; o <= last; o++ {
		g := grab("g", "env", at(int(o)), 1)
		w.Append(o, &g)
	}
}

// commitRange appends offsets first..last as appendRange does and commits them.
func commitRange(t testing.TB, w *PartitionWriter, first, last int64) *Commit {
	t.Helper()
	appendRange(w, first, last)
	c, err := w.Commit()
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// crashCommit commits what w holds as a process that dies after step would, and
// releases w as the dead process's lock goes.
func crashCommit(t testing.TB, w *PartitionWriter, step commitStep) {
	t.Helper()
	w.stopAfter = step
	if _, err := w.Commit(); !errors.Is(err, errStopped) {
		t.Fatalf("commit stopped after step %d: %v", step, err)
	}
	w.Release()
}

// commitBadGrabs commits, as the build before validation of UTF-8 did, an envelope and
// four grabs at offsets 0-4 of partition 0, the grab at offset 2 with a user id that is
// not UTF-8, and a quarantined message at offset 5. It returns the marker.
func commitBadGrabs(t *testing.T, l *Lake) *Commit {
	t.Helper()
	w := l.NewPartitionWriter(topic, 0)
	defer w.Release()
	e := sent("env", at(0), 4, 400)
	w.Append(0, &e)
	for o := int64(1); o <= 4; o++ {
		g := grab("g"+string(rune('0'+o)), "env", at(int(o)), 10*o)
		if o == 2 {
			g.UserID = "u-\xff\xfe"
		}
		w.Append(o, &g)
	}
	w.Quarantine(QuarantineRecord{Offset: 5, Raw: []byte("{"), Reason: events.ReasonNotJSON, Detail: "not JSON"})
	c, err := w.Commit()
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// readFile reads a whole Parquet file back with pqarrow; the table is released when
// the test ends.
func readFile(t testing.TB, path string) arrow.Table {
	t.Helper()
	rdr, err := file.OpenParquetFile(path, false)
	if err != nil {
		t.Fatalf("open %s: %v", path, err)
	}
	defer rdr.Close()
	fr, err := pqarrow.NewFileReader(rdr, pqarrow.ArrowReadProperties{}, memory.DefaultAllocator)
	if err != nil {
		t.Fatalf("read %s: %v", path, err)
	}
	tbl, err := fr.ReadTable(context.Background())
	if err != nil {
		t.Fatalf("read %s: %v", path, err)
	}
	t.Cleanup(tbl.Release)
	return tbl
}

// column returns a table's column by name as one array, released when the test ends.
func column(t testing.TB, tbl arrow.Table, name string) arrow.Array {
	t.Helper()
	idx := tbl.Schema().FieldIndices(name)
	if len(idx) != 1 {
		t.Fatalf("no column %s", name)
	}
	chunks := tbl.Column(idx[0]).Data().Chunks()
	arr, err := array.Concatenate(chunks, memory.DefaultAllocator)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(arr.Release)
	return arr
}

// fileColumns reads the Parquet file at path, as readFile, and returns the named
// columns by name, as column; it fails the test when the file lacks one.
func fileColumns(t testing.TB, path string, names ...string) map[string]arrow.Array {
	t.Helper()
	tbl := readFile(t, path)
	cols := make(map[string]arrow.Array, len(names))
	for _, name := range names {
		cols[name] = column(t, tbl, name)
	}
	return cols
}

// sumInt64 adds the non-null values of an int64 column.
func sumInt64(t testing.TB, tbl arrow.Table, name string) int64 {
	t.Helper()
	var s int64
	a := column(t, tbl, name).(*array.Int64)
	for i := 0; i < a.Len(); i++ {
		if a.IsValid(i) {
			s += a.Value(i)
		}
	}
	return s
}

// lakeFiles lists the names in a table folder that match the readers' glob, and
// everything else.
func lakeFiles(t testing.TB, dir, table string) (parquet, other []string) {
	t.Helper()
	glob, err := filepath.Glob(filepath.Join(dir, "lake", table, "*.parquet"))
	if err != nil {
		t.Fatal(err)
	}
	for _, g := range glob {
		parquet = append(parquet, filepath.Base(g))
	}
	entries, err := os.ReadDir(filepath.Join(dir, "lake", table))
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if m, _ := filepath.Match("*.parquet", e.Name()); !m {
			other = append(other, e.Name())
		}
	}
	return parquet, other
}

// maintain begins a maintenance session of l (recovering what a crash left) or fails t.
func maintain(t testing.TB, l *Lake) *Maintenance {
	t.Helper()
	m, err := l.BeginMaintenance()
	if err != nil {
		t.Fatal(err)
	}
	return m
}
