package lake

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow/array"

	"github.com/hongbao/hongbao/ingest/events"
)

func TestEvictMovesRowsToQuarantineAndRewritesMarker(t *testing.T) {
	dir, l := newLake(t)
	c := commitBadGrabs(t, l)
	grabsFile, _ := c.File("grabs")

	m := maintain(t, l)
	m.stopAfter = stepMarked // a crash right after the record is durable
	if _, err := m.Evict("grabs", grabsFile.File); !errors.Is(err, errStopped) {
		t.Fatalf("Evict = %v, want the test stop", err)
	}
	m.Close()
	if _, err := os.Stat(filepath.Join(dir, "lake", "grabs", grabsFile.File)); err != nil {
		t.Fatalf("the file left its table before the roll-forward: %v", err)
	}

	m = maintain(t, l)                          // rolls the eviction forward
	ev, err := m.Evict("grabs", grabsFile.File) // again: returns the record, changes nothing
	m.Close()
	if err != nil {
		t.Fatal(err)
	}
	if ev.Reasons[events.ReasonInvalidUTF8] != 1 || ev.Reasons[ReasonUnreadableFile] != 3 || ev.QuarantineFile.Rows != 4 {
		t.Errorf("eviction reasons %v, rows %d", ev.Reasons, ev.QuarantineFile.Rows)
	}
	if parquet, other := lakeFiles(t, dir, "grabs"); len(parquet) != 0 || len(other) != 0 {
		t.Errorf("grabs folder after eviction: %v %v", parquet, other)
	}
	if _, err := os.Stat(filepath.Join(dir, "lake", EvictedFolder, "grabs", grabsFile.File)); err != nil {
		t.Errorf("the evicted file is not kept: %v", err)
	}
	if parquet, other := lakeFiles(t, dir, QuarantineTable); len(parquet) != 2 || len(other) != 0 {
		t.Errorf("quarantine folder: %v %v", parquet, other)
	}

	all, err := l.Commits()
	if err != nil {
		t.Fatal(err)
	}
	if len(all) != 1 || all[0].FirstOffset != 0 || all[0].LastOffset != 5 {
		t.Fatalf("commits after eviction: %+v", all)
	}
	var tables []string
	var rows int64
	for _, f := range all[0].Files {
		tables = append(tables, f.Table)
		rows += f.Rows
	}
	if !slices.Equal(tables, []string{"envelopes", "quarantine", "quarantine"}) || rows != 6 {
		t.Errorf("marker lists %v, %d rows; want envelopes and two quarantine files, 6 rows", tables, rows)
	}

	q := fileColumns(t, filepath.Join(dir, "lake", QuarantineTable, ev.QuarantineFile.File),
		"raw", "reason", "kafka_offset")
	for i := 0; i < q["raw"].Len(); i++ {
		b := q["raw"].(*array.Binary).Value(i)
		o := q["kafka_offset"].(*array.Int64).Value(i)
		r := events.Reason(q["reason"].(*array.String).Value(i))
		var obj map[string]any
		if o == 2 {
			if r != events.ReasonInvalidUTF8 || !slices.Contains(b, 0xff) {
				t.Errorf("offset 2: reason %s, raw %q; want invalid_utf8 with the bytes kept", r, b)
			}
			continue
		}
		if err := json.Unmarshal(b, &obj); err != nil || r != ReasonUnreadableFile {
			t.Errorf("offset %d: reason %s, raw %s (%v)", o, r, b, err)
			continue
		}
		e, err := events.Decode(b, events.DefaultValidator())
		if err != nil || e.Type != events.EnvelopeGrabbed || e.AmountFen != 10*o || !e.TS.Equal(at(int(o))) {
			t.Errorf("offset %d re-encoded as %s decodes to %+v, %v", o, b, e, err)
		}
	}
}

