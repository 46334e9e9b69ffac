package main

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/hongbao/hongbao/reports/pdf/pdftest"
)

var updateGolden = flag.Bool("update", false, "rewrite the golden files of TestGolden from this build")

// goldenTables are the warehouse tables whose whole content the golden files fix: the
// lake tables, the reference tables and the models as they stood when the goldens were
// written. A table added later is not in the list, and may come without a new golden.
var goldenTables = []string{
	"envelopes", "grabs", "card_bindings", "withdrawals", "payments", "links", "quarantine",
	"quarantine_replays", "banks", "payment_scenarios", "mobile_payment_market", "facts_reported", "facts_notes",
	"claims_per_minute",
}

// TestGolden runs the commands a user runs (demo, facts, sql, notebook, report) on one
// seed and scale, through the real command line, and compares what they print and
// write with the files in testdata/golden: a change of code that should not change a
// result shows here first. Volatile parts (timings, the data folder's path) are left
// out. 'go test ./cmd/hongbao -run TestGolden -update' rewrites the files when a
// result is meant to change; the diff then shows what did.
func TestGolden(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "data")
	run := func(args ...string) string {
		t.Helper()
		cmd := hongbaoProcess([]string{"HONGBAO_DIR="}, args...)
		var stdout, stderr bytes.Buffer
		cmd.Stdout, cmd.Stderr = &stdout, &stderr
		if err := cmd.Run(); err != nil {
			t.Fatalf("hongbao %s: %v\n%s%s", strings.Join(args, " "), err, stdout.String(), stderr.String())
		}
		return strings.ReplaceAll(stdout.String(), dir, "$DIR")
	}
	check := func(name, got string) {
		t.Helper()
		path := filepath.Join("testdata", "golden", name)
		if *updateGolden {
			if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
				t.Fatal(err)
			}
			return
		}
		want, err := os.ReadFile(path)
		if err != nil {
			t.Fatalf("%v (run with -update to write it)", err)
		}
		if got != string(want) {
			t.Errorf("%s differs from the golden file %s:\n%s", name, path, lineDiff(string(want), got))
		}
	}

	demo := run("demo", "--scale", "0.0005", "--seed", "3", "--dir", dir)
	check("demo.txt", dropLines(demo, "wall time: ", "report: "))

	check("facts.json", factsWithoutQueries(t, run("facts", "--dir", dir, "--format", "json")))
	check("facts.en.md", run("facts", "--dir", dir, "--format", "markdown", "--lang", "en"))
	check("facts.zh.txt", run("facts", "--dir", dir, "--format", "table", "--lang", "zh"))

	var tables strings.Builder
	for _, table := range goldenTables {
		tables.WriteString(run("sql", "--dir", dir, "--format", "csv",
			"SELECT '"+table+"' AS table_name, count(*) AS row_count, "+
				"md5(coalesce(string_agg(t::VARCHAR, chr(10) ORDER BY t::VARCHAR), '')) AS content FROM "+table+" t"))
	}
	check("tables.csv", tables.String())
	check("peak.csv", run("sql", "--dir", dir, "--format", "csv",
		"SELECT * FROM claims_per_minute ORDER BY claims DESC, minute LIMIT 10"))

	for _, nb := range []string{"adoption_funnel", "bank_coverage", "heavy_grabbers", "midnight_peak", "quarantine_review"} {
		out := filepath.Join(t.TempDir(), nb+".html")
		run("notebook", "run", nb, "--dir", dir, "-o", out)
		page, err := os.ReadFile(out)
		if err != nil {
			t.Fatal(err)
		}
		check("notebook."+nb+".txt", notebookResults(string(page)))
	}

	reports := filepath.Join(t.TempDir(), "reports")
	run("report", "--dir", dir, "--lang", "en", "--out", reports)
	text := pdftest.Text(t, filepath.Join(reports, "hongbao-report.pdf"))
	check("report.en.txt", dropLines(strings.ReplaceAll(text, dir, "$DIR"), "Generated: "))
}

// dropLines leaves out the lines that start with any of prefixes.
func dropLines(s string, prefixes ...string) string {
	var keep []string
	for _, l := range strings.Split(s, "\n") {
		drop := false
		for _, p := range prefixes {
			drop = drop || strings.HasPrefix(l, p)
		}
		if !drop {
			keep = append(keep, l)
		}
	}
	return strings.Join(keep, "\n")
}

// factsWithoutQueries re-indents the facts sheet's json without the SQL of each figure
// and consistency check, which may be reworded (or read a model in place of the
// events) without changing a result.
func factsWithoutQueries(t *testing.T, s string) string {
	var sheet map[string]any
	if err := json.Unmarshal([]byte(s), &sheet); err != nil {
		t.Fatalf("facts json: %v\n%s", err, s)
	}
	for _, key := range []string{"facts", "consistency_checks"} {
		list, _ := sheet[key].([]any)
		for _, f := range list {
			if m, ok := f.(map[string]any); ok {
				delete(m, "query")
			}
		}
	}
	b, err := json.MarshalIndent(sheet, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	return string(b) + "\n"
}

var resultBlock = regexp.MustCompile(`(?s)<table.*?</table>|<svg.*?</svg>|<span class="status">[^<]*</span>`)

// notebookResults keeps what a notebook page computed (its tables, charts and each
// cell's status) and leaves out its prose, SQL and timings.
func notebookResults(page string) string {
	return strings.Join(resultBlock.FindAllString(page, -1), "\n") + "\n"
}

// lineDiff shows the first lines where want and got part.
func lineDiff(want, got string) string {
	w, g := strings.Split(want, "\n"), strings.Split(got, "\n")
	var b strings.Builder
	shown := 0
	for i := 0; i < len(w) || i < len(g); i++ {
		var wl, gl string
		if i < len(w) {
			wl = w[i]
		}
		if i < len(g) {
			gl = g[i]
		}
		if wl != gl {
			b.WriteString("line " + strconv.Itoa(i+1) + ":\n  want: " + wl + "\n  got:  " + gl + "\n")
			if shown++; shown == 8 {
				break
			}
		}
	}
	return b.String()
}
