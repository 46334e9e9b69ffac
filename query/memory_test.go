package query

import (
	"context"
	"strings"
	"testing"

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