func TestReplayCommitSurvivesACrashAtEachStep(t *testing.T) {
	for _, step := range []commitStep{stepStaged, stepMarked} {
		dir, l := newLake(t)
		m := maintain(t, l)
		m.stopAfter = step
		b := m.NewReplayBatch(topic, 3)
		e := sent("env9", at(1), 2, 200)
		b.Append(7, &e, events.ReasonBadTimestamp)
		g := grab("g9", "env9", at(2), 150)
		b.Append(9, &g, events.ReasonUnknownEnvelope)
		if _, err := b.Commit(); !errors.Is(err, errStopped) {
			t.Fatalf("step %d: Commit = %v", step, err)
		}
		b.Release()
		m.Close()

		m = maintain(t, l)
		cs, err := l.ReplayCommits()
		if err != nil {
			t.Fatal(err)
		}
		grabs, other := lakeFiles(t, dir, "grabs")
		replays, _ := lakeFiles(t, dir, ReplaysTable)
		switch step {
		case stepStaged: // rolled back
			if len(cs) != 0 || len(grabs) != 0 || len(other) != 0 || len(replays) != 0 {
				t.Errorf("after a crash before the marker: %d markers, grabs %v %v, log %v", len(cs), grabs, other, replays)
			}
		case stepMarked: // rolled forward
			if len(cs) != 1 || cs[0].Messages != 2 || len(grabs) != 1 || len(other) != 0 || len(replays) != 1 {
				t.Fatalf("after a crash after the marker: %+v, grabs %v %v, log %v", cs, grabs, other, replays)
			}
			f, _ := (&Commit{Files: cs[0].Files}).File("grabs")
			if f.File != "replay-00000000000000000001-hongbao.events-p003.parquet" || f.SumFen != 150 {
				t.Errorf("grabs file %+v", f)
			}
			tbl := readFile(t, filepath.Join(dir, "lake", "grabs", f.File))
			if p := column(t, tbl, "kafka_partition"); p.(*array.Int32).Value(0) != 3 || sumInt64(t, tbl, "kafka_offset") != 9 {
				t.Errorf("replayed grab lost its Kafka position")
			}
		}
		// The next commit takes the next number.
		b = m.NewReplayBatch(topic, 3)
		b.Append(11, &g, events.ReasonUnknownEnvelope)
		c, err := b.Commit()
		b.Release()
		m.Close()
		if err != nil {
			t.Fatal(err)
		}
		if want := int64(1 + len(cs)); c.Seq != want {
			t.Errorf("step %d: next commit numbered %d, want %d", step, c.Seq, want)
		}
	}
}

func TestMaintenanceWaitsForNoIngester(t *testing.T) {
	l := openLake(t, t.TempDir())
	w := l.NewPartitionWriter(topic, 2)
	appendRange(w, 0, 3)
	if _, err := w.Commit(); err != nil {
		t.Fatal(err)
	}
	if _, err := l.BeginMaintenance(); !errors.Is(err, ErrLocked) {
		t.Errorf("BeginMaintenance while a writer holds partition 2 = %v, want ErrLocked", err)
	}
	w.Release()
	m := maintain(t, l)
	if _, err := l.BeginMaintenance(); !errors.Is(err, ErrBusy) {
		t.Errorf("a second session = %v, want ErrBusy", err)
	}
	m.Close()
}

// TestMaintenanceNamesNeverMatchIngesterFiles: the recovery of replays and evictions
// deletes staged files it does not recognise as committed, so it must never take an
// ingester's staged file for one of its own, whatever the topic is called.
func TestMaintenanceNamesNeverMatchIngesterFiles(t *testing.T) {
	for _, tp := range []string{topic, "replay-00000000000000000001", "x-evicted-grabs", "replay", "p1"} {
		name := dataName(tp, 3, 10, 20)
		if _, ok := parseReplaySeq(name); ok {
			t.Errorf("ingester file %s parses as a replay file", name)
		}
		if isEvictedName(name) {
			t.Errorf("ingester file %s parses as an evicted file's rows", name)
		}
		if _, _, _, _, ok := parseTmpDataName(tmpName(replayDataName(1, tp, 3))); ok {
			t.Errorf("replay file of topic %s parses as an ingester file", tp)
		}
		evicted := strings.TrimSuffix(name, parquetExt) + evictedInfix + "grabs" + parquetExt
		if _, _, _, _, ok := parseTmpDataName(tmpName(evicted)); ok || !isEvictedName(evicted) {
			t.Errorf("evicted rows %s: parse as an ingester file %v, as evicted rows %v", evicted, ok, isEvictedName(evicted))
		}
		if seq, ok := parseReplaySeq(replayDataName(7, tp, 3)); !ok || seq != 7 {
			t.Errorf("replay file of topic %s: seq %d, %v", tp, seq, ok)
		}
	}
}
