package transform

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/hongbao/hongbao/ingest/lake"
	"github.com/hongbao/hongbao/internal/datadir"
	"github.com/hongbao/hongbao/internal/testworld"
	"github.com/hongbao/hongbao/refdata"
)

// refreshed opens a warehouse over the small test world and refreshes it.
func refreshed(t *testing.T) (dir string, w *Warehouse) {
	t.Helper()
	_, dir, w = refreshedWorld(t)
	return dir, w
}

// refreshedWorld is refreshed with the world, for tests that land more in it.
func refreshedWorld(t *testing.T) (world *testworld.World, dir string, w *Warehouse) {
	t.Helper()
	dir = t.TempDir()
	world = testworld.Small(t, dir)
	return world, dir, openRefreshed(t, dir)
}

// openRefreshed opens the warehouse of dir and refreshes it.
func openRefreshed(t *testing.T, dir string) *Warehouse {
	t.Helper()
	w, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { w.Close() })
	if err := w.Refresh(context.Background()); err != nil {
		t.Fatal(err)
	}
	return w
}

// TestNaiveTimestampsAreUTC: a lake file whose timestamps carry no zone, as another
// writer may store them, is read as UTC, as the ingester writes them, not in the
// session's zone (Beijing time), which would shift every event by eight hours.
func TestNaiveTimestampsAreUTC(t *testing.T) {
	dir := t.TempDir()
	world := testworld.New(t, dir)
	c := world.Add(0, testworld.Envelope("e2", testworld.TS("2014-01-30 16:00:58+00"), "env2", "u0", "chat2", "fixed", 20000, 2)).Commit()[0]
	world.Replace(c, "envelopes", `SELECT 'e2' AS event_id, TIMESTAMP '2014-01-30 16:00:58' AS ts, 'env2' AS envelope_id,
		'u0' AS sender_id, 'chat2' AS chat_id, 'fixed' AS kind, 20000::BIGINT AS total_fen, 2::INTEGER AS shares,
		0::INTEGER AS kafka_partition, 0::BIGINT AS kafka_offset`)
	w := openRefreshed(t, dir)
	var typ, text string
	if err := w.DB().QueryRow("SELECT typeof(ts), ts::VARCHAR FROM envelopes").Scan(&typ, &text); err != nil {
		t.Fatal(err)
	}
	if typ != "TIMESTAMP WITH TIME ZONE" || text != "2014-01-31 00:00:58+08" {
		t.Errorf("a naive timestamp loads as %s %s, want TIMESTAMP WITH TIME ZONE 2014-01-31 00:00:58+08", typ, text)
	}
}

func queryInt(t *testing.T, db *sql.DB, q string) int64 {
	t.Helper()
	var n sql.NullInt64
	if err := db.QueryRow(q).Scan(&n); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	return n.Int64
}

