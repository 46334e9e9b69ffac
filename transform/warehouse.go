package transform

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"unicode"

	"github.com/duckdb/duckdb-go/v2"

	"github.com/hongbao/hongbao/ingest/lake"
	"github.com/hongbao/hongbao/internal/datadir"
	"github.com/hongbao/hongbao/internal/duckenv"
	"github.com/hongbao/hongbao/internal/locale"
	"github.com/hongbao/hongbao/internal/sqlrows"
	"github.com/hongbao/hongbao/internal/textwrap"
	"github.com/hongbao/hongbao/refdata"
)

// metaTable lists what the last refresh built; the underscore keeps it apart from the
// tables analysts query.
const metaTable = "_hongbao_meta"

// Warehouse is the DuckDB file DIR/warehouse.duckdb: the lake's event tables as views of
// its committed Parquet files, its quarantine, and the SQL models built on them.
type Warehouse struct {
	// Progress, if set, is called during Refresh after each table or model is built,
	// before the refresh commits.
	Progress func(TableInfo)

	dir      string
	path     string
	readOnly bool
	db       *sql.DB
	mu       sync.Mutex // one Refresh at a time: DuckDB would fail the second on a write conflict
}

// TableInfo describes one table the last Refresh built.
type TableInfo struct {
	Name  string // table name
	Kind  string // "lake" for a table loaded from the lake, "model" for a SQL model
	Files int    // lake files loaded; 0 for a model
	Bytes int64  // size of those files
	Rows  int64  // rows in the table
}

// Open opens the warehouse of data folder dir for reading and writing, creating the
// folder and the file if needed. Only one process may have it open this way.
func Open(dir string) (*Warehouse, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("create data folder: %w", err)
	}
	return open(dir, false)
}

// OpenReadOnly opens the existing warehouse of data folder dir for reading; any number of
// processes may do so while none has it open with Open. Statements that would change it
// fail with ErrRefused. It is for hongbao's own queries (reports, facts): SQL a user
// wrote runs in a Sandbox, which also keeps it from writing files.
func OpenReadOnly(dir string) (*Warehouse, error) {
	if err := warehouseExists(dir); err != nil {
		return nil, err
	}
	return open(dir, true)
}

// warehouseExists returns ErrNoWarehouse, with the command that builds it, when the
// warehouse of dir is missing.
func warehouseExists(dir string) error { return Exists(dir) }

// Exists returns nil when the warehouse of data folder dir exists, and ErrNoWarehouse,
// with the command that builds it, when it does not.
func Exists(dir string) error {
	p := datadir.Dir(dir).Warehouse()
	if _, err := os.Stat(p); errors.Is(err, fs.ErrNotExist) {
		if lakeHasFiles(dir) {
			return fmt.Errorf("%w at %s: run 'hongbao transform' to build it from the lake in %s",
				ErrNoWarehouse, p, datadir.Dir(dir).Lake())
		}
		return fmt.Errorf("%w at %s: run 'hongbao demo' or 'hongbao ingest' first", ErrNoWarehouse, p)
	}
	return nil
}

