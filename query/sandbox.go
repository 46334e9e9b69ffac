package query

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"

	"github.com/duckdb/duckdb-go/v2"

	"github.com/hongbao/hongbao/internal/datadir"
	"github.com/hongbao/hongbao/internal/locale"
	"github.com/hongbao/hongbao/transform"
)

// SandboxOptions are what a Sandbox may read besides the warehouse and DIR/lake.
type SandboxOptions struct {
	// AllowRead lists files and folders (with everything under them) that SQL may read,
	// as given to --allow-read. Each must exist.
	AllowRead []string
}

// maxSpill bounds the temporary files DuckDB may write for one session when a query
// does not fit in memory, so that a runaway query cannot fill the disk.
const maxSpill = "8GB"

// Sandbox is the warehouse opened for SQL that a person typed or a notebook holds: the
// one way 'hongbao sql', its prompt and notebooks run user SQL.
//
// It is enforced in two layers. DuckDB's own settings, set when the database starts and
// then locked (lock_configuration): an in-memory DuckDB with the warehouse attached
// READ_ONLY, external access off except for the warehouse, DIR/lake and the
// AllowRead paths, no extension install or load, no persistent secrets, and spill files
// in a private folder of bounded size. And a check of every statement before it runs,
// on DuckDB's own reading of it (the prepared statement's type, and for statements that
// run a query, the table functions and operators of its plan from EXPLAIN): statements
// that write files, attach databases, load extensions, change settings or run the
// table functions that do (checkpoint, enable_logging, ...) are refused with a
// *RefusedError, whose message says what to do instead. Temporary tables, views and
// macros, SET VARIABLE and transactions work, and live only in the session.
//
// The one way to write a file is Export, run by Go code outside the sandbox's rules.
type Sandbox struct {
	dir   string
	path  string
	opts  SandboxOptions
	db    *sql.DB
	spill string // private folder for DuckDB's temporary files, removed by Close
}

// OpenSandbox opens the existing warehouse of data folder dir for user SQL. Any number
// of sandboxes and readers may have it open while no transform writes it.
func OpenSandbox(dir string, opts SandboxOptions) (*Sandbox, error) {
	return openSandbox(dir, opts, "")
}

// openSandbox opens a sandbox; a non-empty writable names the one file its Go code (not
// user SQL) may write, for Export.
func openSandbox(dir string, opts SandboxOptions, writable string) (*Sandbox, error) {
	if err := transform.Exists(dir); err != nil {
		return nil, err
	}
	p := datadir.Dir(dir).Warehouse()
	absDir, err := filepath.Abs(dir)
	if err != nil {
		return nil, fmt.Errorf("open warehouse %s: %w", p, err)
	}
	data := datadir.Dir(absDir)
	abs := data.Warehouse()
	dirs := []string{data.Lake()}
	files := []string{abs, data.WarehouseWAL()}
	for _, r := range opts.AllowRead {
		a, err := filepath.Abs(r)
		if err != nil {
			return nil, fmt.Errorf("--allow-read %s: %w", r, err)
		}
		st, err := os.Stat(a)
		if err != nil {
			return nil, fmt.Errorf("--allow-read %s: there is no such file or folder; name one that exists", r)
		}
		if st.IsDir() {
			dirs = append(dirs, a)
		} else {
			files = append(files, a)
		}
	}
	if writable != "" {
		files = append(files, writable)
	}
	spill, err := os.MkdirTemp("", "hongbao-sql-*")
	if err != nil {
		return nil, fmt.Errorf("create a folder for DuckDB's temporary files: %w", err)
	}
	s := &Sandbox{dir: dir, path: p, opts: opts, spill: spill}

	// Settings DuckDB takes only at start-up, or that must hold before any SQL runs.
	cfg, err := transform.MemorySettings(true)
	if err != nil {
		os.RemoveAll(spill)
		return nil, err
	}
	cfg.Set("temp_directory", spill)
	cfg.Set("max_temp_directory_size", maxSpill)
	cfg.Set("autoinstall_known_extensions", "false")
	cfg.Set("autoload_known_extensions", "false")
	cfg.Set("allow_community_extensions", "false")
	cfg.Set("allow_unsigned_extensions", "false")
	cfg.Set("allow_persistent_secrets", "false")
	var (
		mu    sync.Mutex
		ready bool
	)
	conn, err := duckdb.NewConnector(":memory:?"+cfg.Encode(), func(ex driver.ExecerContext) error {
		mu.Lock()
		defer mu.Unlock()
		stmts := []string{"USE warehouse"} // per connection: the default database
		if !ready {
			stmts = []string{
				transform.CacheLakeFooters, // for the next query over the same lake files
				// External access is turned off after naming what stays reachable: DuckDB
				// refuses to change the lists once it is off.
				"SET allowed_directories = " + sqlList(withSlash(dirs)),
				"SET allowed_paths = " + sqlList(files),
				"SET enable_external_access = false",
				"ATTACH " + transform.QuoteString(filepath.ToSlash(abs)) + " AS warehouse (READ_ONLY)",
				"USE warehouse",
				// The in-memory database would be somewhere to write; only TEMP remains.
				"DETACH memory",
				"SET GLOBAL TimeZone = " + transform.QuoteString(locale.ZoneName),
				"SET lock_configuration = true",
			}
		}
		for _, q := range stmts {
			if _, err := ex.ExecContext(context.Background(), q, nil); err != nil {
				return fmt.Errorf("%s: %w", q, err)
			}
		}
		ready = true
		return nil
	})
	if err != nil {
		os.RemoveAll(spill)
		return nil, fmt.Errorf("open warehouse %s: %w", p, err)
	}
	s.db = sql.OpenDB(&sandboxConnector{inner: conn})
	if err := s.db.Ping(); err != nil {
		s.Close()
		if strings.Contains(err.Error(), "Could not set lock on file") {
			return nil, transform.LockedError(p, true, err)
		}
		return nil, fmt.Errorf("open warehouse %s: %w", p, err)
	}
	if err := transform.CheckReadable(context.Background(), s.db, absDir, s.path); err != nil {
		s.Close()
		return nil, err
	}
	return s, nil
}