func TestRefreshLoadsLake(t *testing.T) {
	_, w := refreshed(t)
	db := w.DB()
	for q, want := range map[string]int64{
		"SELECT count(*) FROM grabs":                                                       6,
		"SELECT count(*) FROM grabs WHERE outcome = 'claimed'":                             4,
		"SELECT sum(amount_fen) FROM grabs":                                                9650,
		"SELECT count(*) FROM grabs WHERE amount_fen IS NULL":                              2,
		"SELECT count(*) FROM envelopes":                                                   2,
		"SELECT sum(total_fen) FROM envelopes":                                             30000,
		"SELECT count(*) FROM quarantine WHERE reason = 'not_json'":                        1,
		"SELECT count(*) FROM quarantine WHERE kafka_key IS NULL":                          1,
		"SELECT count(*) FROM payments":                                                    0,
		"SELECT sum(claims) FROM claims_per_minute":                                        4,
		"SELECT sum(attempts) FROM claims_per_minute":                                      6,
		"SELECT sum(claimed_fen) FROM claims_per_minute":                                   9650,
		"SELECT count(*) FROM _hongbao_meta":                                               int64(RefreshBuilds()),
		"SELECT lake_files FROM _hongbao_meta WHERE name = 'grabs'":                        2,
		"SELECT row_count FROM _hongbao_meta WHERE name = 'links'":                         0,
		"SELECT sum_fen FROM _hongbao_meta WHERE name = 'grabs'":                           9650,
		"SELECT sum_fen FROM _hongbao_meta WHERE name = 'envelopes'":                       30000,
		"SELECT sum_fen FROM _hongbao_meta WHERE name = 'quarantine'":                      0,
		"SELECT count(*) FROM _hongbao_meta WHERE kind <> 'lake' AND sum_fen IS NULL":      int64(RefreshBuilds() - len(lakeTables)),
		"SELECT count(*) FROM _hongbao_meta WHERE refreshed_at >= now() - INTERVAL 1 HOUR": int64(RefreshBuilds()),
	} {
		if got := queryInt(t, db, q); got != want {
			t.Errorf("%s = %d, want %d", q, got, want)
		}
	}

	tables, err := w.Tables(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, tb := range tables {
		names = append(names, tb.Name)
	}
	if got, want := strings.Join(names, " "), strings.Join(builds(), " "); got != want {
		t.Errorf("Tables() = %s, want %s", got, want)
	}
	if g := tables[1]; g != (TableInfo{Name: "grabs", Kind: "lake", Files: 2, Bytes: g.Bytes, Rows: 6}) || g.Bytes <= 0 {
		t.Errorf("Tables()[1] = %+v", g)
	}
}

// builds are the tables a refresh builds, in order: the lake's, the reference
// tables, the models.
func builds() []string {
	names := LakeTables()
	for _, r := range refdata.Tables() {
		names = append(names, r.Name)
	}
	return append(names, Models()...)
}

// TestRefreshBuildsWhatItSays counts the Progress calls of a refresh: one per table
// it builds, in order, as many as RefreshBuilds says.
func TestRefreshBuildsWhatItSays(t *testing.T) {
	dir := t.TempDir()
	testworld.Small(t, dir)
	w, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	var progressed []string
	w.Progress = func(ti TableInfo) { progressed = append(progressed, ti.Name) }
	if err := w.Refresh(context.Background()); err != nil {
		t.Fatal(err)
	}
	if got, want := strings.Join(progressed, " "), strings.Join(builds(), " "); got != want {
		t.Errorf("Progress saw %s\nwant %s", got, want)
	}
	if n := RefreshBuilds(); len(progressed) != n {
		t.Errorf("RefreshBuilds() = %d; a refresh called Progress %d times", n, len(progressed))
	}
}

func TestEmptyLakeGivesEmptyTables(t *testing.T) {
	dir := t.TempDir()
	os.MkdirAll(filepath.Join(dir, "lake", "grabs"), 0o755) // an empty folder, the others missing
	w, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	if err := w.Refresh(context.Background()); err != nil {
		t.Fatal(err)
	}
	want := map[string]string{
		"envelopes":          "event_id VARCHAR, ts TIMESTAMP WITH TIME ZONE, envelope_id VARCHAR, sender_id VARCHAR, chat_id VARCHAR, kind VARCHAR, total_fen BIGINT, shares INTEGER, kafka_partition INTEGER, kafka_offset BIGINT",
		"grabs":              "event_id VARCHAR, ts TIMESTAMP WITH TIME ZONE, envelope_id VARCHAR, user_id VARCHAR, outcome VARCHAR, amount_fen BIGINT, kafka_partition INTEGER, kafka_offset BIGINT",
		"card_bindings":      "event_id VARCHAR, ts TIMESTAMP WITH TIME ZONE, user_id VARCHAR, provider VARCHAR, bank_code VARCHAR, outcome VARCHAR, kafka_partition INTEGER, kafka_offset BIGINT",
		"withdrawals":        "event_id VARCHAR, ts TIMESTAMP WITH TIME ZONE, user_id VARCHAR, provider VARCHAR, bank_code VARCHAR, amount_fen BIGINT, kafka_partition INTEGER, kafka_offset BIGINT",
		"payments":           "event_id VARCHAR, ts TIMESTAMP WITH TIME ZONE, user_id VARCHAR, provider VARCHAR, scenario VARCHAR, amount_fen BIGINT, bank_code VARCHAR, kafka_partition INTEGER, kafka_offset BIGINT",
		"links":              "event_id VARCHAR, ts TIMESTAMP WITH TIME ZONE, user_id VARCHAR, chat_id VARCHAR, url VARCHAR, kafka_partition INTEGER, kafka_offset BIGINT",
		"quarantine":         "kafka_topic VARCHAR, kafka_partition INTEGER, kafka_offset BIGINT, kafka_key BLOB, kafka_ts TIMESTAMP WITH TIME ZONE, raw BLOB, reason VARCHAR, detail VARCHAR, ingested_at TIMESTAMP WITH TIME ZONE",
		"quarantine_replays": "kafka_topic VARCHAR, kafka_partition INTEGER, kafka_offset BIGINT, reason VARCHAR, event_table VARCHAR, event_id VARCHAR, replayed_at TIMESTAMP WITH TIME ZONE",
		"claims_per_minute":  "minute TIMESTAMP, claims BIGINT, attempts BIGINT, claimed_fen BIGINT",
		"claims_per_hour":    "hour TIMESTAMP, claims HUGEINT, attempts HUGEINT, claimed_fen HUGEINT",
		"midnight_window":    "midnight TIMESTAMP, from_midnight INTEGER, minute TIMESTAMP, claims BIGINT, attempts BIGINT, claimed_fen BIGINT",
		"user_bindings":      "provider VARCHAR, user_id VARCHAR, first_attempt_at TIMESTAMP WITH TIME ZONE, first_event_id VARCHAR, first_bank_code VARCHAR, first_outcome VARCHAR, first_bound_at TIMESTAMP WITH TIME ZONE, attempts BIGINT, bound BIGINT, refused BIGINT",
		"bank_bindings":      "provider VARCHAR, bank_code VARCHAR, attempts BIGINT, bound BIGINT, refused BIGINT, users BIGINT, refused_users BIGINT",
		"claim_sizes":        "amount_fen BIGINT, claims BIGINT",
		"claim_stats":        "claims BIGINT, smallest_fen BIGINT, median_fen DOUBLE, largest_fen BIGINT",
		"user_grabs":         "user_id VARCHAR, first_grab_at TIMESTAMP WITH TIME ZONE, first_claim_at TIMESTAMP WITH TIME ZONE, attempts BIGINT, claims BIGINT, claims_to_eve_night_end BIGINT, grabbed_eve_to_end BOOLEAN, grabbed_eve_night BOOLEAN",
		"festival_windows":   "eve_start TIMESTAMP WITH TIME ZONE, end_at TIMESTAMP WITH TIME ZONE, eve_night_start TIMESTAMP WITH TIME ZONE, eve_night_end TIMESTAMP WITH TIME ZONE",
		"user_funnel":        "user_id VARCHAR, first_grab_at TIMESTAMP WITH TIME ZONE, first_claim_at TIMESTAMP WITH TIME ZONE, first_bind_attempt_at TIMESTAMP WITH TIME ZONE, first_bound_at TIMESTAMP WITH TIME ZONE, first_withdrawal_at TIMESTAMP WITH TIME ZONE, first_payment_at TIMESTAMP WITH TIME ZONE",
	}
	if len(want) != len(lakeTables)+len(Models()) {
		t.Fatalf("test knows %d tables, the warehouse builds %d", len(want), len(lakeTables)+len(Models()))
	}
	for table, cols := range want {
		if got := columnsOf(t, w.DB(), table); got != cols {
			t.Errorf("%s columns:\n got %s\nwant %s", table, got, cols)
		}
		want := int64(0)
		if table == "festival_windows" {
			want = 1 // the windows hold with no data as with some
		}
		if n := queryInt(t, w.DB(), "SELECT count(*) FROM "+table); n != want {
			t.Errorf("%s has %d rows, want %d", table, n, want)
		}
	}
}

func TestRefreshIsAllOrNothing(t *testing.T) {
	world, _, w := refreshedWorld(t)
	ctx := context.Background()
	// A second refresh over the same lake changes nothing; a new file adds its rows.
	if err := w.Refresh(ctx); err != nil {
		t.Fatal(err)
	}
	world.Add(0, testworld.Link("l1", testworld.TS("2014-01-30 16:02:00+00"), "u1", "chat1", "http://hongbao.example/fake")).Commit()
	if err := w.Refresh(ctx); err != nil {
		t.Fatal(err)
	}
	if n := queryInt(t, w.DB(), "SELECT count(*) FROM grabs"); n != 6 {
		t.Errorf("grabs after two refreshes = %d, want 6", n)
	}
	if n := queryInt(t, w.DB(), "SELECT count(*) FROM links"); n != 1 {
		t.Errorf("links = %d, want 1", n)
	}

	// A grabs file without amount_fen (written by hand over a committed one) fails the
	// refresh, and the warehouse keeps the previous refresh whole: links too, though
	// they load before grabs.
	c := world.Add(0,
		testworld.Link("l2", testworld.TS("2014-01-30 16:03:00+00"), "u2", "chat1", "http://hongbao.example/x"),
		testworld.Claim("g9", testworld.TS("2014-01-30 16:03:00+00"), "env1", "u9", 100)).Commit()[0]
	world.Replace(c, "grabs", `SELECT 'g9' AS event_id, TIMESTAMPTZ '2014-01-30 16:03:00+00' AS ts,
		'env1' AS envelope_id, 'u9' AS user_id, 'claimed' AS outcome, 0::INTEGER AS kafka_partition, 8::BIGINT AS kafka_offset`)
	err := w.Refresh(ctx)
	if !errors.Is(err, ErrLakeSchema) || !strings.Contains(err.Error(), "lake table grabs has no column amount_fen (BIGINT)") {
		t.Fatalf("Refresh with a bad file = %v, want ErrLakeSchema naming amount_fen", err)
	}
	for table, want := range map[string]int64{"grabs": 6, "links": 1, "claims_per_minute": 3} {
		if n := queryInt(t, w.DB(), "SELECT count(*) FROM "+table); n != want {
			t.Errorf("%s after a failed refresh = %d rows, want %d", table, n, want)
		}
	}
}

func TestOpenReadOnlyWithoutWarehouse(t *testing.T) {
	dir := t.TempDir()
	_, err := OpenReadOnly(dir)
	want := "no warehouse at " + filepath.Join(dir, "warehouse.duckdb") + ": run 'hongbao demo' or 'hongbao ingest' first"
	if !errors.Is(err, ErrNoWarehouse) || err.Error() != want {
		t.Errorf("OpenReadOnly(empty) = %v, want %s", err, want)
	}
	testworld.Small(t, dir)
	_, err = OpenReadOnly(dir)
	if !errors.Is(err, ErrNoWarehouse) || !strings.Contains(err.Error(), "run 'hongbao transform' to build it from the lake") {
		t.Errorf("OpenReadOnly(lake only) = %v", err)
	}
	if _, err := os.Stat(datadir.Dir(dir).Warehouse()); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("OpenReadOnly created %s", datadir.Dir(dir).Warehouse())
	}
}

