package transform

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"

	"github.com/hongbao/hongbao/ingest/lake"
	"github.com/hongbao/hongbao/ingest/quarantine"
	"github.com/hongbao/hongbao/internal/duckenv"
)

// UnreadableFile is a lake file DuckDB cannot read, for example one an older ingester
// wrote with a string that is not UTF-8 ("Invalid string encoding found in Parquet file").
type UnreadableFile struct {
	Table string // the lake table (folder) it belongs to
	Path  string // the file, under DIR/lake/<table>/
	Err   error  // what DuckDB said
}

// UnreadableFilesError is what Refresh returns after it committed a warehouse built
// without the lake files DuckDB cannot read: every other file is loaded, but the rows of
// these are missing, so the caller should report it and fail. It unwraps to
// ErrUnreadableLakeFile.
type UnreadableFilesError struct {
	Dir   string // the data folder, as the caller named it
	Files []UnreadableFile
}

func (e *UnreadableFilesError) Error() string {
	var b strings.Builder
	paths := make([]string, len(e.Files))
	if len(e.Files) == 1 {
		fmt.Fprintf(&b, "the warehouse was refreshed without 1 lake file that DuckDB cannot read, so its rows are missing:")
	} else {
		fmt.Fprintf(&b, "the warehouse was refreshed without %d lake files that DuckDB cannot read, so their rows are missing:", len(e.Files))
	}
	for i, f := range e.Files {
		cause := strings.TrimPrefix(firstLine(f.Err), "Invalid Input Error: ")
		cause = strings.Replace(cause, ` in Parquet file "`+f.Path+`"`, "", 1)
		fmt.Fprintf(&b, "\n  %s (table %s): %s", f.Path, f.Table, cause)
		paths[i] = f.Path
	}
	fmt.Fprintf(&b, "\nLake files are never rewritten: move the rows to quarantine with\n  hongbao quarantine evict --dir %s %s\n"+
		"then land the valid ones with 'hongbao quarantine replay --dir %s' and run 'hongbao transform --dir %s' again.",
		e.Dir, strings.Join(paths, " "), e.Dir, e.Dir)
	return b.String()
}

func (e *UnreadableFilesError) Unwrap() error { return ErrUnreadableLakeFile }

func firstLine(err error) string {
	s := err.Error()
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		s = s[:i]
	}
	return strings.TrimSpace(s)
}

// lakeLoadError is a failed read of lake files while loading a table: the files may be
// at fault, which Refresh checks one by one.
type lakeLoadError struct {
	table string
	files []string
	err   error
}

func (e *lakeLoadError) Error() string { return e.err.Error() }
func (e *lakeLoadError) Unwrap() error { return e.err }

// modelError is a model that could not be built.
type modelError struct{ err error }

func (e *modelError) Error() string { return e.err.Error() }
func (e *modelError) Unwrap() error { return e.err }

// faultyLoad returns the lake files that may be at fault for a failed refresh: those of
// the load that failed, or, when a model failed, every file with a checksum of the
// first lake table DuckDB cannot read as a whole. A checksum spares a file the read of
// every value when it is new (lakeTable.checkFiles); should such a file still be one
// DuckDB cannot read, a model meets it, and it is found here rather than failing every
// refresh to come. nil: no file is at fault.
func (w *Warehouse) faultyLoad(ctx context.Context, err error, skip map[string]bool) *lakeLoadError {
	var le *lakeLoadError
	if errors.As(err, &le) {
		return le
	}
	var me *modelError
	if !errors.As(err, &me) {
		return nil
	}
	committed, cerr := lake.Committed(w.dir)
	if cerr != nil {
		return nil
	}
	for _, t := range lakeTables {
		if t.materialized() {
			continue // loaded whole: every value read at each load
		}
		var checked []string
		for _, f := range committed[t.Name] {
			if f.CRC32C != "" && !skip[f.Path] {
				checked = append(checked, f.Path)
			}
		}
		if len(checked) > 0 && quarantine.ProbeFiles(ctx, w.db, checked) != nil {
			return &lakeLoadError{table: t.Name, files: checked, err: err}
		}
	}
	return nil
}

// probeFiles returns the files of a failed load that DuckDB cannot read.
func (w *Warehouse) probeFiles(ctx context.Context, le *lakeLoadError) ([]UnreadableFile, error) {
	var bad []UnreadableFile
	for _, f := range le.files {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		if _, err := os.Stat(f); errors.Is(err, os.ErrNotExist) {
			continue // evicted or removed since the listing
		}
		if err := quarantine.ProbeFile(ctx, w.db, f); err != nil {
			if duckenv.IsOutOfMemory(err) {
				return nil, err // the cap's fault, not the file's
			}
			bad = append(bad, UnreadableFile{Table: le.table, Path: f, Err: err})
		}
	}
	return bad, nil
}
