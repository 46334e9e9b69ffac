package notebooks

import (
	"bytes"
	"cmp"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/hongbao/hongbao/internal/testenv"
	"github.com/hongbao/hongbao/internal/testworld"

	"github.com/hongbao/hongbao/ingest/events"
	"github.com/hongbao/hongbao/query"
	"github.com/hongbao/hongbao/refdata"
)

// value returns a cell's result value at row, column, failing the test if absent.
func value(t *testing.T, run *Run, cell string, row int, column string) string {
	t.Helper()
	cr := run.Cell(cell)
	if cr == nil || cr.Result == nil {
		t.Fatalf("%s: no result for cell %s", run.Notebook.Name, cell)
	}
	for c, name := range cr.Result.Columns {
		if name == column {
			if row >= len(cr.Result.Rows) {
				t.Fatalf("%s/%s: no row %d (of %d)", run.Notebook.Name, cell, row, len(cr.Result.Rows))
			}
			return cr.Result.Rows[row][c].Text
		}
	}
	t.Fatalf("%s/%s: no column %s in %v", run.Notebook.Name, cell, column, cr.Result.Columns)
	return ""
}

func wantValue(t *testing.T, run *Run, cell string, row int, column string, want any) {
	t.Helper()
	if got := value(t, run, cell, row, column); got != fmt.Sprint(want) {
		t.Errorf("%s/%s row %d %s = %s, want %v", run.Notebook.Name, cell, row, column, got, want)
	}
}

// wantChart checks a cell's chart against its result: well-formed SVG with one bar per
// category and group, in the result's order and named as in it (Chinese bank names
// too), or one point per row with a value on each line.
func wantChart(t *testing.T, run *Run, cell string) {
	t.Helper()
	cr := run.Cell(cell)
	if cr == nil || cr.Chart == nil || cr.Result == nil || cr.Cell.Chart == nil {
		t.Errorf("%s/%s: no chart drawn", run.Notebook.Name, cell)
		return
	}
	spec, res := cr.Cell.Chart, cr.Result
	col := func(name string) int {
		for i, c := range res.Columns {
			if c == name {
				return i
			}
		}
		t.Fatalf("%s/%s: no column %s", run.Notebook.Name, cell, name)
		return -1
	}
	_, els := parseSVG(t, cr.Chart)
	xi := col(spec.X)
	if spec.Type == "bar" {
		var cats []string
		seen, groups := map[string]bool{}, map[string]bool{}
		for _, row := range res.Rows {
			if !seen[row[xi].Text] {
				seen[row[xi].Text] = true
				cats = append(cats, row[xi].Text)
			}
			if spec.Series != "" {
				groups[row[col(spec.Series)].Text] = true
			}
		}
		if got := texts(els, "category"); strings.Join(got, "|") != strings.Join(cats, "|") {
			t.Errorf("%s/%s: the bars are named %q, the rows %q", run.Notebook.Name, cell, got, cats)
		}
		if n, want := len(byClass(els, "bar")), len(cats)*max(1, len(groups)); n != want {
			t.Errorf("%s/%s: %d bars, want %d", run.Notebook.Name, cell, n, want)
		}
		return
	}
	points := 0
	for _, l := range byClass(els, "series") {
		points += len(strings.Fields(l.attr["points"]))
	}
	want := 0
	for _, row := range res.Rows {
		for _, y := range spec.Y {
			if row[xi].Kind != query.KindNull && row[col(y)].Kind != query.KindNull {
				want++
			}
		}
	}
	if points != want || want == 0 {
		t.Errorf("%s/%s: %d points, want %d", run.Notebook.Name, cell, points, want)
	}
}

// banksNeeded is the bank coverage question answered in Go from the reference data: how
// many banks WeChat Pay must support, adding the largest banks it lacks first, to reach
// 95% of Alipay's share of debit cards.
func banksNeeded(banks []refdata.Bank) int {
	var total, wechat, alipay float64
	var lacking []float64
	n := 0
	for _, b := range banks {
		total += b.DebitCardShare
		if b.Alipay {
			alipay += b.DebitCardShare
		}
		if b.WeChatPay {
			wechat += b.DebitCardShare
			n++
		} else {
			lacking = append(lacking, b.DebitCardShare)
		}
	}
	slices.SortFunc(lacking, func(a, b float64) int { return cmp.Compare(b, a) })
	target := 0.95 * alipay / total
	cover := wechat / total
	for _, s := range lacking {
		if cover >= target {
			break
		}
		cover += s / total
		n++
	}
	return n
}

