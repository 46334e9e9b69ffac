package lake

import (
	"fmt"
	"slices"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/hongbao/hongbao/ingest/events"
)

// The lake contract: every table of the lake, what one row of it is, its columns with
// the Arrow type the writer builds (and Parquet stores), the DuckDB type a reader gets
// and, for an event table's own columns, the event field the writer reads, and the
// money column whose sum each commit marker records. The writer, the
// markers and the quarantine tools here, and the warehouse, its data dictionary and the
// reports above, all take the tables from it; no other package lists them.

// Column is one column of a lake table.
type Column struct {
	Name string
	// Type is the Arrow type the writer builds and Parquet stores.
	Type arrow.DataType
	// Nullable is whether the column may hold nulls.
	Nullable bool
	// About says what the column holds, as a sentence of the data dictionary.
	About string

	// text or number reads one of an event table's own columns from the event the row
	// is written for; number's second result is false where the value is NULL. The
	// columns every event table frames (see eventTable), the quarantine's and the
	// replay log's have neither: their writers fill them from what they are given.
	text   func(*events.Event) string
	number func(*events.Event) (int64, bool)
}

// DuckDBType is the DuckDB type of the column: the type DuckDB reads its Parquet
// column as, and the type the warehouse declares it with.
func (c Column) DuckDBType() string { return DuckDBType(c.Type) }

// DuckDBType is the DuckDB type an Arrow type of the lake reads as: a string is
// VARCHAR, bytes BLOB, int32 INTEGER, int64 BIGINT, and a timestamp of an instant
// (Parquet's isAdjustedToUTC) TIMESTAMPTZ. It panics on a type no lake column has.
func DuckDBType(t arrow.DataType) string {
	switch t := t.(type) {
	case *arrow.StringType:
		return "VARCHAR"
	case *arrow.BinaryType:
		return "BLOB"
	case *arrow.Int32Type:
		return "INTEGER"
	case *arrow.Int64Type:
		return "BIGINT"
	case *arrow.TimestampType:
		if t.TimeZone == "" {
			return "TIMESTAMP"
		}
		return "TIMESTAMPTZ"
	}
	panic(fmt.Sprintf("lake: no DuckDB type for Arrow type %s", t))
}

// Table is the contract of one lake table: the folder DIR/lake/<Name> of Parquet files,
// and the warehouse table loaded from it.
type Table struct {
	Name string
	// Row says what one row is, in a few words ("one envelope_sent event").
	Row string
	// Event is the event type an event table holds; empty for the quarantine and the
	// replay log.
	Event events.Type
	// MoneyColumn names the column of an event table that holds money, in fen, whose
	// sum each commit marker records (CommitFile.SumFen); empty for a table without
	// money.
	MoneyColumn string
	// Columns are the table's columns, in file order.
	Columns []Column

	schema *arrow.Schema
}

// Schema is the Arrow schema of the table's files.
func (t Table) Schema() *arrow.Schema { return t.schema }

// Column returns the table's column of that name, and whether it has one.
func (t Table) Column(name string) (Column, bool) {
	i := slices.IndexFunc(t.Columns, func(c Column) bool { return c.Name == name })
	if i < 0 {
		return Column{}, false
	}
	return t.Columns[i], true
}

// TimestampType is the Arrow type of every timestamp column: microseconds, UTC, which
// Parquet stores as TIMESTAMP(MICROS, isAdjustedToUTC=true) and DuckDB reads as
// TIMESTAMPTZ.
var TimestampType = &arrow.TimestampType{Unit: arrow.Microsecond, TimeZone: "UTC"}

func str(name, about string) Column {
	return Column{Name: name, Type: arrow.BinaryTypes.String, About: about}
}
func i64(name, about string) Column {
	return Column{Name: name, Type: arrow.PrimitiveTypes.Int64, About: about}
}
func i32(name, about string) Column {
	return Column{Name: name, Type: arrow.PrimitiveTypes.Int32, About: about}
}
func ts(name, about string) Column { return Column{Name: name, Type: TimestampType, About: about} }

// textOf, int64Of and int32Of are an event table's own columns, read from the event.
func textOf(name, about string, get func(*events.Event) string) Column {
	c := str(name, about)
	c.text = get
	return c
}
func int64Of(name, about string, get func(*events.Event) int64) Column {
	c := i64(name, about)
	c.number = func(e *events.Event) (int64, bool) { return get(e), true }
	return c
}
func int32Of(name, about string, get func(*events.Event) int32) Column {
	c := i32(name, about)
	c.number = func(e *events.Event) (int64, bool) { return int64(get(e)), true }
	return c
}

