package transform

import (
	"context"
	"errors"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/hongbao/hongbao/ingest/events"
	"github.com/hongbao/hongbao/ingest/lake"
	"github.com/hongbao/hongbao/internal/testworld"
)

// commitGrabs commits, through the lake's own writer as the ingester does, one claim of
// 100 fen per offset of [first, last] on partition 0; the claim at badAt (if in range)
// has a user id that is not UTF-8, which the build before UTF-8 validation let through.
func commitGrabs(t *testing.T, l *lake.Lake, first, last, badAt int64) lake.CommitFile {
	t.Helper()
	w := l.NewPartitionWriter("hongbao.events", 0)
	defer w.Release()
	for o := first; o <= last; o++ {
		e := events.Event{EventID: "g" + string(rune('a'+o)), Type: events.EnvelopeGrabbed,
			TS: time.Date(2014, 1, 30, 16, 0, int(o), 0, time.UTC), EnvelopeID: "env1",
			UserID: "u1", Outcome: events.OutcomeClaimed, AmountFen: 100}
		if o == badAt {
			e.UserID = "u\xff"
		}
		w.Append(o, &e)
	}
	c, err := w.Commit()
	if err != nil {
		t.Fatal(err)
	}
	f, _ := c.File("grabs")
	return f
}

func TestRefreshSkipsAnUnreadableFileAndSaysHowToFixIt(t *testing.T) {
	dir := t.TempDir()
	l, err := lake.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	commitGrabs(t, l, 0, 2, -1)
	bad := commitGrabs(t, l, 3, 5, 4)
	commitGrabs(t, l, 6, 9, -1)
	badPath := filepath.Join(dir, "lake", "grabs", bad.File)

	// The file is what the issue reported: DuckDB refuses it as a whole.
	w, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	perr := ProbeLakeFile(ctx, w.DB(), badPath)
	if perr == nil || !strings.Contains(perr.Error(), "Invalid string encoding") {
		t.Fatalf("DuckDB reading the file: %v", perr)
	}

	for round := range 2 { // the second refresh finds it again, incrementally
		err = w.Refresh(ctx)
		var ue *UnreadableFilesError
		if !errors.As(err, &ue) || !errors.Is(err, ErrUnreadableLakeFile) {
			t.Fatalf("round %d: Refresh = %v, want an UnreadableFilesError", round, err)
		}
		if len(ue.Files) != 1 || ue.Files[0].Path != badPath || ue.Files[0].Table != "grabs" {
			t.Errorf("round %d: unreadable files %+v", round, ue.Files)
		}
		for _, want := range []string{badPath, "Invalid string encoding", "hongbao quarantine evict --dir " + dir + " " + badPath} {
			if !strings.Contains(err.Error(), want) {
				t.Errorf("round %d: the message lacks %q:\n%s", round, want, err)
			}
		}
		// Committed: the other files' rows are there, the models built.
		if n := queryInt(t, w.DB(), "SELECT count(*) FROM grabs"); n != 7 {
			t.Errorf("round %d: grabs has %d rows, want the 7 of the readable files", round, n)
		}
		if n := queryInt(t, w.DB(), "SELECT sum(claims) FROM claims_per_minute"); n != 7 {
			t.Errorf("round %d: claims_per_minute counts %d claims, want 7", round, n)
		}
		if n := queryInt(t, w.DB(), "SELECT lake_files FROM _hongbao_meta WHERE name = 'grabs'"); n != 2 {
			t.Errorf("round %d: _hongbao_meta says %d grabs files, want 2", round, n)
		}
	}
}

func TestRefreshLeavesReplayedMessagesOutOfQuarantine(t *testing.T) {
	dir, w := refreshed(t)
	ctx := context.Background()
	if n := queryInt(t, w.DB(), "SELECT count(*) FROM quarantine"); n != 1 {
		t.Fatalf("quarantine has %d rows before the replay", n)
	}
	testworld.WriteParquet(t, dir, "quarantine_replays", "replay-00000000000000000001-hongbao.events-p000.parquet", `
		SELECT 'hongbao.events' AS kafka_topic, 0::INTEGER AS kafka_partition, 4::BIGINT AS kafka_offset,
			'bad_json' AS reason, 'grabs' AS event_table, 'g7' AS event_id, TIMESTAMPTZ '2014-02-01 00:00:00+00' AS replayed_at
		UNION ALL SELECT 'other.topic', 0, 4, 'bad_json', 'grabs', 'g8', TIMESTAMPTZ '2014-02-01 00:00:00+00'`)
	for range 2 {
		if err := w.Refresh(ctx); err != nil {
			t.Fatal(err)
		}
		if n := queryInt(t, w.DB(), "SELECT count(*) FROM quarantine"); n != 0 {
			t.Errorf("quarantine has %d rows after the replay, want 0", n)
		}
		if n := queryInt(t, w.DB(), "SELECT row_count FROM _hongbao_meta WHERE name = 'quarantine'"); n != 0 {
			t.Errorf("_hongbao_meta counts %d quarantine rows, want 0", n)
		}
		if n := queryInt(t, w.DB(), "SELECT count(*) FROM quarantine_replays"); n != 2 {
			t.Errorf("quarantine_replays has %d rows, want 2", n)
		}
	}
}