// TestOpenReadOnlyNeverBuilt: a first refresh that failed (a bank table it refuses)
// leaves a warehouse file without tables; readers are told to run transform and fix
// what it reports, not DuckDB's "Table with name grabs does not exist!".
func TestOpenReadOnlyNeverBuilt(t *testing.T) {
	dir := t.TempDir()
	testworld.Small(t, dir)
	if err := os.WriteFile(datadir.Dir(dir).Banks(), []byte("code,name_zh,name_en,kind,wechat_pay,alipay,debit_card_share\nX,x,x,bad,true,true,1\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	w, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	if err := w.Refresh(context.Background()); err == nil {
		t.Fatal("a refresh over a bad bank table succeeded")
	}
	w.Close()
	_, err = OpenReadOnly(dir)
	want := "no warehouse: " + datadir.Dir(dir).Warehouse() + " exists but was never built (its first 'hongbao transform' did not finish): run 'hongbao transform --dir " + dir + "' and fix what it reports"
	if !errors.Is(err, ErrNoWarehouse) || err.Error() != want {
		t.Errorf("OpenReadOnly(never built):\n got %v\nwant %s", err, want)
	}
}

// TestFolderWithAQuote: a data folder such as /home/o'brien/data: the views quote the
// lake's files with the quote doubled, and the check readers run read it doubled, so
// every reader refused the warehouse as reading "another folder's lake (brien/lake)".
func TestFolderWithAQuote(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "o'brien's data")
	testworld.Small(t, dir)
	testworld.Refresh(t, Open, dir)
	w, err := OpenReadOnly(dir)
	if err != nil {
		t.Fatalf("OpenReadOnly(%s): %v", dir, err)
	}
	defer w.Close()
	var grabs int
	if err := w.DB().QueryRow("SELECT count(*) FROM grabs").Scan(&grabs); err != nil || grabs != 6 {
		t.Errorf("grabs = %d, %v; want the 6 of the small world", grabs, err)
	}
}

