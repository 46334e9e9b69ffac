package main

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// writeSQLTestLake lands three grabs in DIR/lake/grabs: two in the first minute of
// 2014-01-31 in Beijing, one missed a minute later.
func writeSQLTestLake(t *testing.T, dir string) {
	t.Helper()
	folder := filepath.Join(dir, "lake", "grabs")
	if err := os.MkdirAll(folder, 0o755); err != nil {
		t.Fatal(err)
	}
	mem, err := sql.Open("duckdb", "")
	if err != nil {
		t.Fatal(err)
	}
	defer mem.Close()
	_, err = mem.Exec(`COPY (SELECT * FROM (VALUES
			('g1', TIMESTAMPTZ '2014-01-30 16:00:10+00', 'env1', 'u1', 'claimed', 100::BIGINT, 0, 0::BIGINT),
			('g2', TIMESTAMPTZ '2014-01-30 16:00:40+00', 'env1', 'u2', 'claimed', 250::BIGINT, 0, 1::BIGINT),
			('g3', TIMESTAMPTZ '2014-01-30 16:01:00+00', 'env1', 'u3', 'missed', NULL, 0, 2::BIGINT))
		AS t(event_id, ts, envelope_id, user_id, outcome, amount_fen, kafka_partition, kafka_offset))
		TO '` + filepath.ToSlash(filepath.Join(folder, "p0-0-2.parquet")) + `' (FORMAT parquet, COMPRESSION zstd)`)
	if err != nil {
		t.Fatal(err)
	}
}

// runHongbao runs the command line with args and returns stdout.
func runHongbao(t *testing.T, stdin string, args ...string) (string, error) {
	t.Helper()
	root := newRootCommand()
	var out, errOut bytes.Buffer
	root.SetArgs(args)
	root.SetIn(strings.NewReader(stdin))
	root.SetOut(&out)
	root.SetErr(&errOut)
	err := root.ExecuteContext(context.Background())
	return out.String(), err
}

func TestSQLCommandCSV(t *testing.T) {
	dir := t.TempDir()
	writeSQLTestLake(t, dir)
	if _, err := runHongbao(t, "", "--dir", dir, "transform"); err != nil {
		t.Fatal(err)
	}
	got, err := runHongbao(t, "", "--dir", dir, "sql", "--format", "csv",
		"SELECT minute, claims, attempts, claimed_fen FROM claims_per_minute ORDER BY minute")
	if err != nil {
		t.Fatal(err)
	}
	want := "minute,claims,attempts,claimed_fen\n" +
		"2014-01-31 00:00:00,2,2,350\n" +
		"2014-01-31 00:01:00,0,1,0\n"
	if got != want {
		t.Errorf("sql --format csv:\n got %q\nwant %q", got, want)
	}

	// The same query from stdin, with "-" and with no argument (stdin is not a terminal).
	for _, args := range [][]string{{"-"}, {}} {
		got, err := runHongbao(t, "SELECT count(*) AS n FROM grabs;\n",
			append([]string{"--dir", dir, "sql", "--format", "json"}, args...)...)
		if err != nil || got != "[\n  {\"n\": 3}\n]\n" {
			t.Errorf("sql %v from stdin = %q, %v", args, got, err)
		}
	}
}

func TestRunSQLRefusesWrites(t *testing.T) {
	dir := t.TempDir()
	writeSQLTestLake(t, dir)
	g := &globalOptions{dir: dir}
	ctx := context.Background()
	if err := runTransform(ctx, g, new(bytes.Buffer), false); err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	err := runSQL(ctx, g, sqlOptions{format: "table"}, "DROP TABLE grabs", &out, &out)
	var ue usageError
	want := "the warehouse is opened read-only: DROP is not allowed here; use 'hongbao transform' to rebuild models, or copy the data out with COPY ... TO in your own DuckDB session"
	if !errors.As(err, &ue) || err.Error() != want {
		t.Fatalf("sql DROP TABLE grabs:\n got %v\nwant usage error %s", err, want)
	}
	out.Reset()
	if err := runSQL(ctx, g, sqlOptions{format: "table"}, "SELECT count(*) AS grabs FROM grabs", &out, &out); err != nil {
		t.Fatal(err)
	}
	if want := "grabs\n-----\n    3\n(1 row)\n"; out.String() != want {
		t.Errorf("grabs after a refused DROP:\n got %q\nwant %q", out.String(), want)
	}
}

func TestSQLUsageErrors(t *testing.T) {
	dir := t.TempDir()
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"--format", "yaml", "SELECT 1"}, `unknown --format "yaml": use one of table, csv, json, markdown`},
		{[]string{"SELECT 1"}, "no warehouse at " + filepath.Join(dir, "warehouse.duckdb") + ": run 'hongbao demo' or 'hongbao ingest' first"},
		{[]string{"SELECT", "1"}, "pass the query as one argument in quotes"},
		{[]string{"  "}, "the query is empty"},
	} {
		_, err := runHongbao(t, "", append([]string{"--dir", dir, "sql"}, tc.args...)...)
		var ue usageError
		if !errors.As(err, &ue) || !strings.HasPrefix(err.Error(), tc.want) {
			t.Errorf("sql %q = %v, want usage error starting %q", tc.args, err, tc.want)
		}
	}
}

func TestSQLQueryFromTerminal(t *testing.T) {
	// On a terminal with no argument, the query cannot come from stdin.
	tty, err := os.Open("/dev/tty")
	if err != nil || !sqlReaderIsTerminal(tty) {
		t.Skip("no terminal")
	}
	defer tty.Close()
	if _, err := sqlQueryFrom(nil, tty); err == nil || !strings.HasPrefix(err.Error(), "pass a query") {
		t.Errorf("sqlQueryFrom(terminal) = %v", err)
	}
}
