package transform

import (
	"bytes"
	"errors"
	"testing"
)

func TestPrintTables(t *testing.T) {
	tables := []TableInfo{
		{Name: "envelopes", Kind: "lake", Files: 1, Rows: 2},
		{Name: "grabs", Kind: "lake", Files: 3, Rows: 1234567},
		{Name: "links", Kind: "lake"},
		{Name: "banks", Kind: "reference", Rows: 180},
		{Name: "claims_per_minute", Kind: "model", Rows: 1440},
	}
	refreshErr := &UnreadableFilesError{Dir: "D", Files: []UnreadableFile{
		{Table: "grabs", Path: "D/lake/grabs/a.parquet", Err: errors.New("bad")},
		{Table: "grabs", Path: "D/lake/grabs/b.parquet", Err: errors.New("bad")},
		{Table: "links", Path: "D/lake/links/c.parquet", Err: errors.New("bad")},
	}}
	var out bytes.Buffer
	PrintTables(&out, tables, refreshErr)
	want := `envelopes                  2 rows  from 1 lake file
grabs              1,234,567 rows  from 3 lake files, 2 unreadable files left out
links                      0 rows  no lake files, 1 unreadable file left out
banks                    180 rows  reference
claims_per_minute      1,440 rows  model
`
	if out.String() != want {
		t.Errorf("PrintTables wrote:\n%s\nwant:\n%s", out.String(), want)
	}
	if n := LakeRows(tables); n != 1234569 {
		t.Errorf("LakeRows = %d, want 1234569", n)
	}
}
