package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
	"unsafe"

	"github.com/hongbao/hongbao/internal/datadir"
	"github.com/hongbao/hongbao/internal/testenv"
	"github.com/hongbao/hongbao/internal/testworld"
	"github.com/hongbao/hongbao/query"
)

func TestSQLCommandCSV(t *testing.T) {
	dir := sqlTestWarehouse(t).dir
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
	g := sqlTestWarehouse(t)
	ctx := context.Background()
	var out bytes.Buffer
	err := runSQL(ctx, g, sqlOptions{format: "table"}, "DROP TABLE grabs", &out, &out)
	want := "DROP is not allowed in hongbao's SQL: only 'hongbao transform' changes the warehouse; keep rows for this session in a temporary table (CREATE TEMP TABLE name AS SELECT ...), or write them to a file with 'hongbao sql -o FILE'"
	if !isUsage(err) || err.Error() != want {
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
		if !isUsage(err) || !strings.HasPrefix(err.Error(), tc.want) {
			t.Errorf("sql %q = %v, want usage error starting %q", tc.args, err, tc.want)
		}
	}
}

// openTerminal opens a pseudo-terminal and returns its two sides: tty is a terminal to
// term.IsTerminal and to line editing as a user's is, and what is written to ptmx is
// typed on it; both close when the test ends.
func openTerminal(t *testing.T) (ptmx, tty *os.File) {
	t.Helper()
	ptmx, err := os.OpenFile("/dev/ptmx", os.O_RDWR|syscall.O_NOCTTY, 0)
	if err != nil {
		testenv.Missing(t, "no pseudo-terminals here: %v", err)
	}
	t.Cleanup(func() { ptmx.Close() })
	var unlock int32
	if _, _, e := syscall.Syscall(syscall.SYS_IOCTL, ptmx.Fd(), syscall.TIOCSPTLCK, uintptr(unsafe.Pointer(&unlock))); e != 0 {
		t.Fatalf("unlock the pseudo-terminal: %v", e)
	}
	var n uint32
	if _, _, e := syscall.Syscall(syscall.SYS_IOCTL, ptmx.Fd(), syscall.TIOCGPTN, uintptr(unsafe.Pointer(&n))); e != 0 {
		t.Fatalf("number of the pseudo-terminal: %v", e)
	}
	tty, err = os.OpenFile(fmt.Sprintf("/dev/pts/%d", n), os.O_RDWR|syscall.O_NOCTTY, 0)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { tty.Close() })
	return ptmx, tty
}

// screen collects what a program writes to a terminal, and tells a waiting test when
// a text appears.
type screen struct {
	mu      sync.Mutex
	text    strings.Builder
	changed chan struct{} // receives after each write
}

func watchScreen(ptmx *os.File) *screen {
	s := &screen{changed: make(chan struct{}, 1)}
	go func() {
		buf := make([]byte, 4096)
		for {
			n, err := ptmx.Read(buf)
			s.mu.Lock()
			s.text.Write(buf[:n])
			s.mu.Unlock()
			select {
			case s.changed <- struct{}{}:
			default:
			}
			if err != nil {
				return
			}
		}
	}()
	return s
}

// waitFor returns once the screen shows pattern after the offset from, with the offset
// after it; it fails the test after a minute.
func (s *screen) waitFor(t *testing.T, from int, pattern *regexp.Regexp) int {
	t.Helper()
	timeout := time.After(time.Minute)
	for {
		s.mu.Lock()
		text := s.text.String()
		s.mu.Unlock()
		if loc := pattern.FindStringIndex(text[from:]); loc != nil {
			return from + loc[1]
		}
		select {
		case <-s.changed:
		case <-timeout:
			t.Fatalf("the terminal never showed %s; it shows:\n%q", pattern, text)
		}
	}
}

