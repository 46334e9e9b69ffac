package transform

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"hash/crc32"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/hongbao/hongbao/ingest/events"
	"github.com/hongbao/hongbao/ingest/lake"
	"github.com/hongbao/hongbao/ingest/quarantine"
	"github.com/hongbao/hongbao/internal/testworld"
)

// commitGrabs commits, through the lake's own writer as the ingester does, one claim of
// 100 fen per offset of [first, last] on partition 0 (the partition's next offsets); the
// claim at badAt (if in range) has a user id that is not UTF-8, which the build before
// UTF-8 validation let through.
func commitGrabs(world *testworld.World, first, last, badAt int64) *lake.Commit {
	for o := first; o <= last; o++ {
		user := "u1"
		if o == badAt {
			user = "u\xff"
		}
		world.Add(0, testworld.Claim(fmt.Sprintf("g%d", o), time.Date(2014, 1, 30, 16, 0, int(o), 0, time.UTC), "env1", user, 100))
	}
	return world.Commit()[0]
}

func TestRefreshSkipsAnUnreadableFileAndSaysHowToFixIt(t *testing.T) {
	dir := t.TempDir()
	world := testworld.New(t, dir)
	ctx := context.Background()
	commitGrabs(world, 0, 2, -1)
	badPath := world.Path(commitGrabs(world, 3, 5, 4), "grabs")
	commitGrabs(world, 6, 9, -1)

	// The file is what the issue reported: DuckDB refuses it as a whole.
	w, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	perr := quarantine.ProbeFile(ctx, w.DB(), badPath)
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
		checkCounts(t, w.DB(), fmt.Sprintf("round %d", round),
			wantCount{"SELECT count(*) FROM grabs", 7, "rows of grabs (those of the readable files)"},
			wantCount{"SELECT sum(claims) FROM claims_per_minute", 7, "claims counted by claims_per_minute"},
			wantCount{"SELECT lake_files FROM _hongbao_meta WHERE name = 'grabs'", 2, "grabs files in _hongbao_meta"})
	}
}

func TestRefreshLeavesReplayedMessagesOutOfQuarantine(t *testing.T) {
	world, _, w := refreshedWorld(t)
	ctx := context.Background()
	if n := queryInt(t, w.DB(), "SELECT count(*) FROM quarantine"); n != 1 {
		t.Fatalf("quarantine has %d rows before the replay", n)
	}
	// A replay lands the quarantined message (the last of partition 0's commit) as a
	// grab, and a message of another topic at the same partition and offset as another:
	// only the first is the quarantine row's.
	m, err := world.Lake().BeginMaintenance()
	if err != nil {
		t.Fatal(err)
	}
	offset := world.Commits[0].LastOffset
	for i, topic := range []string{testworld.Topic, "other.topic"} {
		b := m.NewReplayBatch(topic, 0)
		g := testworld.Claim(fmt.Sprintf("g%d", 7+i), testworld.TS("2014-01-30 16:00:00+00"), "env1", "u7", 100)
		b.Append(offset, &g, events.ReasonNotJSON)
		_, err := b.Commit()
		b.Release()
		if err != nil {
			t.Fatal(err)
		}
	}
	m.Close()
	for range 2 {
		if err := w.Refresh(ctx); err != nil {
			t.Fatal(err)
		}
		checkCounts(t, w.DB(), "after the replay",
			wantCount{"SELECT count(*) FROM quarantine", 0, "rows of quarantine"},
			wantCount{"SELECT row_count FROM _hongbao_meta WHERE name = 'quarantine'", 0, "quarantine rows in _hongbao_meta"},
			wantCount{"SELECT count(*) FROM quarantine_replays", 2, "rows of quarantine_replays"})
	}
}

// wantCount is a count a query must give: what names it in a failure.
type wantCount struct {
	query string
	want  int64
	what  string
}

// checkCounts runs each check's query on db and reports, under when, the counts that
// differ from what it wants.
func checkCounts(t *testing.T, db *sql.DB, when string, checks ...wantCount) {
	t.Helper()
	for _, c := range checks {
		if n := queryInt(t, db, c.query); n != c.want {
			t.Errorf("%s: %s: %d, want %d", when, c.what, n, c.want)
		}
	}
}

// probed records which new lake files refreshes read value by value, until the test ends.
func probed(t *testing.T) map[string]bool {
	got := map[string]bool{}
	probedHook = func(paths []string) {
		for _, p := range paths {
			got[p] = true
		}
	}
	t.Cleanup(func() { probedHook = nil })
	return got
}