func withSlash(dirs []string) []string {
	out := make([]string, len(dirs))
	for i, d := range dirs {
		out[i] = strings.TrimSuffix(filepath.ToSlash(d), "/") + "/"
	}
	return out
}

func sqlList(items []string) string {
	q := make([]string, len(items))
	for i, s := range items {
		q[i] = transform.QuoteString(filepath.ToSlash(s))
	}
	return "[" + strings.Join(q, ", ") + "]"
}

// DB returns the sandbox's connection pool; every statement run through it is checked.
// Its connections use TimeZone. Use DB().Conn for a session whose temporary tables,
// views and variables last from statement to statement.
func (s *Sandbox) DB() *sql.DB { return s.db }

// Path returns the warehouse file.
func (s *Sandbox) Path() string { return s.path }

// Close closes the sandbox and removes its temporary files.
func (s *Sandbox) Close() error {
	err := s.db.Close()
	if rerr := os.RemoveAll(s.spill); err == nil {
		err = rerr
	}
	return err
}

// sandboxConnector hands out checked connections.
type sandboxConnector struct{ inner *duckdb.Connector }

func (c *sandboxConnector) Connect(ctx context.Context) (driver.Conn, error) {
	dc, err := c.inner.Connect(ctx)
	if err != nil {
		return nil, err
	}
	return &sandboxConn{inner: dc.(*duckdb.Conn)}, nil
}

func (c *sandboxConnector) Driver() driver.Driver { return c.inner.Driver() }
func (c *sandboxConnector) Close() error          { return c.inner.Close() }

// sandboxConn checks each statement on the DuckDB connection it wraps before running it.
type sandboxConn struct {
	inner   *duckdb.Conn
	results int // query results held in temporary tables so far, to name the next
}

var (
	_ driver.QueryerContext     = (*sandboxConn)(nil)
	_ driver.ExecerContext      = (*sandboxConn)(nil)
	_ driver.ConnPrepareContext = (*sandboxConn)(nil)
	_ driver.ConnBeginTx        = (*sandboxConn)(nil)
	_ driver.NamedValueChecker  = (*sandboxConn)(nil)
)

func (c *sandboxConn) Close() error { return c.inner.Close() }

func (c *sandboxConn) Begin() (driver.Tx, error) {
	return c.inner.BeginTx(context.Background(), driver.TxOptions{})
}