// TestSQLPromptOnATerminal runs 'hongbao sql' on a real (pseudo-)terminal, as an analyst
// does: with no query it opens the prompt, answers a statement typed over two lines,
// keeps it in the history file, and ends on \q with exit status 0.
func TestSQLPromptOnATerminal(t *testing.T) {
	g := sqlTestWarehouse(t)
	ptmx, tty := openTerminal(t)
	history := filepath.Join(t.TempDir(), "history")
	cmd := hongbaoProcess([]string{envHistory + "=" + history, "TERM=xterm"}, "--dir", g.dir, "sql")
	cmd.Stdin, cmd.Stdout, cmd.Stderr = tty, tty, tty
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	scr := watchScreen(ptmx)
	at := scr.waitFor(t, 0, regexp.MustCompile(regexp.QuoteMeta(query.PromptFirst)))
	io.WriteString(ptmx, "SELECT 40 + 2 AS answer,\r")
	at = scr.waitFor(t, at, regexp.MustCompile(regexp.QuoteMeta(query.PromptMore)))
	io.WriteString(ptmx, "count(*) AS minutes FROM claims_per_minute;\r")
	at = scr.waitFor(t, at, regexp.MustCompile(`answer +minutes[\s\S]*\b42 +\d+\s[\s\S]*\(1 row\)`))
	scr.waitFor(t, at, regexp.MustCompile(regexp.QuoteMeta(query.PromptFirst)))
	io.WriteString(ptmx, "\\q\r")
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("hongbao sql ended with %v", err)
		}
	case <-time.After(time.Minute):
		cmd.Process.Kill()
		t.Fatal("hongbao sql did not end on \\q")
	}
	saved, err := os.ReadFile(history)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(saved), "SELECT 40 + 2 AS answer,") || !strings.Contains(string(saved), "FROM claims_per_minute;") {
		t.Errorf("the history file holds %q, not the statement", saved)
	}
}

// TestSQLErrorQuotingDataIsInert: an error that quotes a value holding an escape
// sequence (DuckDB's conversion errors quote the value) shows it as text on stderr, and
// the process still exits 1.
func TestSQLErrorQuotingDataIsInert(t *testing.T) {
	g := sqlTestWarehouse(t)
	var tr transcript
	code, out, _ := tr.hongbao(t, nil, "--dir", g.dir, "sql", "SELECT ('x' || chr(27) || ']0;owned' || chr(7))::INT")
	if code != exitFailure || !strings.Contains(out, `Could not convert string 'x\u{1b}]0;owned\u{7}' to INT32`) || strings.ContainsAny(out, "\x1b\a") {
		t.Errorf("exit %d, output %q: want 1 and the value escaped", code, out)
	}
}

func TestSQLQueryFromTerminal(t *testing.T) {
	// On a terminal with no argument, the query cannot come from stdin; a pipe or a file
	// is read as the script.
	_, tty := openTerminal(t)
	if !sqlReaderIsTerminal(tty) {
		t.Fatal("a pseudo-terminal is not taken for a terminal")
	}
	if _, err := sqlQueryFrom(nil, tty); err == nil || !strings.HasPrefix(err.Error(), "pass a query") {
		t.Errorf("sqlQueryFrom(terminal) = %v", err)
	}
	if sqlReaderIsTerminal(strings.NewReader("SELECT 1")) {
		t.Error("a reader that is no file is taken for a terminal")
	}
	if q, err := sqlQueryFrom(nil, strings.NewReader("SELECT 1;")); err != nil || !strings.Contains(q, "SELECT 1") {
		t.Errorf("sqlQueryFrom(script) = %q, %v", q, err)
	}
}

// scriptedInput is a LineReader that keeps the history the prompt adds.
type scriptedInput struct {
	query.LineReader
	history []string
}

func (s *scriptedInput) AddHistory(entry string) { s.history = append(s.history, entry) }