func open(dir string, readOnly bool) (*Warehouse, error) {
	p := datadir.Dir(dir).Warehouse()
	abs, err := filepath.Abs(p)
	if err != nil {
		return nil, fmt.Errorf("open warehouse %s: %w", p, err)
	}
	if strings.ContainsAny(abs, "?#%") || strings.ContainsFunc(abs, unicode.IsControl) {
		// The driver parses the DSN as a URL.
		return nil, fmt.Errorf("open warehouse %s: DuckDB cannot open a path containing '?', '#', '%%' or a control character (a tab, a line break); choose another --dir",
			textwrap.Inert(p, false))
	}
	mode := "READ_WRITE"
	if readOnly {
		mode = "READ_ONLY"
	}
	settings, err := MemorySettings(readOnly)
	if err != nil {
		return nil, err
	}
	conn, err := duckdb.NewConnector(abs+"?access_mode="+mode+"&"+settings.Encode(), func(ex driver.ExecerContext) error {
		// SET TimeZone is per connection, and the ICU extension that knows the zone is
		// loaded only once a connection exists, so the DSN cannot carry it; nor can it
		// carry the Parquet footer cache, whose extension is not loaded yet either.
		setup := []string{"SET TimeZone = '" + locale.ZoneName + "'"}
		if readOnly {
			setup = append(setup, CacheLakeFooters)
		}
		for _, q := range setup {
			if _, err := ex.ExecContext(context.Background(), q, nil); err != nil {
				return fmt.Errorf("%s: %w", q, err)
			}
		}
		return nil
	})
	if err != nil {
		if strings.Contains(err.Error(), "Could not set lock on file") {
			return nil, lockedError(p, readOnly, err)
		}
		return nil, fmt.Errorf("open warehouse %s: %w", p, err)
	}
	db := sql.OpenDB(conn)
	if err := db.Ping(); err != nil {
		db.Close()
		return nil, fmt.Errorf("open warehouse %s: %w", p, err)
	}
	if readOnly {
		// A writing open refreshes, which points the views at the lake here.
		if err := CheckReadable(context.Background(), db, dir, p); err != nil {
			db.Close()
			return nil, err
		}
	}
	return &Warehouse{dir: dir, path: p, readOnly: readOnly, db: db}, nil
}

var lockHolder = regexp.MustCompile(`\(PID ([0-9]+)\)`)

// lockedError says who holds the file: DuckDB allows one writing process or any number
// of reading ones.
// LockedError is ErrLocked for a failed open of warehouse file p, naming who holds it.
func LockedError(p string, readOnly bool, err error) error { return lockedError(p, readOnly, err) }

func lockedError(p string, readOnly bool, err error) error {
	who := "another process"
	if m := lockHolder.FindStringSubmatch(err.Error()); m != nil {
		who = "process " + m[1]
	}
	if readOnly {
		return fmt.Errorf("%w: %s is being written by %s (a running 'hongbao transform', 'ingest' or 'demo'); wait for it to finish and try again",
			ErrLocked, p, who)
	}
	return fmt.Errorf("%w: %s is open in %s (a 'hongbao sql', report or notebook reading it, or another 'transform' or 'ingest'); wait for it to finish and try again",
		ErrLocked, p, who)
}

// lakeHasFiles reports whether the lake has committed a file (or has markers it cannot
// read, which a refresh will report).
func lakeHasFiles(dir string) bool {
	committed, err := lake.Committed(dir)
	return err != nil || len(committed) > 0
}

// DB returns the warehouse's connection pool. Its connections show times in locale.ZoneName.
func (w *Warehouse) DB() *sql.DB { return w.db }

// Path returns the warehouse file.
func (w *Warehouse) Path() string { return w.path }

// Close closes the warehouse; DuckDB checkpoints the file.
func (w *Warehouse) Close() error { return w.db.Close() }

// Refresh reloads every lake table from DIR/lake and rebuilds the SQL models, in one
// transaction: a reader sees the warehouse before or after, never half of it. A table
// holds the files its commit markers list (lake.Committed), and must hold what they
// say: the rows, and the sum of its money column; otherwise the refresh fails with
// ErrLakeMismatch, naming the file. A file with a column the lake contract lacks fails
// it with ErrLakeSchema. A table the lake has no file of is empty, with all its columns.
//
// A lake file DuckDB cannot read does not stop the refresh: when loading a table fails,
// Refresh reads that load's files one by one, and builds the warehouse again without the
// ones at fault. It then commits and returns an *UnreadableFilesError naming each of
// them and the command that moves its rows to quarantine: the warehouse is usable, but
// lacks those rows.
func (w *Warehouse) Refresh(ctx context.Context) error {
	if w.readOnly {
		return fmt.Errorf("%w: refresh needs a warehouse opened with Open", ErrReadOnly)
	}
	models, err := loadModels(modelFiles)
	if err != nil {
		return err
	}
	w.mu.Lock()
	defer w.mu.Unlock()

	skip := map[string]bool{}
	var unreadable []UnreadableFile
	for {
		err := w.refresh(ctx, models, skip)
		var le *lakeLoadError
		if err == nil || ctx.Err() != nil {
			if err == nil && len(unreadable) > 0 {
				return &UnreadableFilesError{Dir: w.dir, Files: unreadable}
			}
			return err
		}
		if duckenv.IsOutOfMemory(err) {
			return WithMemoryHint(err, false) // the cap's fault: no file is probed and left out
		}
		if le = w.faultyLoad(ctx, err, skip); le == nil {
			return err
		}
		bad, perr := w.probeFiles(ctx, le)
		if perr != nil || len(bad) == 0 {
			return WithMemoryHint(err, false) // not a file's fault
		}
		for _, b := range bad {
			skip[b.Path] = true
			unreadable = append(unreadable, b)
		}
	}
}

