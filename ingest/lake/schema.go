package lake

import (
	"github.com/apache/arrow-go/v18/arrow"

	"github.com/hongbao/hongbao/ingest/events"
)

// QuarantineTable is the lake folder and warehouse table of rejected messages.
const QuarantineTable = "quarantine"

// Tables lists every lake table: the six event tables in the order of events.Types,
// then the quarantine.
var Tables = []string{
	events.EnvelopeSent.Table(), events.EnvelopeGrabbed.Table(), events.CardBound.Table(),
	events.Withdrawal.Table(), events.Payment.Table(), events.LinkShared.Table(),
	QuarantineTable,
}

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

// moneyColumn names the column whose sum a commit marker records, per table index;
// empty for tables without money.
var moneyColumn = [numTables]string{
	tEnvelopes:   "total_fen",
	tGrabs:       "amount_fen",
	tWithdrawals: "amount_fen",
	tPayments:    "amount_fen",
}

// TimestampType is the Arrow type of every timestamp column: microseconds, UTC, which
// Parquet stores as TIMESTAMP(MICROS, isAdjustedToUTC=true) and DuckDB reads as
// TIMESTAMPTZ.
var TimestampType = &arrow.TimestampType{Unit: arrow.Microsecond, TimeZone: "UTC"}

func str(name string) arrow.Field { return arrow.Field{Name: name, Type: arrow.BinaryTypes.String} }
func i64(name string) arrow.Field { return arrow.Field{Name: name, Type: arrow.PrimitiveTypes.Int64} }
func i32(name string) arrow.Field { return arrow.Field{Name: name, Type: arrow.PrimitiveTypes.Int32} }

// eventSchema frames a type's own columns with the columns every event table has.
func eventSchema(cols ...arrow.Field) *arrow.Schema {
	fields := []arrow.Field{str("event_id"), {Name: "ts", Type: TimestampType}}
	fields = append(fields, cols...)
	fields = append(fields, i32("kafka_partition"), i64("kafka_offset"))
	return arrow.NewSchema(fields, nil)
}

// schemas is the column contract the warehouse reads by name, per table index.
var schemas = [numTables]*arrow.Schema{
	tEnvelopes: eventSchema(str("envelope_id"), str("sender_id"), str("chat_id"), str("kind"),
		i64("total_fen"), i32("shares")),
	tGrabs: eventSchema(str("envelope_id"), str("user_id"), str("outcome"),
		arrow.Field{Name: "amount_fen", Type: arrow.PrimitiveTypes.Int64, Nullable: true}),
	tCardBindings: eventSchema(str("user_id"), str("provider"), str("bank_code"), str("outcome")),
	tWithdrawals:  eventSchema(str("user_id"), str("provider"), str("bank_code"), i64("amount_fen")),
	tPayments: eventSchema(str("user_id"), str("provider"), str("scenario"), i64("amount_fen"),
		str("bank_code")),
	tLinks: eventSchema(str("user_id"), str("chat_id"), str("url")),
	tQuarantine: arrow.NewSchema([]arrow.Field{
		str("kafka_topic"), i32("kafka_partition"), i64("kafka_offset"),
		{Name: "kafka_key", Type: arrow.BinaryTypes.Binary, Nullable: true},
		{Name: "kafka_ts", Type: TimestampType, Nullable: true},
		{Name: "raw", Type: arrow.BinaryTypes.Binary},
		str("reason"), str("detail"),
		{Name: "ingested_at", Type: TimestampType},
	}, nil),
}

// Schema returns the Arrow schema of a lake table, or nil for an unknown name.
func Schema(table string) *arrow.Schema {
	for i, name := range Tables {
		if name == table {
			return schemas[i]
		}
	}
	return nil
}