// TestSQLPrompt drives the interactive prompt through its input: a statement over four
// lines, \d, a refused write, an error with its caret, \format, \timing, \q.
func TestSQLPrompt(t *testing.T) {
	g := sqlTestWarehouse(t)
	ctx := context.Background()
	in := &scriptedInput{LineReader: query.NewLineReader(strings.NewReader(`SELECT minute,
       claims  -- a comment; not the end
FROM claims_per_minute

ORDER BY minute;
\d
\d grabs
DROP TABLE grabs;
SELECT nosuch
  FROM grabs;
\format csv
SELECT count(*) AS n FROM grabs; SELECT '紅包' AS name;
\timing on
\nosuch
SELECT 1 AS one;
\q
SELECT 'not reached';
`))}
	var out, errOut bytes.Buffer
	if err := runSQLPrompt(ctx, g, sqlOptions{format: "table"}, in, &out, &errOut); err != nil {
		t.Fatal(err)
	}
	wantContains(t, "the prompt's output", out.String(),
		"minute               claims\n-------------------  ------\n2014-01-31 00:00:00       2\n2014-01-31 00:01:00       0\n(2 rows)\n",
		"grabs (lake table, lake/grabs/*.parquet)\n\nOne row per envelope_grabbed event",
		"\namount_fen       BIGINT                    The share claimed, in fen; NULL when missed.\n",
		"n\n3\nname\n紅包\none\n1\n")
	for _, re := range []string{`(?m)^grabs +lake +3 +One row per envelope_grabbed event`, `(?m)^claims_per_minute +model +2 +Grabs per minute`} {
		if !regexp.MustCompile(re).MatchString(out.String()) {
			t.Errorf("\\d lists no line matching %s", re)
		}
	}
	wantContains(t, "the prompt's errors", errOut.String(),
		"Error: DROP is not allowed in hongbao's SQL: only 'hongbao transform' changes the warehouse;",
		"Error: Binder Error: Referenced column \"nosuch\" not found in FROM clause!",
		"LINE 1: SELECT nosuch\n               ^\n",
		"The format is csv.\n",
		"Timing is on.\n",
		"Error: unknown command \\nosuch: type \\? for help\n",
		"Time: ")
	if strings.Contains(out.String(), "not reached") {
		t.Error("the prompt went on after \\q")
	}
	wantHistory := []string{
		"SELECT minute, claims -- a comment; not the end FROM claims_per_minute ORDER BY minute;",
		`\d`, `\d grabs`, "DROP TABLE grabs;", "SELECT nosuch FROM grabs;", `\format csv`,
		"SELECT count(*) AS n FROM grabs;", "SELECT '紅包' AS name;", `\timing on`, `\nosuch`, "SELECT 1 AS one;", `\q`,
	}
	if strings.Join(in.history, "\n") != strings.Join(wantHistory, "\n") {
		t.Errorf("history:\n got %q\nwant %q", in.history, wantHistory)
	}
	// The refused DROP changed nothing.
	out.Reset()
	if err := runSQL(ctx, g, sqlOptions{format: "csv"}, "SELECT count(*) AS grabs FROM grabs", &out, &out); err != nil || out.String() != "grabs\n3\n" {
		t.Errorf("grabs after the prompt = %q, %v", out.String(), err)
	}
}

func TestSQLScriptStatements(t *testing.T) {
	dir := sqlTestWarehouse(t).dir
	// Several statements from stdin, each printing; SET lasts to the next statement.
	got, err := runHongbao(t, "SET VARIABLE k = 2;\nSELECT getvariable('k') AS k;\n-- done\nSELECT count(*) AS n FROM grabs",
		"--dir", dir, "sql", "--format", "csv")
	if err != nil || got != "k\n2\nn\n3\n" {
		t.Errorf("script = %q, %v", got, err)
	}
	// The first failing statement ends the script, and says which it was.
	got, err = runHongbao(t, "", "--dir", dir, "sql", "--format", "csv", "SELECT 1 AS a; SELECT nosuch; SELECT 3 AS c")
	if err == nil || got != "a\n1\n" || !strings.HasPrefix(err.Error(), "statement 2: Binder Error: Referenced column \"nosuch\"") {
		t.Errorf("failing script = %q, %v", got, err)
	}
}

func TestSQLDescribeAndExport(t *testing.T) {
	dir := sqlTestWarehouse(t).dir
	got, err := runHongbao(t, "", "--dir", dir, "sql", "--describe", "--format", "csv", "claims_per_minute")
	if err != nil || !strings.HasPrefix(got, "column,type,about\nminute,TIMESTAMP,") {
		t.Errorf("--describe claims_per_minute = %q, %v", got, err)
	}
	if _, err := runHongbao(t, "", "--dir", dir, "sql", "--describe", "nosuch"); err == nil ||
		!strings.HasPrefix(err.Error(), `no such table "nosuch" in the warehouse: the tables are envelopes, grabs,`) {
		t.Errorf("--describe nosuch = %v", err)
	}
	// Without --format, the file's extension names the format.
	out := filepath.Join(t.TempDir(), "minutes.parquet")
	if _, err := runHongbao(t, "", "--dir", dir, "sql", "-o", out, "SELECT * FROM claims_per_minute"); err != nil {
		t.Fatal(err)
	}
	if got, _ := os.ReadFile(out); !bytes.HasPrefix(got, []byte("PAR1")) {
		t.Errorf("-o minutes.parquet without --format wrote %.20q, not Parquet", got)
	}
	md := filepath.Join(t.TempDir(), "minutes.md")
	if _, err := runHongbao(t, "", "--dir", dir, "sql", "-o", md, "SELECT sum(claims) AS claims FROM claims_per_minute"); err != nil {
		t.Fatal(err)
	}
	if got, _ := os.ReadFile(md); !strings.HasPrefix(string(got), "| claims |") {
		t.Errorf("-o minutes.md without --format wrote %q, not Markdown", got)
	}
	got, err = runHongbao(t, "", "--dir", dir, "sql", "--allow-read", out, "--format", "csv", "SELECT sum(claims) AS claims, sum(attempts) AS attempts FROM '"+filepath.ToSlash(out)+"'")
	if err != nil || got != "claims,attempts\n2,3\n" {
		t.Errorf("the exported Parquet file reads %q, %v", got, err)
	}
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"--format", "parquet", "SELECT 1"}, "--format parquet writes a file: add -o FILE.parquet"},
		{[]string{"-o", out, "SELECT 1; SELECT 2"}, "-o writes the result of one query"},
		{[]string{"-o", out, "DELETE FROM grabs"}, "DELETE is not allowed in hongbao's SQL: only 'hongbao transform' changes the warehouse"},
		{[]string{"-o", filepath.Join(dir, "x.csv"), "SELECT 1"}, "writing " + filepath.Join(dir, "x.csv") + " is not allowed in hongbao's SQL: it is inside the data folder"},
		{[]string{"SELECT * FROM '" + filepath.ToSlash(out) + "'"}, "access to " + out + " is not allowed in hongbao's SQL"},
		{[]string{"-o", md, "SELECT * FROM range(200000)"}, "too many rows for an aligned format: --format markdown holds every row"},
	} {
		_, err := runHongbao(t, "", append([]string{"--dir", dir, "sql"}, tc.args...)...)
		if !isUsage(err) || !strings.HasPrefix(err.Error(), tc.want) {
			t.Errorf("sql %q = %v, want usage error starting %q", tc.args, err, tc.want)
		}
	}
}