func (c *sandboxConn) BeginTx(ctx context.Context, opts driver.TxOptions) (driver.Tx, error) {
	return c.inner.BeginTx(ctx, opts)
}

func (c *sandboxConn) CheckNamedValue(nv *driver.NamedValue) error {
	return c.inner.CheckNamedValue(nv)
}

func (c *sandboxConn) Prepare(query string) (driver.Stmt, error) {
	return c.PrepareContext(context.Background(), query)
}

// PrepareContext checks one statement; one holding parameters cannot be checked before
// its values are known, and is refused.
func (c *sandboxConn) PrepareContext(ctx context.Context, query string) (driver.Stmt, error) {
	if err := c.check(ctx, query, nil, 0); err != nil {
		return nil, err
	}
	return c.inner.PrepareContext(ctx, query)
}

// QueryContext runs the statements of query but the last, as runAllButLast does, checks
// the last and runs it with args. A query without args comes back a page at a time (see
// queryPaged), so that its rows are never all in memory.
func (c *sandboxConn) QueryContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Rows, error) {
	last, err := c.runAllButLast(ctx, query)
	if err != nil {
		return nil, err
	}
	st, err := c.checkType(ctx, last, args, 0)
	if err != nil {
		return nil, err
	}
	// A query of the catalog (SHOW TABLES, duckdb_tables()) runs as it is: its result is
	// small, and it would list the table that holds it.
	if st.typ == duckdb.STATEMENT_TYPE_SELECT && !st.catalog && len(args) == 0 {
		return c.queryPaged(ctx, last, st.columns)
	}
	rows, err := c.inner.QueryContext(ctx, last, args)
	return rows, sandboxError(err, "")
}

// ExecContext is QueryContext for a statement whose rows are not read.
func (c *sandboxConn) ExecContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Result, error) {
	last, err := c.runAllButLast(ctx, query)
	if err != nil {
		return nil, err
	}
	if err := c.check(ctx, last, args, 0); err != nil {
		return nil, err
	}
	res, err := c.inner.ExecContext(ctx, last, args)
	return res, sandboxError(err, "")
}

// runAllButLast checks and runs each statement of query but the last, which it
// returns. Statements run one at a time, so that one may use what the one before
// created (a temporary view).
func (c *sandboxConn) runAllButLast(ctx context.Context, query string) (string, error) {
	stmts, rest := SplitStatements(query)
	if HasCode(rest) {
		stmts = append(stmts, rest)
	}
	if len(stmts) == 0 {
		return query, nil // DuckDB says what is wrong with it
	}
	for _, s := range stmts[:len(stmts)-1] {
		if err := c.check(ctx, s, nil, 0); err != nil {
			return "", err
		}
		if _, err := c.inner.ExecContext(ctx, s, nil); err != nil {
			return "", sandboxError(err, "")
		}
	}
	return stmts[len(stmts)-1], nil
}

// check refuses stmt, one statement, unless it only reads or changes the session.
func (c *sandboxConn) check(ctx context.Context, stmt string, args []driver.NamedValue, depth int) error {
	_, err := c.checkType(ctx, stmt, args, depth)
	return err
}

// statement is what checking a statement learned of it.
type statement struct {
	typ     duckdb.StmtType
	columns []string // a query's column names, as it gives them
	catalog bool     // its plan reads DuckDB's catalog
}

// checkType is check, returning what it learned of the statement when it passes.
func (c *sandboxConn) checkType(ctx context.Context, stmt string, args []driver.NamedValue, depth int) (statement, error) {
	st, err := c.statementType(stmt)
	if err != nil {
		return st, err
	}
	typ := st.typ
	switch typ {
	case duckdb.STATEMENT_TYPE_SELECT, duckdb.STATEMENT_TYPE_CREATE, duckdb.STATEMENT_TYPE_INSERT,
		duckdb.STATEMENT_TYPE_UPDATE, duckdb.STATEMENT_TYPE_DELETE, duckdb.STATEMENT_TYPE_SET,
		duckdb.STATEMENT_TYPE_VARIABLE_SET, duckdb.STATEMENT_TYPE_CALL:
		// These may run a query, and a query may call a table function that writes.
		// Changes to the warehouse itself DuckDB refuses (READ_ONLY), and so it does
		// changes to settings (lock_configuration).
		st.catalog, err = c.checkPlan(ctx, stmt, args, typ)
		return st, err
	case duckdb.STATEMENT_TYPE_DROP, duckdb.STATEMENT_TYPE_ALTER, duckdb.STATEMENT_TYPE_TRANSACTION:
		return st, nil // on temporary objects, or refused by DuckDB on the warehouse's
	case duckdb.STATEMENT_TYPE_EXPLAIN:
		// EXPLAIN ANALYZE runs the statement it explains: check that one too.
		inner, ok := explained(stmt)
		if !ok || depth > 0 {
			return st, refuse("this EXPLAIN", "hongbao cannot tell which statement it explains; write EXPLAIN [ANALYZE] followed by one query")
		}
		return st, c.check(ctx, inner, args, depth+1)
	}
	return st, refusedType(typ)
}