// checks holds, per shipped notebook, its key results against what the world's events
// say. Every shipped notebook must have an entry.
var checks = map[string]func(t *testing.T, w *world, run *Run){
	"midnight_peak": func(t *testing.T, w *world, run *Run) {
		f := w.want
		if f.peakMinute != "2014-01-31 00:00" {
			t.Fatalf("the test world peaks at %s, not at midnight: the simulator changed", f.peakMinute)
		}
		wantValue(t, run, "scale", 0, "claims", f.claims)
		wantValue(t, run, "scale", 0, "scale", worldScale)
		wantValue(t, run, "peak", 0, "minute", f.peakMinute+":00")
		wantValue(t, run, "peak", 0, "claims", f.peakClaims)
		wantValue(t, run, "peak", 0, "claims_at_full_scale", 25000)
		wantValue(t, run, "first_five", 0, "attempts", f.firstFiveTries)
		wantValue(t, run, "note_2", 0, "id", 2)
		if n := run.Cell("around_midnight").Result.Total; n != 61 {
			t.Errorf("around_midnight has %d minutes, want 61", n)
		}
		wantChart(t, run, "around_midnight")
		wantChart(t, run, "hourly")
	},
	"bank_coverage": func(t *testing.T, w *world, run *Run) {
		banks := refdata.Banks()
		alipay := 0
		for _, b := range banks {
			if b.Alipay {
				alipay++
			}
		}
		wantValue(t, run, "coverage", 0, "provider", "wechat_pay")
		wantValue(t, run, "coverage", 0, "banks", 12)
		wantValue(t, run, "coverage", 1, "banks", alipay)
		wantValue(t, run, "answer", 0, "banks_needed", banksNeeded(banks))
		wantValue(t, run, "observed", 0, "provider", "wechat_pay")
		wantValue(t, run, "observed", 0, "attempts", w.want.wechatBindTries)
		wantValue(t, run, "observed", 0, "not_supported", w.want.refusedWeChat)
		wantChart(t, run, "steps")
		wantChart(t, run, "turned_away")
	},
	"adoption_funnel": func(t *testing.T, w *world, run *Run) {
		f := w.want
		for i, n := range []int{f.grabbed, f.claimed, f.triedBind, f.bound, f.withdrew, f.paid} {
			wantValue(t, run, "funnel", i, "stage", i+1)
			wantValue(t, run, "funnel", i, "users", n)
		}
		for _, c := range []string{"bound_without_claim", "withdrew_without_card", "paid_without_card"} {
			wantValue(t, run, "nesting", 0, c, 0)
		}
		wantChart(t, run, "funnel")
		wantChart(t, run, "daily")
	},
	"hindsight": func(t *testing.T, _ *world, run *Run) {
		wantValue(t, run, "growth", 3, "year", 2017)
		wantValue(t, run, "growth", 3, "envelopes", 14200000000)
		wantValue(t, run, "growth", 2, "times_previous_year", 8)
		wantValue(t, run, "peak", 0, "per_second", 417)
		wantValue(t, run, "peak", 2, "per_second", 760000)
		wantValue(t, run, "versus", 0, "wechat_times_alipay", 4.2)
		wantValue(t, run, "people", 1, "people", 823000000)
		wantChart(t, run, "growth")
		wantChart(t, run, "peak")
	},
	"heavy_grabbers": func(t *testing.T, w *world, run *Run) {
		wantValue(t, run, "top", 0, "claims_to_eve_night", w.want.recordClaims)
		wantValue(t, run, "record", 0, "record_here", w.want.recordClaims)
		wantValue(t, run, "record", 0, "reported_record", 869)
		wantValue(t, run, "concentration", 0, "claims", w.want.claims)
		wantChart(t, run, "distribution")
		wantChart(t, run, "record_holder")
	},
	"quarantine_review": func(t *testing.T, w *world, run *Run) {
		wantValue(t, run, "overview", 0, "quarantined", len(badMessages))
		wantValue(t, run, "overview", 0, "reasons", len(w.want.quarantine))
		by := run.Cell("by_reason").Result
		got := map[events.Reason]int{}
		for _, row := range by.Rows {
			n, _ := strconv.Atoi(row[1].Text)
			got[events.Reason(row[0].Text)] = n
		}
		for _, r := range sortedKeys(w.want.quarantine) {
			if got[r] != w.want.quarantine[r] {
				t.Errorf("quarantine_review/by_reason %s = %d, want %d", r, got[r], w.want.quarantine[r])
			}
		}
		if len(got) != len(w.want.quarantine) {
			t.Errorf("quarantine_review/by_reason = %v, want %v", got, w.want.quarantine)
		}
		wantValue(t, run, "by_partition", 0, "kafka_partition", 1)
		wantValue(t, run, "samples", 0, "reason", events.ReasonMissingField) // the last one refused
		wantChart(t, run, "by_reason")
	},
}

