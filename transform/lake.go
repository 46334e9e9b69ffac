package transform

import (
	"context"
	"database/sql"
	"fmt"
	"path/filepath"
	"slices"
	"strings"

	"github.com/hongbao/hongbao/ingest/lake"
	"github.com/hongbao/hongbao/ingest/quarantine"
	"github.com/hongbao/hongbao/internal/sqlrows"
)

// lakeTable is one table of the lake contract (ingest/lake), as the warehouse loads it:
// a warehouse table with the contract's columns, declared with their DuckDB types.
type lakeTable struct{ lake.Table }

// lakeTables are the lake's tables, in the order the warehouse loads and lists them.
var lakeTables = func() []lakeTable {
	var ts []lakeTable
	for _, t := range lake.Contract() {
		ts = append(ts, lakeTable{t})
	}
	return ts
}()

// replaysTable is the replay log (lake.ReplaysTable): the quarantine rows it names are
// left out of the warehouse's quarantine table, since their messages are in an event
// table now.
const replaysTable = lake.ReplaysTable

// LakeTables returns the names of the warehouse tables loaded from the lake, one per lake
// folder, in load order.
func LakeTables() []string {
	names := make([]string, len(lakeTables))
	for i, t := range lakeTables {
		names[i] = t.Name
	}
	return names
}

// createEmptySQL declares t with its contract columns and no rows.
func (t lakeTable) createEmptySQL() string {
	defs := make([]string, len(t.Columns))
	for i, c := range t.Columns {
		defs[i] = quoteIdent(c.Name) + " " + c.DuckDBType()
	}
	return fmt.Sprintf("CREATE OR REPLACE TABLE %s (%s)", quoteIdent(t.Name), strings.Join(defs, ", "))
}

// loadSQL materializes t from the Parquet files, given the columns the files have (name →
// DuckDB type as DESCRIBE reports it). Each contract column is selected by name and cast
// to its declared type, so the table has the same shape whatever the writer chose.
// (checkExtraColumns refuses files with a column the contract lacks before.)
func (t lakeTable) loadSQL(files []string, have map[string]string) (string, error) {
	sel, err := t.selectSQL(files, have)
	if err != nil {
		return "", err
	}
	return "CREATE OR REPLACE TABLE " + quoteIdent(t.Name) + " AS " + sel, nil
}

// appendSQL adds the rows of files to t, which must already have the contract columns.
func (t lakeTable) appendSQL(files []string, have map[string]string) (string, error) {
	sel, err := t.selectSQL(files, have)
	if err != nil {
		return "", err
	}
	return "INSERT INTO " + quoteIdent(t.Name) + " " + sel, nil
}

// selectSQL reads files as t's contract columns, in order.
func (t lakeTable) selectSQL(files []string, have map[string]string) (string, error) {
	exprs := make([]string, len(t.Columns))
	for i, c := range t.Columns {
		got, ok := have[c.Name]
		if !ok {
			return "", fmt.Errorf("%w: lake table %s has no column %s (%s); the ingester and the warehouse disagree on the schema",
				ErrLakeSchema, t.Name, c.Name, c.DuckDBType())
		}
		exprs[i] = columnExpr(c.Name, c.DuckDBType(), got) + " AS " + quoteIdent(c.Name)
	}
	return fmt.Sprintf("SELECT %s FROM %s", strings.Join(exprs, ", "), readParquetSQL(files)), nil
}

// materialized reports whether the warehouse copies t rather than reading its files in
// place: the quarantine, from which a refresh deletes the replayed messages, and the
// replay log that says which. Both are small; the event tables are views of the lake.
func (t lakeTable) materialized() bool { return t.Name == "quarantine" || t.Name == replaysTable }

// viewSQL makes t a view of files, given the columns the files have (name → DuckDB
// type), with the contract's columns in order; without files, an empty view of them.
// The files are named by absolute path: DuckDB would read a relative one from the
// directory of the process querying the view.
func (t lakeTable) viewSQL(files []string, have map[string]string) (string, error) {
	head := "CREATE OR REPLACE VIEW " + quoteIdent(t.Name) + " AS "
	if len(files) == 0 {
		exprs := make([]string, len(t.Columns))
		for i, c := range t.Columns {
			exprs[i] = "CAST(NULL AS " + c.DuckDBType() + ") AS " + quoteIdent(c.Name)
		}
		return head + "SELECT " + strings.Join(exprs, ", ") + " WHERE false", nil
	}
	abs := make([]string, len(files))
	for i, f := range files {
		a, err := filepath.Abs(f)
		if err != nil {
			return "", fmt.Errorf("lake file %s: %w", f, err)
		}
		abs[i] = a
	}
	sel, err := t.selectSQL(abs, have)
	if err != nil {
		return "", err
	}
	return head + sel, nil
}

