package lake

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hongbao/hongbao/ingest/events"
)

// TestMarkerSyncFailureKeepsFiles: the marker took its name but the folder sync
// failed. The commit may be durable, so its files must stay, and the next start
// rolls it forward: a marker never outlives its data files.
func TestMarkerSyncFailureKeepsFiles(t *testing.T) {
	dir, _, w := newLakeWriter(t, 1)
	appendRange(w, 0, 4)
	markers := filepath.Join(dir, "lake", commitsFolder, topic, partitionFolder(1))
	syncDirFault = func(d string) error {
		if d == markers {
			if _, err := os.Stat(filepath.Join(d, markerName(0, 4))); err == nil {
				return errors.New("injected: the disk refused to sync")
			}
		}
		return nil
	}
	_, err := w.Commit()
	syncDirFault = nil
	if !errors.Is(err, errMarkerInDoubt) {
		t.Fatalf("Commit = %v, want a marker in doubt", err)
	}
	w.Release()
	for _, table := range []string{"envelopes", "grabs"} {
		if _, err := os.Stat(filepath.Join(dir, "lake", table, tmpName(dataName(topic, 1, 0, 4)))); err != nil {
			t.Fatalf("%s: the staged file is gone while its marker stays: %v", table, err)
		}
	}
	l := openLake(t, dir)
	for _, table := range []string{"envelopes", "grabs"} {
		if names, other := lakeFiles(t, dir, table); len(names) != 1 || len(other) != 0 {
			t.Errorf("%s after recovery: %v %v", table, names, other)
		}
	}
	if next, ok := l.NextOffset(topic, 1); !ok || next != 5 {
		t.Errorf("NextOffset = %d, %v; want 5", next, ok)
	}
}

// TestOwnBeforeReading: Own takes the lock and recovers before anything is read, so
// a second writer of the partition waits for the first to let go, then sees its
// commit.
func TestOwnBeforeReading(t *testing.T) {
	_, l := newLake(t)
	l.LockWait = 0
	a := l.NewPartitionWriter(topic, 0)
	if _, ok, err := a.Own(); err != nil || ok {
		t.Fatalf("Own on an empty partition = %v, %v", ok, err)
	}
	b := l.NewPartitionWriter(topic, 0)
	if _, _, err := b.Own(); !errors.Is(err, ErrLocked) {
		t.Fatalf("a second Own = %v, want ErrLocked", err)
	}
	b.Release()
	appendRange(a, 0, 9)
	if _, err := a.Commit(); err != nil {
		t.Fatal(err)
	}
	a.Release()
	c := l.NewPartitionWriter(topic, 0)
	defer c.Release()
	if next, ok, err := c.Own(); err != nil || !ok || next != 10 {
		t.Fatalf("Own after the first writer = %d, %v, %v; want 10", next, ok, err)
	}
}

// TestEndsRecordTopicID: markers record the topic id, and Ends reports it with
// where each partition ends.
func TestEndsRecordTopicID(t *testing.T) {
	_, l := newLake(t)
	for p, last := range map[int]int64{0: 4, 2: 9} {
		w := l.NewPartitionWriter(topic, p)
		w.SetTopicID("0f1e2d3c-0000-4000-8000-000000000001")
		appendRange(w, 0, last)
		if _, err := w.Commit(); err != nil {
			t.Fatal(err)
		}
		w.Release()
	}
	ends, err := l.Ends(topic)
	if err != nil {
		t.Fatal(err)
	}
	if len(ends) != 2 || ends[0].Partition != 0 || ends[0].Next != 5 || ends[1].Partition != 2 || ends[1].Next != 10 {
		t.Fatalf("Ends = %+v", ends)
	}
	for _, e := range ends {
		if e.TopicID != "0f1e2d3c-0000-4000-8000-000000000001" {
			t.Errorf("partition %d: topic id %q", e.Partition, e.TopicID)
		}
	}
	if ends, err := l.Ends("other.topic"); err != nil || len(ends) != 0 {
		t.Errorf("Ends of a topic never written = %v, %v", ends, err)
	}
}