// TestSQLWritesNothing is the attack, against the command line: each statement
// is refused with a usage error naming what to do instead, from the argument and from
// stdin; afterwards the warehouse file is byte-for-byte the same and no file appeared
// in the data folder or the scratch folder the statements name. The one write left,
// -o FILE, still works outside the data folder.
func TestSQLWritesNothing(t *testing.T) {
	dir := sqlTestWarehouse(t).dir
	scratch := t.TempDir()
	q := func(p string) string { return "'" + filepath.ToSlash(p) + "'" }
	before := testworld.TreeState(t, dir, scratch)
	for _, tc := range []struct{ stmt, fix string }{
		{"COPY (SELECT 1 AS a) TO " + q(datadir.Dir(dir).Warehouse()) + " (FORMAT csv)", "'hongbao sql -o FILE'"},
		{"COPY (SELECT 'x' AS event_id) TO " + q(filepath.Join(dir, "lake", "grabs", "x.parquet")), "'hongbao sql -o FILE'"},
		{"ATTACH " + q(filepath.Join(scratch, "other.duckdb")) + " (READ_WRITE)", "--allow-read PATH"},
		{"CREATE TABLE t (i INTEGER)", "CREATE TEMP TABLE"},
		{"EXPORT DATABASE " + q(filepath.Join(scratch, "export")), "'hongbao sql -o FILE'"},
		{"COPY grabs TO " + q(filepath.Join(scratch, "grabs.csv")), "'hongbao sql -o FILE'"},
		{"SELECT * FROM read_text('/etc/passwd')", "add --allow-read /etc/passwd"},
		{"INSTALL httpfs", "no network"},
		{"SET enable_external_access = true", "SET VARIABLE"},
	} {
		for _, args := range [][]string{{tc.stmt}, {"-"}} {
			stdin := ""
			if args[0] == "-" {
				stdin = "SELECT 1;\n" + tc.stmt + ";\n"
			}
			_, err := runHongbao(t, stdin, append([]string{"--dir", dir, "sql"}, args...)...)
			if !isUsage(err) || !strings.Contains(err.Error(), " is not allowed in hongbao's SQL: ") || !strings.Contains(err.Error(), tc.fix) {
				t.Errorf("sql %q (stdin %q):\n got %v\nwant a refusal naming %q", args, stdin, err, tc.fix)
			}
		}
	}
	if after := testworld.TreeState(t, dir, scratch); after != before {
		t.Errorf("files changed:\n%s\n%s", before, after)
	}
	out := filepath.Join(scratch, "out.csv")
	if _, err := runHongbao(t, "", "--dir", dir, "sql", "-o", out, "--format", "csv", "SELECT count(*) AS n FROM grabs"); err != nil {
		t.Fatal(err)
	}
	if got, _ := os.ReadFile(out); string(got) != "n\n3\n" {
		t.Errorf("-o out.csv wrote %q", got)
	}
}
