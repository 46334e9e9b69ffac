package quarantine

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/hongbao/hongbao/ingest/lake"
	"github.com/hongbao/hongbao/internal/datadir"
	"github.com/hongbao/hongbao/internal/duckenv"
)

// Evict moves the rows of lake files DuckDB cannot read into the quarantine (see
// lake.Maintenance.Evict), so that the warehouse refreshes whole again and Replay can
// land the valid rows. Each path names a data file of an event table, as the refresh's
// message prints it (DIR/lake/<table>/<file>.parquet, or <table>/<file>.parquet). A file
// DuckDB reads is refused with ErrReadable; a file already evicted returns its record
// again. It runs in a lake maintenance session, so it fails while an ingester runs.
func Evict(ctx context.Context, dir string, paths []string) ([]lake.Eviction, error) {
	type target struct{ table, file, path string }
	var targets []target
	for _, p := range paths {
		table, file, err := resolve(dir, p)
		if err != nil {
			return nil, err
		}
		targets = append(targets, target{table, file, filepath.Join(datadir.Dir(dir).LakeTable(table), file)})
	}
	m, err := beginMaintenance(dir)
	if err != nil {
		return nil, err
	}
	defer m.Close()
	ldb, err := openBareDB(dir)
	if err != nil {
		return nil, err
	}
	defer ldb.Close()
	var out []lake.Eviction
	for _, t := range targets {
		_, err := os.Stat(t.path)
		switch {
		case err == nil:
			perr := ProbeFile(ctx, ldb.db, t.path)
			if duckenv.IsOutOfMemory(perr) {
				return out, fmt.Errorf("read %s: %w", t.path, perr) // the file may be fine
			}
			if perr == nil {
				return out, fmt.Errorf("%w: %s; evict moves only a file the warehouse cannot load (the one 'hongbao transform' names)",
					ErrReadable, t.path)
			}
		case !errors.Is(err, fs.ErrNotExist):
			return out, err
		default:
			record := lake.EvictionRecordPath(dir, t.table, t.file)
			if _, err := os.Stat(record); err != nil {
				return out, fmt.Errorf("%w: %s does not exist (and was never evicted); name a file as 'hongbao transform' printed it",
					ErrNotLakeFile, t.path)
			}
		}
		ev, err := m.Evict(t.table, t.file)
		if errors.Is(err, lake.ErrNotListed) {
			return out, fmt.Errorf("%w; evict moves files the ingester committed: move any other file out of %s by hand",
				err, datadir.Dir(dir).Lake())
		}
		if err != nil {
			return out, err
		}
		out = append(out, *ev)
	}
	return out, nil
}

// openBareDB is an in-memory DuckDB without the lake's views, to probe files with.
func openBareDB(dir string) (*lakeDB, error) {
	tmp, err := os.MkdirTemp("", "hongbao-quarantine-")
	if err != nil {
		return nil, err
	}
	ldb := &lakeDB{dir: dir, tmp: tmp}
	conn, err := duckConnector()
	if err != nil {
		os.RemoveAll(tmp)
		return nil, err
	}
	ldb.db = conn
	return ldb, nil
}

// resolve reads the lake table and file name out of a path given to Evict.
func resolve(dir, p string) (table, file string, err error) {
	root, err := filepath.Abs(datadir.Dir(dir).Lake())
	if err != nil {
		return "", "", err
	}
	abs := p
	if !filepath.IsAbs(p) {
		if _, serr := os.Stat(p); serr != nil && strings.Count(filepath.ToSlash(p), "/") == 1 {
			abs = filepath.Join(root, p) // <table>/<file>
		}
	}
	if abs, err = filepath.Abs(abs); err != nil {
		return "", "", err
	}
	rel, err := filepath.Rel(root, abs)
	parts := strings.Split(filepath.ToSlash(rel), "/")
	if err != nil || len(parts) != 2 || !strings.HasSuffix(parts[1], ".parquet") ||
		!slices.Contains(lake.Tables[:len(lake.Tables)-1], parts[0]) {
		return "", "", fmt.Errorf("%w: %s is not DIR/lake/<table>/<file>.parquet for an event table of the lake in %s (tables: %s)",
			ErrNotLakeFile, p, dir, strings.Join(lake.Tables[:len(lake.Tables)-1], ", "))
	}
	return parts[0], parts[1], nil
}
