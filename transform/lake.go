package transform

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/hongbao/hongbao/internal/datadir"
)

// column is one column of a lake table as the warehouse declares it.
type column struct {
	name string
	typ  string // DuckDB type
}

// lakeTable is one folder of the Parquet lake and the warehouse table loaded from it.
type lakeTable struct {
	name    string
	about   string // what one row is, for _hongbao_meta
	columns []column
}

// eventColumns wraps the type columns of an event table with the columns every event
// table shares: identity and time first, Kafka position last.
func eventColumns(typeColumns ...column) []column {
	cols := []column{{"event_id", "VARCHAR"}, {"ts", "TIMESTAMPTZ"}}
	cols = append(cols, typeColumns...)
	return append(cols, column{"kafka_partition", "INTEGER"}, column{"kafka_offset", "BIGINT"})
}

// lakeTables is the column contract with the ingester, in the order the warehouse loads
// and lists the tables.
var lakeTables = []lakeTable{
	{"envelopes", "one envelope_sent event", eventColumns(
		column{"envelope_id", "VARCHAR"}, column{"sender_id", "VARCHAR"}, column{"chat_id", "VARCHAR"},
		column{"kind", "VARCHAR"}, column{"total_fen", "BIGINT"}, column{"shares", "INTEGER"})},
	{"grabs", "one envelope_grabbed event (claimed or missed)", eventColumns(
		column{"envelope_id", "VARCHAR"}, column{"user_id", "VARCHAR"},
		column{"outcome", "VARCHAR"}, column{"amount_fen", "BIGINT"})},
	{"card_bindings", "one card_bound event", eventColumns(
		column{"user_id", "VARCHAR"}, column{"provider", "VARCHAR"},
		column{"bank_code", "VARCHAR"}, column{"outcome", "VARCHAR"})},
	{"withdrawals", "one withdrawal event", eventColumns(
		column{"user_id", "VARCHAR"}, column{"provider", "VARCHAR"},
		column{"bank_code", "VARCHAR"}, column{"amount_fen", "BIGINT"})},
	{"payments", "one payment event", eventColumns(
		column{"user_id", "VARCHAR"}, column{"provider", "VARCHAR"}, column{"scenario", "VARCHAR"},
		column{"amount_fen", "BIGINT"}, column{"bank_code", "VARCHAR"})},
	{"links", "one link_shared event", eventColumns(
		column{"user_id", "VARCHAR"}, column{"chat_id", "VARCHAR"}, column{"url", "VARCHAR"})},
	{"quarantine", "one Kafka message the ingester could not accept, with the reason", []column{
		{"kafka_topic", "VARCHAR"}, {"kafka_partition", "INTEGER"}, {"kafka_offset", "BIGINT"},
		{"kafka_key", "BLOB"}, {"kafka_ts", "TIMESTAMPTZ"}, {"raw", "BLOB"},
		{"reason", "VARCHAR"}, {"detail", "VARCHAR"}, {"ingested_at", "TIMESTAMPTZ"}}},
	{replaysTable, "one quarantined message that 'hongbao quarantine replay' landed in its event table", []column{
		{"kafka_topic", "VARCHAR"}, {"kafka_partition", "INTEGER"}, {"kafka_offset", "BIGINT"},
		{"reason", "VARCHAR"}, {"event_table", "VARCHAR"}, {"event_id", "VARCHAR"}, {"replayed_at", "TIMESTAMPTZ"}}},
}

// replaysTable is the replay log (lake.ReplaysTable): the quarantine rows it names are
// left out of the warehouse's quarantine table, since their messages are in an event
// table now.
const replaysTable = "quarantine_replays"

// LakeTables returns the names of the warehouse tables loaded from the lake, one per lake
// folder, in load order.
func LakeTables() []string {
	names := make([]string, len(lakeTables))
	for i, t := range lakeTables {
		names[i] = t.name
	}
	return names
}

// lakeFiles lists the finished Parquet files of one lake folder, sorted by name, and their
// total size. A missing folder is an empty table, not an error. Names starting with '.'
// or '_' are skipped: they are files still being written or tool metadata.
func lakeFiles(dir, table string) (files []string, bytes int64, err error) {
	folder := datadir.Dir(dir).LakeTable(table)
	entries, err := os.ReadDir(folder)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil, 0, nil
		}
		return nil, 0, fmt.Errorf("list lake folder %s: %w", folder, err)
	}
	for _, e := range entries {
		name := e.Name()
		if !e.Type().IsRegular() || !strings.HasSuffix(name, ".parquet") ||
			strings.HasPrefix(name, ".") || strings.HasPrefix(name, "_") {
			continue
		}
		info, err := e.Info()
		if err != nil {
			if errors.Is(err, fs.ErrNotExist) {
				continue // removed since ReadDir
			}
			return nil, 0, fmt.Errorf("stat lake file: %w", err)
		}
		files = append(files, filepath.Join(folder, name))
		bytes += info.Size()
	}
	sort.Strings(files)
	return files, bytes, nil
}

