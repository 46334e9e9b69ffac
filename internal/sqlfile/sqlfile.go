// Package sqlfile reads the SQL hongbao keeps in embedded .sql files: the warehouse's
// models (transform/models), the facts sheet's queries (transform/facts/queries) and the
// report's (reports/report/sql). Each file holds one query, or one statement, and
// starts with a header comment that names it and says what it computes from what:
//
//	-- claims_per_hour: claims and attempts per hour of Beijing time, from claims_per_minute.
//	SELECT ...
//
// The placeholder {zone} stands for the China time zone (see Zone).
//
// A file whose query builds a table (a model) may end its header with the table's
// columns, one item a column, an item's text going on over lines indented by two
// spaces; the warehouse's data dictionary reads them:
//
//	-- claims_per_hour: claims and attempts per hour of Beijing time, from claims_per_minute.
//	--
//	-- Columns:
//	-- - hour: The hour, in Beijing wall-clock time.
//	-- - claims: Grabs that claimed a share in that hour.
//	SELECT ...
//
// A file is named [NN_]name.sql in lower case; NN orders the files (models build in
// that order) and name is what code asks for.
package sqlfile

import (
	"fmt"
	"io/fs"
	"path"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/hongbao/hongbao/internal/locale"
)

// File is one SQL file.
type File struct {
	Name string // the file name without its NN_ prefix and .sql: claims_per_hour
	Path string // the file's path in the file system it was read from
	// Header is the leading comment up to its column list, its lines joined by spaces,
	// without the "--".
	Header string
	// Columns are the header's column list, in its order; none when it has none.
	Columns []Column
	// SQL is the whole file, header included, with no trailing semicolon.
	SQL string
	// Body is SQL without the header: the query as a user would paste it.
	Body string
}

// Column is one column of a file's column list.
type Column struct {
	Name  string
	About string
}

// About is the header's first sentence.
func (f File) About() string { return FirstSentence(f.Header) }

var fileName = regexp.MustCompile(`^(?:[0-9]+_)?([a-z][a-z0-9_]*)\.sql$`)

// Load reads the files of fsys that match pattern, in name order. Every file must be
// named [NN_]name.sql in lower case, no two may share a name, and each must start with
// a header comment "-- name: ...".
func Load(fsys fs.FS, pattern string) ([]File, error) {
	paths, err := fs.Glob(fsys, pattern)
	if err != nil {
		return nil, err
	}
	slices.Sort(paths)
	files := make([]File, 0, len(paths))
	seen := map[string]string{}
	for _, p := range paths {
		m := fileName.FindStringSubmatch(path.Base(p))
		if m == nil {
			return nil, fmt.Errorf("SQL file %s: name it NN_name.sql or name.sql, in lower case", p)
		}
		if prev, dup := seen[m[1]]; dup {
			return nil, fmt.Errorf("SQL files %s and %s are both named %s", prev, p, m[1])
		}
		seen[m[1]] = p
		text, err := fs.ReadFile(fsys, p)
		if err != nil {
			return nil, err
		}
		f, err := parse(m[1], p, zoned(string(text)))
		if err != nil {
			return nil, err
		}
		if !strings.HasPrefix(f.Header, f.Name+": ") {
			return nil, fmt.Errorf("SQL file %s: start it with a comment \"-- %s: what it computes, from what\"", p, f.Name)
		}
		files = append(files, f)
	}
	return files, nil
}

// Zone is the placeholder every SQL file writes for the China time zone, so that the
// zone's name is spelled once, in locale: timezone({zone}, ts) is the local wall clock of
// an instant. Load replaces it with the literal 'Asia/Shanghai'.
const Zone = "{zone}"

func zoned(text string) string { return strings.ReplaceAll(text, Zone, "'"+locale.ZoneName+"'") }

// parse splits a file's text into its header, column list and body.
func parse(name, p, text string) (File, error) {
	q := strings.TrimSpace(text)
	q = strings.TrimSpace(strings.TrimSuffix(q, ";"))
	lines, n := comment(q)
	header, columns, err := split(lines)
	if err != nil {
		return File{}, fmt.Errorf("SQL file %s: %w", p, err)
	}
	body := strings.Split(q, "\n")[n:]
	return File{Name: name, Path: p, Header: header, Columns: columns, SQL: q, Body: strings.TrimSpace(strings.Join(body, "\n"))}, nil
}