// refresh is one attempt of Refresh, leaving out the files in skip.
func (w *Warehouse) refresh(ctx context.Context, models []model, skip map[string]bool) error {
	tx, err := w.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("refresh %s: %w", w.path, err)
	}
	defer tx.Rollback() // no-op after Commit

	stale, err := previousModels(ctx, tx)
	if err != nil {
		return fmt.Errorf("refresh %s: %w", w.path, err)
	}
	// A crash may have left a commit, replay or eviction half done; finished, its files
	// are where the markers say, and none of its rows is left out of the load.
	if err := lake.Settle(w.dir); err != nil {
		return fmt.Errorf("refresh %s: %w", w.path, err)
	}
	committed, err := lake.Committed(w.dir)
	if err != nil {
		return fmt.Errorf("refresh %s: %w", w.path, err)
	}
	var built []builtTable
	for _, t := range lakeTables {
		b, err := w.loadLakeTable(ctx, tx, t, committed[t.Name], skip)
		if err != nil {
			return fmt.Errorf("refresh %s: load lake table %s: %w", w.path, t.Name, err)
		}
		built = append(built, b)
		delete(stale, t.Name)
	}
	if err := hideReplayed(ctx, tx, built); err != nil {
		return fmt.Errorf("refresh %s: %w", w.path, err)
	}
	refBuilt, err := w.loadReference(ctx, tx)
	if err != nil {
		return fmt.Errorf("refresh %s: %w", w.path, err)
	}
	for _, b := range refBuilt {
		built = append(built, b)
		delete(stale, b.Name)
	}
	// The windows the models answer for: the run record's, or the 2014 festival's. A
	// run record that cannot be read leaves the 2014 windows here; the facts sheet and
	// the report, which read it too, say what is wrong with it.
	windows, _ := datadir.Dir(w.dir).Windows()
	for _, m := range models {
		if err := m.build(ctx, tx, windows); err != nil {
			return fmt.Errorf("refresh %s: build model %s (%s): %w", w.path, m.name, m.file, &modelError{WithMemoryHint(err, false)})
		}
		b := builtTable{TableInfo: TableInfo{Name: m.name, Kind: "model"}, source: m.file, about: firstSentence(m.header)}
		if b.Rows, err = countRows(ctx, tx, m.name); err != nil {
			return fmt.Errorf("refresh %s: %w", w.path, err)
		}
		w.progress(b.TableInfo)
		built = append(built, b)
		delete(stale, m.name)
	}
	for name := range stale {
		if _, err := tx.ExecContext(ctx, "DROP TABLE IF EXISTS "+quoteIdent(name)); err != nil {
			return fmt.Errorf("refresh %s: drop retired model %s: %w", w.path, name, err)
		}
	}
	if err := writeMeta(ctx, tx, built); err != nil {
		return fmt.Errorf("refresh %s: %w", w.path, err)
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("refresh %s: commit: %w", w.path, err)
	}
	return nil
}

// builtTable is a TableInfo with what _hongbao_meta says about where it came from.
type builtTable struct {
	TableInfo
	source string // lake folder or model file
	about  string
	// fen is a lake table's money in fen, checked against its files' commit markers;
	// NULL for other kinds.
	fen sql.NullInt64
}

// setSums records a lake table's rows and money.
func (b *builtTable) setSums(s lakeSums) {
	b.Rows, b.fen = s.rows, sql.NullInt64{Int64: s.fen, Valid: true}
}

func (w *Warehouse) progress(t TableInfo) {
	if w.Progress != nil {
		w.Progress(t)
	}
}