// statementType is DuckDB's reading of stmt, which must be exactly one statement: its
// type, and a query's column names.
// EXPORT DATABASE is refused before DuckDB sees it: preparing it already creates its
// target folder, and the lake and --allow-read folders are ones DuckDB may write to.
func (c *sandboxConn) statementType(stmt string) (statement, error) {
	if hasWords(stmt, "EXPORT", "DATABASE") {
		return statement{}, refuse("EXPORT DATABASE", exportInstead)
	}
	// COPY FROM DATABASE is several statements inside DuckDB, which Prepare refuses
	// as if the text were unclear; it copies a whole database, so name it.
	if hasWords(stmt, "COPY", "FROM") && hasWords(stmt, "FROM", "DATABASE") {
		return statement{}, refuse("COPY FROM DATABASE", "it copies a whole database, and hongbao's SQL changes nothing; to keep a result, run the query with 'hongbao sql -o FILE' (csv, json or parquet, by --format)")
	}
	ds, err := c.inner.Prepare(stmt) // refuses more than one statement
	if err != nil {
		var de *duckdb.Error
		if errors.As(err, &de) {
			return statement{}, sandboxError(err, "")
		}
		return statement{}, refuse("this text", "hongbao cannot tell where each of its statements ends; end each statement with ;")
	}
	defer ds.Close()
	s := ds.(*duckdb.Stmt)
	var st statement
	if st.typ, err = s.StatementType(); err != nil || st.typ != duckdb.STATEMENT_TYPE_SELECT {
		return st, err
	}
	n, err := s.ColumnCount()
	if err != nil {
		return st, err
	}
	st.columns = make([]string, n)
	for i := range st.columns {
		if st.columns[i], err = s.ColumnName(i); err != nil {
			return st, err
		}
	}
	return st, nil
}

// hasWords reports whether the code of stmt (not its strings, quoted names or
// comments) holds the keywords first then second, one after the other, in any case.
func hasWords(stmt, first, second string) bool {
	var words []string
	for _, sp := range lexSQL(stmt) {
		if sp.kind == spanComment {
			continue // EXPORT /* ... */ DATABASE is still the pair
		}
		if sp.kind != spanCode {
			words = append(words, "") // a string or a name breaks the pair
			continue
		}
		code := stmt[sp.start:sp.end]
		for i := 0; i < len(code); {
			if !isIdentByte(code[i]) {
				if code[i] != ' ' && code[i] != '\t' && code[i] != '\r' && code[i] != '\n' {
					words = append(words, "")
				}
				i++
				continue
			}
			j := i
			for j < len(code) && isIdentByte(code[j]) {
				j++
			}
			words = append(words, code[i:j])
			i = j
		}
	}
	for i := 0; i+1 < len(words); i++ {
		if strings.EqualFold(words[i], first) && strings.EqualFold(words[i+1], second) {
			return true
		}
	}
	return false
}