// Header returns the comment lines q starts with, up to a column list, joined by
// spaces, without the "--".
func Header(q string) string {
	lines, _ := comment(q)
	h, _, _ := split(lines)
	return h
}

// comment returns the lines of the leading comment of q without their "--", and
// their number.
func comment(q string) ([]string, int) {
	var lines []string
	for _, l := range strings.Split(q, "\n") {
		l = strings.TrimSpace(l)
		if !strings.HasPrefix(l, "--") {
			break
		}
		lines = append(lines, strings.TrimPrefix(l, "--"))
	}
	return lines, len(lines)
}

// columnsLine opens a header's column list.
const columnsLine = "Columns:"

var columnItem = regexp.MustCompile(`^ - ([a-z_][a-z0-9_]*): (.+)$`)

// split parses the lines of a header into its text and its column list.
func split(lines []string) (string, []Column, error) {
	var text []string
	var columns []Column
	list := false
	for _, l := range lines {
		switch t := strings.TrimSpace(l); {
		case !list && t == columnsLine:
			list = true
		case !list:
			if t != "" {
				text = append(text, t)
			}
		case t == "":
		case columnItem.MatchString(l):
			m := columnItem.FindStringSubmatch(l)
			if slices.ContainsFunc(columns, func(c Column) bool { return c.Name == m[1] }) {
				return "", nil, fmt.Errorf("column %s is listed twice", m[1])
			}
			columns = append(columns, Column{Name: m[1], About: strings.TrimSpace(m[2])})
		case strings.HasPrefix(l, "   ") && len(columns) > 0:
			columns[len(columns)-1].About += " " + t
		default:
			return "", nil, fmt.Errorf("%q in the column list: write each column as \"-- - name: what it holds\", going on over lines that start \"--   \"", t)
		}
	}
	return strings.Join(text, " "), columns, nil
}

// FirstSentence returns s up to and including its first full stop.
func FirstSentence(s string) string {
	if i := strings.Index(s, ". "); i >= 0 {
		return s[:i+1]
	}
	return s
}

// Set is the SQL files of one owner, by name.
type Set map[string]File

// MustLoad loads the files of fsys matching pattern as a Set. It is for files embedded
// in the binary, where a bad file is a programming error: it panics, so that any test
// of the package that owns the files fails.
func MustLoad(fsys fs.FS, pattern string) Set {
	files, err := Load(fsys, pattern)
	if err != nil {
		panic(err)
	}
	if len(files) == 0 {
		panic(fmt.Sprintf("no SQL file matches %s", pattern))
	}
	s := Set{}
	for _, f := range files {
		s[f.Name] = f
	}
	return s
}

// Query returns the body of file name, the query without its header. It panics when
// the set has no such file: the names are constants of the code that reads them.
func (s Set) Query(name string) string {
	f, ok := s[name]
	if !ok {
		panic(fmt.Sprintf("no SQL file named %s", name))
	}
	return f.Body
}

// Instant is t as a DuckDB TIMESTAMPTZ literal in locale.Zone, for a placeholder
// compared with an event's ts: TIMESTAMPTZ '2014-01-31 16:00:00+08:00'.
func Instant(t time.Time) string {
	return "TIMESTAMPTZ '" + t.In(locale.Zone).Format("2006-01-02 15:04:05-07:00") + "'"
}

// Local is t's wall clock in locale.Zone as a DuckDB TIMESTAMP literal, for a
// placeholder compared with a model's local minute or hour: TIMESTAMP '2014-01-31 00:00:00'.
func Local(t time.Time) string {
	return "TIMESTAMP '" + t.In(locale.Zone).Format("2006-01-02 15:04:05") + "'"
}

// Render replaces each placeholder {name} of q with the literal args[name]. A
// placeholder without a value stays, and the query fails on it.
func Render(q string, args map[string]string) string {
	pairs := make([]string, 0, 2*len(args))
	for k, v := range args {
		pairs = append(pairs, "{"+k+"}", v)
	}
	return strings.NewReplacer(pairs...).Replace(q)
}
