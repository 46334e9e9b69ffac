package quarantine

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/hongbao/hongbao/ingest/events"
	"github.com/hongbao/hongbao/ingest/lake"
)

func TestEvictThenReplayLandsEachMessageOnce(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	bad := buildLake(t, dir)

	// Reading the grabs fails, and the error names the file and the command.
	ldb, err := openLakeDB(ctx, dir)
	if err != nil {
		t.Fatal(err)
	}
	_, err = ldb.db.ExecContext(ctx, "SELECT max(user_id) FROM grabs")
	if err == nil {
		t.Fatal("reading every user_id of the grabs worked, with an unreadable file among them")
	}
	err = ldb.explain(ctx, err, "grabs")
	ldb.Close()
	if !errors.Is(err, ErrUnreadable) || !strings.Contains(err.Error(), "hongbao quarantine evict --dir "+dir+" "+bad) {
		t.Fatalf("reading the grabs = %v, want ErrUnreadable naming %s and the command", err, bad)
	}

	// Review: the lake's quarantine by reason, before anything was replayed.
	counts, err := List(ctx, dir, "")
	if err != nil {
		t.Fatal(err)
	}
	got := map[events.Reason]int64{}
	for _, c := range counts {
		got[c.Reason] += c.Messages
		if c.Replayed != 0 {
			t.Errorf("%s: %d replayed before any replay", c.Reason, c.Replayed)
		}
	}
	want := map[events.Reason]int64{"unknown_envelope": 2, "bad_timestamp": 1, "not_json": 1, "duplicate_event_id": 1,
		"claims_exceed_total": 2, "duplicate_envelope": 1, "invalid_value": 1, "missing_field": 1}
	if !maps.Equal(got, want) {
		t.Errorf("List by reason = %v, want %v", got, want)
	}

	// Evict: the file's two rows go to quarantine, the refresh works again.
	if _, err := Evict(ctx, dir, []string{filepath.Join(dir, "lake", "grabs", "hongbao.events-p000-00000000000000000000-00000000000000000009.parquet")}); !errors.Is(err, ErrReadable) {
		t.Errorf("evicting a readable file = %v, want ErrReadable", err)
	}
	evs, err := Evict(ctx, dir, []string{bad})
	if err != nil {
		t.Fatal(err)
	}
	if len(evs) != 1 || evs[0].Reasons[events.ReasonInvalidUTF8] != 1 || evs[0].Reasons[lake.ReasonUnreadableFile] != 1 {
		t.Fatalf("evictions %+v", evs)
	}
	if n := lakeInt(t, dir, "SELECT count(*) FROM quarantine"); n != 12 {
		t.Errorf("quarantine after eviction = %d, want 12", n)
	}
	if n := lakeInt(t, dir, "SELECT count(DISTINCT user_id) FROM grabs"); n != 1 {
		t.Errorf("grabs after eviction = %d users, want 1", n)
	}

	// A dry run decides and lands nothing.
	before := lakeListing(t, dir)
	dry, err := Replay(ctx, dir, ReplayOptions{DryRun: true})
	if err != nil {
		t.Fatal(err)
	}
	if after := lakeListing(t, dir); !slices.Equal(before, after) {
		t.Errorf("a dry run changed the lake:\n%v\n%v", before, after)
	}

	rep, err := Replay(ctx, dir, ReplayOptions{})
	if err != nil {
		t.Fatal(err)
	}
	wantLanded := map[events.Reason]int64{"unknown_envelope": 1, "bad_timestamp": 1, "claims_exceed_total": 1,
		"unreadable_file": 1, "invalid_value": 1}
	wantStays := map[events.Reason]int64{"not_json": 1, "duplicate_event_id": 1, "claims_exceed_total": 1,
		"unknown_envelope": 1, "duplicate_envelope": 1, "invalid_utf8": 1, "missing_field": 1}
	for _, r := range []*ReplayReport{dry, rep} {
		if r.Considered != 12 || !maps.Equal(r.Landed, wantLanded) || !maps.Equal(r.Stays, wantStays) {
			t.Errorf("replay (dry run %v): considered %d, landed %v, stays %v; want 12, %v, %v",
				r.DryRun, r.Considered, r.Landed, r.Stays, wantLanded, wantStays)
		}
		if r.Tables["grabs"] != (TableCount{3, 50 + 150 + 40}) || r.Tables["envelopes"] != (TableCount{1, 200}) ||
			r.Tables["withdrawals"] != (TableCount{1, 700}) || len(r.Tables) != 3 {
			t.Errorf("replay (dry run %v) tables %v", r.DryRun, r.Tables)
		}
	}
	if len(dry.Commits) != 0 || len(rep.Commits) != 3 {
		t.Errorf("commits: dry run %d, replay %d; want 0 and 3 (envelopes of p0, then the rest of p0 and p1)", len(dry.Commits), len(rep.Commits))
	}
	checkLanded(t, dir)

	// Replay twice changes nothing.
	before = lakeListing(t, dir)
	again, err := Replay(ctx, dir, ReplayOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if again.LandedTotal() != 0 || !maps.Equal(again.Stays, wantStays) || len(again.Commits) != 0 {
		t.Errorf("second replay landed %v, stays %v", again.Landed, again.Stays)
	}
	if after := lakeListing(t, dir); !slices.Equal(before, after) {
		t.Errorf("a second replay changed the lake:\n%v\n%v", before, after)
	}
	checkLanded(t, dir)

	// The review marks what was replayed.
	counts, err = List(ctx, dir, events.ReasonClaimOverTotal)
	if err != nil {
		t.Fatal(err)
	}
	if len(counts) != 1 || counts[0].Messages != 2 || counts[0].Replayed != 1 || counts[0].FirstOffset != 6 || counts[0].LastOffset != 7 {
		t.Errorf("List(claims_exceed_total) = %+v", counts)
	}
	var shown []*Message
	err = Show(ctx, dir, ShowOptions{Reason: events.ReasonInvalidUTF8}, func(m *Message) error {
		shown = append(shown, m)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(shown) != 1 || shown[0].Offset != 12 || !shown[0].ReplayedAt.IsZero() ||
		!strings.Contains(Printable(shown[0].Raw, 0), `"user_id":"u\xFF\xFE"`) {
		t.Errorf("Show(invalid_utf8) = %+v", shown)
	}
}

// checkLanded checks the lake after the replay of the test lake.
func checkLanded(t *testing.T, dir string) {
	t.Helper()
	for q, want := range map[string]int64{
		"SELECT count(*) FROM grabs":                                    4,
		"SELECT sum(amount_fen) FROM grabs":                             100 + 50 + 150 + 40,
		"SELECT count(*) FROM envelopes":                                3,
		"SELECT sum(total_fen) FROM envelopes":                          300 + 100 + 200,
		"SELECT count(*) FROM withdrawals":                              3,
		"SELECT sum(amount_fen) FROM withdrawals":                       900 + 500 + 700,
		"SELECT count(*) FROM (" + waiting + ")":                        7,
		"SELECT count(*) FROM quarantine_replays":                       5,
		"SELECT kafka_offset FROM grabs WHERE event_id = 'g2'":          2,
		"SELECT kafka_partition FROM withdrawals WHERE event_id = 'w1'": 1,
	} {
		if got := lakeInt(t, dir, q); got != want {
			t.Errorf("%s = %d, want %d", q, got, want)
		}
	}
	// Every message once in a table or waiting in quarantine; no event_id twice.
	all := `SELECT kafka_partition, kafka_offset FROM (` + waiting + `)`
	ids := `SELECT NULL AS event_id WHERE false`
	for _, table := range lake.Tables[:len(lake.Tables)-1] {
		all += " UNION ALL SELECT kafka_partition, kafka_offset FROM " + table
		ids += " UNION ALL SELECT event_id FROM " + table
	}
	if n := lakeInt(t, dir, "SELECT count(*) FROM ("+all+")"); n != 17 {
		t.Errorf("%d rows over the tables and quarantine, want the 17 messages", n)
	}
	if n := lakeInt(t, dir, "SELECT count(DISTINCT (kafka_partition, kafka_offset)) FROM ("+all+")"); n != 17 {
		t.Errorf("%d distinct messages over the tables and quarantine, want 17", n)
	}
	if n := lakeInt(t, dir, "SELECT count(*) - count(DISTINCT event_id) FROM ("+ids+")"); n != 0 {
		t.Errorf("%d event_ids land twice", n)
	}
}

func TestReplayStoppedBetweenCommitsLandsTheRestOnce(t *testing.T) {
	ctx := context.Background()
	for stopAt := 1; stopAt <= 3; stopAt++ {
		dir := t.TempDir()
		bad := buildLake(t, dir)
		if _, err := Evict(ctx, dir, []string{bad}); err != nil {
			t.Fatal(err)
		}
		crash := errors.New("crash")
		commits := 0
		_, err := Replay(ctx, dir, ReplayOptions{BatchRows: 1, afterCommit: func(*lake.ReplayCommit) error {
			if commits++; commits == stopAt {
				return crash
			}
			return nil
		}})
		if !errors.Is(err, crash) {
			t.Fatalf("replay = %v, want the crash", err)
		}
		// Whatever landed so far, no claim landed before its envelope.
		if n := lakeInt(t, dir, "SELECT count(*) FROM grabs g WHERE NOT EXISTS (SELECT 1 FROM envelopes e WHERE e.envelope_id = g.envelope_id)"); n != 0 {
			t.Errorf("stopped after commit %d: %d claims on envelopes not in the lake", stopAt, n)
		}
		if n := lakeInt(t, dir, "SELECT count(*) FROM quarantine_replays"); n != int64(stopAt) {
			t.Errorf("stopped after commit %d: %d messages replayed", stopAt, n)
		}

		rep, err := Replay(ctx, dir, ReplayOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if rep.Considered != int64(12-stopAt) || rep.LandedTotal() != int64(5-stopAt) || rep.StaysTotal() != 7 {
			t.Errorf("stopped after commit %d: rerun considered %d, landed %v, stays %v", stopAt, rep.Considered, rep.Landed, rep.Stays)
		}
		checkLanded(t, dir)
	}
}

func TestCommandsRefuseAFolderWithoutALake(t *testing.T) {
	ctx := context.Background()
	dir := filepath.Join(t.TempDir(), "nothing")
	if _, err := List(ctx, dir, ""); !errors.Is(err, ErrNoLake) {
		t.Errorf("List = %v", err)
	}
	if _, err := Replay(ctx, dir, ReplayOptions{}); !errors.Is(err, ErrNoLake) {
		t.Errorf("Replay = %v", err)
	}
	if _, err := os.Stat(dir); err == nil {
		t.Errorf("Replay created %s", dir)
	}
}

// A replay reads the quarantine about readBytes at a time, in Kafka order, and lands
// what passes as if in one read: here, at 2 KiB a chunk, several chunks of claims, then
// of their envelopes, then of junk, in one partition.
func TestReplayReadsInChunks(t *testing.T) {
	ctx := context.Background()
	defer func(was int64) { readBytes = was }(readBytes)
	readBytes = 2048
	const n = 100 // claims, envelopes and junk messages each
	var rows []row
	for i := range n {
		rows = append(rows, row{int64(i), claim(fmt.Sprintf("g%d", i), fmt.Sprintf("E%d", i), 5, 10), events.ReasonUnknownEnvelope, ""})
	}
	for i := range n {
		rows = append(rows, row{int64(n + i), envelope(fmt.Sprintf("e%d", i), fmt.Sprintf("E%d", i), 1, 1, 10), events.ReasonBadTimestamp, ""})
	}
	for i := range n {
		rows = append(rows, row{int64(2*n + i), events.Event{}, events.ReasonNotJSON, "{"})
	}
	dir := lakeWith(t, rows)

	rep, err := Replay(ctx, dir, ReplayOptions{BatchRows: 100})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Considered != 3*n || rep.Landed[events.ReasonUnknownEnvelope] != n ||
		rep.Landed[events.ReasonBadTimestamp] != n || rep.Stays[events.ReasonNotJSON] != n || rep.StaysTotal() != n {
		t.Fatalf("considered %d, landed %v, stays %v; want %d, %d of each of unknown_envelope and bad_timestamp, %d not_json",
			rep.Considered, rep.Landed, rep.Stays, 3*n, n, n)
	}
	if got := lakeInt(t, dir, "SELECT count(*) FROM grabs"); got != n {
		t.Errorf("%d grabs landed; want %d", got, n)
	}
	if got := lakeInt(t, dir, "SELECT count(DISTINCT kafka_offset) FROM envelopes"); got != n {
		t.Errorf("%d envelopes landed; want %d", got, n)
	}
	if got := lakeInt(t, dir, "SELECT sum(amount_fen) FROM grabs"); got != 10*n {
		t.Errorf("the grabs landed hold %d fen; want %d", got, 10*n)
	}
	// Each commit holds one partition's envelopes or its other events, the envelopes'
	// commits first, each kind in offset order.
	sawClaims := false
	last := int64(-1)
	for _, c := range rep.Commits {
		_, claims := c.File("grabs")
		_, envs := c.File("envelopes")
		if claims == envs || (envs && sawClaims) {
			t.Fatalf("commit %d lists grabs %v and envelopes %v after claims %v", c.Seq, claims, envs, sawClaims)
		}
		if claims && !sawClaims {
			last = -1
		}
		if c.FirstOffset <= last || c.LastOffset < c.FirstOffset {
			t.Errorf("commit %d holds offsets %d-%d after one up to %d: out of Kafka order", c.Seq, c.FirstOffset, c.LastOffset, last)
		}
		sawClaims, last = sawClaims || claims, c.LastOffset
	}
	again, err := Replay(ctx, dir, ReplayOptions{})
	if err != nil || again.Considered != n || again.LandedTotal() != 0 {
		t.Errorf("a second replay: %+v, %v; want the %d junk messages considered and none landed", again, err, n)
	}
}

// BenchmarkReplay replays 100,000 quarantined messages of one partition, claims that came
// before their envelopes and the envelopes, as a dry run.
func BenchmarkReplay(b *testing.B) {
	const n = 50_000
	rows := make([]row, 0, 2*n)
	for i := range n {
		rows = append(rows, row{int64(i), claim(fmt.Sprintf("g%d", i), fmt.Sprintf("E%d", i), 5, 10), events.ReasonUnknownEnvelope, ""})
	}
	for i := range n {
		rows = append(rows, row{int64(n + i), envelope(fmt.Sprintf("e%d", i), fmt.Sprintf("E%d", i), 1, 1, 10), events.ReasonBadTimestamp, ""})
	}
	dir := lakeWith(b, rows)
	for b.Loop() {
		rep, err := Replay(context.Background(), dir, ReplayOptions{DryRun: true})
		if err != nil || rep.LandedTotal() != 2*n {
			b.Fatalf("%+v, %v", rep, err)
		}
	}
}

// A replay that runs out of DuckDB's memory says so and names the setting that raises
// it; it does not call the lake's files unreadable (probed under the same cap, they
// failed too, and the message sent the user to evict good files). Raised, it answers.
func TestReplayOutOfMemoryNamesTheSetting(t *testing.T) {
	ctx := context.Background()
	var rows []row
	for i := range 600 { // 36 MB of messages not JSON, in one file
		rows = append(rows, row{int64(i), events.Event{}, events.ReasonNotJSON, strings.Repeat("x", 60_000) + strconv.Itoa(i)})
	}
	dir := lakeWith(t, rows)

	t.Setenv("HONGBAO_DUCKDB_MEMORY", "16MB")
	_, err := Replay(ctx, dir, ReplayOptions{DryRun: true})
	if err == nil {
		t.Fatal("36 MB of messages replayed under a 16MB cap: the test no longer provokes the cap")
	}
	if errors.Is(err, ErrUnreadable) || !strings.Contains(err.Error(), "Out of Memory Error") ||
		!strings.Contains(err.Error(), "HONGBAO_DUCKDB_MEMORY=4GB") {
		t.Errorf("under a 16MB cap: %v; want DuckDB's Out of Memory Error and the setting to raise", err)
	}
	t.Setenv("HONGBAO_DUCKDB_MEMORY", "1GB")
	rep, err := Replay(ctx, dir, ReplayOptions{DryRun: true})
	if err != nil || rep.Considered != 600 || rep.Stays[events.ReasonNotJSON] != 600 {
		t.Errorf("at 1GB: %+v, %v; want 600 considered, 600 staying not_json", rep, err)
	}
}

// Show reads the quarantine about readBytes at a time and gives every message once, in
// Kafka order, within --limit: here at 1 KiB a chunk, about a dozen messages each.
func TestShowReadsInChunks(t *testing.T) {
	defer func(was int64) { readBytes = was }(readBytes)
	readBytes = 1024
	var rows []row
	for i := range 100 {
		rows = append(rows, row{int64(i), events.Event{}, events.ReasonNotJSON, fmt.Sprintf("not JSON %d", i)})
	}
	dir := lakeWith(t, rows)
	for _, limit := range []int{0, 37} {
		var got []int64
		err := Show(context.Background(), dir, ShowOptions{Limit: limit}, func(m *Message) error {
			if string(m.Raw) != fmt.Sprintf("not JSON %d", m.Offset) {
				t.Errorf("offset %d holds %q", m.Offset, m.Raw)
			}
			got = append(got, m.Offset)
			return nil
		})
		want := 100
		if limit > 0 {
			want = limit
		}
		if err != nil || len(got) != want || !slices.IsSorted(got) || got[0] != 0 || got[len(got)-1] != int64(want-1) {
			t.Errorf("--limit %d: offsets %v, %v; want 0 to %d once each", limit, got, err, want-1)
		}
	}
}
