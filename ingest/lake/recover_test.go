package lake

import (
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/hongbao/hongbao/ingest/events"
)

func TestNextOffsetAcrossCommitsAndPartitions(t *testing.T) {
	dir, l := newLake(t)
	if _, ok := l.NextOffset(topic, 0); ok {
		t.Fatal("NextOffset of an empty lake is ok")
	}
	w0 := l.NewPartitionWriter(topic, 0)
	w1 := l.NewPartitionWriter(topic, 1)
	other := l.NewPartitionWriter("other-topic", 0)
	for _, r := range [][2]int64{{0, 9}, {10, 19}, {25, 30}} { // a gap between 19 and 25
		commitRange(t, w0, r[0], r[1])
	}
	commitRange(t, w1, 5, 7)
	commitRange(t, other, 1000, 1001)
	if c, err := w1.Commit(); c != nil || err != nil {
		t.Errorf("Commit with nothing pending = %v, %v", c, err)
	}
	w0.Release()
	w1.Release()
	other.Release()

	l = openLake(t, dir) // a restarted ingester
	for _, c := range []struct {
		topic     string
		partition int
		next      int64
		ok        bool
	}{{topic, 0, 31, true}, {topic, 1, 8, true}, {topic, 2, 0, false}, {"other-topic", 0, 1002, true}, {"nope", 0, 0, false}} {
		next, ok := l.NextOffset(c.topic, c.partition)
		if next != c.next || ok != c.ok {
			t.Errorf("NextOffset(%s, %d) = %d, %v; want %d, %v", c.topic, c.partition, next, ok, c.next, c.ok)
		}
	}
	all, err := l.Commits()
	if err != nil {
		t.Fatal(err)
	}
	if len(all) != 5 || all[0].Topic != topic || all[2].FirstOffset != 25 || all[4].Topic != "other-topic" {
		t.Errorf("Commits() order: %+v", all)
	}
	var grabs int64
	for _, c := range all {
		if f, ok := c.File("grabs"); ok {
			grabs += f.Rows
		}
	}
	if grabs != 9+9+5+2+1 {
		t.Errorf("grabs over all commits = %d", grabs)
	}
}

// TestCommitOverlap: a writer that read offsets another writer already committed (a
// stale owner after a rebalance) must not store them twice.
func TestCommitOverlap(t *testing.T) {
	dir, l, w := newLakeWriter(t, 0)
	commitRange(t, w, 0, 9)
	w.Release()

	stale := l.NewPartitionWriter(topic, 0)
	appendRange(stale, 5, 12)
	if _, err := stale.Commit(); !errors.Is(err, ErrOverlap) {
		t.Fatalf("Commit of offsets 5-12 over 0-9: %v, want ErrOverlap", err)
	}
	if stale.Pending() != 0 {
		t.Errorf("Pending after a failed commit = %d", stale.Pending())
	}
	if next, _ := l.NextOffset(topic, 0); next != 10 {
		t.Errorf("NextOffset = %d, want 10", next)
	}
	appendRange(stale, 10, 12)
	if _, err := stale.Commit(); !errors.Is(err, ErrAborted) {
		t.Fatalf("Commit after a failed one: %v, want ErrAborted", err)
	}
	stale.Release()
	fresh := l.NewPartitionWriter(topic, 0) // resumed at NextOffset
	defer fresh.Release()
	appendRange(fresh, 10, 12)
	if _, err := fresh.Commit(); err != nil {
		t.Fatal(err)
	}
	names, other := lakeFiles(t, dir, "grabs")
	if len(names) != 2 || len(other) != 0 {
		t.Errorf("grabs folder: %v %v", names, other)
	}
}