// explained returns the statement an EXPLAIN statement explains: what follows EXPLAIN,
// ANALYZE and a parenthesized option list. DuckDB then reads that statement again.
func explained(stmt string) (string, bool) {
	rest := stmt
	word := func() (string, bool) {
		for _, sp := range lexSQL(rest) {
			if sp.kind == spanComment {
				continue
			}
			code := rest[sp.start:sp.end]
			trimmed := strings.TrimLeft(code, " \t\r\n")
			if trimmed == "" {
				continue
			}
			if sp.kind != spanCode {
				return "", false
			}
			at := sp.start + len(code) - len(trimmed)
			end := at
			for end < len(rest) && isIdentByte(rest[end]) {
				end++
			}
			if end == at && rest[at] == '(' {
				depth := 0
				for i := at; i < len(rest); i++ {
					switch rest[i] {
					case '(':
						depth++
					case ')':
						depth--
						if depth == 0 {
							w := rest[at : i+1]
							rest = rest[i+1:]
							return w, true
						}
					case '\'', '"':
						return "", false // no strings in EXPLAIN's options
					}
				}
				return "", false
			}
			w := rest[at:end]
			rest = rest[end:]
			return w, w != ""
		}
		return "", false
	}
	w, ok := word()
	if !ok || !strings.EqualFold(w, "EXPLAIN") {
		return "", false
	}
	for {
		before := rest
		w, ok := word()
		if !ok {
			return "", false
		}
		if strings.EqualFold(w, "ANALYZE") || strings.EqualFold(w, "ANALYSE") || strings.HasPrefix(w, "(") {
			continue
		}
		inner := strings.TrimSpace(before)
		return inner, HasCode(inner)
	}
}

// planNode is one operator of DuckDB's EXPLAIN (FORMAT json).
type planNode struct {
	Name      string         `json:"name"`
	Children  []planNode     `json:"children"`
	ExtraInfo map[string]any `json:"extra_info"`
}

// checkPlan refuses stmt if its plan calls a table function or holds an operator that
// does more than read: EXPLAIN plans without running anything.
func (c *sandboxConn) checkPlan(ctx context.Context, stmt string, args []driver.NamedValue, typ duckdb.StmtType) (catalog bool, _ error) {
	rows, err := c.inner.QueryContext(ctx, "EXPLAIN (FORMAT json) "+stmt, args)
	if err != nil {
		if mapped := sandboxError(err, typeName(typ)); mapped != err {
			return false, mapped
		}
		if typ == duckdb.STATEMENT_TYPE_SET {
			// USE and the like have no plan; a SET that changes a setting DuckDB
			// refuses (lock_configuration), and SET VARIABLE has a plan.
			return false, nil
		}
		return false, refuse("this statement", "hongbao checks what a statement does before running it, and DuckDB cannot show this one's plan; for PRAGMA table_info use DESCRIBE table or SELECT * FROM pragma_table_info('table')")
	}
	defer rows.Close()
	dest := make([]driver.Value, len(rows.Columns()))
	for {
		if err := rows.Next(dest); err == io.EOF {
			return catalog, nil
		} else if err != nil {
			return false, sandboxError(err, typeName(typ))
		}
		text, _ := dest[len(dest)-1].(string)
		var plan []planNode
		if err := json.Unmarshal([]byte(text), &plan); err != nil {
			return false, refuse("this statement", "hongbao cannot read its plan to check it; write it as a plain query")
		}
		for _, n := range plan {
			if err := checkNode(n); err != nil {
				return false, err
			}
			catalog = catalog || readsCatalog(n)
		}
	}
}

// readsCatalog reports whether a plan calls one of DuckDB's catalog functions
// (duckdb_tables() and the like, which SHOW and information_schema read).
func readsCatalog(n planNode) bool {
	if f, ok := n.ExtraInfo["Function"].(string); ok && strings.HasPrefix(strings.ToLower(f), "duckdb_") {
		return true
	}
	return slices.ContainsFunc(n.Children, readsCatalog)
}

func checkNode(n planNode) error {
	if why, bad := refusedOperators[n.Name]; bad {
		return refuse(why[0], why[1])
	}
	if f, ok := n.ExtraInfo["Function"].(string); ok {
		if why, bad := refusedTableFunctions[strings.ToLower(f)]; bad {
			return refuse(strings.ToLower(f)+"()", why)
		}
	}
	for _, c := range n.Children {
		if err := checkNode(c); err != nil {
			return err
		}
	}
	return nil
}