// createEmptySQL declares t with its contract columns and no rows.
func (t lakeTable) createEmptySQL() string {
	defs := make([]string, len(t.columns))
	for i, c := range t.columns {
		defs[i] = quoteIdent(c.name) + " " + c.typ
	}
	return fmt.Sprintf("CREATE OR REPLACE TABLE %s (%s)", quoteIdent(t.name), strings.Join(defs, ", "))
}

// loadSQL materializes t from the Parquet files, given the columns the files have (name →
// DuckDB type as DESCRIBE reports it). Each contract column is selected by name and cast
// to its declared type, so the table has the same shape whatever the writer chose; extra
// columns in the files are left out.
func (t lakeTable) loadSQL(files []string, have map[string]string) (string, error) {
	sel, err := t.selectSQL(files, have)
	if err != nil {
		return "", err
	}
	return "CREATE OR REPLACE TABLE " + quoteIdent(t.name) + " AS " + sel, nil
}

// appendSQL adds the rows of files to t, which must already have the contract columns.
func (t lakeTable) appendSQL(files []string, have map[string]string) (string, error) {
	sel, err := t.selectSQL(files, have)
	if err != nil {
		return "", err
	}
	return "INSERT INTO " + quoteIdent(t.name) + " " + sel, nil
}

// selectSQL reads files as t's contract columns, in order.
func (t lakeTable) selectSQL(files []string, have map[string]string) (string, error) {
	exprs := make([]string, len(t.columns))
	for i, c := range t.columns {
		got, ok := have[c.name]
		if !ok {
			return "", fmt.Errorf("%w: lake table %s has no column %s (%s); the ingester and the warehouse disagree on the schema",
				ErrLakeSchema, t.name, c.name, c.typ)
		}
		exprs[i] = columnExpr(c, got) + " AS " + quoteIdent(c.name)
	}
	return fmt.Sprintf("SELECT %s FROM %s", strings.Join(exprs, ", "), readParquetSQL(files)), nil
}

// matches reports whether a table's columns (name → DuckDB type, in any order) are
// exactly t's contract columns.
func (t lakeTable) matches(cols map[string]string) bool {
	if len(cols) != len(t.columns) {
		return false
	}
	for _, c := range t.columns {
		got := cols[c.name]
		if got != c.typ && !(c.typ == "TIMESTAMPTZ" && got == "TIMESTAMP WITH TIME ZONE") {
			return false
		}
	}
	return true
}

// columnExpr converts a file column to the declared type. A timestamp stored without a
// zone is taken as UTC, as the ingester writes it: a plain cast would read it in the
// session zone (Asia/Shanghai) and shift every event by eight hours.
func columnExpr(c column, got string) string {
	id := quoteIdent(c.name)
	switch {
	case got == c.typ || (c.typ == "TIMESTAMPTZ" && got == "TIMESTAMP WITH TIME ZONE"):
		return id
	case c.typ == "TIMESTAMPTZ" && strings.HasPrefix(got, "TIMESTAMP"):
		return fmt.Sprintf("timezone('UTC', CAST(%s AS TIMESTAMP))", id)
	default:
		return fmt.Sprintf("CAST(%s AS %s)", id, c.typ)
	}
}

// readParquetSQL is the table function reading files; union_by_name lets files written
// before and after a column was added load together.
func readParquetSQL(files []string) string {
	quoted := make([]string, len(files))
	for i, f := range files {
		quoted[i] = quoteString(filepath.ToSlash(f))
	}
	return fmt.Sprintf("read_parquet([%s], union_by_name = true)", strings.Join(quoted, ", "))
}

func quoteIdent(s string) string  { return QuoteIdent(s) }
func quoteString(s string) string { return QuoteString(s) }

// QuoteIdent quotes a DuckDB identifier.
func QuoteIdent(s string) string { return `"` + strings.ReplaceAll(s, `"`, `""`) + `"` }

// QuoteString quotes a DuckDB string literal.
func QuoteString(s string) string { return `'` + strings.ReplaceAll(s, `'`, `''`) + `'` }
