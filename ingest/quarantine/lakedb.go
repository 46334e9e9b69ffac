package quarantine

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/duckdb/duckdb-go/v2"

	"github.com/hongbao/hongbao/ingest/lake"
	"github.com/hongbao/hongbao/internal/duckenv"
	"github.com/hongbao/hongbao/internal/sqlrows"
)

// lakeDB is an in-memory DuckDB with one view per lake table over its Parquet files, as
// they were when it was opened: the lake read without the warehouse.
type lakeDB struct {
	db    *sql.DB
	dir   string
	tmp   string              // DuckDB's spill folder
	limit string              // DuckDB's memory cap
	files map[string][]string // lake table → its files
}

// viewTables are the lake tables the views cover.
func viewTables() []string { return append(append([]string(nil), lake.Tables...), lake.ReplaysTable) }

// checkLake refuses a data folder without a lake, rather than create one.
func checkLake(dir string) error {
	commits := lake.CommitsPath(dir)
	if _, err := os.Stat(commits); err != nil {
		return fmt.Errorf("%w: %s holds no lake (no %s); run 'hongbao ingest' or 'hongbao demo' first, or name the data folder with --dir",
			ErrNoLake, dir, commits)
	}
	return nil
}

func openLakeDB(ctx context.Context, dir string) (*lakeDB, error) {
	if err := checkLake(dir); err != nil {
		return nil, err
	}
	limit, err := duckenv.MemoryLimit("1GB")
	if err != nil {
		return nil, err
	}
	tmp, err := os.MkdirTemp("", "hongbao-quarantine-")
	if err != nil {
		return nil, fmt.Errorf("create a folder for DuckDB to spill to: %w", err)
	}
	db, err := duckConnector()
	if err != nil {
		os.RemoveAll(tmp)
		return nil, err
	}
	ldb := &lakeDB{db: db, dir: dir, tmp: tmp, limit: limit, files: map[string][]string{}}
	for _, q := range []string{
		"SET memory_limit = " + quote(limit),
		"SET temp_directory = " + quote(filepath.ToSlash(tmp)),
		"SET TimeZone = 'UTC'",
	} {
		if _, err := ldb.db.ExecContext(ctx, q); err != nil {
			ldb.Close()
			return nil, fmt.Errorf("set up DuckDB (%s): %w", q, err)
		}
	}
	paths, err := committedPaths(dir)
	if err != nil {
		ldb.Close()
		return nil, err
	}
	for _, table := range viewTables() {
		schema := lake.Schema(table)
		if table == lake.ReplaysTable {
			schema = lake.ReplaysSchema()
		}
		files := paths[table]
		ldb.files[table] = files
		cols := make([]string, schema.NumFields())
		for i, f := range schema.Fields() {
			cols[i] = ident(f.Name)
			if len(files) == 0 {
				cols[i] = "CAST(NULL AS " + duckType(f.Type) + ") AS " + ident(f.Name)
			}
		}
		from := readParquet(files) + " WHERE true"
		if len(files) == 0 {
			from = "(SELECT 1) WHERE false"
		}
		q := "CREATE VIEW " + ident(table) + " AS SELECT " + strings.Join(cols, ", ") + " FROM " + from
		if _, err := ldb.db.ExecContext(ctx, q); err != nil {
			err = ldb.explain(ctx, err, table)
			ldb.Close()
			return nil, fmt.Errorf("read lake table %s: %w", table, err)
		}
	}
	return ldb, nil
}

// duckConnector opens an empty in-memory DuckDB.
func duckConnector() (*sql.DB, error) {
	conn, err := duckdb.NewConnector("", nil)
	if err != nil {
		return nil, fmt.Errorf("start DuckDB: %w", err)
	}
	return sql.OpenDB(conn), nil
}

func (l *lakeDB) Close() error {
	err := l.db.Close()
	os.RemoveAll(l.tmp)
	return err
}