// loadLakeTable loads t from the files its commit markers list, but those in skip, and
// checks the table against what the markers say.
func (w *Warehouse) loadLakeTable(ctx context.Context, tx *sql.Tx, t lakeTable, committed []lake.CommittedFile, skip map[string]bool) (builtTable, error) {
	b := builtTable{TableInfo: TableInfo{Name: t.Name, Kind: "lake"}, source: "lake/" + t.Name, about: t.Row}
	byPath := map[string]lake.CommittedFile{}
	var files []string
	for _, f := range committed {
		if !skip[f.Path] {
			byPath[f.Path] = f
			files = append(files, f.Path)
			b.Bytes += f.Bytes
		}
	}
	b.Files = len(files)
	if !t.materialized() {
		return b, w.viewLakeTable(ctx, tx, t, files, byPath, &b)
	}
	// Lake files never change once committed, so a table that holds exactly the files
	// of an earlier refresh only needs the new ones appended. Anything else (a file
	// gone, a table of another shape, a warehouse from before this bookkeeping) is
	// rebuilt whole.
	fresh, incremental, err := w.newLakeFiles(ctx, tx, t, files)
	if err != nil {
		return b, err
	}
	load := files
	var before lakeSums // what the table held before the load
	if incremental {
		load = fresh
		if before, err = t.total(ctx, tx); err != nil {
			return b, err
		}
	}
	var q string
	switch {
	case len(load) > 0:
		have, err := describeColumns(ctx, tx, readParquetSQL(load))
		if err != nil {
			return b, &lakeLoadError{table: t.Name, files: load, err: err}
		}
		if err := t.checkExtraColumns(ctx, tx, load, have); err != nil {
			return b, err
		}
		if incremental {
			q, err = t.appendSQL(load, have)
		} else {
			q, err = t.loadSQL(load, have)
		}
		if err != nil {
			return b, err
		}
	case !incremental:
		q = t.createEmptySQL()
	}
	if q != "" {
		if _, err := tx.ExecContext(ctx, q); err != nil {
			if len(load) > 0 {
				return b, &lakeLoadError{table: t.Name, files: load, err: err}
			}
			return b, err
		}
	}
	if err := recordLakeFiles(ctx, tx, t.Name, load, !incremental); err != nil {
		return b, err
	}
	loaded := make([]lake.CommittedFile, len(load))
	for i, f := range load {
		loaded[i] = byPath[f]
	}
	total, err := t.checkLoaded(ctx, tx, loaded, before)
	if err != nil {
		return b, err
	}
	b.setSums(total)
	w.progress(b.TableInfo)
	return b, nil
}

// viewLakeTable makes t a view reading files where they are in the lake, and checks
// each file the table did not have at the last refresh against its commit marker (rows
// and money) and the lake contract (no column missing, none extra), reading each of its
// values once so that a file DuckDB cannot read is found now rather than by a query.
// Lake files never change once committed, so files checked before need no second look.
func (w *Warehouse) viewLakeTable(ctx context.Context, tx *sql.Tx, t lakeTable, files []string, byPath map[string]lake.CommittedFile, b *builtTable) error {
	fresh, gone, err := w.uncheckedLakeFiles(ctx, tx, t, files)
	if err != nil {
		return err
	}
	var have map[string]string // the columns the files have (name → DuckDB type)
	if len(fresh) > 0 {
		freshHave, err := describeColumns(ctx, tx, readParquetSQL(fresh))
		if err != nil {
			return &lakeLoadError{table: t.Name, files: fresh, err: err}
		}
		if err := t.checkExtraColumns(ctx, tx, fresh, freshHave); err != nil {
			return err
		}
		if _, err := t.selectSQL(fresh, freshHave); err != nil {
			return err // a column missing
		}
		checked := make([]lake.CommittedFile, len(fresh))
		for i, f := range fresh {
			checked[i] = byPath[f]
		}
		if err := t.checkFiles(ctx, tx, checked); err != nil {
			return err
		}
		if len(fresh) == len(files) {
			have = freshHave // every file is new: their schemas were just read
		}
	}
	if have == nil {
		have = map[string]string{}
		if len(files) > 0 {
			if have, err = describeColumns(ctx, tx, readParquetSQL(files)); err != nil {
				return &lakeLoadError{table: t.Name, files: files, err: err}
			}
		}
	}
	q, err := t.viewSQL(files, have)
	if err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, q); err != nil {
		return &lakeLoadError{table: t.Name, files: files, err: err}
	}
	if err := forgetLakeFiles(ctx, tx, t.Name, gone); err != nil {
		return err
	}
	if err := recordLakeFiles(ctx, tx, t.Name, fresh, false); err != nil {
		return err
	}
	var sums lakeSums
	for _, f := range files {
		sums.add(byPath[f])
	}
	b.setSums(sums)
	w.progress(b.TableInfo)
	return nil
}