// checkFiles compares the rows and money of each file with what its commit marker
// says, and reads every value of every column of the files without a checksum they
// still match (lake.CommittedFile.Unchanged), so that a file DuckDB cannot read fails
// here, as a lakeLoadError, and not in an analyst's query. A difference is an error
// naming the file, with both numbers.
func (t lakeTable) checkFiles(ctx context.Context, tx *sql.Tx, files []lake.CommittedFile) error {
	paths := make([]string, len(files))
	for i, f := range files {
		paths[i] = f.Path
	}
	byFile, err := t.sums(ctx, tx, readParquetSQL(paths, "filename = true"), "filename")
	if err == nil {
		if unchecked := uncheckedFiles(files); len(unchecked) > 0 {
			err = quarantine.ProbeFiles(ctx, tx, unchecked)
		}
	}
	if err != nil {
		return &lakeLoadError{table: t.Name, files: paths, err: err}
	}
	return t.compareFiles(byFile, files)
}

// uncheckedFiles returns the paths of the files whose bytes do not match a checksum of
// their marker: those that must be read value by value.
func uncheckedFiles(files []lake.CommittedFile) []string {
	var out []string
	buf := make([]byte, 1<<20)
	for _, f := range files {
		if !f.Unchanged(buf) {
			out = append(out, f.Path)
		}
	}
	if probedHook != nil {
		probedHook(out)
	}
	return out
}

// probedHook, set by tests only, is told which new lake files a refresh reads value by
// value.
var probedHook func(paths []string)

// compareFiles returns an ErrLakeMismatch naming the first file whose rows or money
// (byFile, by path) differ from what its commit marker says, with both numbers.
func (t lakeTable) compareFiles(byFile map[string]lakeSums, files []lake.CommittedFile) error {
	for _, f := range files {
		got := byFile[filepath.ToSlash(f.Path)]
		switch {
		case got.rows != f.Rows:
			return fmt.Errorf("%w: lake file %s holds %d rows, but its commit marker %s says %d",
				ErrLakeMismatch, f.Path, got.rows, f.Marker, f.Rows)
		case got.fen != f.SumFen:
			return fmt.Errorf("%w: lake file %s holds %d fen in %s, but its commit marker %s says %d",
				ErrLakeMismatch, f.Path, got.fen, t.MoneyColumn, f.Marker, f.SumFen)
		}
	}
	return nil
}

// matches reports whether a table's columns (name → DuckDB type, in any order) are
// exactly t's contract columns.
func (t lakeTable) matches(cols map[string]string) bool {
	if len(cols) != len(t.Columns) {
		return false
	}
	for _, c := range t.Columns {
		got, want := cols[c.Name], c.DuckDBType()
		if got != want && !(want == "TIMESTAMPTZ" && got == "TIMESTAMP WITH TIME ZONE") {
			return false
		}
	}
	return true
}

// checkExtraColumns refuses lake files with a column the contract lacks, given the
// columns the files have (name → DuckDB type): the warehouse would leave it out, and
// the data in it, without a word. The error names the files that have one.
func (t lakeTable) checkExtraColumns(ctx context.Context, tx *sql.Tx, files []string, have map[string]string) error {
	var extra []string
	for name := range have {
		if _, ok := t.Column(name); !ok {
			extra = append(extra, name)
		}
	}
	if len(extra) == 0 {
		return nil
	}
	slices.Sort(extra)
	quoted := make([]string, len(extra))
	for i, name := range extra {
		quoted[i] = quoteString(name)
		extra[i] = name + " (" + have[name] + ")"
	}
	var at []string
	err := sqlrows.Each(ctx, tx, "SELECT DISTINCT file_name FROM parquet_schema("+fileList(files)+
		") WHERE name IN ("+strings.Join(quoted, ", ")+") ORDER BY file_name", nil, func(rows *sql.Rows) error {
		var f string
		err := rows.Scan(&f)
		at = append(at, filepath.FromSlash(f))
		return err
	})
	if err != nil {
		return fmt.Errorf("read Parquet schema: %w", err)
	}
	what := "a column "
	if len(extra) > 1 {
		what = "columns "
	}
	return fmt.Errorf("%w: lake table %s: %s has %s%s, which the lake contract lacks and the warehouse would leave out; another version of hongbao wrote it: refresh the warehouse with that version",
		ErrLakeSchema, t.Name, strings.Join(at, ", "), what, strings.Join(extra, ", "))
}

