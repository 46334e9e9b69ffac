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
	// Header is the leading comment, its lines joined by spaces, without the "--".
	Header string
	// SQL is the whole file, header included, with no trailing semicolon.
	SQL string
	// Body is SQL without the header: the query as a user would paste it.
	Body string
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
		f := parse(m[1], p, zoned(string(text)))
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

// parse splits a file's text into its header and body.
func parse(name, p, text string) File {
	q := strings.TrimSpace(text)
	q = strings.TrimSpace(strings.TrimSuffix(q, ";"))
	header, n := comment(q)
	lines := strings.Split(q, "\n")
	return File{Name: name, Path: p, Header: header, SQL: q, Body: strings.TrimSpace(strings.Join(lines[n:], "\n"))}
}

// Header returns the comment lines q starts with, joined by spaces, without the "--".
func Header(q string) string {
	h, _ := comment(q)
	return h
}

// comment returns the leading comment of q and the number of its lines.
func comment(q string) (string, int) {
	var header []string
	for _, l := range strings.Split(q, "\n") {
		l = strings.TrimSpace(l)
		if !strings.HasPrefix(l, "--") {
			break
		}
		header = append(header, strings.TrimSpace(strings.TrimPrefix(l, "--")))
	}
	return strings.Join(header, " "), len(header)
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
