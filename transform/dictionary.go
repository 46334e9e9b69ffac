package transform

//go:generate go test . -run TestWarehouseDoc -update

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/hongbao/hongbao/internal/sqlrows"
	"github.com/hongbao/hongbao/refdata"
)

// The kinds of warehouse table, in the order the dictionary lists them.
const (
	KindLake      = "lake"      // loaded from a lake folder, one row per event or quarantined message
	KindModel     = "model"     // built by a SQL model from other tables
	KindReference = "reference" // reference data shipped with hongbao (refdata)
	KindMeta      = "meta"      // about the warehouse itself
)

// ErrUnknownTable means a table name is not one of the warehouse's tables.
var ErrUnknownTable = errors.New("no such table")

// TableDoc describes one table or view of the warehouse.
type TableDoc struct {
	Name    string
	Kind    string // KindLake, KindModel, KindReference, KindMeta; empty when undocumented
	Source  string // where its rows come from: a lake folder, a model file, a reference file
	About   string // what one row is and what the table is for; empty when undocumented
	Columns []ColumnDoc
}

// ColumnDoc describes one column.
type ColumnDoc struct {
	Name  string
	Type  string // DuckDB type as the warehouse's catalog names it; empty in Dictionary()
	About string // empty when undocumented
}

// Summary is the first sentence of the table's description.
func (t TableDoc) Summary() string { return firstSentence(t.About) }

// tableNotes is the part of a TableDoc written here: what a lake table's row is, and the
// warehouse's own tables. The rest is written where each table is defined: a lake
// table's columns in the lake contract (ingest/lake) beside their types, a reference
// table's in package refdata beside its data (the warehouse gets them as COMMENTs),
// and a model's in the header of its SQL file. These are the only places the warehouse
// is described: 'hongbao sql --describe', the prompt's \d and docs/warehouse.md all
// read them, and TestDictionaryCoversWarehouse fails when a table or column of a
// refreshed warehouse has no description.
type tableNotes struct {
	kind    string
	source  string
	about   string
	columns map[string]string
}

var notes = map[string]tableNotes{
	"envelopes":     {kind: KindLake, about: "One row per envelope_sent event: a red envelope (红包) put into a chat, with the money in it and the number of people who can claim a share."},
	"grabs":         {kind: KindLake, about: "One row per envelope_grabbed event: a user opening an envelope, who either claimed a share or found it already empty (手慢了, 'too slow')."},
	"card_bindings": {kind: KindLake, about: "One row per card_bound event: a user trying to bind a bank card to WeChat Pay or Alipay, which is what withdrawing money or paying needs."},
	"withdrawals":   {kind: KindLake, about: "One row per withdrawal event: money moved from a user's wallet to a bound bank card."},
	"payments":      {kind: KindLake, about: "One row per payment event: a user paying for something with WeChat Pay or Alipay."},
	"links":         {kind: KindLake, about: "One row per link_shared event: a link posted in a chat. Fake-envelope links (phishing posing as a red envelope) are a risk the reports track."},
	"quarantine":    {kind: KindLake, about: "One row per Kafka message the ingester refused: not JSON, a missing or ill-typed field, an unknown type, a value out of range, a duplicate, a claim on an unknown envelope or one that overdraws its envelope. Nothing is dropped silently: every refused message is here with its raw bytes and the reason, until 'hongbao quarantine replay' lands it in its event table; a replayed message is left out of this table (it is in quarantine_replays and in its event table), so every message read is in exactly one table. The lake keeps its quarantine row."},
	replaysTable:    {kind: KindLake, about: "One row per quarantined message that 'hongbao quarantine replay' re-validated with the current rules and landed in its event table, where it keeps its Kafka partition and offset. Its quarantine row is left out of the quarantine table."},
	filesTable: {kind: KindMeta, source: "written by each 'hongbao transform'",
		about: "The lake files each table holds, so that a refresh loads only the files committed since the last one.",
		columns: map[string]string{
			"table_name": "The table the file was loaded into.",
			"file":       "The file, as <table>/<name>.parquet under DIR/lake.",
		}},
	metaTable: {kind: KindMeta, source: "written by each 'hongbao transform'",
		about: "One row per table the last refresh built, in build order: where it came from and how many rows it got. Its name starts with an underscore to keep it apart from the tables of the data.",
		columns: map[string]string{
			"ord":          "Build order, from 1.",
			"name":         "The table built.",
			"kind":         "'lake', 'reference' or 'model', as the sections of this document.",
			"source":       "Where its rows came from: lake/<table>, models/NN_name.sql, or a reference file.",
			"about":        "What one row is, in one sentence.",
			"lake_files":   "Lake files loaded; 0 for other kinds.",
			"lake_bytes":   "Total size of those files in bytes.",
			"row_count":    "Rows in the table after the refresh.",
			"sum_fen":      "For a lake table, the money its rows hold in fen (total_fen of envelopes, amount_fen of grabs, withdrawals and payments; 0 for the others), each file's checked against its commit marker; NULL for other kinds.",
			"refreshed_at": "When the refresh ran.",
		}},
}