// checkLoaded compares what loading files added to t (its rows and money, before the
// load and after) with what the files' commit markers say, and returns t's rows and
// money. A difference is an error naming the file whose rows differ from its marker's,
// with both numbers.
func (t lakeTable) checkLoaded(ctx context.Context, tx *sql.Tx, files []lake.CommittedFile, before lakeSums) (lakeSums, error) {
	var want lakeSums
	for _, f := range files {
		want.add(f)
	}
	after, err := t.total(ctx, tx)
	if err != nil {
		return lakeSums{}, err
	}
	got := lakeSums{after.rows - before.rows, after.fen - before.fen}
	if got == want {
		return after, nil
	}
	paths := make([]string, len(files))
	for i, f := range files {
		paths[i] = f.Path
	}
	byFile, err := t.sums(ctx, tx, readParquetSQL(paths, "filename = true"), "filename")
	if err != nil {
		return lakeSums{}, fmt.Errorf("%w: table %s: %v", ErrLakeMismatch, t.Name, err)
	}
	if err := t.compareFiles(byFile, files); err != nil {
		return lakeSums{}, err
	}
	return lakeSums{}, fmt.Errorf("%w: table %s got %d rows and %d fen from its %d new lake files, but their commit markers say %d rows and %d fen",
		ErrLakeMismatch, t.Name, got.rows, got.fen, len(files), want.rows, want.fen)
}

// lakeSums is a count of rows and the sum of the money column (0 for a table without).
type lakeSums struct{ rows, fen int64 }

// add counts f's rows and money as its commit marker records them.
func (s *lakeSums) add(f lake.CommittedFile) {
	s.rows += f.Rows
	s.fen += f.SumFen
}

// total is t's rows and money in the warehouse.
func (t lakeTable) total(ctx context.Context, tx *sql.Tx) (lakeSums, error) {
	s, err := t.sums(ctx, tx, quoteIdent(t.Name), "")
	if err != nil {
		return lakeSums{}, fmt.Errorf("count rows of %s: %w", t.Name, err)
	}
	return s[""], nil
}

// sums counts the rows of from and sums t's money column, by the values of column by,
// or in one total under the key "" when by is "".
func (t lakeTable) sums(ctx context.Context, tx *sql.Tx, from, by string) (map[string]lakeSums, error) {
	key, fen, group := "''", "0", ""
	if by != "" {
		key, group = quoteIdent(by), " GROUP BY ALL"
	}
	if t.MoneyColumn != "" {
		fen = "CAST(coalesce(sum(" + quoteIdent(t.MoneyColumn) + "), 0) AS BIGINT)"
	}
	out := map[string]lakeSums{}
	err := sqlrows.Each(ctx, tx, "SELECT "+key+", count(*), "+fen+" FROM "+from+group, nil, func(rows *sql.Rows) error {
		var k string
		var s lakeSums
		err := rows.Scan(&k, &s.rows, &s.fen)
		out[k] = s
		return err
	})
	return out, err
}

// columnExpr converts a file column to the declared type. A timestamp stored without a
// zone is taken as UTC, as the ingester writes it: a plain cast would read it in the
// session zone (Asia/Shanghai) and shift every event by eight hours.
func columnExpr(name, typ, got string) string {
	id := quoteIdent(name)
	switch {
	case got == typ || (typ == "TIMESTAMPTZ" && got == "TIMESTAMP WITH TIME ZONE"):
		return id
	case typ == "TIMESTAMPTZ" && strings.HasPrefix(got, "TIMESTAMP"):
		return fmt.Sprintf("timezone('UTC', CAST(%s AS TIMESTAMP))", id)
	default:
		return fmt.Sprintf("CAST(%s AS %s)", id, typ)
	}
}

// readParquetSQL is the table function reading files, with options added;
// union_by_name lets files written before and after a column was added load together.
func readParquetSQL(files []string, options ...string) string {
	return fmt.Sprintf("read_parquet(%s, %s)", fileList(files), strings.Join(append([]string{"union_by_name = true"}, options...), ", "))
}

// fileList is files as a DuckDB list of strings.
func fileList(files []string) string {
	quoted := make([]string, len(files))
	for i, f := range files {
		quoted[i] = quoteString(filepath.ToSlash(f))
	}
	return "[" + strings.Join(quoted, ", ") + "]"
}

func quoteIdent(s string) string  { return QuoteIdent(s) }
func quoteString(s string) string { return QuoteString(s) }

// QuoteIdent quotes a DuckDB identifier.
func QuoteIdent(s string) string { return `"` + strings.ReplaceAll(s, `"`, `""`) + `"` }

// QuoteString quotes a DuckDB string literal.
func QuoteString(s string) string { return `'` + strings.ReplaceAll(s, `'`, `''`) + `'` }