// TestShippedNotebooks runs every shipped notebook against a warehouse built from the
// simulator's events and checks its key results against counts taken from those events.
func TestShippedNotebooks(t *testing.T) {
	w := testWorld(t)
	names := Shipped()
	if len(names) < 5 {
		t.Fatalf("shipped notebooks: %v", names)
	}
	for _, name := range names {
		t.Run(name, func(t *testing.T) {
			start := time.Now()
			run := runShipped(t, w, name)
			for _, c := range run.Failed() {
				t.Errorf("cell %s failed: %v", c.Cell.Name, c.Err)
			}
			check := checks[name]
			if check == nil {
				t.Fatalf("notebook %s has no checks: add its key results to checks in notebooks_test.go", name)
			}
			check(t, w, run)
			var b bytes.Buffer
			if err := WriteHTML(&b, run); err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(b.String(), "<title>"+strings.ReplaceAll(run.Notebook.Title, "'", "&#39;")+"</title>") {
				t.Errorf("the page has no title %q", run.Notebook.Title)
			}
			t.Logf("%s: %d cells in %s", name, len(run.Cells), time.Since(start).Round(time.Millisecond))
		})
	}
}

// A failed cell keeps its error, with the place DuckDB reports, and the cells after it
// still run; the page shows the error where the cell is.
func TestFailedCellShownInPlace(t *testing.T) {
	w := testWorld(t)
	src := "# Broken\n\nFirst.\n\n```sql name=ok\nSELECT 1 AS one\n```\n\n" +
		"```sql name=bad\nSELECT 1;\nSELECT nosuch\n  FROM grabs\n```\n\n" +
		"```sql name=write\nDROP TABLE grabs\n```\n\n" +
		"```sql name=copy\nCREATE TEMP VIEW leak AS SELECT * FROM grabs;\nCOPY leak TO '" + filepath.ToSlash(filepath.Join(w.dir, "lake", "grabs", "planted.parquet")) + "'\n```\n\n" +
		"```sql name=badchart\nSELECT 'a' AS k, 'x' AS v\n```\n\n```chart\ntype: bar\nx: k\ny: v\n```\n\n" +
		"```sql name=after\nSELECT count(*) AS n FROM grabs\n```\n"
	nb, err := Parse("broken.md", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	before := testworld.TreeState(t, filepath.Join(w.dir, "lake"))
	wh, err := query.OpenSandbox(w.dir, query.SandboxOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer wh.Close()
	run := (&Runner{DB: wh.DB(), Warehouse: wh.Path()}).Run(context.Background(), nb)
	var failed []string
	for _, c := range run.Failed() {
		failed = append(failed, c.Cell.Name)
	}
	if strings.Join(failed, " ") != "bad write copy badchart" {
		t.Fatalf("failed cells = %v", failed)
	}
	if err := run.Cell("bad").Err; !strings.Contains(err.Error(), "statement 2 of 2: Binder Error: Referenced column \"nosuch\" not found") ||
		!strings.Contains(err.Error(), "LINE 1: SELECT nosuch\n               ^") || run.Cell("bad").Result != nil {
		t.Errorf("bad cell: %v", err)
	}
	if err := run.Cell("write").Err; !errors.Is(err, query.ErrRefused) || !strings.Contains(err.Error(), "CREATE TEMP TABLE") {
		t.Errorf("write cell: %v", err)
	}
	// A cell that writes a file fails with the sentence naming the export, and the
	// lake holds the files it held.
	if err := run.Cell("copy").Err; !errors.Is(err, query.ErrRefused) ||
		err.Error() != "statement 2 of 2: COPY is not allowed in hongbao's SQL: hongbao's SQL reads files with read_csv, read_parquet and read_json, and writes none; to keep a result, run the query with 'hongbao sql -o FILE' (csv, json or parquet, by --format)" {
		t.Errorf("copy cell: %v", err)
	}
	if after := testworld.TreeState(t, filepath.Join(w.dir, "lake")); after != before {
		t.Errorf("the lake changed under a notebook:\nbefore %s\nafter  %s", before, after)
	}
	if err := run.Cell("badchart").Err; !errors.Is(err, ErrChart) || !strings.Contains(err.Error(), `column v holds "x", not a number`) {
		t.Errorf("badchart cell: %v", err)
	}
	if v := value(t, run, "after", 0, "n"); v == "0" || v == "" {
		t.Errorf("after: grabs has %s rows", v)
	}
	var b bytes.Buffer
	if err := WriteHTML(&b, run); err != nil {
		t.Fatal(err)
	}
	page := b.String()
	for _, want := range []string{
		`<section class="cell failed" id="bad">`,
		"LINE 1: SELECT nosuch\n               ^",
		`<section class="cell ok" id="after">`,
		`4 failed</span>`,
		`<a href="#bad">bad</a>, <a href="#write">write</a>, <a href="#copy">copy</a>, <a href="#badchart">badchart</a>`,
	} {
		if !strings.Contains(page, want) {
			t.Errorf("the page lacks %q", want)
		}
	}
}

func TestParse(t *testing.T) {
	nb, err := Parse("dir/n.md", []byte("Intro *text*.\n\n# Title `x`\n\n```sql name=a rows=3\nSELECT 1\n```\n```chart\n# a comment\ntype: line\nx: a\ny: b, c\nref: 5 five\nref: col at col\n```\n\n- a list\n\n  ```sql\n  SELECT 'not a cell'\n  ```\n\n```sql\nSELECT 2\n```\n<script>alert(1)</script>\n"))
	if err != nil {
		t.Fatal(err)
	}
	if nb.Name != "n" || nb.Title != "Title x" {
		t.Errorf("name %q title %q", nb.Name, nb.Title)
	}
	cells := nb.Cells()
	if len(cells) != 2 || cells[0].Name != "a" || cells[0].Rows != 3 || cells[0].Line != 5 || cells[1].Name != "cell-2" || cells[1].SQL != "SELECT 2" {
		t.Fatalf("cells = %+v %+v", cells[0], cells[1])
	}
	want := &ChartSpec{Type: "line", X: "a", Y: []string{"b", "c"}, Refs: []RefSpec{{Value: 5, Label: "five"}, {Column: "col", Label: "at col"}}}
	if fmt.Sprint(cells[0].Chart) != fmt.Sprint(want) {
		t.Errorf("chart = %+v, want %+v", cells[0].Chart, want)
	}
	var html strings.Builder
	for _, b := range nb.Blocks {
		html.Write(b.HTML)
	}
	if !strings.Contains(html.String(), "<em>text</em>") || !strings.Contains(html.String(), "SELECT 'not a cell'") ||
		strings.Contains(html.String(), "<script>") {
		t.Errorf("prose HTML:\n%s", html.String())
	}

	for src, want := range map[string]string{
		"no cells":                  "x.md:1: the notebook has no ```sql block",
		"```chart\ntype: line\n```": "x.md:1: a chart block must follow a sql block directly",
		"```sql\nSELECT 1\n```\ntext\n```chart\ntype: bar\nx: a\ny: b\n```": "x.md:5: a chart block must follow a sql block directly",
		"```sql\nSELECT 1\n```\n```chart\ntype: pie\n```":                   "x.md:5: chart: type \"pie\": use line or bar",
		"```sql\nSELECT 1\n```\n```chart\ntype: bar\ncolour: red\n```":      "x.md:6: chart: unknown key \"colour\": use type, x, y, series, title, xlabel, ylabel, source or ref",
		"```sql\nSELECT 1\n```\n```chart\ntype: bar\nx: a\n```":             "x.md:4: chart: name the columns to draw with x: and y:",
		"```sql size=2\nSELECT 1\n```":                                      "x.md:1: unknown setting \"size=2\" after ```sql: use name=ID (letters, digits, - and _) and rows=N",
		"```sql name=a\nSELECT 1\n```\n\n```sql name=a\nSELECT 2\n```":      "x.md:5: cell name \"a\" is taken by the cell on line 1",
		"```sql\n\n```": "x.md:1: the sql block is empty",
	} {
		_, err := Parse("x.md", []byte(src))
		var se *SyntaxError
		if !errors.As(err, &se) || err.Error() != want {
			t.Errorf("Parse(%q) = %v, want %s", src, err, want)
		}
	}
}

func TestOpen(t *testing.T) {
	if _, err := Open("midnight_peak"); err != nil {
		t.Error(err)
	}
	if _, err := Open("midnight_peak.md"); err != nil {
		t.Error(err)
	}
	if _, err := Open("nosuch"); !errors.Is(err, ErrNoNotebook) || !strings.Contains(err.Error(), "midnight_peak") {
		t.Errorf("Open(nosuch) = %v", err)
	}
	p := filepath.Join(t.TempDir(), "mine.md")
	os.WriteFile(p, []byte("# Mine\n\n```sql\nSELECT 1\n```\n"), 0o644)
	if nb, err := Open(p); err != nil || nb.Name != "mine" || nb.Title != "Mine" {
		t.Errorf("Open(%s) = %+v, %v", p, nb, err)
	}
	if _, err := Open(filepath.Join(t.TempDir(), "gone.md")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("Open(missing file) = %v", err)
	}
}

// checkScript, added to a copy of a page, reports what a reader would see: every table
// laid out with a size and visible, every chart laid out with each of its texts drawn
// (some font gave it a width) inside the chart.
const checkScript = `<script>
window.addEventListener('load', function () {
  var bad = [], texts = 0;
  document.querySelectorAll('table').forEach(function (t, i) {
    var r = t.getBoundingClientRect(), s = getComputedStyle(t);
    if (r.width < 50 || r.height < 20 || s.visibility !== 'visible' || s.display === 'none') bad.push('table' + i);
  });
  document.querySelectorAll('figure.chart > svg').forEach(function (svg, i) {
    var r = svg.getBoundingClientRect(), vb = svg.viewBox.baseVal;
    if (r.width < 500 || r.height < 250) bad.push('chart' + i);
    svg.querySelectorAll('text').forEach(function (t, j) {
      if (t.textContent === '') return;
      texts++;
      var b = t.getBBox();
      if (t.getComputedTextLength() <= 0) bad.push('chart' + i + '-text' + j + '-undrawn');
      if (!t.hasAttribute('transform') && (b.x < -2 || b.x + b.width > vb.width + 2))
        bad.push('chart' + i + '-text' + j + '-outside:' + t.textContent);
    });
  });
  var p = document.createElement('pre');
  p.id = 'hongbao-check';
  p.textContent = 'tables=' + document.querySelectorAll('.result table').length +
    ' charts=' + document.querySelectorAll('figure.chart > svg').length + ' texts=' + texts + ' bad=' + bad.join(',');
  document.body.appendChild(p);
});
</script>`

var checkLine = regexp.MustCompile(`<pre id="hongbao-check">tables=([0-9]+) charts=([0-9]+) texts=([0-9]+) bad=([^<]*)</pre>`)

// envKeepPages names a folder where TestNotebookPagesInChromium leaves the pages it
// opened, to look at.
const envKeepPages = "HONGBAO_KEEP_PAGES"

// TestNotebookPagesInChromium opens each shipped notebook's page in headless Chromium:
// no console message, every result table laid out and visible, every chart in the DOM
// with all its texts, each drawn with a font the browser found and inside the chart.
func TestNotebookPagesInChromium(t *testing.T) {
	chromium := testenv.Tool(t, "chromium", "chromium")
	w := testWorld(t)
	dir := t.TempDir()
	keep := os.Getenv(envKeepPages)
	for _, name := range Shipped() {
		run := runShipped(t, w, name)
		var b bytes.Buffer
		if err := WriteHTML(&b, run); err != nil {
			t.Fatal(err)
		}
		page := strings.Replace(b.String(), "</body>", checkScript+"\n</body>", 1)
		path := filepath.Join(dir, name+".html")
		if err := os.WriteFile(path, []byte(page), 0o644); err != nil {
			t.Fatal(err)
		}
		if keep != "" {
			if err := os.WriteFile(filepath.Join(keep, name+".html"), b.Bytes(), 0o644); err != nil {
				t.Fatal(err)
			}
		}
		ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
		cmd := exec.CommandContext(ctx, chromium, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
			"--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync",
			"--user-data-dir="+filepath.Join(dir, "profile-"+name), "--window-size=1100,900",
			"--enable-logging=stderr", "--v=0", "--dump-dom", "file://"+path)
		var stdout, stderr bytes.Buffer
		cmd.Stdout, cmd.Stderr = &stdout, &stderr
		err := cmd.Run()
		cancel()
		if err != nil {
			t.Fatalf("%s: chromium: %v\n%s", name, err, stderr.String())
		}
		for _, line := range strings.Split(stderr.String(), "\n") {
			if strings.Contains(line, ":CONSOLE") {
				t.Errorf("%s: console: %s", name, line)
			}
		}
		m := checkLine.FindStringSubmatch(stdout.String())
		if m == nil {
			t.Fatalf("%s: the check did not run; the DOM is:\n%.2000s", name, stdout.String())
		}
		tables, _ := strconv.Atoi(m[1])
		charts, _ := strconv.Atoi(m[2])
		drawn, _ := strconv.Atoi(m[3])
		wantTables, wantCharts, wantTexts := 0, 0, 0
		for _, c := range run.Cells {
			if c.Result != nil && len(c.Result.Columns) > 0 {
				wantTables++
			}
			if c.Chart != nil {
				wantCharts++
				_, els := parseSVG(t, c.Chart)
				for _, e := range els {
					if e.name == "text" && e.text != "" {
						wantTexts++
					}
				}
			}
		}
		if tables != wantTables || charts != wantCharts || drawn != wantTexts || m[4] != "" {
			t.Errorf("%s in Chromium: %d tables, %d charts with %d texts, not shown: %q; want %d tables, %d charts with %d texts",
				name, tables, charts, drawn, m[4], wantTables, wantCharts, wantTexts)
		}
	}
}

// FuzzParse: a user's notebook of any bytes parses or fails with an error; its charts
// then draw or fail with an error. Nothing panics.
func FuzzParse(f *testing.F) {
	for _, name := range Shipped() {
		src, err := Source(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(src)
	}
	f.Add([]byte("# t\n\n```sql name=a rows=-1\nSELECT 1\n```\n```chart\ntype: bar\nx: x\ny: y\n```\n"))
	f.Add([]byte("- ```sql\n  SELECT 1\n  ```\n\n```sql rows=99999999999999999999\n```"))
	f.Fuzz(func(t *testing.T, src []byte) {
		nb, err := Parse("fuzz.md", src)
		if err != nil {
			return
		}
		for _, c := range nb.Cells() {
			if c.Chart == nil {
				continue
			}
			for _, res := range fuzzResults("a", 1, 2, "2014-01-31 00:00:00") {
				if b, err := c.Chart.Draw(res); err == nil {
					parseSVG(t, b)
				}
			}
		}
	})
}
