package query

import (
	"context"
	"errors"
	"os"
	"strings"
	"testing"
)

// sample is a small result through the real driver: a Chinese bank name that must align
// as two cells a character, a TIMESTAMPTZ shown in Beijing time, a NULL, a blob.
func sample(t *testing.T) *Result {
	t.Helper()
	db := memoryDB(t)
	res, err := Query(context.Background(), db, `
		SELECT * FROM (VALUES
			('ICBC', '工商银行', 12, TIMESTAMPTZ '2014-01-30 16:00:10+00', 1.50::DECIMAL(10, 2), '{"a":1}'::BLOB),
			('CMB', '招商银行|"x"', NULL, NULL, -0.05::DECIMAL(10, 2), '\x00\xFF'::BLOB))
		AS t(bank_code, name, claims, first_ts, yuan, raw)`)
	if err != nil {
		t.Fatal(err)
	}
	return res
}

// checkFormats writes res in each format of want and compares the text.
func checkFormats(t *testing.T, what string, res *Result, want map[Format]string) {
	t.Helper()
	for f, w := range want {
		var b strings.Builder
		if err := res.Write(&b, f); err != nil {
			t.Fatal(err)
		}
		if b.String() != w {
			t.Errorf("%s as %s:\n got %q\nwant %q", what, f, b.String(), w)
		}
	}
}

func TestFormats(t *testing.T) {
	checkFormats(t, "the sample", sample(t), map[Format]string{
		FormatTable: `` +
			`bank_code  name          claims  first_ts              yuan  raw
---------  ------------  ------  -------------------  -----  -------
ICBC       工商银行          12  2014-01-31 00:00:10   1.50  {"a":1}
CMB        招商银行|"x"    NULL  NULL                 -0.05  \x00ff
(2 rows)
`,
		FormatCSV: `` +
			`bank_code,name,claims,first_ts,yuan,raw
ICBC,工商银行,12,2014-01-31 00:00:10,1.50,"{""a"":1}"
CMB,"招商银行|""x""",,,-0.05,\x00ff
`,
		FormatJSON: `` +
			`[
  {"bank_code": "ICBC", "name": "工商银行", "claims": 12, "first_ts": "2014-01-31T00:00:10+08:00", "yuan": 1.50, "raw": "{\"a\":1}"},
  {"bank_code": "CMB", "name": "招商银行|\"x\"", "claims": null, "first_ts": null, "yuan": -0.05, "raw": "\\x00ff"}
]
`,
		FormatMarkdown: `` +
			`| bank_code | name          | claims | first_ts            |  yuan | raw     |
| --------- | ------------- | -----: | ------------------- | ----: | ------- |
| ICBC      | 工商银行      |     12 | 2014-01-31 00:00:10 |  1.50 | {"a":1} |
| CMB       | 招商银行\|"x" |   NULL | NULL                | -0.05 | \x00ff  |
`,
	})
}

// TestFormatsShowWhatATerminalWouldActOn: a value from the lake holding escape
// sequences (a recolour, a window title, the clipboard), a bell, the 8-bit CSI or a
// bidirectional override is shown escaped in the table and Markdown formats, which are
// read on a terminal, and kept as it is in CSV and JSON, which are data; Chinese text and
// the ideographic space are left alone.
func TestFormatsShowWhatATerminalWouldActOn(t *testing.T) {
	db := memoryDB(t)
	res, err := Query(context.Background(), db, `SELECT
		'red' || chr(27) || '[31m!' || chr(7) AS a,
		chr(27) || ']52;c;cm0gLXJmIH4=' || chr(7) || chr(155) || '2J' AS b,
		'abc' || chr(8238) || 'fed' || chr(10) || '紅　包' AS c`)
	if err != nil {
		t.Fatal(err)
	}
	checkFormats(t, "values with escape sequences", res, map[Format]string{
		FormatTable: "a                    b                                      c\n" +
			"-------------------  -------------------------------------  ----------------------\n" +
			`red\u{1b}[31m!\u{7}  \u{1b}]52;c;cm0gLXJmIH4=\u{7}\u{9b}2J  abc\u{202e}fed\n紅　包` + "\n(1 row)\n",
		FormatMarkdown: "| a                   | b                                     | c                        |\n" +
			"| ------------------- | ------------------------------------- | ------------------------ |\n" +
			`| red\u{1b}[31m!\u{7} | \u{1b}]52;c;cm0gLXJmIH4=\u{7}\u{9b}2J | abc\u{202e}fed<br>紅　包 |` + "\n",
		FormatCSV: "a,b,c\nred\x1b[31m!\a,\x1b]52;c;cm0gLXJmIH4=\a\u009b2J,\"abc\u202efed\n紅　包\"\n",
	})
}