// TestRecoverRollForward: a crash after the marker, before the renames. Open renames
// the files into place and NextOffset counts the commit.
func TestRecoverRollForward(t *testing.T) {
	dir, _, w := newLakeWriter(t, 2)
	commitRange(t, w, 0, 4)
	appendRange(w, 5, 9)
	q := QuarantineRecord{Offset: 10, Raw: []byte("x"), Reason: events.ReasonNotJSON}
	w.Quarantine(q)
	crashCommit(t, w, stepMarked)

	name := dataName(topic, 2, 5, 10)
	for _, table := range []string{"envelopes", "grabs", "quarantine"} {
		if _, err := os.Stat(filepath.Join(dir, "lake", table, tmpName(name))); err != nil {
			t.Fatalf("before recovery: %v", err)
		}
		if names, _ := lakeFiles(t, dir, table); len(names) > 1 {
			t.Fatalf("before recovery %s holds %v", table, names)
		}
	}

	l := openLake(t, dir)
	for _, table := range []string{"envelopes", "grabs", "quarantine"} {
		names, other := lakeFiles(t, dir, table)
		if len(other) != 0 || names[len(names)-1] != name {
			t.Errorf("after recovery %s holds %v and %v", table, names, other)
		}
	}
	tbl := readFile(t, filepath.Join(dir, "lake", "grabs", name))
	if tbl.NumRows() != 4 || sumInt64(t, tbl, "amount_fen") != 4 {
		t.Errorf("recovered grabs: %d rows", tbl.NumRows())
	}
	if next, ok := l.NextOffset(topic, 2); !ok || next != 11 {
		t.Errorf("NextOffset = %d, %v; want 11", next, ok)
	}
}

// TestRecoverPartialRename: a crash in the middle of the renames; the files already
// renamed stay, the others follow.
func TestRecoverPartialRename(t *testing.T) {
	dir, _, w := newLakeWriter(t, 0)
	c := commitRange(t, w, 0, 4)
	w.Release()
	gdir := filepath.Join(dir, "lake", "grabs")
	name := c.Files[1].File
	if err := os.Rename(filepath.Join(gdir, name), filepath.Join(gdir, tmpName(name))); err != nil {
		t.Fatal(err)
	}
	openLake(t, dir)
	if names, other := lakeFiles(t, dir, "grabs"); len(names) != 1 || len(other) != 0 {
		t.Errorf("grabs after recovery: %v %v", names, other)
	}
}