func TestRefreshReadsValueByValueOnlyFilesWithoutTheirChecksum(t *testing.T) {
	dir := t.TempDir()
	world := testworld.New(t, dir)
	intact := world.Path(commitGrabs(world, 0, 2, -1), "grabs")
	badPath := world.Path(commitGrabs(world, 3, 5, 4), "grabs") // a string not UTF-8: no checksum
	c := commitGrabs(world, 6, 9, -1)
	// Changed after its commit: the same rows and fen, written again by DuckDB.
	world.Replace(c, "grabs", `SELECT 'g'||o AS event_id, TIMESTAMPTZ '2014-01-30 16:00:00+00' + to_seconds(o) AS ts,
		'env1' AS envelope_id, 'u1' AS user_id, 'claimed' AS outcome, 100::BIGINT AS amount_fen,
		0 AS kafka_partition, o::BIGINT AS kafka_offset FROM range(6, 10) r(o)`)
	changed := world.Path(c, "grabs")
	got := probed(t)

	w, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	var ue *UnreadableFilesError
	if err := w.Refresh(context.Background()); !errors.As(err, &ue) || len(ue.Files) != 1 || ue.Files[0].Path != badPath {
		t.Fatalf("Refresh = %v, want the file without a checksum named as unreadable", err)
	}
	if !got[badPath] || !got[changed] || got[intact] {
		t.Errorf("files read value by value: %v; want %s and %s, not the intact %s", got, badPath, changed, intact)
	}
	checkCounts(t, w.DB(), "refresh",
		wantCount{"SELECT count(*) FROM grabs", 7, "rows of grabs (those of the readable files)"})
}

// A file with a checksum that DuckDB cannot read all the same (a writer that vouched for
// what it should not have) is not read value by value when new: the model that meets it
// fails, and the refresh then finds it among the files with a checksum and goes on
// without it.
func TestRefreshFindsAChecksummedFileDuckDBCannotRead(t *testing.T) {
	dir := t.TempDir()
	world := testworld.New(t, dir)
	commitGrabs(world, 0, 2, -1)
	badPath := world.Path(commitGrabs(world, 3, 5, 4), "grabs")
	commitGrabs(world, 6, 9, -1)
	forgeChecksum(t, dir, badPath)
	got := probed(t)

	w, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	for round := range 2 {
		err := w.Refresh(context.Background())
		var ue *UnreadableFilesError
		if !errors.As(err, &ue) || len(ue.Files) != 1 || ue.Files[0].Path != badPath ||
			!strings.Contains(err.Error(), "Invalid string encoding") {
			t.Fatalf("round %d: Refresh = %v, want the file with a checksum named as unreadable", round, err)
		}
		checkCounts(t, w.DB(), fmt.Sprintf("round %d", round),
			wantCount{"SELECT count(*) FROM grabs", 7, "rows of grabs (those of the readable files)"},
			wantCount{"SELECT sum(claims) FROM claims_per_minute", 7, "claims counted by claims_per_minute"})
	}
	if got[badPath] {
		t.Errorf("the file with a checksum was read value by value when new: %v", got)
	}
}

// forgeChecksum writes the CRC-32C of the file at path into the commit marker that lists it.
func forgeChecksum(t *testing.T, dir, path string) {
	t.Helper()
	committed, err := lake.Committed(dir)
	if err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	crc := fmt.Sprintf("%08x", crc32.Checksum(b, crc32.MakeTable(crc32.Castagnoli)))
	for _, f := range committed["grabs"] {
		if f.Path != path {
			continue
		}
		raw, err := os.ReadFile(f.Marker)
		if err != nil {
			t.Fatal(err)
		}
		var c lake.Commit
		if err := json.Unmarshal(raw, &c); err != nil {
			t.Fatal(err)
		}
		for i := range c.Files {
			if c.Files[i].Table == "grabs" {
				c.Files[i].CRC32C = crc
			}
		}
		if raw, err = json.Marshal(c); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(f.Marker, raw, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	t.Fatalf("no marker lists %s", path)
}

// A refresh that runs out of DuckDB's memory says so and names the setting: the lake's
// files are not probed under the same cap and left out as unreadable (the build before
// left out a quarantine file of large messages and told the user to evict it).
func TestRefreshOutOfMemoryLeavesNoFileOut(t *testing.T) {
	dir := t.TempDir()
	world := testworld.New(t, dir)
	for i := range 600 { // 36 MB of messages not JSON, in one file
		world.Quarantine(0, lake.QuarantineRecord{Offset: int64(i), Raw: []byte(strings.Repeat("x", 60_000) + fmt.Sprint(i)),
			Reason: events.ReasonNotJSON, Detail: "not JSON", IngestedAt: time.Now().UTC()})
	}
	world.Commit()

	t.Setenv("HONGBAO_DUCKDB_MEMORY", "16MB")
	w, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	err = w.Refresh(context.Background())
	w.Close()
	if err == nil {
		t.Fatal("36 MB of quarantined messages loaded under a 16MB cap: the test no longer provokes the cap")
	}
	if errors.Is(err, ErrUnreadableLakeFile) || !strings.Contains(err.Error(), "HONGBAO_DUCKDB_MEMORY=4GB") {
		t.Errorf("under a 16MB cap: %v; want the Out of Memory Error and the setting to raise, no file left out", err)
	}
	t.Setenv("HONGBAO_DUCKDB_MEMORY", "1GB")
	w = testworld.Refreshed(t, Open, dir)
	checkCounts(t, w.DB(), "at 1GB", wantCount{"SELECT count(*) FROM quarantine", 600, "quarantined messages"})
}