// uncheckedLakeFiles returns the files of t not checked at an earlier refresh, and the
// files checked then that t no longer has (evicted). A table t was materialized as
// before views (a warehouse of an earlier version) is dropped, and all files are new.
func (w *Warehouse) uncheckedLakeFiles(ctx context.Context, tx *sql.Tx, t lakeTable, files []string) (fresh, gone []string, err error) {
	if _, err := tx.ExecContext(ctx, "CREATE TABLE IF NOT EXISTS "+filesTable+" (table_name VARCHAR, file VARCHAR)"); err != nil {
		return nil, nil, fmt.Errorf("create %s: %w", filesTable, err)
	}
	isTable, err := tableExists(ctx, tx, t.Name)
	if err != nil {
		return nil, nil, err
	}
	if isTable {
		if _, err := tx.ExecContext(ctx, "DROP TABLE "+quoteIdent(t.Name)); err != nil {
			return nil, nil, fmt.Errorf("replace table %s by a view: %w", t.Name, err)
		}
		if _, err := tx.ExecContext(ctx, "DELETE FROM "+filesTable+" WHERE table_name = ?", t.Name); err != nil {
			return nil, nil, fmt.Errorf("write %s: %w", filesTable, err)
		}
		return files, nil, nil
	}
	loaded, err := loadedLakeFiles(ctx, tx, t.Name)
	if err != nil {
		return nil, nil, err
	}
	for _, f := range files {
		name := lakeFileName(t.Name, f)
		if loaded[name] {
			delete(loaded, name)
		} else {
			fresh = append(fresh, f)
		}
	}
	for name := range loaded {
		gone = append(gone, name)
	}
	return fresh, gone, nil
}

// forgetLakeFiles removes files (as lakeFileName names them) from what table holds.
func forgetLakeFiles(ctx context.Context, tx *sql.Tx, table string, names []string) error {
	for _, n := range names {
		if _, err := tx.ExecContext(ctx, "DELETE FROM "+filesTable+" WHERE table_name = ? AND file = ?", table, n); err != nil {
			return fmt.Errorf("write %s: %w", filesTable, err)
		}
	}
	return nil
}

// hideReplayed deletes from the quarantine table the messages the replay log says were
// landed in their event tables, so that each message is in one table or the other. The
// lake keeps them (its files never change); the warehouse hides them at every refresh,
// whichever of the two was loaded first.
func hideReplayed(ctx context.Context, tx *sql.Tx, built []builtTable) error {
	var q, r *builtTable
	for i := range built {
		switch built[i].Name {
		case "quarantine":
			q = &built[i]
		case replaysTable:
			r = &built[i]
		}
	}
	if q == nil || r == nil || r.Rows == 0 || q.Rows == 0 {
		return nil
	}
	_, err := tx.ExecContext(ctx, `DELETE FROM quarantine WHERE EXISTS (SELECT 1 FROM `+replaysTable+` r
		WHERE r.kafka_topic = quarantine.kafka_topic AND r.kafka_partition = quarantine.kafka_partition
		AND r.kafka_offset = quarantine.kafka_offset)`)
	if err != nil {
		return fmt.Errorf("leave replayed messages out of quarantine: %w", err)
	}
	q.Rows, err = countRows(ctx, tx, "quarantine")
	return err
}

// filesTable lists the lake files each table holds, so a refresh can load only the
// files that are new since the last one.
const filesTable = "_hongbao_lake_files"

