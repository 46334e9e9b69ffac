package query

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/hongbao/hongbao/internal/testworld"
	"github.com/hongbao/hongbao/transform"
)

// A query that needs more than DuckDB's cap fails with the setting that raises it
// named, and the same query answers once it is raised.
func TestOutOfMemoryNamesTheSetting(t *testing.T) {
	dir, _ := testworld.SmallRefreshed(t, transform.Open)
	const q = "SELECT count(*), sum(length(s)) FROM (SELECT k, list(v) s FROM (SELECT range % 1000 k, range v FROM range(20000000)) GROUP BY k)"
	run := func(limit string) (*Result, error) {
		t.Setenv("HONGBAO_DUCKDB_MEMORY", limit)
		s, err := OpenSandbox(dir, SandboxOptions{})
		if err != nil {
			t.Fatal(err)
		}
		defer s.Close()
		return Query(context.Background(), s.DB(), q)
	}
	_, err := run("16MB")
	if err == nil {
		t.Fatal("20 M values in lists fit in 16MB: the test no longer provokes the limit")
	}
	for _, s := range []string{"Out of Memory Error", "the 16MB it may use", "HONGBAO_DUCKDB_MEMORY=4GB"} {
		if !strings.Contains(err.Error(), s) {
			t.Errorf("the error does not say %q:\n%v", s, err)
		}
	}
	res, err := run("1GB")
	if err != nil || len(res.Rows) != 1 || res.Rows[0][0].Text != "1000" || res.Rows[0][1].Text != "20000000" {
		t.Fatalf("at 1GB: %+v, %v; want 1000 groups holding 20000000 values", res, err)
	}
}

// Every warehouse connection, the sandbox's and the warehouse's own, read-only or to
// refresh, starts with the memory settings: a buffer pool cap, and an allocator that
// returns freed memory at once (without it the report held 1.44 GB at full scale), and
// no external file cache (with it the refresh held 1.22 GB at full scale, 0.73 without).
func TestConnectionsStartWithTheMemorySettings(t *testing.T) {
	dir, _ := testworld.SmallRefreshed(t, transform.Open)
	const q = `SELECT current_setting('allocator_background_threads')::VARCHAR,
		current_setting('allocator_flush_threshold'), current_setting('allocator_bulk_deallocation_flush_threshold'),
		current_setting('enable_external_file_cache')::VARCHAR`
	want := func(what string, db transform.Queryer) {
		t.Helper()
		res, err := Query(context.Background(), db, q)
		if err != nil {
			t.Fatal(err)
		}
		got := []string{res.Rows[0][0].Text, res.Rows[0][1].Text, res.Rows[0][2].Text, res.Rows[0][3].Text}
		if got[0] != "true" || !strings.HasPrefix(got[1], "15.") || !strings.HasPrefix(got[2], "30.") || got[3] != "false" {
			t.Errorf("%s: memory settings %q; want background threads, flush thresholds of 16MB and 32MB, and no external file cache", what, got)
		}
	}
	s, err := OpenSandbox(dir, SandboxOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	want("the sandbox", s.DB())
	ro := testworld.Open(t, transform.OpenReadOnly, dir)
	want("a read-only warehouse", ro.DB())
	ro.Close()
	rw := testworld.Open(t, transform.Open, dir)
	want("a warehouse opened to refresh", rw.DB())
}

// resultQuery returns 6,000,000 rows of about 200 bytes: some 1.1 GB held as Go's
// driver holds a result, far beyond the 100MB cap TestResultsStreamWithinTheCap sets.
const resultQuery = "SELECT range AS n, repeat(md5(range::VARCHAR), 6) AS s FROM range(6000000)"

// A result far larger than DuckDB's cap streams through QueryEach with the process's
// memory bounded by the cap, not by the result: it comes back a page at a time from a
// temporary table, which spills to the sandbox's temporary files. The driver alone held
// the whole result outside the cap (peak 1.05 GB for 40 million rows at a 300MB cap).
// The peak is measured in a child process, whose rusage holds only its own.
func TestResultsStreamWithinTheCap(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("reads the child's peak RSS in Linux's units")
	}
	dir, _ := testworld.SmallRefreshed(t, transform.Open)
	cmd := exec.Command(os.Args[0], "-test.run=^TestResultsStreamChild$")
	cmd.Env = append(os.Environ(), "HONGBAO_CHILD_DIR="+dir, "HONGBAO_DUCKDB_MEMORY=100MB")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("child: %v\n%s", err, out)
	}
	var rows, chars int64
	if _, err := fmt.Sscanf(string(out), "rows=%d chars=%d", &rows, &chars); err != nil {
		t.Fatalf("child said %q: %v", out, err)
	}
	if rows != 6_000_000 || chars != 6_000_000*192 {
		t.Errorf("the child read %d rows holding %d characters; want 6000000 and %d", rows, chars, 6_000_000*192)
	}
	peak := cmd.ProcessState.SysUsage().(*syscall.Rusage).Maxrss << 10 // KiB on Linux
	t.Logf("peak RSS %d MB reading %d MB of rows at a 100MB cap", peak>>20, rows*200>>20)
	if peak > 600<<20 {
		t.Errorf("the child peaked at %d MB reading a %d MB result at a 100MB cap: the result is held whole", peak>>20, rows*200>>20)
	}
}