// Dictionary returns the documented tables in the order the warehouse builds them: lake
// tables in load order, reference tables, models in build order, then the warehouse's
// own. Column types are filled only for lake tables, whose types the warehouse declares,
// and the columns of reference tables are left to their COMMENTs in the warehouse;
// Catalog reads both from a warehouse.
func Dictionary() []TableDoc {
	var docs []TableDoc
	for _, t := range lakeTables {
		d := TableDoc{Name: t.Name, Kind: KindLake, Source: "lake/" + t.Name + "/*.parquet", About: notes[t.Name].about}
		for _, c := range t.Columns { // described where the lake contract declares them
			d.Columns = append(d.Columns, ColumnDoc{Name: c.Name, Type: c.DuckDBType(), About: c.About})
		}
		docs = append(docs, d)
	}
	for _, t := range refdata.Tables() {
		n := notes[t.Name]
		about := n.about
		if about == "" {
			about = sentence(t.About)
		}
		docs = append(docs, withColumns(TableDoc{Name: t.Name, Kind: KindReference, Source: "refdata", About: about}, n))
	}
	models, _ := loadModels(modelFiles) // the embedded files load; TestModelsHaveHeaders
	for _, m := range models {
		d := TableDoc{Name: m.name, Kind: KindModel, Source: "transform/" + m.file, About: sentence(strings.TrimPrefix(m.header, m.name+": "))}
		for _, c := range m.columns { // described in the model's header, beside its query
			d.Columns = append(d.Columns, ColumnDoc{Name: c.Name, About: c.About})
		}
		docs = append(docs, d)
	}
	for _, name := range []string{metaTable, filesTable} {
		n := notes[name]
		docs = append(docs, withColumns(TableDoc{Name: name, Kind: KindMeta, Source: n.source, About: n.about}, n))
	}
	return docs
}

// sentence starts s with a capital and ends it with a full stop, as the descriptions
// written here are.
func sentence(s string) string {
	s = strings.TrimSpace(s)
	if s == "" {
		return ""
	}
	s = strings.ToUpper(s[:1]) + s[1:]
	if !strings.HasSuffix(s, ".") {
		s += "."
	}
	return s
}

// withColumns adds n's columns to d in name order; Catalog puts them in table order.
func withColumns(d TableDoc, n tableNotes) TableDoc {
	names := make([]string, 0, len(n.columns))
	for c := range n.columns {
		names = append(names, c)
	}
	slices.Sort(names)
	for _, c := range names {
		d.Columns = append(d.Columns, ColumnDoc{Name: c, About: n.columns[c]})
	}
	return d
}

