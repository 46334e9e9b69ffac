package main

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hongbao/hongbao/internal/testworld"
	"github.com/hongbao/hongbao/notebooks"
)

// runNotebookCommand runs 'hongbao --dir DIR notebook ARGS' on the data folder of g.
func runNotebookCommand(t *testing.T, g *globalOptions, args ...string) (string, string, error) {
	t.Helper()
	return execHongbao(t, "", append([]string{"--dir", g.dir, "notebook"}, args...)...)
}

func TestNotebookRun(t *testing.T) {
	g := sqlTestWarehouse(t)
	dir := g.dir

	// Every shipped notebook runs, even on a warehouse of three grabs.
	_, errOut, err := runNotebookCommand(t, g, "run", "--all")
	if err != nil {
		t.Fatalf("notebook run --all: %v\n%s", err, errOut)
	}
	for _, name := range notebooks.Shipped() {
		page, err := os.ReadFile(filepath.Join(dir, "notebooks", name+".html"))
		if err != nil || !bytes.Contains(page, []byte("all ok")) {
			t.Errorf("page of %s: %v", name, err)
		}
		if !strings.Contains(errOut, "notebook "+name+": ") {
			t.Errorf("no line for %s in:\n%s", name, errOut)
		}
	}

	// A notebook of the user's with a failing cell: the page is written, the error counts.
	mine := filepath.Join(t.TempDir(), "mine.md")
	os.WriteFile(mine, []byte("# Mine\n\n```sql name=good\nSELECT count(*) AS n FROM grabs\n```\n\n```sql name=bad\nSELECT nosuch\n```\n"), 0o644)
	out := filepath.Join(t.TempDir(), "page.html")
	_, _, err = runNotebookCommand(t, g, "run", mine, "-o", out)
	var failed *notebooks.FailedError
	if !errors.As(err, &failed) || err.Error() != "1 of 2 cells failed; each error is shown in place in "+out {
		t.Fatalf("run with a failing cell = %v", err)
	}
	if page, _ := os.ReadFile(out); !bytes.Contains(page, []byte(`<section class="cell failed" id="bad">`)) {
		t.Errorf("the page does not show the failed cell")
	}

	// A shared notebook that tries to write: those cells fail with the sentence, the
	// others run, and the data folder holds what it held. --allow-read lets a cell read
	// a file of the user's.
	extra := filepath.Join(t.TempDir(), "extra.csv")
	os.WriteFile(extra, []byte("n\n40\n2\n"), 0o644)
	planted := filepath.Join(dir, "lake", "grabs", "planted.parquet")
	evil := filepath.Join(t.TempDir(), "evil.md")
	os.WriteFile(evil, []byte("# Evil\n\n```sql name=plant\nCOPY (SELECT 'x' AS event_id) TO '"+filepath.ToSlash(planted)+"'\n```\n\n"+
		"```sql name=attach\nATTACH '"+filepath.ToSlash(filepath.Join(dir, "other.duckdb"))+"'\n```\n\n"+
		"```sql name=extra\nSELECT sum(n) AS n FROM read_csv('"+filepath.ToSlash(extra)+"')\n```\n"), 0o644)
	before := testworld.TreeState(t, dir)
	_, _, err = runNotebookCommand(t, g, "run", evil, "-o", out, "--allow-read", extra)
	if !errors.As(err, &failed) || failed.Failed != 2 || failed.Cells != 3 {
		t.Fatalf("run of a writing notebook = %v", err)
	}
	page, _ := os.ReadFile(out)
	wantContains(t, "the page", string(page), "COPY is not allowed in hongbao&#39;s SQL", "ATTACH is not allowed in hongbao&#39;s SQL", `<section class="cell ok" id="extra">`)
	if after := testworld.TreeState(t, dir); after != before {
		t.Errorf("the notebook changed the data folder:\n%s\n%s", before, after)
	}

	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"run"}, "name a notebook (one of "},
		{[]string{"run", "nosuch"}, `no such notebook "nosuch": the shipped notebooks are `},
		{[]string{"run", "--all", "midnight_peak"}, "--all runs every shipped notebook: name none with it"},
		{[]string{"run", "--all", "-o", out}, "-o names one page: run one notebook with it"},
		{[]string{"run", "midnight_peak", "bank_coverage", "-o", out}, "-o names one page: run one notebook with it"},
		{[]string{"show", "nosuch"}, `no such notebook "nosuch"`},
		{nil, "say what to do"},
	} {
		_, _, err := runNotebookCommand(t, g, tc.args...)
		if !isUsage(err) || !strings.HasPrefix(err.Error(), tc.want) {
			t.Errorf("notebook %q = %v, want usage error starting %q", tc.args, err, tc.want)
		}
	}
}

func TestNotebookListAndShow(t *testing.T) {
	g := &globalOptions{dir: t.TempDir()}
	out, _, err := runNotebookCommand(t, g, "list")
	if err != nil || !strings.Contains(out, "midnight_peak        The midnight peak, minute by minute\n") {
		t.Errorf("notebook list = %q, %v", out, err)
	}
	out, _, err = runNotebookCommand(t, g, "show", "bank_coverage")
	if src, _ := notebooks.Source("bank_coverage"); err != nil || out != string(src) {
		t.Errorf("notebook show = %.80q, %v", out, err)
	}
	// Without a warehouse, running is a usage error naming what to do.
	if _, _, err := runNotebookCommand(t, g, "run", "midnight_peak"); err == nil || !strings.Contains(err.Error(), "run 'hongbao demo'") {
		t.Errorf("run without a warehouse = %v", err)
	}
}

// TestWritePlacesOutsideTheDataFolder: notebook run -o, report --out, simulate --output
// and broker --data write where the user says, but not over the data folder's own
// files: '-o DIR/warehouse.duckdb' replaced the warehouse with a web page. Their own
// folders (DIR/notebooks, DIR/reports, DIR/broker) and places outside are fine.
func TestWritePlacesOutsideTheDataFolder(t *testing.T) {
	g := sqlTestWarehouse(t)
	before := testworld.TreeState(t, g.dir)
	for _, args := range [][]string{
		{"notebook", "run", "midnight_peak", "-o", filepath.Join(g.dir, "warehouse.duckdb")},
		{"notebook", "run", "midnight_peak", "-o", filepath.Join(g.dir, "lake", "grabs", "page.html")},
		{"report", "--lang", "en", "--out", filepath.Join(g.dir, "lake")},
		{"report", "--lang", "en", "--out", g.dir},
		{"simulate", "--output", filepath.Join(g.dir, "warehouse.duckdb")},
		{"broker", "--data", filepath.Join(g.dir, "lake")},
	} {
		_, err := runHongbao(t, "", append([]string{"--dir", g.dir}, args...)...)
		if !isUsage(err) || !strings.Contains(err.Error(), "is inside the data folder "+g.dir+", whose files only hongbao's own commands write") {
			t.Errorf("%v: %v, want a usage error", args, err)
		}
	}
	if after := testworld.TreeState(t, g.dir); after != before {
		t.Errorf("the data folder changed:\n%s\n%s", before, after)
	}
	for _, page := range []string{filepath.Join(g.dir, "notebooks", "mine.html"), filepath.Join(t.TempDir(), "mine.html")} {
		if _, errOut, err := runNotebookCommand(t, g, "run", "midnight_peak", "-o", page); err != nil {
			t.Errorf("-o %s: %v\n%s", page, err, errOut)
		}
	}
}