// TestHeldOffsets: a held offset is inside the batch's range and gets its row at
// the end, in the table decided then.
func TestHeldOffsets(t *testing.T) {
	_, l, w := newLakeWriter(t, 0)
	defer w.Release()
	g := grab("g-held", "env-late", at(1), 300)
	w.Hold(0)
	e := sent("env-late", at(0), 2, 500)
	w.Append(1, &e)
	w.Hold(2)
	w.AppendHeld(0, &g)
	w.QuarantineHeld(QuarantineRecord{Offset: 2, Raw: []byte(`{"x":1}`), Reason: events.ReasonUnknownEnvelope, Detail: "no envelope"})
	c, err := w.Commit()
	if err != nil {
		t.Fatal(err)
	}
	if c.FirstOffset != 0 || c.LastOffset != 2 {
		t.Fatalf("commit covers %d-%d, want 0-2", c.FirstOffset, c.LastOffset)
	}
	for table, rows := range map[string]int64{"grabs": 1, "envelopes": 1, "quarantine": 1} {
		if f, ok := c.File(table); !ok || f.Rows != rows {
			t.Errorf("%s: %+v", table, f)
		}
	}
	var ids []string
	if err := l.RecentEventIDs(topic, 0, 10, func(id string, off int64) { ids = append(ids, id+"@"+string(rune('0'+off))) }); err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(ids, ","); !strings.Contains(got, "e-env-late@1") || !strings.Contains(got, "g-held@0") || len(ids) != 2 {
		t.Errorf("RecentEventIDs = %s", got)
	}
}

// failSyncOnceHolds makes the next sync of folder d fail once name is in it: the
// rename of a marker or record happened, its durability did not.
func failSyncOnceHolds(t *testing.T, d, name string) {
	t.Cleanup(func() { syncDirFault = nil })
	syncDirFault = func(dir string) error {
		if dir != d {
			return nil
		}
		if _, err := os.Stat(filepath.Join(d, name)); err != nil {
			return nil
		}
		syncDirFault = nil
		return errors.New("injected: the disk refused to sync")
	}
}

// TestReplayMarkerSyncFailureKeepsFiles: a replay marker in place but not known to be
// durable keeps its staged files and its number, and the next session rolls it forward.
func TestReplayMarkerSyncFailureKeepsFiles(t *testing.T) {
	dir, l := newLake(t)
	m := maintain(t, l)
	failSyncOnceHolds(t, filepath.Join(dir, "lake", ReplayFolder), replayMarkerName(1))
	g := grab("g9", "env9", at(2), 150)
	b := m.NewReplayBatch(topic, 3)
	b.Append(9, &g, events.ReasonUnknownEnvelope)
	if _, err := b.Commit(); !errors.Is(err, errMarkerInDoubt) {
		t.Fatalf("Commit = %v, want a marker in doubt", err)
	}
	b.Release()
	staged := filepath.Join(dir, "lake", "grabs", tmpName(replayDataName(1, topic, 3)))
	if _, err := os.Stat(staged); err != nil {
		t.Fatalf("the staged grabs file is gone while its marker stays: %v", err)
	}
	b = m.NewReplayBatch(topic, 3)
	b.Append(11, &g, events.ReasonUnknownEnvelope)
	c, err := b.Commit()
	b.Release()
	m.Close()
	if err != nil || c.Seq != 2 {
		t.Fatalf("the commit after the doubt = %+v, %v; want SEQ 2", c, err)
	}

	m = maintain(t, l) // rolls replay 1 forward
	m.Close()
	cs, err := l.ReplayCommits()
	if err != nil {
		t.Fatal(err)
	}
	grabs, other := lakeFiles(t, dir, "grabs")
	if len(cs) != 2 || len(grabs) != 2 || len(other) != 0 {
		t.Fatalf("after recovery: %d replay markers, grabs %v %v; want 2 and 2", len(cs), grabs, other)
	}
	for _, rc := range cs {
		f, _ := rc.File("grabs")
		if tbl := readFile(t, filepath.Join(dir, "lake", "grabs", f.File)); tbl.NumRows() != 1 {
			t.Errorf("replay %d: %d grabs, want 1", rc.Seq, tbl.NumRows())
		}
	}
}

// TestEvictionRecordSyncFailureKeepsFiles: an eviction record in place but not known
// to be durable keeps the quarantine file it names, and the next session finishes the
// eviction from it.
func TestEvictionRecordSyncFailureKeepsFiles(t *testing.T) {
	dir, l := newLake(t)
	c := commitBadGrabs(t, l)
	grabsFile, _ := c.File("grabs")
	m := maintain(t, l)
	failSyncOnceHolds(t, evictedDir(filepath.Join(dir, "lake"), "grabs"), grabsFile.File+markerExt)
	if _, err := m.Evict("grabs", grabsFile.File); !errors.Is(err, errMarkerInDoubt) {
		t.Fatalf("Evict = %v, want a record in doubt", err)
	}
	m.Close()

	m = maintain(t, l) // finishes the eviction
	m.Close()
	if parquet, _ := lakeFiles(t, dir, "grabs"); len(parquet) != 0 {
		t.Errorf("grabs still holds %v after the eviction was finished", parquet)
	}
	if parquet, other := lakeFiles(t, dir, QuarantineTable); len(parquet) != 2 || len(other) != 0 {
		t.Errorf("quarantine folder: %v %v; want the commit's file and the evicted rows", parquet, other)
	}
}