// TestFolderDuckDBCannotOpen: DuckDB opens the warehouse through a URL, so a folder
// name holding '?', '#', '%' or a control character cannot be opened: the error says
// so, the tab shown as \u{9}, instead of the driver's "could not parse DSN".
func TestFolderDuckDBCannotOpen(t *testing.T) {
	for _, name := range []string{"tab\there", "what?", "100%"} {
		_, err := Open(filepath.Join(t.TempDir(), name))
		if err == nil || !strings.Contains(err.Error(), "DuckDB cannot open a path containing '?', '#', '%' or a control character") ||
			strings.ContainsRune(err.Error(), '\t') {
			t.Errorf("Open(%q) = %v", name, err)
		}
	}
}

func TestTablesBeforeRefresh(t *testing.T) {
	w, err := Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	if _, err := w.Tables(context.Background()); err == nil || !strings.Contains(err.Error(), "run 'hongbao transform'") {
		t.Errorf("Tables before Refresh = %v", err)
	}
}

func TestModelsHaveHeaders(t *testing.T) {
	models, err := loadModels(modelFiles)
	if err != nil {
		t.Fatal(err)
	}
	if len(models) == 0 || models[0].name != "claims_per_minute" {
		t.Fatalf("models = %+v, want claims_per_minute first", models)
	}
	for _, m := range models {
		if !strings.HasPrefix(m.header, m.name+": ") || !strings.Contains(m.header, "from") {
			t.Errorf("%s: header %q should start %q and say what it computes from what", m.file, m.header, m.name+": ")
		}
	}
}