func TestFormatEdges(t *testing.T) {
	empty := &Result{Columns: []string{"minute", "claims"}}
	checkFormats(t, "an empty result", empty, map[Format]string{
		FormatTable:    "minute  claims\n------  ------\n(0 rows)\n",
		FormatCSV:      "minute,claims\n",
		FormatJSON:     "[]\n",
		FormatMarkdown: "| minute | claims |\n| ------ | ------ |\n",
	})

	more := &Result{Columns: []string{"v"}, Rows: [][]Value{{{Text: "a\tb\nc", Kind: KindText}}}, More: true}
	var b strings.Builder
	more.Write(&b, FormatTable)
	if want := "v\n-------\na\\tb\\nc\n(first 1 rows; more not shown)\n"; b.String() != want {
		t.Errorf("table with More = %q, want %q", b.String(), want)
	}

	if _, err := ParseFormat("yaml"); !errors.Is(err, ErrUnknownFormat) ||
		err.Error() != `unknown format "yaml": use one of table, csv, json, markdown` {
		t.Errorf("ParseFormat(yaml) = %v", err)
	}
	if err := more.Write(&b, "yaml"); !errors.Is(err, ErrUnknownFormat) {
		t.Errorf("Write(yaml) = %v", err)
	}
}

func TestToValueTypes(t *testing.T) {
	db := memoryDB(t)
	res, err := Query(context.Background(), db, `SELECT
		TIMESTAMP '2014-01-31 00:00:00.25' AS ts, DATE '2014-01-31' AS d, TIME '23:59:59' AS tm,
		INTERVAL '1 year 2 months 3 days 04:05:06.5' AS iv, sum(9223372036854775807) AS huge,
		1.5::DOUBLE AS dbl, 1e300::DOUBLE AS big, 'NaN'::DOUBLE AS nan, true AS b,
		[1, 2] AS list, {'x': 'y'} AS st, MAP {'k': 1} AS m,
		'6ba7b810-9dad-11d1-80b4-00c04fd430c8'::UUID AS id, '{"a": [1]}'::JSON AS j`)
	if err != nil {
		t.Fatal(err)
	}
	want := []Value{
		{Text: "2014-01-31 00:00:00.25", Kind: KindText},
		{Text: "2014-01-31", Kind: KindText},
		{Text: "23:59:59", Kind: KindText},
		{Text: "1 year 2 months 3 days 04:05:06.5", Kind: KindText},
		{Text: "9223372036854775807", Kind: KindNumber},
		{Text: "1.5", Kind: KindNumber},
		{Text: "1e+300", Kind: KindNumber},
		{Text: "NaN", Kind: KindText},
		{Text: "true", Kind: KindBool},
		{Text: "[1,2]", Kind: KindJSON},
		{Text: `{"x":"y"}`, Kind: KindJSON},
		{Text: `[{"key":"k","value":1}]`, Kind: KindJSON},
		{Text: "6ba7b810-9dad-11d1-80b4-00c04fd430c8", Kind: KindText},
		{Text: `{"a":[1]}`, Kind: KindJSON},
	}
	for c, v := range res.Rows[0] {
		if v != want[c] {
			t.Errorf("%s (%s) = %+v, want %+v", res.Columns[c], res.Types[c], v, want[c])
		}
	}
}

func TestQueryLimit(t *testing.T) {
	db := memoryDB(t)
	for _, tc := range []struct {
		max, rows int
		more      bool
	}{{0, 5, false}, {3, 3, true}, {5, 5, false}, {9, 5, false}} {
		res, err := QueryLimit(context.Background(), db, "SELECT * FROM range(5)", tc.max)
		if err != nil {
			t.Fatal(err)
		}
		if len(res.Rows) != tc.rows || res.More != tc.more {
			t.Errorf("QueryLimit(%d) = %d rows, More %v; want %d, %v", tc.max, len(res.Rows), res.More, tc.rows, tc.more)
		}
	}
}

func ExampleResult_Write() {
	res := &Result{
		Columns: []string{"provider", "banks"},
		Rows: [][]Value{
			{{Text: "微信支付", Kind: KindText}, {Text: "12", Kind: KindNumber}},
			{{Text: "alipay", Kind: KindText}, {Text: "180", Kind: KindNumber}},
		},
	}
	res.Write(os.Stdout, FormatTable)
	// Output:
	// provider  banks
	// --------  -----
	// 微信支付     12
	// alipay      180
	// (2 rows)
}