// TestStartAfterAnInterruptedReplay: a replay commit stopped after its marker, and the
// next process to open the lake is an ingester, not a maintenance session. Opening the
// lake rolls the replay forward, so the ingester's seeding reads the replayed event and
// the warehouse's list of files holds it.
func TestStartAfterAnInterruptedReplay(t *testing.T) {
	dir, l := newLake(t)
	w := l.NewPartitionWriter(topic, 3)
	commitRange(t, w, 0, 20)
	w.Release()
	m := maintain(t, l)
	m.stopAfter = stepMarked
	b := m.NewReplayBatch(topic, 3)
	g := grab("g-replayed", "env", at(2), 1)
	b.Append(9, &g, events.ReasonUnknownEnvelope)
	if _, err := b.Commit(); !errors.Is(err, errStopped) {
		t.Fatalf("Commit = %v, want it stopped after the marker", err)
	}
	b.Release()
	m.Close()

	l = openLake(t, dir)
	w = l.NewPartitionWriter(topic, 3)
	defer w.Release()
	if _, _, err := w.Own(); err != nil {
		t.Fatalf("Own: %v", err)
	}
	seen := map[string]int64{}
	if err := l.RecentEventIDs(topic, 3, 1000, func(id string, off int64) { seen[id] = off }); err != nil {
		t.Fatalf("RecentEventIDs after an interrupted replay: %v", err)
	}
	if off, ok := seen["g-replayed"]; !ok || off != 9 {
		t.Errorf("the replayed event is not in the seeding (offset %d, %v); %d ids", off, ok, len(seen))
	}
	if err := l.RestoreTracker(topic, 3, &events.Tracker{}); err != nil {
		t.Errorf("RestoreTracker: %v", err)
	}
	committed, err := Committed(dir)
	if err != nil {
		t.Fatal(err)
	}
	replayed := 0
	for _, f := range committed["grabs"] {
		if strings.HasPrefix(f.File, replayPrefix) {
			replayed += int(f.Rows)
		}
	}
	if replayed != 1 {
		t.Errorf("Committed lists %d replayed grabs, want 1", replayed)
	}
}

// TestSettleAfterAnInterruptedEviction: an eviction stopped after moving its file out
// of the table, before the marker named the quarantine file. Without settling, readers
// lost the file's rows (in neither grabs nor the quarantine) and an ingester could not
// seed. Settle (what a refresh calls) finishes it, but never a live session's work.
func TestSettleAfterAnInterruptedEviction(t *testing.T) {
	dir, l := newLake(t)
	c := commitBadGrabs(t, l)
	gf, _ := c.File("grabs")
	m := maintain(t, l)
	edir := evictedDir(filepath.Join(dir, "lake"), "grabs")
	t.Cleanup(func() { syncDirFault = nil })
	syncDirFault = func(d string) error {
		if _, err := os.Stat(filepath.Join(edir, gf.File)); d == edir && err == nil {
			syncDirFault = nil
			return errors.New("injected: the disk refused to sync")
		}
		return nil
	}
	if _, err := m.Evict("grabs", gf.File); err == nil {
		t.Fatal("Evict succeeded through the injected fault")
	}
	quarantined := func() (grabs, evicted int64) {
		t.Helper()
		committed, err := Committed(dir)
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range committed["grabs"] {
			grabs += f.Rows
		}
		for _, f := range committed[QuarantineTable] {
			if isEvictedName(f.File) {
				evicted += f.Rows
			}
		}
		return grabs, evicted
	}
	if err := Settle(dir); err != nil { // the session still runs: its work is its own
		t.Fatal(err)
	}
	if g, e := quarantined(); g != 0 || e != 0 {
		t.Fatalf("Settle beside a live session changed its eviction: %d grabs, %d evicted rows", g, e)
	}
	m.Close()

	if err := Settle(dir); err != nil {
		t.Fatal(err)
	}
	if g, e := quarantined(); g != 0 || e != gf.Rows {
		t.Errorf("after Settle: %d grabs and %d evicted rows in the quarantine; want 0 and %d", g, e, gf.Rows)
	}
	l = openLake(t, dir)
	w := l.NewPartitionWriter(topic, 0)
	defer w.Release()
	if _, _, err := w.Own(); err != nil {
		t.Fatalf("Own: %v", err)
	}
	if err := l.RecentEventIDs(topic, 0, 1000, func(string, int64) {}); err != nil {
		t.Errorf("an ingester cannot seed after the eviction: %v", err)
	}
}
