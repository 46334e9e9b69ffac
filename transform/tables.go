package transform

import (
	"errors"
	"fmt"
	"io"

	"github.com/hongbao/hongbao/internal/locale"
)

// LakeRows adds the rows of the tables loaded from the lake.
func LakeRows(tables []TableInfo) int64 {
	var n int64
	for _, t := range tables {
		if t.Kind == "lake" {
			n += t.Rows
		}
	}
	return n
}

// PrintTables writes one line per table, as 'hongbao transform' lists what a refresh
// built: the name, the rows and where they came from (lake files, reference data, a
// model). refreshErr is what Refresh returned: an *UnreadableFilesError adds, to each
// table, the lake files it left out.
func PrintTables(w io.Writer, tables []TableInfo, refreshErr error) {
	left := map[string]int{} // unreadable files left out, by table
	var ue *UnreadableFilesError
	if errors.As(refreshErr, &ue) {
		for _, f := range ue.Files {
			left[f.Table]++
		}
	}
	nameWidth, countWidth := 0, 0
	for _, t := range tables {
		nameWidth = max(nameWidth, len(t.Name))
		countWidth = max(countWidth, len(locale.Int(t.Rows)))
	}
	for _, t := range tables {
		from := t.Kind // "model" or "reference"
		switch {
		case t.Kind != "lake":
		case t.Files == 0:
			from = "no lake files"
		case t.Files == 1:
			from = "from 1 lake file"
		default:
			from = fmt.Sprintf("from %d lake files", t.Files)
		}
		switch n := left[t.Name]; {
		case n == 1:
			from += ", 1 unreadable file left out"
		case n > 1:
			from += fmt.Sprintf(", %d unreadable files left out", n)
		}
		fmt.Fprintf(w, "%-*s  %*s rows  %s\n", nameWidth, t.Name, countWidth, locale.Int(t.Rows), from)
	}
}
