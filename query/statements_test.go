package query

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"
)

func TestSplitStatements(t *testing.T) {
	for _, tc := range []struct {
		text  string
		stmts []string
		rest  string
	}{
		{"SELECT 1", nil, "SELECT 1"},
		{"SELECT 1;", []string{"SELECT 1"}, ""},
		{" SELECT 1 ;\n\nSELECT 2;  SELECT 3", []string{"SELECT 1", "SELECT 2"}, "SELECT 3"},
		{"SELECT 'a;b', \"c;d\" FROM t; -- x;y\n", []string{`SELECT 'a;b', "c;d" FROM t`}, "-- x;y"},
		{"SELECT 'it''s;' ;", []string{"SELECT 'it''s;'"}, ""},
		{`SELECT E'\';' ;`, []string{`SELECT E'\';'`}, ""},
		{"SELECT $$a;b$$, $x$;$x$;", []string{"SELECT $$a;b$$, $x$;$x$"}, ""},
		{"SELECT $1; SELECT a$b;", []string{"SELECT $1", "SELECT a$b"}, ""},
		{"/* a; /* nested; */ b; */ SELECT 1;", []string{"/* a; /* nested; */ b; */ SELECT 1"}, ""},
		{";; -- only a comment;\n;", nil, ""},
		{"SELECT 'unterminated;", nil, "SELECT 'unterminated;"},
		{"SELECT '紅包;' AS 名;", []string{"SELECT '紅包;' AS 名"}, ""},
	} {
		stmts, rest := SplitStatements(tc.text)
		if !reflect.DeepEqual(stmts, tc.stmts) || rest != tc.rest {
			t.Errorf("SplitStatements(%q) = %q, %q; want %q, %q", tc.text, stmts, rest, tc.stmts, tc.rest)
		}
	}
	for text, want := range map[string]bool{"": false, " -- x\n /* y */ ": false, "-- x\nSELECT": true, "'a'": true} {
		if HasCode(text) != want {
			t.Errorf("HasCode(%q) = %v", text, !want)
		}
	}
}

func TestWithCaret(t *testing.T) {
	db := memoryDB(t)
	// DuckDB's own place is kept: the line, and the caret counting 紅包 as four cells.
	_, err := Query(context.Background(), db, "SELECT '紅包' AS a,\n  nosuch")
	if want := "LINE 2:   nosuch\n          ^"; err == nil || !strings.HasSuffix(err.Error(), want) {
		t.Errorf("error = %v, want it to end with %q", err, want)
	}
	// Where DuckDB gives none, the caret is added.
	for _, tc := range []struct{ stmt, msg, want string }{
		{"SELECT 1 +", "Parser Error: syntax error at end of input", "LINE 1: SELECT 1 +\n                  ^"},
		{"SELECT x\nFROM t WHERE 'y' = y", `Binder Error: Referenced column "y" not found in FROM clause!`, "LINE 2: FROM t WHERE 'y' = y\n                           ^"},
		{"SELECT 紅包 FROM t", `Binder Error: Referenced column "紅包" not found`, "LINE 1: SELECT 紅包 FROM t\n               ^"},
		{"SELECT f(1)", `Catalog Error: Scalar Function with name f does not exist!`, "LINE 1: SELECT f(1)\n               ^"},
		// The Kelvin sign is three bytes and lowercases to one: the place is still
		// counted in the statement's own bytes (it used to panic here), and the sign is
		// one cell wide.
		{"SELECT '\u212a\u212a\u212a\u212a' AS label, error('no \"label\"')", `Invalid Input Error: no "label"`,
			"LINE 1: SELECT '\u212a\u212a\u212a\u212a' AS label, error('no \"label\"')\n" + strings.Repeat(" ", 25) + "^"},
	} {
		got := WithCaret(tc.stmt, errors.New(tc.msg))
		if want := tc.msg + "\n\n" + tc.want; got.Error() != want {
			t.Errorf("WithCaret(%q):\n got %s\nwant %s", tc.stmt, got, want)
		}
	}
	// No token to find: unchanged.
	plain := errors.New("Invalid Input Error: More than one row returned by a subquery")
	if got := WithCaret("SELECT (SELECT 1 UNION SELECT 2)", plain); got != plain {
		t.Errorf("WithCaret without a token = %v", got)
	}
	atEnd := errors.New("Parser Error: syntax error at end of input")
	if err := WithCaret("SELECT 1 +", atEnd); err == atEnd || !errors.Is(err, atEnd) {
		t.Errorf("WithCaret = %v, want an error wrapping the driver's", err)
	}
}

// FuzzStatements: any text a user types or pipes, with any error message DuckDB could
// name a token of it in, is split, checked and given its caret without a panic, and
// the split loses no statement's code.
func FuzzStatements(f *testing.F) {
	f.Add("SELECT 'a;b', \"c;d\" FROM t; -- x;y\n", `Binder Error: Referenced column "c;d" not found`)
	f.Add("SELECT $x$;$x$; /* a /* b */ ; */ SELECT E'\\';' ;", `syntax error at or near "SELECT"`)
	f.Add("SELECT '\u212a\u212a' AS label, error('no \"label\"')", `Invalid Input Error: no "label"`)
	f.Add("SELECT 紅包\nFROM t WHERE y", "syntax error at end of input")
	f.Fuzz(func(t *testing.T, text, msg string) {
		stmts, rest := SplitStatements(text)
		for _, s := range stmts {
			if !HasCode(s) {
				t.Errorf("SplitStatements(%q) gives %q, which has no code", text, s)
			}
		}
		if len(stmts) == 0 && HasCode(text) && !HasCode(rest) && !strings.Contains(text, ";") {
			t.Errorf("SplitStatements(%q) lost the code: rest %q", text, rest)
		}
		openComment(text)
		err := WithCaret(text, errors.New(msg))
		if !strings.HasPrefix(err.Error(), msg) {
			t.Errorf("WithCaret(%q, %q) = %q: the message is not kept", text, msg, err)
		}
	})
}

func ExampleSplitStatements() {
	stmts, rest := SplitStatements("SELECT 'a;b' AS x; -- one\nSELECT 2;\nSELECT 3 +")
	for _, s := range stmts {
		fmt.Printf("%q\n", s)
	}
	fmt.Printf("unfinished: %q\n", rest)
	// Output:
	// "SELECT 'a;b' AS x"
	// "-- one\nSELECT 2"
	// unfinished: "SELECT 3 +"
}

func ExampleWithCaret() {
	err := WithCaret("SELECT minute,\n       claims +\nFROM claims_per_minute", errors.New(`Parser Error: syntax error at or near "FROM"`))
	fmt.Println(err)
	// Output:
	// Parser Error: syntax error at or near "FROM"
	//
	// LINE 3: FROM claims_per_minute
	//         ^
}
