package query

import (
	"context"
	"database/sql/driver"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"time"

	"github.com/duckdb/duckdb-go/v2"

	"github.com/hongbao/hongbao/internal/datadir"
	"github.com/hongbao/hongbao/transform"
)

// MaxAlignedRows is the most rows Export writes in the table and Markdown formats, which
// hold every row to line up the columns (about half a kilobyte a row): a file holds the
// whole result or is not written.
const MaxAlignedRows = 100_000

// ErrTooManyRows means a result was too long for a format that holds every row.
var ErrTooManyRows = errors.New("too many rows for an aligned format")

// ErrOneStatement means Export was given no statement or several; it writes one result.
var ErrOneStatement = errors.New("an export takes exactly one query")

// Export runs query in the sandbox and writes its result to the file path in format f,
// and returns the rows written: the one way user SQL writes a file. Parquet is written
// by DuckDB itself (COPY ... TO, zstd), so every column keeps its type: a TIMESTAMPTZ
// stays an instant, a DECIMAL a decimal. CSV and JSON are written as the rows arrive,
// exactly as 'hongbao sql' prints them; table and Markdown hold every row first, and
// refuse a result longer than MaxAlignedRows. The
// file appears whole or not at all: it is written under a temporary name in the same
// folder, synced, and renamed over path, with the mode of the file it replaces (0644 for
// a new one).
//
// A path inside the data folder is refused: the warehouse and the lake are written by
// hongbao's own commands only.
func (s *Sandbox) Export(ctx context.Context, query string, f Format, path string) (int64, error) {
	stmts, rest := SplitStatements(query)
	if HasCode(rest) {
		stmts = append(stmts, rest)
	}
	if len(stmts) != 1 {
		return 0, fmt.Errorf("%w; got %d", ErrOneStatement, len(stmts))
	}
	query = stmts[0]
	if _, err := ParseFormat(string(f)); err != nil {
		return 0, err
	}
	if err := s.checkExportPath(path); err != nil {
		return 0, err
	}
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
	start := time.Now()
	n, err := s.export(ctx, query, f, tmp)
	if err != nil && ctx.Err() != nil {
		err = fmt.Errorf("canceled after %s; nothing was written to %s: %w", roundDuration(time.Since(start)), path, ctx.Err())
	}
	if err == nil {
		// The file gets the mode of the one it replaces, or 0644 as every file hongbao
		// writes: not the 0600 of a temporary file.
		mode := os.FileMode(0o644)
		if fi, serr := os.Stat(path); serr == nil && fi.Mode().IsRegular() {
			mode = fi.Mode().Perm()
		}
		err = os.Chmod(tmpName, mode)
	}
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

// checkExportPath refuses a path inside the data folder, symbolic links resolved.
func (s *Sandbox) checkExportPath(path string) error {
	if datadir.Holds(s.dir, path) {
		return refuse("writing "+path, "it is inside the data folder "+s.dir+", which only hongbao's own commands write; choose a file outside it")
	}
	return nil
}

func (s *Sandbox) export(ctx context.Context, query string, f Format, tmp *os.File) (int64, error) {
	switch f {
	case FormatParquet:
		return s.exportParquet(ctx, query, tmp.Name())
	case FormatCSV, FormatJSON:
		rw, err := NewRowWriter(tmp, f)
		if err != nil {
			return 0, err
		}
		var n int64
		err = QueryEach(ctx, s.db, query, func(columns, types []string) error {
			return rw.Header(columns, types)
		}, rw.Row, &n)
		if err != nil {
			return 0, err
		}
		return n, rw.Close()
	default:
		res, err := QueryLimit(ctx, s.db, query, MaxAlignedRows)
		if err != nil {
			return 0, err
		}
		if res.More {
			return 0, fmt.Errorf("%w: --format %s holds every row in memory to line up the columns, and this result has more than %d; write it with --format csv, json or parquet, which stream, or add a LIMIT",
				ErrTooManyRows, f, MaxAlignedRows)
		}
		return int64(len(res.Rows)), res.Write(tmp, f)
	}
}

// exportParquet has DuckDB write the result of query to the file tmp. It opens a second
// sandbox, the same as s but for that one file, which DuckDB may write; query is checked
// there as in s and must be one query, and only then does Go code wrap it in the COPY.
func (s *Sandbox) exportParquet(ctx context.Context, query, tmp string) (int64, error) {
	abs, err := filepath.Abs(tmp)
	if err != nil {
		return 0, err
	}
	w, err := openSandbox(s.dir, s.opts, abs)
	if err != nil {
		return 0, err
	}
	defer w.Close()
	conn, err := w.db.Conn(ctx)
	if err != nil {
		return 0, err
	}
	defer conn.Close()
	var n int64
	err = conn.Raw(func(dc any) error {
		c := dc.(*sandboxConn)
		st, err := c.statementType(query)
		if err != nil {
			return queryError(query, err)
		}
		if st.typ != duckdb.STATEMENT_TYPE_SELECT {
			return refuse(typeName(st.typ)+" with -o", "-o writes the result of one query (SELECT, WITH, DESCRIBE, SHOW, SUMMARIZE)")
		}
		if _, err := c.checkPlan(ctx, query, nil, st.typ); err != nil {
			return err
		}
		// The query is exactly one statement by DuckDB's reading, so it cannot close
		// the parentheses around it.
		copySQL := "COPY (\n" + query + "\n) TO " + transform.QuoteString(filepath.ToSlash(abs)) +
			" (FORMAT parquet, COMPRESSION zstd, USE_TMP_FILE false)"
		rows, err := c.inner.QueryContext(ctx, copySQL, nil)
		if err != nil {
			return queryError(query, err)
		}
		defer rows.Close()
		dest := make([]driver.Value, len(rows.Columns()))
		if err := rows.Next(dest); err != nil {
			return fmt.Errorf("COPY returned no row count: %w", err)
		}
		switch v := dest[0].(type) {
		case int64:
			n = v
		default:
			n, err = strconv.ParseInt(fmt.Sprint(v), 10, 64)
		}
		return err
	})
	return n, err
}
