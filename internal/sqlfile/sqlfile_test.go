package sqlfile

import (
	"slices"
	"strings"
	"testing"
	"testing/fstest"
	"time"
)

func TestLoad(t *testing.T) {
	fsys := fstest.MapFS{
		"q/20_b_thing.sql": {Data: []byte("-- b_thing: the second, from grabs. More about it.\n-- And a second line.\nSELECT 2\nFROM grabs;\n")},
		"q/10_a.sql":       {Data: []byte("-- a: the first, from nothing.\nSELECT 1")},
		"q/notes.txt":      {Data: []byte("not SQL")},
	}
	files, err := Load(fsys, "q/*.sql")
	if err != nil {
		t.Fatal(err)
	}
	if len(files) != 2 || files[0].Name != "a" || files[1].Name != "b_thing" || files[1].Path != "q/20_b_thing.sql" {
		t.Fatalf("files = %+v, want a then b_thing", files)
	}
	b := files[1]
	if b.Header != "b_thing: the second, from grabs. More about it. And a second line." {
		t.Errorf("header %q", b.Header)
	}
	if b.About() != "b_thing: the second, from grabs." {
		t.Errorf("about %q", b.About())
	}
	if b.Body != "SELECT 2\nFROM grabs" || !strings.HasPrefix(b.SQL, "-- b_thing:") || !strings.HasSuffix(b.SQL, "FROM grabs") {
		t.Errorf("body %q, sql %q", b.Body, b.SQL)
	}
	if h := Header("  -- x: one,\n--two\nSELECT 1 -- not this"); h != "x: one, two" {
		t.Errorf("Header = %q", h)
	}
	set := MustLoad(fsys, "q/*.sql")
	if set.Query("a") != "SELECT 1" {
		t.Errorf("Query(a) = %q", set.Query("a"))
	}
}

// TestColumns: a model's header ends with its columns; they are not part of the header
// text, and an item goes on over indented lines.
func TestColumns(t *testing.T) {
	fsys := fstest.MapFS{"m/10_per_hour.sql": {Data: []byte(`-- per_hour: claims per hour, from grabs.
-- More about it.
--
-- Columns:
-- - hour: The hour, in Beijing
--   wall-clock time.
-- - claims: Claimed grabs.
SELECT 1 AS hour, 2 AS claims`)}}
	files, err := Load(fsys, "m/*.sql")
	if err != nil {
		t.Fatal(err)
	}
	f := files[0]
	if f.Header != "per_hour: claims per hour, from grabs. More about it." {
		t.Errorf("header %q", f.Header)
	}
	want := []Column{{"hour", "The hour, in Beijing wall-clock time."}, {"claims", "Claimed grabs."}}
	if !slices.Equal(f.Columns, want) {
		t.Errorf("columns %q, want %q", f.Columns, want)
	}
	if f.Body != "SELECT 1 AS hour, 2 AS claims" {
		t.Errorf("body %q", f.Body)
	}
	if h := Header(string(fsys["m/10_per_hour.sql"].Data)); h != f.Header {
		t.Errorf("Header = %q, want %q", h, f.Header)
	}
}

func TestLoadRefuses(t *testing.T) {
	for name, fsys := range map[string]fstest.MapFS{
		"name it":                             {"q/Upper.sql": {Data: []byte("-- Upper: x, from y.\nSELECT 1")}},
		"are both named x":                    {"q/10_x.sql": {Data: []byte("-- x: x, from y.\nSELECT 1")}, "q/20_x.sql": {Data: []byte("-- x: x, from y.\nSELECT 1")}},
		`start it with a comment "-- y: `:     {"q/y.sql": {Data: []byte("SELECT 1")}},
		`start it with a comment "-- z: `:     {"q/z.sql": {Data: []byte("-- not z: x, from y.\nSELECT 1")}},
		`"hour the hour." in the column list`: {"q/c.sql": {Data: []byte("-- c: x, from y.\n-- Columns:\n-- hour the hour.\nSELECT 1")}},
		`column hour is listed twice`:         {"q/d.sql": {Data: []byte("-- d: x, from y.\n-- Columns:\n-- - hour: one.\n-- - hour: two.\nSELECT 1")}},
	} {
		if _, err := Load(fsys, "q/*.sql"); err == nil || !strings.Contains(err.Error(), name) {
			t.Errorf("Load = %v, want an error containing %q", err, name)
		}
	}
}

func TestMustLoadPanics(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Error("MustLoad of no file did not panic")
		}
	}()
	MustLoad(fstest.MapFS{}, "q/*.sql")
}

func TestQueryPanicsOnAnUnknownName(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Error("Query(nosuch) did not panic")
		}
	}()
	Set{}.Query("nosuch")
}

func TestRender(t *testing.T) {
	at := time.Date(2014, 1, 30, 16, 0, 0, 0, time.UTC) // 2014-01-31 00:00 in Beijing
	q := Render("SELECT * FROM t WHERE ts < {end} AND minute = {peak} AND x = {other}",
		map[string]string{"end": Instant(at), "peak": Local(at)})
	want := "SELECT * FROM t WHERE ts < TIMESTAMPTZ '2014-01-31 00:00:00+08:00' AND minute = TIMESTAMP '2014-01-31 00:00:00' AND x = {other}"
	if q != want {
		t.Errorf("Render = %q\nwant     %q", q, want)
	}
}