// refusedTableFunctions are DuckDB's table functions that do more than read: each with
// what to do instead. Every other table function DuckDB 1.5 ships was reviewed as
// reading only (see reviewedTableFunctions in the tests); extensions cannot be loaded.
var refusedTableFunctions = map[string]string{
	"checkpoint":                  "only 'hongbao transform' writes the warehouse",
	"force_checkpoint":            "only 'hongbao transform' writes the warehouse",
	"enable_logging":              "it would write log files; DuckDB's logging is off in hongbao's SQL",
	"disable_logging":             "DuckDB's logging is off in hongbao's SQL and stays so",
	"truncate_duckdb_logs":        "DuckDB's logging is off in hongbao's SQL",
	"enable_profiling":            "it changes the session and can write files; use EXPLAIN ANALYZE to see where a query spends its time",
	"disable_profiling":           "profiling is off; use EXPLAIN ANALYZE to see where a query spends its time",
	"enable_peg_parser":           "the session's settings are fixed",
	"disable_peg_parser":          "the session's settings are fixed",
	"json_execute_serialized_sql": "it runs SQL that cannot be checked first; write the query itself",
	"arrow_scan":                  "it reads process memory by address; read files with read_parquet, read_csv or read_json",
	"arrow_scan_dumb":             "it reads process memory by address; read files with read_parquet, read_csv or read_json",
}

// refusedOperators are plan operators that write, for a statement that hides one
// (EXPLAIN ANALYZE runs the statement it explains). The statement types that carry
// them are refused before their plan is looked at.
var refusedOperators = map[string][2]string{
	"COPY_TO_FILE":       {"COPY ... TO", exportInstead},
	"BATCH_COPY_TO_FILE": {"COPY ... TO", exportInstead},
	"EXPORT":             {"EXPORT DATABASE", exportInstead},
	"COPY_DATABASE":      {"COPY FROM DATABASE", "hongbao's SQL reads only the warehouse and writes no database"},
	"ATTACH":             {"ATTACH", attachInstead},
	"DETACH":             {"DETACH", "the warehouse stays attached for the whole session"},
	"LOAD":               {"INSTALL or LOAD", extensionInstead},
	"VACUUM":             {"VACUUM or ANALYZE", "'hongbao transform' maintains the warehouse"},
	"PRAGMA":             {"this PRAGMA", pragmaInstead},
}

const (
	exportInstead    = "hongbao's SQL writes no files; to keep a result, run the query with 'hongbao sql -o FILE' (csv, json or parquet, by --format or the extension)"
	attachInstead    = "hongbao's SQL reads only the warehouse; to read another file, name it with --allow-read PATH and query it with read_parquet, read_csv or read_json"
	extensionInstead = "hongbao's SQL has the extensions it ships with (parquet, json, icu) and no network"
	pragmaInstead    = "PRAGMAs change the session, whose settings are fixed; DESCRIBE, SHOW TABLES and SELECT * FROM pragma_table_info('table') read the catalog, and EXPLAIN ANALYZE profiles a query"
	writeInstead     = "only 'hongbao transform' changes the warehouse; keep rows for this session in a temporary table (CREATE TEMP TABLE name AS SELECT ...), or write them to a file with 'hongbao sql -o FILE'"
	settingInstead   = "the settings of hongbao's SQL are fixed when it opens; SET VARIABLE name = value keeps a value for later statements, read with getvariable('name')"
)

// refusedType is the refusal of a statement type that is never allowed.
func refusedType(typ duckdb.StmtType) error {
	switch typ {
	case duckdb.STATEMENT_TYPE_COPY:
		return refuse("COPY", "hongbao's SQL reads files with read_csv, read_parquet and read_json, and writes none; to keep a result, run the query with 'hongbao sql -o FILE' (csv, json or parquet, by --format)")
	case duckdb.STATEMENT_TYPE_EXPORT:
		return refuse("EXPORT DATABASE", exportInstead)
	case duckdb.STATEMENT_TYPE_ATTACH:
		return refuse("ATTACH", attachInstead)
	case duckdb.STATEMENT_TYPE_DETACH:
		return refuse("DETACH", "the warehouse stays attached for the whole session")
	case duckdb.STATEMENT_TYPE_LOAD, duckdb.STATEMENT_TYPE_EXTENSION:
		return refuse("INSTALL or LOAD", extensionInstead)
	case duckdb.STATEMENT_TYPE_PRAGMA:
		return refuse("this PRAGMA", pragmaInstead)
	case duckdb.STATEMENT_TYPE_VACUUM, duckdb.STATEMENT_TYPE_ANALYZE:
		return refuse("VACUUM or ANALYZE", "'hongbao transform' maintains the warehouse")
	case duckdb.STATEMENT_TYPE_PREPARE, duckdb.STATEMENT_TYPE_EXECUTE:
		return refuse("PREPARE or EXECUTE", "write the query out each time, with SET VARIABLE for a value you reuse")
	}
	return refuse(typeName(typ), "hongbao's SQL runs queries (SELECT, WITH, DESCRIBE, SHOW, SUMMARIZE, EXPLAIN) and temporary tables, views and macros")
}