// TestResultsStreamChild reads resultQuery for TestResultsStreamWithinTheCap.
func TestResultsStreamChild(t *testing.T) {
	dir := os.Getenv("HONGBAO_CHILD_DIR")
	if dir == "" {
		t.Skip("run by TestResultsStreamWithinTheCap")
	}
	s, err := OpenSandbox(dir, SandboxOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	var rows, chars int64
	err = QueryEach(context.Background(), s.DB(), resultQuery, func([]string, []string) error { return nil },
		func(row []Value) error {
			if n, _ := strconv.ParseInt(row[0].Text, 10, 64); n != rows {
				return fmt.Errorf("row %d holds n = %s: the rows are out of order", rows, row[0].Text)
			}
			rows++
			chars += int64(len(row[1].Text))
			return nil
		}, nil)
	if err != nil {
		t.Fatal(err)
	}
	fmt.Printf("rows=%d chars=%d\n", rows, chars)
}

// A result read a page at a time from a temporary table is the query's own: its order
// across pages, its column names (a table would rename a repeated one), its columns'
// types when it has no rows, its errors in the words of the query typed; and the table
// is gone once the rows are closed.
func TestResultsComeInPages(t *testing.T) {
	dir, _ := testworld.SmallRefreshed(t, transform.Open)
	sb, err := OpenSandbox(dir, SandboxOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer sb.Close()
	ctx := context.Background()
	conn, err := sb.DB().Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()

	const n = 3*firstPageRows + 5
	res, err := Query(ctx, conn, "SELECT range FROM range("+strconv.Itoa(n)+") ORDER BY range DESC")
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Rows) != n || res.Total != n {
		t.Fatalf("%d rows (total %d); want %d", len(res.Rows), res.Total, n)
	}
	for i, row := range res.Rows {
		if want := strconv.Itoa(n - 1 - i); row[0].Text != want {
			t.Fatalf("row %d is %s; want %s: the pages are out of order", i, row[0].Text, want)
		}
	}

	// The first rows of a query of ten billion come back without the other rows: the
	// table keeps one row more than asked for.
	tctx, cancel := context.WithTimeout(ctx, time.Minute)
	res, err = QueryLimit(tctx, conn, "SELECT range FROM range(10000000000)", 3)
	cancel()
	if err != nil || len(res.Rows) != 3 || !res.More || res.Rows[2][0].Text != "2" {
		t.Errorf("the first 3 of ten billion rows: %+v, %v; want 0, 1, 2 and more", res, err)
	}

	res, err = Query(ctx, conn, "SELECT 1 AS a, 2 AS a, 'x' AS b -- a comment on the last line")
	if err != nil || !slices.Equal(res.Columns, []string{"a", "a", "b"}) || len(res.Rows) != 1 || res.Rows[0][1].Text != "2" {
		t.Errorf("repeated names: %+v, %v; want columns a, a, b and one row 1, 2, x", res, err)
	}

	res, err = Query(ctx, conn, "SELECT event_id, ts, amount_fen FROM grabs WHERE false")
	if err != nil || len(res.Rows) != 0 || !slices.Equal(res.Types, []string{"VARCHAR", "TIMESTAMPTZ", "BIGINT"}) {
		t.Errorf("no rows: %+v, %v; want columns typed VARCHAR, TIMESTAMPTZ, BIGINT", res, err)
	}

	_, err = Query(ctx, conn, "SELECT 'a'::INTEGER AS x")
	if err == nil || strings.Contains(err.Error(), "_hongbao_result") || !strings.Contains(err.Error(), "SELECT 'a'::INTEGER AS x") {
		t.Errorf("a failing query's error: %v; want DuckDB's, showing the query as typed", err)
	}

	// A query of the catalog runs as it is: through a table it would list that table.
	for _, q := range []string{"SHOW TABLES", "SELECT table_name AS name FROM information_schema.tables"} {
		res, err := Query(ctx, conn, q)
		if err != nil {
			t.Fatal(err)
		}
		for _, row := range res.Rows {
			if strings.HasPrefix(row[0].Text, "_hongbao_result") {
				t.Errorf("%s lists %s, the table holding its own result", q, row[0].Text)
			}
		}
	}

	// With an argument the query runs as it is, not through a table of its own.
	var left int
	if err := conn.QueryRowContext(ctx, "SELECT count(*) FROM duckdb_tables() WHERE temporary AND starts_with(table_name, ?)",
		"_hongbao_result").Scan(&left); err != nil || left != 0 {
		t.Errorf("%d result tables are left in the session after their rows were closed (%v)", left, err)
	}
}