// eventTable frames an event type's own columns with the columns every event table
// has: identity and time first, Kafka position last.
func eventTable(typ events.Type, about, money string, cols ...Column) Table {
	all := []Column{
		str("event_id", "The event's unique id, as the producer set it."),
		ts("ts", "When the event happened: an instant, shown in Beijing time (Asia/Shanghai, UTC+8)."),
	}
	all = append(all, cols...)
	all = append(all,
		i32("kafka_partition", "The Kafka partition the event was read from."),
		i64("kafka_offset", "The event's offset in that partition; with kafka_partition it says exactly which message this row came from."))
	return Table{Name: typ.Table(), Row: about, Event: typ, MoneyColumn: money, Columns: all}
}

const providerAbout = "'wechat_pay' or 'alipay'."

// contract is every lake table: the event tables in the order of events.Types, then
// the quarantine (the tables the ingester writes, indexed by tEnvelopes ... tQuarantine),
// then the replay log.
var contract = func() []Table {
	nullable := func(c Column) Column { c.Nullable = true; return c }
	type ev = events.Event
	tables := []Table{
		eventTable(events.EnvelopeSent, "one envelope_sent event", "total_fen",
			textOf("envelope_id", "The envelope; grabs.envelope_id refers to it.", func(e *ev) string { return e.EnvelopeID }),
			textOf("sender_id", "The user who sent it.", func(e *ev) string { return e.SenderID }),
			textOf("chat_id", "The chat it was sent to: a group or a one-to-one chat.", func(e *ev) string { return e.ChatID }),
			textOf("kind", "'lucky' (拼手气: the total is split at random among the shares) or 'fixed' (every share is the same).", func(e *ev) string { return e.Kind }),
			int64Of("total_fen", "The money put in, in fen (100 fen = 1 yuan).", func(e *ev) int64 { return e.TotalFen }),
			int32Of("shares", "How many people can claim a share.", func(e *ev) int32 { return e.Shares })),
		eventTable(events.EnvelopeGrabbed, "one envelope_grabbed event (claimed or missed)", "amount_fen",
			textOf("envelope_id", "The envelope opened (envelopes.envelope_id).", func(e *ev) string { return e.EnvelopeID }),
			textOf("user_id", "The user who opened it.", func(e *ev) string { return e.UserID }),
			textOf("outcome", "'claimed' (got a share) or 'missed' (every share was already taken).", func(e *ev) string { return e.Outcome }),
			Column{Name: "amount_fen", Type: arrow.PrimitiveTypes.Int64, Nullable: true, About: "The share claimed, in fen; NULL when missed.",
				number: func(e *ev) (int64, bool) { return e.AmountFen, e.Outcome != events.OutcomeMissed }}),
		eventTable(events.CardBound, "one card_bound event", "",
			textOf("user_id", "The user binding a card.", func(e *ev) string { return e.UserID }),
			textOf("provider", providerAbout, func(e *ev) string { return e.Provider }),
			textOf("bank_code", "The bank that issued the card (banks.code).", func(e *ev) string { return e.BankCode }),
			textOf("outcome", "'ok', or 'bank_not_supported' when the provider cannot bind cards of that bank.", func(e *ev) string { return e.Outcome })),
		eventTable(events.Withdrawal, "one withdrawal event", "amount_fen",
			textOf("user_id", "The user withdrawing.", func(e *ev) string { return e.UserID }),
			textOf("provider", providerAbout, func(e *ev) string { return e.Provider }),
			textOf("bank_code", "The bank of the card the money went to (banks.code).", func(e *ev) string { return e.BankCode }),
			int64Of("amount_fen", "The amount withdrawn, in fen.", func(e *ev) int64 { return e.AmountFen })),
		eventTable(events.Payment, "one payment event", "amount_fen",
			textOf("user_id", "The user paying.", func(e *ev) string { return e.UserID }),
			textOf("provider", providerAbout, func(e *ev) string { return e.Provider }),
			textOf("scenario", "What was paid for: a scenario code such as mobile_topup or taxi (payment_scenarios.code).", func(e *ev) string { return e.Scenario }),
			int64Of("amount_fen", "The amount paid, in fen.", func(e *ev) int64 { return e.AmountFen }),
			textOf("bank_code", "The bank of the card paid with (banks.code).", func(e *ev) string { return e.BankCode })),
		eventTable(events.LinkShared, "one link_shared event", "",
			textOf("user_id", "The user who shared the link.", func(e *ev) string { return e.UserID }),
			textOf("chat_id", "The chat it was shared in.", func(e *ev) string { return e.ChatID }),
			textOf("url", "The link as shared.", func(e *ev) string { return e.URL })),
		{Name: QuarantineTable, Row: "one Kafka message the ingester could not accept, with the reason", Columns: []Column{
			str("kafka_topic", "The topic the message was read from."),
			i32("kafka_partition", "Its partition."),
			i64("kafka_offset", "Its offset in that partition."),
			{Name: "kafka_key", Type: arrow.BinaryTypes.Binary, Nullable: true, About: "The message key; NULL when it had none."},
			nullable(ts("kafka_ts", "The message's Kafka timestamp; NULL when it had none.")),
			{Name: "raw", Type: arrow.BinaryTypes.Binary, About: "The message value, byte for byte as received."},
			str("reason", "Why it was refused, as a code: not_json, not_object, unknown_type, missing_field, wrong_type, bad_timestamp, timestamp_out_of_range, invalid_value, non_positive_amount, claim_over_limit, claims_exceed_shares, claims_exceed_total, invalid_utf8, duplicate_event_id, duplicate_envelope, unknown_envelope, wrong_key, too_large, or unreadable_file (a valid row moved out of a lake file DuckDB could not read by 'hongbao quarantine evict'; replay lands it again)."),
			str("detail", "The reason as a sentence, naming the field or value at fault."),
			ts("ingested_at", "When the ingester refused it."),
		}},
		// The replay log: which message (topic, partition, offset: the key of its
		// quarantine row), why it had been quarantined, where it landed, when.
		{Name: ReplaysTable, Row: "one quarantined message that 'hongbao quarantine replay' landed in its event table", Columns: []Column{
			str("kafka_topic", "The topic the message was read from."),
			i32("kafka_partition", "Its partition."),
			i64("kafka_offset", "Its offset in that partition: with the topic and partition, the key of its row in the lake's quarantine and of its row in event_table."),
			str("reason", "Why it had been quarantined (quarantine.reason)."),
			str("event_table", "The table it landed in: envelopes, grabs, card_bindings, withdrawals, payments or links."),
			str("event_id", "Its event_id in that table."),
			ts("replayed_at", "When the replay landed it."),
		}},
	}
	for i := range tables {
		fields := make([]arrow.Field, len(tables[i].Columns))
		for j, c := range tables[i].Columns {
			fields[j] = arrow.Field{Name: c.Name, Type: c.Type, Nullable: c.Nullable}
		}
		tables[i].schema = arrow.NewSchema(fields, nil)
	}
	return tables
}()