func lakeFileName(table, path string) string { return table + "/" + filepath.Base(path) }

// newLakeFiles returns the files not yet loaded into t, and whether appending them
// is enough (the table holds exactly the other files, with the contract's columns).
func (w *Warehouse) newLakeFiles(ctx context.Context, tx *sql.Tx, t lakeTable, files []string) ([]string, bool, error) {
	if _, err := tx.ExecContext(ctx, "CREATE TABLE IF NOT EXISTS "+filesTable+" (table_name VARCHAR, file VARCHAR)"); err != nil {
		return nil, false, fmt.Errorf("create %s: %w", filesTable, err)
	}
	if ok, err := tableExists(ctx, tx, t.Name); err != nil || !ok {
		if err == nil {
			// A view of an earlier refresh, if any, makes room for the table.
			_, err = tx.ExecContext(ctx, "DROP VIEW IF EXISTS "+quoteIdent(t.Name))
		}
		return nil, false, err
	}
	cols, err := describeColumns(ctx, tx, quoteIdent(t.Name))
	if err != nil || !t.matches(cols) {
		return nil, false, nil // a table of another shape: rebuild it
	}
	loaded, err := loadedLakeFiles(ctx, tx, t.Name)
	if err != nil {
		return nil, false, err
	}
	var fresh []string
	present := 0
	for _, f := range files {
		if loaded[lakeFileName(t.Name, f)] {
			present++
		} else {
			fresh = append(fresh, f)
		}
	}
	if present != len(loaded) {
		return nil, false, nil // a loaded file is gone: rebuild
	}
	return fresh, true, nil
}

// Queryer runs a query: *sql.DB, *sql.Conn and *sql.Tx all do (and so does a
// query.Sandbox's DB).
type Queryer = sqlrows.Queryer

