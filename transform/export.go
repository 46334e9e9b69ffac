package transform

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
)

// ErrOneStatement means Export was given no statement or several; it writes one result.
var ErrOneStatement = errors.New("an export takes exactly one query")

// Export runs query and writes its result to the file path in format f, and returns
// the rows written. Parquet is written by DuckDB itself (COPY ... TO, zstd), so every
// column keeps its type: a TIMESTAMPTZ stays an instant, a DECIMAL a decimal. CSV and
// JSON are written as the rows arrive, exactly as 'hongbao sql' prints them; table and
// Markdown hold every row first. The file appears whole or not at all: it is written
// under a temporary name in the same folder, synced, and renamed over path.
//
// COPY ... TO works on a warehouse opened with OpenReadOnly: it writes a file, not the
// database.
func Export(ctx context.Context, db Queryer, query string, f Format, path string) (int64, error) {
	stmts, rest := SplitStatements(query)
	if HasCode(rest) {
		stmts = append(stmts, rest)
	}
	if len(stmts) != 1 {
		return 0, fmt.Errorf("%w; got %d", ErrOneStatement, len(stmts))
	}
	query = stmts[0]
	dir, base := filepath.Split(path)
	if dir == "" {
		dir = "."
	}
	tmp, err := os.CreateTemp(dir, "."+base+".*.tmp")
	if err != nil {
		return 0, fmt.Errorf("export to %s: %w", path, err)
	}
	tmpName := tmp.Name()
	defer os.Remove(tmpName) // fails harmlessly after the rename
	n, err := export(ctx, db, query, f, tmp)
	if err == nil {
		err = tmp.Sync()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		var target *os.PathError
		if errors.As(err, &target) {
			return 0, fmt.Errorf("export to %s: %w", path, err)
		}
		return 0, err
	}
	if err := os.Rename(tmpName, path); err != nil {
		return 0, fmt.Errorf("export to %s: %w", path, err)
	}
	return n, nil
}

func export(ctx context.Context, db Queryer, query string, f Format, tmp *os.File) (int64, error) {
	switch f {
	case FormatParquet:
		// DuckDB writes the file by name, over the empty one CreateTemp made.
		copySQL := "COPY (\n" + query + "\n) TO " + quoteString(filepath.ToSlash(tmp.Name())) +
			" (FORMAT parquet, COMPRESSION zstd)"
		res, err := Query(ctx, db, copySQL)
		if err != nil {
			return 0, err
		}
		if len(res.Rows) != 1 || len(res.Rows[0]) != 1 {
			return 0, fmt.Errorf("COPY returned %d rows, want the row count", len(res.Rows))
		}
		return strconv.ParseInt(res.Rows[0][0].Text, 10, 64)
	case FormatCSV, FormatJSON:
		rw, err := NewRowWriter(tmp, f)
		if err != nil {
			return 0, err
		}
		var n int64
		err = QueryEach(ctx, db, query, func(columns, types []string) error {
			return rw.Header(columns, types)
		}, rw.Row, &n)
		if err != nil {
			return 0, err
		}
		return n, rw.Close()
	default:
		if _, err := ParseFormat(string(f)); err != nil {
			return 0, err
		}
		res, err := Query(ctx, db, query)
		if err != nil {
			return 0, err
		}
		return int64(len(res.Rows)), res.Write(tmp, f)
	}
}