// explain turns a failed read of the lake into the sentence that names the file at
// fault and the command that moves it out of the way, when a file is at fault. It reads
// the files of the tables named (all when none) one by one, so it is for error paths.
func (l *lakeDB) explain(ctx context.Context, err error, tables ...string) error {
	if ctx.Err() != nil {
		return err
	}
	if duckenv.IsOutOfMemory(err) {
		// The files may be fine: a probe under the same cap would fail too, and send the
		// user to evict them.
		return duckenv.WithMemoryHint(err, l.limit)
	}
	if len(tables) == 0 {
		tables = viewTables()
	}
	var bad []string
	for _, t := range tables {
		for _, f := range l.files[t] {
			if ProbeFile(ctx, l.db, f) != nil {
				bad = append(bad, f)
			}
		}
	}
	if len(bad) == 0 {
		return err
	}
	return fmt.Errorf("%w: DuckDB cannot read %s (%v); move its rows to quarantine with 'hongbao quarantine evict --dir %s %s' and run the command again",
		ErrUnreadable, strings.Join(bad, ", "), firstLine(err), l.dir, strings.Join(bad, " "))
}

// committedPaths lists, by table, the files of the lake of dir that its commit and
// replay markers commit (lake.Committed): the lake as the warehouse reads it.
func committedPaths(dir string) (map[string][]string, error) {
	committed, err := lake.Committed(dir)
	if err != nil {
		return nil, err
	}
	paths := map[string][]string{}
	for table, files := range committed {
		for _, f := range files {
			paths[table] = append(paths[table], f.Path)
		}
	}
	return paths, nil
}

// readParquet is the table function reading files, as the warehouse reads them:
// union_by_name lets files written before and after a column was added read together.
func readParquet(files []string) string {
	quoted := make([]string, len(files))
	for i, f := range files {
		quoted[i] = quote(filepath.ToSlash(f))
	}
	return "read_parquet([" + strings.Join(quoted, ", ") + "], union_by_name = true)"
}

// Queryer runs a query: *sql.DB, *sql.Conn and *sql.Tx all do.
type Queryer = sqlrows.Queryer

// ProbeFile reads every value of one Parquet file and returns the error DuckDB gives
// reading it, or nil: the slow check, file by file, of a read that failed (the
// quarantine's eviction and the warehouse's refresh both use it).
func ProbeFile(ctx context.Context, db Queryer, path string) error {
	return ProbeFiles(ctx, db, []string{path})
}

// ProbeFiles is ProbeFile for many files at once: the refresh reads this way every new
// lake file without a checksum it still matches (lake.CommittedFile.Unchanged), before
// the warehouse's views name it. IS NULL of each column (one result column each) makes
// DuckDB decode each value and check each string's UTF-8, where max alone could be
// answered from the files' statistics; it is the cheapest expression that does: 8.1 s
// over the full festival's grabs, where hashing every value took 9.9–11.7 s
// (docs/BENCHMARKS.md). transform's TestRefreshSkipsAnUnreadableFileAndSaysHowToFixIt
// fails if a DuckDB release ever answers it without reading the values.
func ProbeFiles(ctx context.Context, db Queryer, paths []string) error {
	rows, err := db.QueryContext(ctx, "SELECT max(COLUMNS(*) IS NULL) FROM "+readParquet(paths))
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
	}
	return rows.Err()
}

func firstLine(err error) string {
	s := err.Error()
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		s = s[:i]
	}
	return strings.TrimSpace(s)
}

// duckType is DuckDB's name for the Arrow types of the lake's columns.
func duckType(t arrow.DataType) string {
	switch t.ID() {
	case arrow.STRING:
		return "VARCHAR"
	case arrow.BINARY:
		return "BLOB"
	case arrow.INT32:
		return "INTEGER"
	case arrow.INT64:
		return "BIGINT"
	case arrow.TIMESTAMP:
		return "TIMESTAMPTZ"
	}
	panic("quarantine: no DuckDB type for " + t.String())
}

func ident(s string) string { return `"` + strings.ReplaceAll(s, `"`, `""`) + `"` }
func quote(s string) string { return `'` + strings.ReplaceAll(s, `'`, `''`) + `'` }