func TestLockedError(t *testing.T) {
	duck := errors.New(`IO Error: Could not set lock on file "w.duckdb": Conflicting lock is held in /usr/bin/hongbao (PID 4242).`)
	for readOnly, want := range map[bool]string{
		true:  "the warehouse is in use by another process: w.duckdb is being written by process 4242 (a running 'hongbao transform', 'ingest' or 'demo'); wait for it to finish and try again",
		false: "the warehouse is in use by another process: w.duckdb is open in process 4242 (a 'hongbao sql', report or notebook reading it, or another 'transform' or 'ingest'); wait for it to finish and try again",
	} {
		if err := lockedError("w.duckdb", readOnly, duck); !errors.Is(err, ErrLocked) || err.Error() != want {
			t.Errorf("lockedError(readOnly=%v) = %v", readOnly, err)
		}
	}
}

// TestRefreshChecksOnlyNewFiles: the event tables are views of the lake; a second
// refresh checks only the files committed since the first, and after a file vanished
// the view reads what is there.
func TestRefreshChecksOnlyNewFiles(t *testing.T) {
	world, _, w := refreshedWorld(t)
	db := w.DB()
	ctx := context.Background()
	if got := queryInt(t, db, "SELECT count(*) FROM grabs"); got != 6 {
		t.Fatalf("grabs after the first refresh: %d, want 6", got)
	}
	// The event tables are views of the lake files: the warehouse does not copy them.
	if got := queryInt(t, db, "SELECT count(*) FROM duckdb_views() WHERE view_name = 'grabs' AND NOT internal"); got != 1 {
		t.Fatalf("grabs is not a view of the lake")
	}
	world.Add(0,
		testworld.Claim("g7", testworld.TS("2014-01-30 16:00:40+00"), "env3", "u7", 300),
		testworld.Claim("g8", testworld.TS("2014-01-30 16:00:45+00"), "env3", "u8", 200)).Commit()
	if err := w.Refresh(ctx); err != nil {
		t.Fatal(err)
	}
	for q, want := range map[string]int64{
		"SELECT count(*) FROM grabs":                                          8,
		"SELECT sum(claims) FROM claims_per_minute":                           6, // models see the new rows
		"SELECT count(*) FROM _hongbao_lake_files WHERE table_name = 'grabs'": 3,
		"SELECT lake_files FROM _hongbao_meta WHERE name = 'grabs'":           3,
		"SELECT sum_fen FROM _hongbao_meta WHERE name = 'grabs'":              9650 + 500, // old files' money and the new
	} {
		if got := queryInt(t, db, q); got != want {
			t.Errorf("after an append: %s = %d, want %d", q, got, want)
		}
	}
	// A refresh with nothing new changes nothing.
	if err := w.Refresh(ctx); err != nil {
		t.Fatal(err)
	}
	if got := queryInt(t, db, "SELECT count(*) FROM grabs"); got != 8 {
		t.Errorf("after a refresh with nothing new: %d grabs, want 8", got)
	}
	// A file that leaves the table (evicted: its rows go to quarantine): the view reads
	// the files left.
	evict(t, world, world.Commits[0], "grabs")
	if err := w.Refresh(ctx); err != nil {
		t.Fatal(err)
	}
	for q, want := range map[string]int64{
		"SELECT count(*) FROM grabs":                                          4,
		"SELECT count(*) FROM _hongbao_lake_files WHERE table_name = 'grabs'": 2,
	} {
		if got := queryInt(t, db, q); got != want {
			t.Errorf("after a file vanished: %s = %d, want %d", q, got, want)
		}
	}
}

