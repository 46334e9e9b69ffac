package query

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hongbao/hongbao/internal/datadir"
	"github.com/hongbao/hongbao/internal/testworld"
)

func TestExport(t *testing.T) {
	dir, w := refreshed(t)
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	ro, err := OpenSandbox(dir, SandboxOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer ro.Close()
	ctx := context.Background()
	out := t.TempDir()
	query := "SELECT minute, claims, attempts, claimed_fen FROM claims_per_minute ORDER BY minute;"

	// Parquet, written by DuckDB from the sandbox, keeps the types.
	pq := filepath.Join(out, "peak.parquet")
	n, err := ro.Export(ctx, query, FormatParquet, pq)
	if err != nil || n != 3 {
		t.Fatalf("Export parquet = %d, %v", n, err)
	}
	check, err := OpenSandbox(dir, SandboxOptions{AllowRead: []string{pq}})
	if err != nil {
		t.Fatal(err)
	}
	defer check.Close()
	res, err := Query(ctx, check.DB(), "SELECT any_value(typeof(minute)) AS t, max(claims) AS c, sum(claimed_fen) AS fen FROM '"+filepath.ToSlash(pq)+"'")
	if err != nil {
		t.Fatal(err)
	}
	if got := res.Rows[0][0].Text + " " + res.Rows[0][1].Text + " " + res.Rows[0][2].Text; got != "TIMESTAMP 3 9650" {
		t.Errorf("the Parquet file reads back as %q", got)
	}

	// CSV and JSON stream the same text 'hongbao sql' prints.
	for f, want := range map[Format]string{
		FormatCSV:  "minute,claims,attempts,claimed_fen\n2014-01-30 23:59:00,1,1,500\n2014-01-31 00:00:00,3,4,9150\n2014-01-31 00:01:00,0,1,0\n",
		FormatJSON: "[\n  {\"minute\": \"2014-01-30 23:59:00\", \"claims\": 1, \"attempts\": 1, \"claimed_fen\": 500},\n  {\"minute\": \"2014-01-31 00:00:00\", \"claims\": 3, \"attempts\": 4, \"claimed_fen\": 9150},\n  {\"minute\": \"2014-01-31 00:01:00\", \"claims\": 0, \"attempts\": 1, \"claimed_fen\": 0}\n]\n",
	} {
		p := filepath.Join(out, "peak."+string(f))
		if n, err := ro.Export(ctx, query, f, p); err != nil || n != 3 {
			t.Fatalf("Export %s = %d, %v", f, n, err)
		}
		got, _ := os.ReadFile(p)
		if string(got) != want {
			t.Errorf("Export %s:\n got %q\nwant %q", f, got, want)
		}
		res, err := Query(ctx, ro.DB(), query)
		if err != nil {
			t.Fatal(err)
		}
		var b strings.Builder
		res.Write(&b, f)
		if b.String() != want {
			t.Errorf("Result.Write %s differs from Export:\n%s", f, b.String())
		}
	}

	// A failed export leaves no file, not even a temporary one; a write is refused, in
	// every format.
	for _, f := range []Format{FormatCSV, FormatParquet} {
		for _, q := range []string{"SELECT nosuch FROM grabs", "SELECT 1; SELECT 2", "DROP TABLE grabs",
			"COPY grabs TO '" + filepath.ToSlash(filepath.Join(out, "copied.csv")) + "'",
			"SELECT * FROM checkpoint()", "SELECT * FROM read_text('/etc/passwd')",
			"ATTACH ':memory:' AS scratch", "DETACH warehouse", "LOAD json"} {
			p := filepath.Join(out, "bad."+string(f))
			_, err := ro.Export(ctx, q, f, p)
			if err != nil && strings.Contains(err.Error(), "statement type") {
				t.Errorf("Export %s (%q) names the statement by DuckDB's number: %v", f, q, err)
			}
			switch {
			case err == nil:
				t.Errorf("Export %s (%q) succeeded", f, q)
			case q == "SELECT 1; SELECT 2" && !errors.Is(err, ErrOneStatement):
				t.Errorf("Export %s of two statements = %v", f, err)
			case q != "SELECT 1; SELECT 2" && q != "SELECT nosuch FROM grabs" && !errors.Is(err, ErrRefused):
				t.Errorf("Export %s (%q) = %v, want a refusal", f, q, err)
			}
		}
	}
	// Table and Markdown hold every row to line the columns up: a result longer than
	// MaxAlignedRows is refused whole rather than written in part or held in memory.
	long := filepath.Join(out, "long.txt")
	if n, err := ro.Export(ctx, "SELECT range AS n FROM range(100000)", FormatTable, long); err != nil || n != MaxAlignedRows {
		t.Fatalf("Export table of %d rows = %d, %v", MaxAlignedRows, n, err)
	}
	os.Remove(long)
	for _, f := range []Format{FormatTable, FormatMarkdown} {
		_, err := ro.Export(ctx, "SELECT range AS n FROM range(100001)", f, long)
		if !errors.Is(err, ErrTooManyRows) || !strings.Contains(err.Error(), "--format csv, json or parquet") {
			t.Errorf("Export %s of %d rows = %v, want ErrTooManyRows naming the streaming formats", f, MaxAlignedRows+1, err)
		}
		if _, serr := os.Stat(long); serr == nil {
			t.Errorf("Export %s of too many rows left %s", f, long)
		}
	}

	// A canceled export says so, names the file it did not write, and leaves none.
	canceled, cancel := context.WithCancel(ctx)
	cancel()
	for _, f := range []Format{FormatParquet, FormatCSV, FormatTable} {
		_, err := ro.Export(canceled, query, f, long)
		if !errors.Is(err, context.Canceled) || !strings.Contains(err.Error(), "nothing was written to "+long) {
			t.Errorf("a canceled Export %s = %v", f, err)
		}
		if _, serr := os.Stat(long); serr == nil {
			t.Errorf("a canceled Export %s left %s", f, long)
		}
	}

	// The data folder is written by hongbao's own commands only.
	before := testworld.TreeState(t, dir)
	for _, p := range []string{filepath.Join(dir, "x.csv"), filepath.Join(dir, "lake", "grabs", "x.parquet"), datadir.Dir(dir).Warehouse()} {
		_, err := ro.Export(ctx, query, FormatParquet, p)
		want := "writing " + p + " is not allowed in hongbao's SQL: it is inside the data folder " + dir + ", which only hongbao's own commands write; choose a file outside it"
		if !errors.Is(err, ErrRefused) || err.Error() != want {
			t.Errorf("Export to %s:\n got %v\nwant %s", p, err, want)
		}
	}
	if after := testworld.TreeState(t, dir); after != before {
		t.Errorf("the data folder changed:\n%s\n%s", before, after)
	}
	entries, _ := os.ReadDir(out)
	if len(entries) != 3 {
		t.Errorf("the export folder holds %d files, want the 3 exports", len(entries))
	}

	// A new export is 0644 as every file hongbao writes, not a temporary file's 0600;
	// one that replaces a file keeps that file's mode.
	for _, e := range entries {
		if fi, _ := e.Info(); fi.Mode().Perm() != 0o644 {
			t.Errorf("%s is %v, want 0644", e.Name(), fi.Mode().Perm())
		}
	}
	for _, f := range []Format{FormatCSV, FormatParquet} {
		p := filepath.Join(out, "peak."+string(f))
		if err := os.Chmod(p, 0o640); err != nil {
			t.Fatal(err)
		}
		if _, err := ro.Export(ctx, query, f, p); err != nil {
			t.Fatal(err)
		}
		if fi, _ := os.Stat(p); fi.Mode().Perm() != 0o640 {
			t.Errorf("%s replaced is %v, want the 0640 it had", p, fi.Mode().Perm())
		}
	}
}

func TestQueryHead(t *testing.T) {
	_, w := refreshed(t)
	res, err := QueryHead(context.Background(), w.DB(), "SELECT * FROM grabs ORDER BY event_id", 4)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Rows) != 4 || !res.More || res.Total != 6 {
		t.Errorf("QueryHead = %d rows, More %v, Total %d; want 4, true, 6", len(res.Rows), res.More, res.Total)
	}
	var b strings.Builder
	res.Write(&b, FormatTable)
	if !strings.HasSuffix(b.String(), "(first 4 of 6 rows)\n") {
		t.Errorf("table footer: %q", b.String())
	}
	res, err = QueryLimit(context.Background(), w.DB(), "SELECT * FROM grabs", 4)
	if err != nil || res.Total != 0 || !res.More {
		t.Errorf("QueryLimit = %+v, %v: Total should be unknown", res, err)
	}
	res, err = QueryHead(context.Background(), w.DB(), "SELECT * FROM grabs", 10)
	if err != nil || res.Total != 6 || res.More {
		t.Errorf("QueryHead(10) = Total %d More %v, %v", res.Total, res.More, err)
	}
}