// TestRecoverRollBack: a crash before the marker. Open deletes the files, the
// offsets are not committed, and the range is written again after the restart.
func TestRecoverRollBack(t *testing.T) {
	dir, _, w := newLakeWriter(t, 0)
	commitRange(t, w, 0, 4)
	appendRange(w, 5, 9)
	crashCommit(t, w, stepStaged)
	// A marker half written: never renamed.
	stray := filepath.Join(dir, "lake", "_commits", topic, "p000", tmpName(markerName(5, 9)))
	if err := os.WriteFile(stray, []byte("{"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, other := lakeFiles(t, dir, "grabs"); len(other) != 1 {
		t.Fatalf("before recovery grabs holds %v", other)
	}

	l := openLake(t, dir)
	for _, table := range []string{"envelopes", "grabs"} {
		if names, other := lakeFiles(t, dir, table); len(names) != 1 || len(other) != 0 {
			t.Errorf("after recovery %s holds %v and %v", table, names, other)
		}
	}
	if _, err := os.Stat(stray); !os.IsNotExist(err) {
		t.Errorf("the unfinished marker is still there: %v", err)
	}
	next, ok := l.NextOffset(topic, 0)
	if !ok || next != 5 {
		t.Fatalf("NextOffset = %d, %v; want 5", next, ok)
	}
	w = l.NewPartitionWriter(topic, 0)
	defer w.Release()
	appendRange(w, next, 9)
	if _, err := w.Commit(); err != nil {
		t.Fatal(err)
	}
	var rows int64
	for _, n := range func() []string { n, _ := lakeFiles(t, dir, "grabs"); return n }() {
		tbl := readFile(t, filepath.Join(dir, "lake", "grabs", n))
		rows += tbl.NumRows()
	}
	if rows != 8 {
		t.Errorf("grabs rows after the replay = %d, want 8 (no loss, no duplicates)", rows)
	}
}

// TestRecoverSkipsLockedPartition: Open in one process must not delete the
// temporary files of a partition another writer is committing.
func TestRecoverSkipsLockedPartition(t *testing.T) {
	dir, _, w := newLakeWriter(t, 0)
	commitRange(t, w, 0, 4) // w now holds the partition's lock
	inflight := filepath.Join(dir, "lake", "grabs", tmpName(dataName(topic, 0, 5, 9)))
	if err := os.WriteFile(inflight, []byte("being written"), 0o644); err != nil {
		t.Fatal(err)
	}
	openLake(t, dir)
	if _, err := os.Stat(inflight); err != nil {
		t.Fatalf("Open removed a live writer's file: %v", err)
	}
	w.Release()
	openLake(t, dir)
	if _, err := os.Stat(inflight); !os.IsNotExist(err) {
		t.Fatalf("Open kept an orphan file: %v", err)
	}
}

func TestInvalidTopic(t *testing.T) {
	l := openLake(t, t.TempDir())
	for _, name := range []string{"", "../x", "a/b", ".hidden"} {
		w := l.NewPartitionWriter(name, 0)
		appendRange(w, 0, 1)
		if _, err := w.Commit(); !errors.Is(err, ErrInvalidTopic) {
			t.Errorf("Commit to topic %q: %v", name, err)
		}
		w.Release()
		if _, _, err := l.ResumeOffset(name, 0); !errors.Is(err, ErrInvalidTopic) {
			t.Errorf("ResumeOffset of topic %q: %v", name, err)
		}
	}
}

func TestParseTmpDataName(t *testing.T) {
	name := tmpName(dataName("my-topic-x", 12, 7, 1234))
	topic, p, first, last, ok := parseTmpDataName(name)
	if !ok || topic != "my-topic-x" || p != 12 || first != 7 || last != 1234 {
		t.Errorf("parseTmpDataName(%q) = %q %d %d %d %v", name, topic, p, first, last, ok)
	}
	for _, bad := range []string{"x.parquet", ".x.parquet.tmp", ".t-p1-2.parquet.tmp", ".t-q001-1-2.parquet.tmp"} {
		if _, _, _, _, ok := parseTmpDataName(bad); ok {
			t.Errorf("parseTmpDataName(%q) ok", bad)
		}
	}
}

// TestCommitLocked: a second writer of a partition waits for the first, and gives up
// after LockWait.
func TestCommitLocked(t *testing.T) {
	l := openLake(t, t.TempDir())
	l.LockWait = 50 * time.Millisecond
	a := l.NewPartitionWriter(topic, 0)
	appendRange(a, 0, 4)
	if _, err := a.Commit(); err != nil {
		t.Fatal(err)
	}
	b := l.NewPartitionWriter(topic, 0)
	defer b.Release()
	appendRange(b, 5, 9)
	if _, err := b.Commit(); !errors.Is(err, ErrLocked) {
		t.Fatalf("Commit while another writer holds the partition: %v, want ErrLocked", err)
	}
	a.Release()
	c := l.NewPartitionWriter(topic, 0)
	defer c.Release()
	appendRange(c, 5, 9)
	if _, err := c.Commit(); err != nil {
		t.Fatalf("Commit after the holder released: %v", err)
	}
}

// TestCommitDisorderedOffsets: offsets that go backwards would make a marker whose
// range means nothing; the commit is refused.
func TestCommitDisorderedOffsets(t *testing.T) {
	l := openLake(t, t.TempDir())
	w := l.NewPartitionWriter(topic, 0)
	defer w.Release()
	appendRange(w, 10, 12)
	appendRange(w, 5, 6)
	if _, err := w.Commit(); err == nil {
		t.Fatal("Commit of offsets out of order succeeded")
	}
	if _, ok := l.NextOffset(topic, 0); ok {
		t.Error("something was committed")
	}
}