// stmtNames names DuckDB's statement types, in the order of the C API's enum
// duckdb_statement_type (a stable ABI), whose values duckdb.StmtType takes;
// TestStatementTypeNames checks the order against the package's constants.
var stmtNames = strings.Split("an invalid statement|SELECT|INSERT|UPDATE|EXPLAIN|DELETE|PREPARE|CREATE|EXECUTE|ALTER|"+
	"a transaction statement|COPY|ANALYZE|SET VARIABLE|CREATE FUNCTION|DROP|EXPORT DATABASE|PRAGMA|VACUUM|CALL|SET|"+
	"LOAD|a relation|an extension's statement|a logical plan|ATTACH|DETACH|a multi-statement|COPY FROM DATABASE", "|")

// typeName names a statement type as DuckDB's messages do.
func typeName(typ duckdb.StmtType) string {
	if int(typ) >= 0 && int(typ) < len(stmtNames) {
		return stmtNames[typ]
	}
	return fmt.Sprintf("statement type %d", typ)
}

// RefusedError is a statement the sandbox does not run: What it is, and Instead, what
// to do instead. Nothing was run or written. It wraps ErrRefused.
type RefusedError struct {
	What    string
	Instead string
}

func (e *RefusedError) Error() string {
	return e.What + " is not allowed in hongbao's SQL: " + e.Instead
}

func (e *RefusedError) Unwrap() error { return ErrRefused }

func refuse(what, instead string) error { return &RefusedError{What: what, Instead: instead} }

// DuckDB's own refusals, which sandboxError turns into a RefusedError.
var (
	duckReadOnly = readOnlyRefusal
	duckLocked   = `Cannot change configuration option "`
	duckNoAccess = []string{`Cannot access file "`, `Cannot access directory "`}
	// The warehouse's event tables are views of the lake, whose writes DuckDB's binder
	// refuses before the read-only check: what each refusal says, and the statement.
	duckViewWrite = map[string]string{
		"Can only update base table":               "UPDATE",
		"Can only delete from base table":          "DELETE",
		"is not an table":                          "INSERT",
		"can only create an index on a base table": "CREATE INDEX",
	}
)

// sandboxError turns DuckDB's refusal of a write (the warehouse is READ_ONLY), of a
// setting (lock_configuration) or of a path (external access) into a RefusedError,
// naming the statement as kind when DuckDB names the EXPLAIN that checked it. Other
// errors, and nil, it returns as they are.
func sandboxError(err error, kind string) error {
	if err == nil {
		return nil
	}
	msg := err.Error()
	if m := duckReadOnly.FindStringSubmatch(msg); m != nil {
		what := m[1]
		if kind != "" {
			what = kind
		}
		return refuse(what, writeInstead)
	}
	for says, what := range duckViewWrite {
		if strings.Contains(msg, says) {
			if kind != "" {
				what = kind
			}
			return refuse(what, writeInstead)
		}
	}
	if i := strings.Index(msg, duckLocked); i >= 0 {
		name, _, _ := strings.Cut(msg[i+len(duckLocked):], `"`)
		return refuse("SET "+name, settingInstead)
	}
	for _, p := range duckNoAccess {
		if i := strings.Index(msg, p); i >= 0 {
			path, _, _ := strings.Cut(msg[i+len(p):], `"`)
			return refuse("access to "+path, "hongbao's SQL reads only the warehouse, DIR/lake and what --allow-read names, and writes no files; to read it, add --allow-read "+
				allowReadHint(path)+", and to keep a result, run the query with 'hongbao sql -o FILE'")
		}
	}
	return err
}

// allowReadHint is the folder to name for a path, glob or not.
func allowReadHint(path string) string {
	if strings.ContainsAny(path, "*?[{") {
		dir := path
		for strings.ContainsAny(dir, "*?[{") {
			dir = filepath.Dir(dir)
		}
		return dir
	}
	return path
}