// rowQueryer runs a query of one row: *sql.DB and *sql.Tx both do.
type rowQueryer interface {
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// tableExists reports whether the warehouse has a table (not a view) of that name.
func tableExists(ctx context.Context, q rowQueryer, name string) (bool, error) {
	var n int
	err := q.QueryRowContext(ctx,
		"SELECT count(*) FROM duckdb_tables() WHERE database_name = current_database() AND schema_name = 'main' AND table_name = ?",
		name).Scan(&n)
	return n > 0, err
}

// loadedLakeFiles returns the files (as lakeFileName names them) table holds.
func loadedLakeFiles(ctx context.Context, tx *sql.Tx, table string) (map[string]bool, error) {
	return stringSet(ctx, tx, "SELECT file FROM "+filesTable+" WHERE table_name = ?", table)
}

// stringSet returns the values of a query of one text column, as a set.
func stringSet(ctx context.Context, q Queryer, query string, args ...any) (map[string]bool, error) {
	set := map[string]bool{}
	err := sqlrows.Each(ctx, q, query, args, func(rows *sql.Rows) error {
		var v string
		err := rows.Scan(&v)
		set[v] = true
		return err
	})
	return set, err
}

// recordLakeFiles notes the files now loaded into table; reset forgets the others.
func recordLakeFiles(ctx context.Context, tx *sql.Tx, table string, files []string, reset bool) error {
	if reset {
		if _, err := tx.ExecContext(ctx, "DELETE FROM "+filesTable+" WHERE table_name = ?", table); err != nil {
			return fmt.Errorf("write %s: %w", filesTable, err)
		}
	}
	if len(files) == 0 {
		return nil
	}
	// One statement for all: a statement per file took 1.4 s for the festival's
	// 7 tables of 828 files.
	names := make([]string, len(files))
	for i, f := range files {
		names[i] = lakeFileName(table, f)
	}
	if _, err := tx.ExecContext(ctx, "INSERT INTO "+filesTable+" SELECT ?, unnest(?::VARCHAR[])", table, names); err != nil {
		return fmt.Errorf("write %s: %w", filesTable, err)
	}
	return nil
}

// describeColumns returns the columns (name → DuckDB type) of a FROM expression.
func describeColumns(ctx context.Context, tx *sql.Tx, from string) (map[string]string, error) {
	cols := map[string]string{}
	err := sqlrows.Each(ctx, tx, "SELECT column_name, column_type FROM (DESCRIBE SELECT * FROM "+from+")", nil, func(rows *sql.Rows) error {
		var name, typ string
		err := rows.Scan(&name, &typ)
		cols[name] = typ
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("read Parquet schema: %w", err)
	}
	return cols, nil
}

func countRows(ctx context.Context, tx *sql.Tx, table string) (int64, error) {
	var n int64
	if err := tx.QueryRowContext(ctx, "SELECT count(*) FROM "+quoteIdent(table)).Scan(&n); err != nil {
		return 0, fmt.Errorf("count rows of %s: %w", table, err)
	}
	return n, nil
}

// metaExists reports whether a refresh ever committed.
func metaExists(ctx context.Context, q rowQueryer) (bool, error) {
	return tableExists(ctx, q, metaTable)
}

// previousModels returns the models the last refresh built, so that a model whose file
// was removed is dropped rather than left stale.
func previousModels(ctx context.Context, tx *sql.Tx) (map[string]bool, error) {
	ok, err := metaExists(ctx, tx)
	if err != nil || !ok {
		return map[string]bool{}, err
	}
	return stringSet(ctx, tx, "SELECT name FROM "+metaTable+" WHERE kind = 'model'")
}

func writeMeta(ctx context.Context, tx *sql.Tx, built []builtTable) error {
	_, err := tx.ExecContext(ctx, `CREATE OR REPLACE TABLE `+metaTable+` (
		ord INTEGER, name VARCHAR, kind VARCHAR, source VARCHAR, about VARCHAR,
		lake_files INTEGER, lake_bytes BIGINT, row_count BIGINT, sum_fen BIGINT, refreshed_at TIMESTAMPTZ)`)
	if err != nil {
		return fmt.Errorf("write %s: %w", metaTable, err)
	}
	for i, b := range built {
		_, err := tx.ExecContext(ctx, "INSERT INTO "+metaTable+" VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, now())",
			i+1, b.Name, b.Kind, b.source, b.about, b.Files, b.Bytes, b.Rows, b.fen)
		if err != nil {
			return fmt.Errorf("write %s: %w", metaTable, err)
		}
	}
	return nil
}

// loadReference loads the reference tables (banks, scenarios, market figures, the
// facts registry) before the models, so models can join them.
func (w *Warehouse) loadReference(ctx context.Context, tx *sql.Tx) ([]builtTable, error) {
	var banks []refdata.Bank
	source := "built-in reference data (refdata)"
	// A user's own bank table, when the run drew from one, replaces the built-in table.
	bankFile := datadir.Dir(w.dir).Banks()
	if f, err := os.Open(bankFile); err == nil {
		banks, err = refdata.ParseBanks(f)
		f.Close()
		if err != nil {
			return nil, fmt.Errorf("bank table %s: %w", bankFile, err)
		}
		source = bankFile
	} else if !errors.Is(err, fs.ErrNotExist) {
		return nil, err
	}
	if err := refdata.LoadWith(ctx, tx, banks); err != nil {
		return nil, fmt.Errorf("load reference data: %w", err)
	}
	var built []builtTable
	for _, t := range refdata.Tables() {
		b := builtTable{TableInfo: TableInfo{Name: t.Name, Kind: "reference"}, source: "built-in reference data (refdata)", about: t.About}
		if t.Name == "banks" {
			b.source = source
		}
		var err error
		if b.Rows, err = countRows(ctx, tx, t.Name); err != nil {
			return nil, err
		}
		w.progress(b.TableInfo)
		built = append(built, b)
	}
	return built, nil
}

// RefreshBuilds is the number of tables one Refresh builds, and calls Progress for:
// one per lake table, one per reference table, one per SQL model. (A refresh that
// meets an unreadable lake file builds them again without it, and calls Progress
// again.)
func RefreshBuilds() int {
	return len(lakeTables) + len(refdata.Tables()) + len(Models())
}

// Tables lists what the last Refresh built: lake tables first, then models, in build
// order.
func (w *Warehouse) Tables(ctx context.Context) ([]TableInfo, error) {
	ok, err := metaExists(ctx, w.db)
	if err != nil {
		return nil, fmt.Errorf("list tables of %s: %w", w.path, err)
	}
	if !ok {
		return nil, fmt.Errorf("the warehouse at %s was never refreshed: run 'hongbao transform'", w.path)
	}
	var infos []TableInfo
	err = sqlrows.Each(ctx, w.db, "SELECT name, kind, lake_files, lake_bytes, row_count FROM "+metaTable+" ORDER BY ord", nil, func(rows *sql.Rows) error {
		var t TableInfo
		err := rows.Scan(&t.Name, &t.Kind, &t.Files, &t.Bytes, &t.Rows)
		infos = append(infos, t)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("list tables of %s: %w", w.path, err)
	}
	return infos, nil
}

// DuckDB's buffer pool (its default is 80% of the machine) is capped so that the
// commands stay inside a small machine's memory; DuckDB spills to disk past the cap.
// A refresh gets less than a query: on the full festival's lake a refresh at 1 GB peaked
// at 1.43 GB RSS against 2.43 GB at 2 GB, in 1.2x the time (docs/BENCHMARKS.md).
// HONGBAO_DUCKDB_MEMORY overrides both (e.g. "8GB").
const (
	refreshMemory = "1GB"
	queryMemory   = "2GB"
)

// memoryLimit is the cap of a warehouse connection opened read-only or to refresh:
// HONGBAO_DUCKDB_MEMORY, else the default of the kind.
func memoryLimit(readOnly bool) (string, error) {
	if readOnly {
		return duckenv.MemoryLimit(queryMemory)
	}
	return duckenv.MemoryLimit(refreshMemory)
}

// MemorySettings are the start-up settings that bound DuckDB's memory on a warehouse
// connection opened read-only (the SQL prompt, the report, the facts sheet, the
// console) or to refresh: the buffer pool's cap, and an allocator that hands freed
// memory back to the system at once. By default DuckDB keeps up to 512 MiB of freed
// memory for reuse, which a command running many queries never gives back: on the full
// festival the facts sheet peaked at 1.27–1.33 GB RSS and the report at 1.44 GB, and
// with these settings at 1.03 GB and 1.07–1.10 GB, in the same time
// (docs/BENCHMARKS.md). DuckDB's external file cache, on by default, keeps the blocks
// of the Parquet files it read beside the buffer pool: the refresh, which reads every
// lake file, peaked at 1.22 GB with it and at 0.73 GB without, the report at 0.83 and
// 0.71 GB, at the same speed.
func MemorySettings(readOnly bool) (url.Values, error) {
	limit, err := memoryLimit(readOnly)
	if err != nil {
		return nil, err
	}
	return url.Values{
		"memory_limit":                                {limit},
		"allocator_background_threads":                {"true"},
		"allocator_flush_threshold":                   {"16MB"},
		"allocator_bulk_deallocation_flush_threshold": {"32MB"},
		"enable_external_file_cache":                  {"false"},
	}, nil
}

// CacheLakeFooters keeps the footers of the Parquet files a read-only warehouse
// connection has read for the process's next query, which would otherwise open and
// parse them again: each lake table is a view over hundreds of files (828 each for the
// full festival), and the report reads them in about seventy scans. DuckDB uses a
// cached footer only while the file is the one it read
// (TestCachedFootersFollowARewrittenFile). On the full festival's warehouse, alternated
// four times, 'hongbao report --lang both' took 7.4–8.3 s with it against 8.6–10.2 s
// without. A refresh, which reads most files once a model, was no faster with it and
// peaked 40–60 MB higher: it goes without (docs/BENCHMARKS.md).
const CacheLakeFooters = "LOAD parquet; SET parquet_metadata_cache = true"

// WithMemoryHint adds to DuckDB's out-of-memory error the setting that raises the cap
// it ran into.
func WithMemoryHint(err error, readOnly bool) error {
	if !duckenv.IsOutOfMemory(err) {
		return err
	}
	limit, _ := memoryLimit(readOnly) // it opened with this value
	return duckenv.WithMemoryHint(err, limit)
}
