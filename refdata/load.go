package refdata

import (
	"bytes"
	"context"
	"database/sql"
	_ "embed"
	"encoding/json"
	"fmt"
	"strings"
)

// Table is one warehouse table Load builds.
type Table struct {
	Name  string // table name
	About string // what one row is, as in the table's COMMENT
}

// column is one column of a reference table and its COMMENT.
type column struct{ name, typ, about string }

func (c *column) UnmarshalJSON(b []byte) error {
	var v [3]string
	if err := json.Unmarshal(b, &v); err != nil {
		return fmt.Errorf("a column is [name, type, comment]: %w", err)
	}
	c.name, c.typ, c.about = v[0], v[1], v[2]
	return nil
}

type table struct {
	name, about string
	columns     []column
	rows        func(banks []Bank) [][]any
}

// tables.json declares the reference tables, in load order, with their comments.
//
//go:embed tables.json
var tablesJSON []byte

// tableRows gives the rows of each table of tables.json, from the embedded data.
var tableRows = map[string]func(banks []Bank) [][]any{
	"banks":                 bankRows,
	"payment_scenarios":     scenarioRows,
	"mobile_payment_market": marketRowsSQL,
	"later_years":           laterYearRows,
	"facts_reported":        factRows,
	"facts_corroboration":   corroborationRows,
	"facts_notes":           noteRows,
}

// tables are the reference tables, in load order.
var tables = mustParseTables(tablesJSON)

// mustParseTables reads tables.json; it is embedded, so a mistake in it is a
// programming error, which every test of the package catches.
func mustParseTables(b []byte) []table {
	var doc struct {
		About  string `json:"about"`
		Tables []struct {
			Name    string   `json:"name"`
			About   string   `json:"about"`
			Columns []column `json:"columns"`
		} `json:"tables"`
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&doc); err != nil {
		panic("refdata: tables.json: " + err.Error())
	}
	out := make([]table, len(doc.Tables))
	for i, t := range doc.Tables {
		rows, ok := tableRows[t.Name]
		if !ok {
			panic("refdata: tables.json: no rows for table " + t.Name)
		}
		out[i] = table{name: t.Name, about: t.About, columns: t.Columns, rows: rows}
	}
	if len(out) != len(tableRows) {
		panic(fmt.Sprintf("refdata: tables.json declares %d tables, load.go has rows for %d", len(out), len(tableRows)))
	}
	return out
}

// Tables lists the tables Load builds, in load order.
func Tables() []Table {
	out := make([]Table, len(tables))
	for i, t := range tables {
		out[i] = Table{Name: t.name, About: t.about}
	}
	return out
}

// Load (re)creates the reference tables in the warehouse from the embedded data, inside
// the caller's transaction. It replaces whatever tables of those names exist.
func Load(ctx context.Context, tx *sql.Tx) error {
	return LoadWith(ctx, tx, nil)
}

// LoadWith is Load with a bank table of the caller's, such as one read with ParseBanks;
// nil banks means the embedded table.
func LoadWith(ctx context.Context, tx *sql.Tx, banks []Bank) error {
	if banks == nil {
		banks = Banks()
	}
	for _, t := range tables {
		if err := t.load(ctx, tx, t.rows(banks)); err != nil {
			return fmt.Errorf("load reference table %s: %w", t.name, err)
		}
	}
	return nil
}

func (t table) load(ctx context.Context, tx *sql.Tx, rows [][]any) error {
	var ddl strings.Builder
	cols := make([]string, len(t.columns))
	for i, c := range t.columns {
		cols[i] = c.name + " " + c.typ
	}
	fmt.Fprintf(&ddl, "CREATE OR REPLACE TABLE %s (%s);\n", t.name, strings.Join(cols, ", "))
	fmt.Fprintf(&ddl, "COMMENT ON TABLE %s IS %s;\n", t.name, sqlString(t.about))
	for _, c := range t.columns {
		fmt.Fprintf(&ddl, "COMMENT ON COLUMN %s.%s IS %s;\n", t.name, c.name, sqlString(c.about))
	}
	if _, err := tx.ExecContext(ctx, ddl.String()); err != nil {
		return err
	}
	if len(rows) == 0 {
		return nil
	}
	// One multi-row INSERT: a statement per row would cost a round trip each.
	tuple := "(" + strings.TrimSuffix(strings.Repeat("?, ", len(t.columns)), ", ") + ")"
	args := make([]any, 0, len(rows)*len(t.columns))
	for _, r := range rows {
		if len(r) != len(t.columns) {
			return fmt.Errorf("row has %d values for %d columns", len(r), len(t.columns))
		}
		args = append(args, r...)
	}
	q := "INSERT INTO " + t.name + " VALUES " + strings.TrimSuffix(strings.Repeat(tuple+", ", len(rows)), ", ")
	_, err := tx.ExecContext(ctx, q, args...)
	return err
}

func sqlString(s string) string { return "'" + strings.ReplaceAll(s, "'", "''") + "'" }

// rowsOf is the table rows of xs, one each, in order.
func rowsOf[T any](xs []T, row func(i int, x T) []any) [][]any {
	rows := make([][]any, len(xs))
	for i, x := range xs {
		rows[i] = row(i, x)
	}
	return rows
}

func bankRows(banks []Bank) [][]any {
	return rowsOf(banks, func(_ int, b Bank) []any {
		return []any{b.Code, b.NameZH, b.NameEN, b.Kind, b.WeChatPay, b.Alipay, b.DebitCardShare, SourceAssumed}
	})
}

func scenarioRows([]Bank) [][]any {
	return rowsOf(Scenarios(), func(_ int, s Scenario) []any {
		return []any{s.Provider, s.Code, s.NameZH, s.NameEN, s.Source, s.Weight}
	})
}

func marketRowsSQL([]Bank) [][]any {
	return rowsOf(Market(), func(_ int, m MarketFigure) []any {
		return []any{int32(m.Year), m.Metric, m.Unit, m.Value, m.Bound, m.Forecast, m.Source, m.FactID}
	})
}

func laterYearRows([]Bank) [][]any {
	return rowsOf(LaterYears(), func(_ int, y LaterYear) []any {
		return []any{y.Eve, int32(y.Eve.Year()), y.Platform, y.Metric, y.Value, y.Unit, y.Window, SourceReported, y.Source, y.NoteEN, y.NoteZH}
	})
}

func factRows([]Bank) [][]any {
	return rowsOf(Facts(), func(i int, f Fact) []any {
		notes := make([]int32, len(f.Notes))
		for j, n := range f.Notes {
			notes[j] = int32(n)
		}
		return []any{int32(i + 1), f.ID, string(f.Kind), f.Value, f.Bound, f.Display, f.DisplayZH,
			f.Unit, f.UnitZH, f.QuoteZH, f.GlossEN, f.Source, f.SourceZH, f.Window, f.WindowZH,
			f.Interpretation, f.InterpretationZH, f.TitleEN, f.TitleZH, notes}
	})
}

func corroborationRows([]Bank) [][]any {
	var rows [][]any
	for _, f := range Facts() {
		for _, rc := range f.Corroboration {
			rows = append(rows, []any{f.ID, rc.Value, rc.Source, rc.Date, rc.Note, rc.NoteZH, append([]string{}, rc.Supports...)})
		}
	}
	return rows
}

func noteRows([]Bank) [][]any {
	return rowsOf(Notes(), func(_ int, n Note) []any {
		return []any{int32(n.ID), n.TitleEN, n.TitleZH, n.TextEN, n.TextZH}
	})
}