// Contract returns every lake table in the order the warehouse loads them: the six
// event tables in the order of events.Types, the quarantine, then the replay log.
func Contract() []Table { return slices.Clone(contract) }

// TableContract returns the contract of the lake table of that name, and whether there
// is one.
func TableContract(name string) (Table, bool) {
	i := slices.IndexFunc(contract, func(t Table) bool { return t.Name == name })
	if i < 0 {
		return Table{}, false
	}
	return contract[i], true
}

// QuarantineTable is the lake folder and warehouse table of rejected messages.
const QuarantineTable = "quarantine"

// Tables lists the lake tables the ingester writes: the six event tables in the order
// of events.Types, then the quarantine. (The replay log, ReplaysTable, is written by
// 'hongbao quarantine replay' only.)
var Tables = func() []string {
	names := make([]string, numTables)
	for i := range names {
		names[i] = contract[i].Name
	}
	return names
}()

// Table indexes, in the order of Tables; the writer keeps one buffer per index.
const (
	tEnvelopes = iota
	tGrabs
	tCardBindings
	tWithdrawals
	tPayments
	tLinks
	tQuarantine
	numTables
)

// tableIndex maps an event type to its table index, or -1.
func tableIndex(t events.Type) int {
	switch t {
	case events.EnvelopeSent:
		return tEnvelopes
	case events.EnvelopeGrabbed:
		return tGrabs
	case events.CardBound:
		return tCardBindings
	case events.Withdrawal:
		return tWithdrawals
	case events.Payment:
		return tPayments
	case events.LinkShared:
		return tLinks
	}
	return -1
}

// schemas is the Arrow schema of each table the ingester writes, per table index.
var schemas = func() (s [numTables]*arrow.Schema) {
	for i := range s {
		s[i] = contract[i].schema
	}
	return s
}()

// Schema returns the Arrow schema of a lake table, or nil for an unknown name.
func Schema(table string) *arrow.Schema {
	t, ok := TableContract(table)
	if !ok {
		return nil
	}
	return t.schema
}
