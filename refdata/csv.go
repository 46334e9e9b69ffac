package refdata

import (
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
	"sync"
)

// embeddedTable parses an embedded CSV file once, with parse, and returns a function
// that gives a copy of its rows, which the caller may modify. The file is part of the
// build, so a failure to parse it panics.
func embeddedTable[T any](file string, data []byte, parse func(file string, r io.Reader) ([]T, error)) func() []T {
	rows := sync.OnceValue(func() []T {
		rows, err := parse(file, bytes.NewReader(data))
		if err != nil {
			panic("refdata: embedded " + err.Error())
		}
		return rows
	})
	return func() []T { return append([]T(nil), rows()...) }
}

// record is one data row of a reference CSV file, its fields keyed by column name.
type record struct {
	line   int
	fields map[string]string
}

// readCSV reads a CSV file whose first non-comment line names exactly the columns want, in
// any order. Lines starting with '#' are comments; a UTF-8 byte order mark (as spreadsheet
// programs write) is skipped; fields are trimmed of surrounding spaces.
func readCSV(file string, r io.Reader, want []string) ([]record, error) {
	b, err := io.ReadAll(r)
	if err != nil {
		return nil, &ParseError{File: file, Err: err}
	}
	b = bytes.TrimPrefix(b, []byte("\ufeff"))
	cr := csv.NewReader(bytes.NewReader(b))
	cr.Comment = '#'
	header, err := cr.Read()
	if err == io.EOF {
		return nil, &ParseError{File: file, Err: fmt.Errorf("empty file: want a header line %s", strings.Join(want, ","))}
	}
	if err != nil {
		return nil, csvError(file, err)
	}
	hline, _ := cr.FieldPos(0)
	index := map[string]int{}
	for i, h := range header {
		h = strings.TrimSpace(h)
		if !contains(want, h) {
			return nil, &ParseError{File: file, Line: hline,
				Err: fmt.Errorf("unknown column %q: the columns are %s", h, strings.Join(want, ","))}
		}
		if _, dup := index[h]; dup {
			return nil, &ParseError{File: file, Line: hline, Err: fmt.Errorf("column %q appears twice", h)}
		}
		index[h] = i
	}
	for _, w := range want {
		if _, ok := index[w]; !ok {
			return nil, &ParseError{File: file, Line: hline,
				Err: fmt.Errorf("missing column %q: the columns are %s", w, strings.Join(want, ","))}
		}
	}
	var recs []record
	for {
		row, err := cr.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, csvError(file, err)
		}
		line, _ := cr.FieldPos(0)
		rec := record{line: line, fields: make(map[string]string, len(want))}
		for name, i := range index {
			rec.fields[name] = strings.TrimSpace(row[i])
		}
		recs = append(recs, rec)
	}
	if len(recs) == 0 {
		return nil, &ParseError{File: file, Err: ErrNoRows}
	}
	return recs, nil
}

func csvError(file string, err error) error {
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		return &ParseError{File: file, Line: pe.Line, Err: pe.Err}
	}
	return &ParseError{File: file, Err: err}
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// Field parsers: each returns a ParseError naming the line and column.

func (r record) text(file, col string) (string, error) {
	v := r.fields[col]
	if v == "" {
		return "", &ParseError{File: file, Line: r.line, Column: col, Err: errors.New("empty")}
	}
	return v, nil
}

func (r record) oneOf(file, col string, allowed []string) (string, error) {
	v := r.fields[col]
	if !contains(allowed, v) {
		return "", &ParseError{File: file, Line: r.line, Column: col,
			Err: fmt.Errorf("%q is not one of %s", v, strings.Join(allowed, ", "))}
	}
	return v, nil
}

func (r record) boolean(file, col string) (bool, error) {
	switch strings.ToLower(r.fields[col]) {
	case "true", "yes", "1":
		return true, nil
	case "false", "no", "0":
		return false, nil
	}
	return false, &ParseError{File: file, Line: r.line, Column: col,
		Err: fmt.Errorf("%q is not true or false", r.fields[col])}
}

func (r record) share(file, col string) (float64, error) {
	v := r.fields[col]
	f, err := strconv.ParseFloat(v, 64)
	if err != nil || f < 0 || math.IsNaN(f) || math.IsInf(f, 0) {
		return 0, &ParseError{File: file, Line: r.line, Column: col,
			Err: fmt.Errorf("%q is not a number of zero or more", v)}
	}
	return f, nil
}