// Catalog describes every table and view of the warehouse behind q: the names and
// types from DuckDB's catalog, the descriptions from Dictionary, or else from the
// COMMENTs in the catalog (which is how the reference tables describe their columns).
// Documented tables come first in Dictionary order, columns in table order; a table or
// column with no description has an empty About (and a table an empty Kind). Tables the
// dictionary knows but the warehouse lacks are left out.
func Catalog(ctx context.Context, q Queryer) ([]TableDoc, error) {
	byName := map[string]*TableDoc{}
	var found []string
	err := sqlrows.Each(ctx, q, `SELECT c.table_name, c.column_name, c.data_type, coalesce(c.comment, ''),
			coalesce(t.comment, v.comment, '')
		FROM duckdb_columns() c
		LEFT JOIN duckdb_tables() t USING (database_name, schema_name, table_name)
		LEFT JOIN duckdb_views() v ON v.database_name = c.database_name AND v.schema_name = c.schema_name
			AND v.view_name = c.table_name
		WHERE c.database_name = current_database() AND c.schema_name = 'main' AND NOT c.internal
		ORDER BY c.table_name, c.column_index`, nil, func(rows *sql.Rows) error {
		var table, column, typ, comment, tableComment string
		if err := rows.Scan(&table, &column, &typ, &comment, &tableComment); err != nil {
			return err
		}
		t := byName[table]
		if t == nil {
			t = &TableDoc{Name: table, About: sentence(tableComment)}
			byName[table] = t
			found = append(found, table)
		}
		t.Columns = append(t.Columns, ColumnDoc{Name: column, Type: typ, About: sentence(comment)})
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("read the warehouse catalog: %w", err)
	}
	var docs []TableDoc
	for _, d := range Dictionary() {
		t := byName[d.Name]
		if t == nil {
			continue
		}
		t.Kind, t.Source = d.Kind, d.Source
		if d.About != "" {
			t.About = d.About
		}
		for i, c := range t.Columns {
			if j := slices.IndexFunc(d.Columns, func(dc ColumnDoc) bool { return dc.Name == c.Name }); j >= 0 && d.Columns[j].About != "" {
				t.Columns[i].About = d.Columns[j].About
			}
		}
		docs = append(docs, *t)
		delete(byName, d.Name)
	}
	for _, name := range found { // undocumented, in name order
		if t := byName[name]; t != nil {
			docs = append(docs, *t)
		}
	}
	return docs, nil
}

// Undocumented is what a description shows where the dictionary has none.
const Undocumented = "(not documented yet: add it to transform/dictionary.go, or to the model's SQL header)"

// DescribeTable returns the description of one table of the warehouse behind q, or an
// error wrapping ErrUnknownTable that lists the tables there are.
func DescribeTable(ctx context.Context, q Queryer, name string) (TableDoc, error) {
	docs, err := Catalog(ctx, q)
	if err != nil {
		return TableDoc{}, err
	}
	var names []string
	for _, d := range docs {
		if strings.EqualFold(d.Name, name) {
			return d, nil
		}
		names = append(names, d.Name)
	}
	return TableDoc{}, fmt.Errorf("%w %q in the warehouse: the tables are %s", ErrUnknownTable, name, strings.Join(names, ", "))
}

// Heading is one line naming t, its kind and where its rows come from.
func (t TableDoc) Heading() string {
	var b strings.Builder
	b.WriteString(t.Name)
	if t.Kind != "" {
		b.WriteString(" (" + t.Kind + " table")
		if t.Source != "" {
			b.WriteString(", " + t.Source)
		}
		b.WriteString(")")
	}
	return b.String()
}

// kindTitles heads the sections of the warehouse document.
var kindTitles = map[string]string{
	KindLake:      "Lake tables",
	KindModel:     "Models",
	KindReference: "Reference tables",
	KindMeta:      "About the warehouse",
	"":            "Not documented yet",
}

// WriteDoc writes docs (from Catalog) as the Markdown of docs/warehouse.md.
func WriteDoc(w io.Writer, docs []TableDoc) error {
	var b strings.Builder
	b.WriteString(`# The warehouse

<!-- Generated by 'go generate ./transform' (or 'go test ./transform -run
TestWarehouseDoc -update') from transform/dictionary.go, the lake contract
(ingest/lake/schema.go), refdata and the models' SQL headers; edit those, not this
file. TestWarehouseDoc fails when they differ. -->

` + "`DIR/warehouse.duckdb`" + ` is a DuckDB file that 'hongbao transform' (and 'demo', 'ingest')
rebuilds in one transaction from the Parquet lake, the reference data and the SQL models.
Query it with 'hongbao sql' (read-only; without a query it opens a prompt, where
` + "`\\d TABLE`" + ` describes a table), with SQL notebooks ('hongbao notebook'), or with any
DuckDB client. Timestamps are TIMESTAMPTZ instants, shown in Beijing time
(Asia/Shanghai); money is integer fen (100 fen = 1 yuan). 'hongbao sql --describe
[TABLE]' prints the same descriptions.

| table | kind | one row is |
|---|---|---|
`)
	for _, d := range docs {
		fmt.Fprintf(&b, "| [%s](#%s) | %s | %s |\n", d.Name, anchor(d.Name), d.Kind, mdCell(OrUndocumented(d.Summary())))
	}
	kind := "-"
	for _, d := range docs {
		if d.Kind != kind {
			kind = d.Kind
			fmt.Fprintf(&b, "\n## %s\n", kindTitles[kind])
		}
		fmt.Fprintf(&b, "\n### %s\n\n", d.Name)
		if d.Source != "" {
			fmt.Fprintf(&b, "Source: `%s`.\n\n", d.Source)
		}
		b.WriteString(OrUndocumented(d.About) + "\n\n")
		b.WriteString("| column | type | meaning |\n|---|---|---|\n")
		for _, c := range d.Columns {
			fmt.Fprintf(&b, "| `%s` | %s | %s |\n", c.Name, c.Type, mdCell(OrUndocumented(c.About)))
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// OrUndocumented is s, or Undocumented when s is empty.
func OrUndocumented(s string) string {
	if s == "" {
		return Undocumented
	}
	return s
}

// anchor is the GitHub heading anchor of a table name.
func anchor(name string) string { return strings.ToLower(name) }

var mdCellEscaper = strings.NewReplacer("|", `\|`, "\n", " ")

func mdCell(s string) string { return mdCellEscaper.Replace(s) }
