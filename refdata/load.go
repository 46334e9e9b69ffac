package refdata

import (
	"context"
	"database/sql"
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

type table struct {
	name, about string
	columns     []column
	rows        func(banks []Bank) [][]any
}

// tables are the reference tables, in load order. Columns are named so that no analyst
// has to quote one ("window" is an SQL keyword, hence window_en).
var tables = []table{
	{"banks", "one bank that issues debit cards: which provider can bind them and its assumed share of cards; rows ordered by share. The article reports only the counts (12 banks for WeChat Pay, nearly 180 for Alipay): which 12, and every share, are assumptions",
		[]column{
			{"code", "VARCHAR", "short ASCII code, the bank_code of card_bindings, withdrawals and payments"},
			{"name_zh", "VARCHAR", "name in Simplified Chinese"},
			{"name_en", "VARCHAR", "name in English"},
			{"kind", "VARCHAR", "state-owned, postal, joint-stock, city-commercial, rural or foreign"},
			{"wechat_pay", "BOOLEAN", "WeChat Pay could bind its cards in early 2014 (assumed: the article names none of the 12)"},
			{"alipay", "BOOLEAN", "Alipay could bind its cards in early 2014 (assumed)"},
			{"debit_card_share", "DOUBLE", "share of China's debit cards (assumed, rank-based); the column sums to 1"},
			{"card_share_source", "VARCHAR", "where debit_card_share comes from: always 'assumed'"},
		}, bankRows},
	{"payment_scenarios", "one payment scenario of WeChat Pay or Alipay and its assumed share of that provider's payments",
		[]column{
			{"provider", "VARCHAR", "wechat_pay or alipay"},
			{"code", "VARCHAR", "the scenario of payment events"},
			{"name_zh", "VARCHAR", "name in Simplified Chinese"},
			{"name_en", "VARCHAR", "name in English"},
			{"source", "VARCHAR", "reported if the article names it (five WeChat Pay scenarios and Alipay's hongbao_request), else assumed"},
			{"weight", "DOUBLE", "share of the provider's payments (assumed); sums to 1 per provider"},
		}, scenarioRows},
	{"mobile_payment_market", "one reported figure about China's mobile-payment market or its context; not derivable from event data",
		[]column{
			{"year", "INTEGER", "the year the figure is about"},
			{"metric", "VARCHAR", "what is measured"},
			{"unit", "VARCHAR", "unit of value"},
			{"value", "DOUBLE", "the reported number"},
			{"bound", "VARCHAR", "= as reported, > more than, ~ about"},
			{"is_forecast", "BOOLEAN", "a forecast, not a measurement"},
			{"source", "VARCHAR", "who reported it"},
			{"fact_id", "VARCHAR", "the fact in facts_reported"},
		}, marketRowsSQL},
	{"later_years", "one reported figure of a New Year's Eve after 2014 (WeChat's and Alipay's envelopes, peaks, people), for hindsight on the article's question; every value is reported, with where it was found, none is derivable from event data",
		[]column{
			{"eve", "DATE", "the Eve (除夕) the figure is about"},
			{"year", "INTEGER", "the year of that Eve"},
			{"platform", "VARCHAR", "wechat or alipay"},
			{"metric", "VARCHAR", "sent_and_received (envelopes sent plus received), peak_per_second, people, amount_yuan, ..."},
			{"value", "DOUBLE", "the reported number"},
			{"unit", "VARCHAR", "unit of value"},
			{"window_en", "VARCHAR", "the window the figure counts over: Eve, Eve to Day 5, ..."},
			{"label", "VARCHAR", "always 'reported'"},
			{"source", "VARCHAR", "where the figure was found (as reported by)"},
			{"note_en", "VARCHAR", "what to know about it, English"},
			{"note_zh", "VARCHAR", "what to know about it, Chinese"},
		}, laterYearRows},
	{"facts_reported", "one statistic the 2014 source article reports, with its source quote and the reading hongbao takes of it",
		[]column{
			{"ord", "INTEGER", "position in the facts table"},
			{"id", "VARCHAR", "the fact's name, as reports and tests use it"},
			{"kind", "VARCHAR", "event (recomputed from event data), market (cited as reported), rule (yes/no rule or risk) or date"},
			{"value", "DOUBLE", "the reported number; 1 for yes; 0 for a date or a range in words"},
			{"bound", "VARCHAR", "= as reported, > more than, ~ about, range"},
			{"display", "VARCHAR", "the value as reported"},
			{"display_zh", "VARCHAR", "the value as reported, in Chinese"},
			{"unit", "VARCHAR", "unit, English"},
			{"unit_zh", "VARCHAR", "unit, Chinese"},
			{"quote_zh", "VARCHAR", "the short source quote, Traditional Chinese as in the article"},
			{"gloss_en", "VARCHAR", "an English gloss of the quote"},
			{"source", "VARCHAR", "who reported it, English"},
			{"source_zh", "VARCHAR", "who reported it, Chinese"},
			{"window_en", "VARCHAR", "the time window or meaning, English"},
			{"window_zh", "VARCHAR", "the time window or meaning, Chinese"},
			{"interpretation_en", "VARCHAR", "the reading hongbao takes, English"},
			{"interpretation_zh", "VARCHAR", "the reading hongbao takes, Chinese"},
			{"title_en", "VARCHAR", "short name, English"},
			{"title_zh", "VARCHAR", "short name, Chinese"},
			{"notes", "INTEGER[]", "ids of the facts_notes the reading rests on"},
		}, factRows},
	{"facts_corroboration", "one record beside the article that corroborates or contradicts a figure of facts_reported (Tencent/Tenpay's release, later press, official market figures), with the readings of the 2014 figures it supports",
		[]column{
			{"fact_id", "VARCHAR", "the figure in facts_reported"},
			{"value", "VARCHAR", "what the record says, as it says it"},
			{"source", "VARCHAR", "where it was found (as reported by)"},
			{"published", "VARCHAR", "when it was published, as precisely as known"},
			{"note_en", "VARCHAR", "what it means for the figure, English"},
			{"note_zh", "VARCHAR", "what it means for the figure, Chinese"},
			{"supports", "VARCHAR[]", "the readings it agrees with (B is the default world's); empty: it contradicts the figure as hongbao reads it"},
		}, corroborationRows},
	{"facts_notes", "one consistency note: how reported figures that seem to disagree hold together",
		[]column{
			{"id", "INTEGER", "note number, as cited in facts_reported.notes"},
			{"title_en", "VARCHAR", "title, English"},
			{"title_zh", "VARCHAR", "title, Chinese"},
			{"text_en", "VARCHAR", "the note, English"},
			{"text_zh", "VARCHAR", "the note, Chinese"},
		}, noteRows},
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