// columnsOf returns "name TYPE, ..." of a warehouse table.
func columnsOf(t *testing.T, db *sql.DB, table string) string {
	t.Helper()
	rows, err := db.Query(`SELECT column_name, data_type FROM information_schema.columns
		WHERE table_name = ? ORDER BY ordinal_position`, table)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var cols []string
	for rows.Next() {
		var n, typ string
		if err := rows.Scan(&n, &typ); err != nil {
			t.Fatal(err)
		}
		cols = append(cols, n+" "+typ)
	}
	return strings.Join(cols, ", ")
}

// evict moves the file of table that commit c wrote out of the lake, its rows to
// quarantine, as 'hongbao quarantine evict' does.
func evict(t *testing.T, world *testworld.World, c *lake.Commit, table string) {
	t.Helper()
	m, err := world.Lake().BeginMaintenance()
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	f, _ := c.File(table)
	if _, err := m.Evict(table, f.File); err != nil {
		t.Fatal(err)
	}
}

// markerOf is the commit marker that lists a lake file.
func markerOf(t *testing.T, dir, path string) string {
	t.Helper()
	committed, err := lake.Committed(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, files := range committed {
		for _, f := range files {
			if f.Path == path {
				return f.Marker
			}
		}
	}
	t.Fatalf("no marker lists %s", path)
	return ""
}

// TestRefreshChecksFilesAgainstTheirMarkers: a lake file that does not hold the rows, or
// the money, its commit marker records fails the refresh with a sentence naming it and
// both numbers, whether the table is appended to or rebuilt, and the warehouse keeps the
// previous refresh.
func TestRefreshChecksFilesAgainstTheirMarkers(t *testing.T) {
	world, dir, w := refreshedWorld(t)
	c := world.Add(0,
		testworld.Claim("g7", testworld.TS("2014-01-30 16:00:40+00"), "env1", "u7", 300),
		testworld.Claim("g8", testworld.TS("2014-01-30 16:00:45+00"), "env1", "u8", 200)).Commit()[0]
	path := world.Path(c, "grabs")
	marker := markerOf(t, dir, path)
	grab := func(id string, fen, offset int) string {
		return fmt.Sprintf("SELECT '%s' AS event_id, TIMESTAMPTZ '2014-01-30 16:00:40+00' AS ts, 'env1' AS envelope_id, 'u7' AS user_id, "+
			"'claimed' AS outcome, %d::BIGINT AS amount_fen, 0::INTEGER AS kafka_partition, %d::BIGINT AS kafka_offset", id, fen, offset)
	}
	for _, tc := range []struct {
		query, want string
	}{
		{grab("g7", 300, 6) + " UNION ALL " + grab("g8", 200, 7) + " UNION ALL " + grab("g9", 0, 8),
			"lake file " + path + " holds 3 rows, but its commit marker " + marker + " says 2"},
		{grab("g7", 300, 6) + " UNION ALL " + grab("g8", 2000, 7),
			"lake file " + path + " holds 2300 fen in amount_fen, but its commit marker " + marker + " says 500"},
	} {
		world.Replace(c, "grabs", tc.query)
		for _, rebuild := range []bool{false, true} {
			wh := w
			if rebuild { // a warehouse of its own, built whole
				other := t.TempDir()
				if err := os.CopyFS(filepath.Join(other, "lake"), os.DirFS(filepath.Join(dir, "lake"))); err != nil {
					t.Fatal(err)
				}
				var err error
				if wh, err = Open(other); err != nil {
					t.Fatal(err)
				}
				defer wh.Close()
				tc.want = strings.ReplaceAll(tc.want, dir, other)
			}
			err := wh.Refresh(context.Background())
			if !errors.Is(err, ErrLakeMismatch) || !strings.HasSuffix(err.Error(), ": load lake table grabs: the lake files do not match their commit markers: "+tc.want) {
				t.Errorf("rebuild %v: Refresh = %v\nwant ErrLakeMismatch: ...%s", rebuild, err, tc.want)
			}
		}
		if n := queryInt(t, w.DB(), "SELECT count(*) FROM grabs"); n != 6 {
			t.Errorf("grabs after a failed refresh: %d rows, want the 6 of the one before", n)
		}
	}
}

// TestRefreshRefusesAColumnTheContractLacks: a lake file with a column the lake
// contract does not have would lose it in the warehouse; the refresh fails naming the
// file and the column instead.
func TestRefreshRefusesAColumnTheContractLacks(t *testing.T) {
	world, dir, w := refreshedWorld(t)
	c := world.Add(0, testworld.Link("l1", testworld.TS("2014-01-30 16:02:00+00"), "u1", "chat1", "http://hongbao.example/fake")).Commit()[0]
	path := world.Path(c, "links")
	world.Replace(c, "links", `SELECT 'l1' AS event_id, TIMESTAMPTZ '2014-01-30 16:02:00+00' AS ts, 'u1' AS user_id, 'chat1' AS chat_id,
		'http://hongbao.example/fake' AS url, 'phishing' AS verdict, 0::INTEGER AS kafka_partition, 6::BIGINT AS kafka_offset`)
	err := w.Refresh(context.Background())
	want := "refresh " + datadir.Dir(dir).Warehouse() + ": load lake table links: the lake files do not match the warehouse schema: lake table links: " + path +
		" has a column verdict (VARCHAR), which the lake contract lacks and the warehouse would leave out; another version of hongbao wrote it: refresh the warehouse with that version"
	if !errors.Is(err, ErrLakeSchema) || err.Error() != want {
		t.Errorf("Refresh with an extra column:\n got %v\nwant %s", err, want)
	}
	if n := queryInt(t, w.DB(), "SELECT count(*) FROM links"); n != 0 {
		t.Errorf("links after the failed refresh: %d rows, want 0", n)
	}
}

// TestRefreshLoadsWhatTheMarkersCommit: a Parquet file in a lake folder that no marker
// lists (a copy left by hand, the file of a commit not done) is not part of the lake,
// and a file a marker lists that is gone fails the refresh naming both.
func TestRefreshLoadsWhatTheMarkersCommit(t *testing.T) {
	world, dir, w := refreshedWorld(t)
	c := world.Commits[0]
	stray := filepath.Join(dir, "lake", "grabs", "copy.parquet")
	data, err := os.ReadFile(world.Path(c, "grabs"))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(stray, data, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := w.Refresh(context.Background()); err != nil {
		t.Fatal(err)
	}
	if n := queryInt(t, w.DB(), "SELECT count(*) FROM grabs"); n != 6 {
		t.Errorf("grabs with a file no marker lists: %d rows, want 6", n)
	}

	lost := world.Path(c, "envelopes")
	marker := markerOf(t, dir, lost)
	if err := os.Remove(lost); err != nil {
		t.Fatal(err)
	}
	err = w.Refresh(context.Background())
	want := "refresh " + datadir.Dir(dir).Warehouse() + ": lake: a committed file is missing: " + lost + " is not there, but the commit marker " +
		marker + " lists it"
	if !errors.Is(err, lake.ErrMissingFile) || err.Error() != want {
		t.Errorf("Refresh with a committed file gone:\n got %v\nwant %s", err, want)
	}
}

// TestCachedFootersFollowARewrittenFile: the warehouse's read-only connections keep the
// footers of the lake files they read (CacheLakeFooters), the refresh's does not, and a
// file written again since, at the same path, is read as it is now and not through its
// old footer. The file is dated an hour back first, so that the cached footer would be
// trusted if DuckDB looked only at how recent the file is.
func TestCachedFootersFollowARewrittenFile(t *testing.T) {
	dir := t.TempDir()
	world := testworld.New(t, dir)
	c := world.Add(0,
		testworld.Envelope("e1", testworld.TS("2014-01-30 16:00:00+00"), "env1", "u1", "chat1", "fixed", 100, 1),
		testworld.Envelope("e2", testworld.TS("2014-01-30 16:00:01+00"), "env2", "u2", "chat1", "lucky", 2000, 4),
	).Commit()[0]
	rw := openRefreshed(t, dir)
	const cached = "SELECT current_setting('parquet_metadata_cache')::INTEGER"
	if queryInt(t, rw.DB(), cached) != 0 {
		t.Errorf("parquet_metadata_cache is on on the refresh's connection, want it off")
	}
	rw.Close()
	w, err := OpenReadOnly(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	if queryInt(t, w.DB(), cached) != 1 {
		t.Fatalf("parquet_metadata_cache is off on a read-only connection, want it on")
	}
	path := world.Path(c, "envelopes")
	hourAgo := time.Now().Add(-time.Hour)
	if err := os.Chtimes(path, hourAgo, hourAgo); err != nil {
		t.Fatal(err)
	}
	rowsAndFen := func() string {
		return fmt.Sprint(queryInt(t, w.DB(), "SELECT count(*) FROM envelopes"), " ", queryInt(t, w.DB(), "SELECT sum(total_fen) FROM envelopes"))
	}
	for range 2 { // the second read finds the footer in the cache
		if got := rowsAndFen(); got != "2 2100" {
			t.Fatalf("before the rewrite: %s, want 2 2100", got)
		}
	}
	world.Replace(c, "envelopes", `SELECT 'e3' AS event_id, TIMESTAMPTZ '2014-01-30 16:00:02+00' AS ts, 'env3' AS envelope_id,
		'u3' AS sender_id, 'chat1' AS chat_id, 'fixed' AS kind, 500::BIGINT AS total_fen, 1::INTEGER AS shares,
		0::INTEGER AS kafka_partition, 2::BIGINT AS kafka_offset FROM range(3)`)
	if got := rowsAndFen(); got != "3 1500" {
		t.Errorf("after the file was written again with three rows of 500 fen: %s, want 3 1500", got)
	}
}
