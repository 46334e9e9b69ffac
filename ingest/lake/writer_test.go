package lake

import (
	"bytes"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/parquet"
	"github.com/apache/arrow-go/v18/parquet/compress"
	"github.com/apache/arrow-go/v18/parquet/file"

	"github.com/hongbao/hongbao/ingest/events"
)

// deltaColumns are the lake's columns written with a delta encoding.
var deltaColumns = map[string]parquet.Encoding{
	"ts": parquet.Encodings.DeltaBinaryPacked, "kafka_offset": parquet.Encodings.DeltaBinaryPacked,
	"event_id": parquet.Encodings.DeltaByteArray, "envelope_id": parquet.Encodings.DeltaByteArray,
	"user_id": parquet.Encodings.DeltaLengthByteArray, "sender_id": parquet.Encodings.DeltaLengthByteArray,
}

// TestCommitRoundTrip appends events of every type and quarantined messages, commits,
// and reads every file back: schema, row counts, money, nulls and timestamps.
func TestCommitRoundTrip(t *testing.T) {
	dir, l, w := newLakeWriter(t, 3)
	defer w.Release()

	in := []events.Event{
		sent("env-1", at(0), 3, 1000),
		{EventID: "e-env-2", Type: events.EnvelopeSent, TS: at(1), EnvelopeID: "env-2", SenderID: "u-2",
			ChatID: "c-2", Kind: events.KindFixed, TotalFen: 600, Shares: 2},
		grab("g-1", "env-1", at(1).Add(1234*time.Microsecond), 100),
		grab("g-2", "env-1", at(2), 200),
		grab("g-3", "env-2", at(2), 300),
		grab("g-4", "env-1", at(3), 0),
		grab("g-5", "env-2", at(3), 0),
		{EventID: "b-1", Type: events.CardBound, TS: at(4), UserID: "u-1", Provider: events.ProviderWeChatPay,
			BankCode: "ICBC", Outcome: events.BindOK},
		{EventID: "b-2", Type: events.CardBound, TS: at(5), UserID: "u-2", Provider: events.ProviderAlipay,
			BankCode: "XXB", Outcome: events.BindBankNotSupported},
		{EventID: "w-1", Type: events.Withdrawal, TS: at(6), UserID: "u-1", Provider: events.ProviderWeChatPay,
			BankCode: "ICBC", AmountFen: 5000},
		{EventID: "p-1", Type: events.Payment, TS: at(7), UserID: "u-1", Provider: events.ProviderAlipay,
			Scenario: "taxi", AmountFen: 1234, BankCode: "CMB"},
		{EventID: "p-2", Type: events.Payment, TS: at(8), UserID: "u-3", Provider: events.ProviderWeChatPay,
			Scenario: "red_envelope", AmountFen: 766, BankCode: "ICBC"},
		{EventID: "l-1", Type: events.LinkShared, TS: at(9), UserID: "u-4", ChatID: "c-9",
			URL: "http://hb.example/fake?id=1"},
	}
	offset := int64(100)
	offsets := make([]int64, len(in))
	for i := range in {
		offsets[i] = offset
		w.Append(offset, &in[i])
		offset += 2 // gaps are allowed
	}
	ingested := time.Date(2026, 11, 25, 8, 0, 0, 123456000, time.UTC)
	quarantined := []QuarantineRecord{
		{Offset: offset, Key: []byte("env-9"), KafkaTS: at(10), Raw: []byte(`{"type":"nope"}`),
			Reason: events.ReasonUnknownType, Detail: "type nope", IngestedAt: ingested},
		{Offset: offset + 1, Raw: []byte("not json"), Reason: events.ReasonNotJSON, Detail: "bad \xda byte",
			IngestedAt: ingested.Add(time.Second)},
	}
	for _, q := range quarantined {
		w.Quarantine(q)
	}
	if got, want := w.Pending(), len(in)+len(quarantined); got != want {
		t.Fatalf("Pending = %d, want %d", got, want)
	}

	c, err := w.Commit()
	if err != nil {
		t.Fatalf("Commit: %v", err)
	}
	if w.Pending() != 0 {
		t.Errorf("Pending after commit = %d", w.Pending())
	}
	if c.FirstOffset != 100 || c.LastOffset != offset+1 || c.Topic != topic || c.Partition != 3 {
		t.Errorf("commit covers %s/%d %d-%d", c.Topic, c.Partition, c.FirstOffset, c.LastOffset)
	}
	wantName := "hongbao.events-p003-00000000000000000100-00000000000000000127.parquet"

	type expect struct {
		rows  int64
		money string
		sum   int64
	}
	want := map[string]expect{
		"envelopes":     {2, "total_fen", 1600},
		"grabs":         {5, "amount_fen", 600},
		"card_bindings": {2, "", 0},
		"withdrawals":   {1, "amount_fen", 5000},
		"payments":      {2, "amount_fen", 2000},
		"links":         {1, "", 0},
		"quarantine":    {2, "", 0},
	}
	if len(c.Files) != len(Tables) {
		t.Fatalf("commit has %d files, want %d", len(c.Files), len(Tables))
	}
	for _, table := range Tables {
		exp := want[table]
		cf, ok := c.File(table)
		if !ok {
			t.Fatalf("commit has no %s file", table)
		}
		if cf.File != wantName || cf.Rows != exp.rows || cf.SumFen != exp.sum {
			t.Errorf("%s: marker says %s rows %d sum %d, want %s rows %d sum %d",
				table, cf.File, cf.Rows, cf.SumFen, wantName, exp.rows, exp.sum)
		}
		names, other := lakeFiles(t, dir, table)
		if len(names) != 1 || names[0] != wantName || len(other) != 0 {
			t.Errorf("%s folder holds %v and %v", table, names, other)
		}
		path := filepath.Join(dir, "lake", table, wantName)
		tbl := readFile(t, path)
		if tbl.NumRows() != exp.rows {
			t.Errorf("%s: %d rows, want %d", table, tbl.NumRows(), exp.rows)
		}
		if tc, _ := TableContract(table); tc.MoneyColumn != exp.money {
			t.Errorf("%s: the contract's money column is %q, the marker sums %q", table, tc.MoneyColumn, exp.money)
		}
		if exp.money != "" {
			if got := sumInt64(t, tbl, exp.money); got != exp.sum {
				t.Errorf("%s: sum(%s) = %d, want %d", table, exp.money, got, exp.sum)
			}
		}
		// The column contract: names, types and nullability, in order.
		got, wantSchema := tbl.Schema(), Schema(table)
		if got.NumFields() != wantSchema.NumFields() {
			t.Fatalf("%s: %d columns, want %d", table, got.NumFields(), wantSchema.NumFields())
		}
		for i, f := range wantSchema.Fields() {
			g := got.Field(i)
			if g.Name != f.Name || !arrow.TypeEqual(g.Type, f.Type) || g.Nullable != f.Nullable {
				t.Errorf("%s column %d: %s %s nullable=%v, want %s %s nullable=%v",
					table, i, g.Name, g.Type, g.Nullable, f.Name, f.Type, f.Nullable)
			}
		}
		rdr, err := file.OpenParquetFile(path, false)
		if err != nil {
			t.Fatal(err)
		}
		cc, err := rdr.MetaData().RowGroup(0).ColumnChunk(0)
		if err != nil {
			t.Fatal(err)
		}
		if codec := cc.Compression(); codec != compress.Codecs.Zstd {
			t.Errorf("%s: compression %v, want zstd", table, codec)
		}
		// Times and offsets climb, ids share prefixes: both are delta-encoded.
		for i := range rdr.MetaData().Schema.NumColumns() {
			name := rdr.MetaData().Schema.Column(i).Name()
			want, ok := deltaColumns[name]
			if !ok {
				continue
			}
			cc, err := rdr.MetaData().RowGroup(0).ColumnChunk(i)
			if err != nil {
				t.Fatal(err)
			}
			if encs := cc.Encodings(); !slices.Contains(encs, want) {
				t.Errorf("%s.%s: encodings %v, want %v among them", table, name, encs, want)
			}
		}
		// A quarantined message's bytes, all different and up to 64 KiB each, get no
		// dictionary and no min/max statistics (a flood of large ones read 1.8x faster).
		if table == QuarantineTable {
			cc, err := rdr.MetaData().RowGroup(0).ColumnChunk(rdr.MetaData().Schema.ColumnIndexByName("raw"))
			if err != nil {
				t.Fatal(err)
			}
			if stats, _ := cc.StatsSet(); cc.HasDictionaryPage() || stats {
				t.Errorf("quarantine.raw: dictionary page %v, statistics %v; want neither", cc.HasDictionaryPage(), stats)
			}
		}
		if v := rdr.MetaData().KeyValueMetadata().FindValue("hongbao.last_offset"); v == nil || *v != "127" {
			t.Errorf("%s: hongbao.last_offset metadata = %v", table, v)
		}
		rdr.Close()
	}

	// A detail that is not UTF-8 (a parser's error quoting the message) is stored with
	// the byte replaced: one such string would make DuckDB refuse the whole file.
	quar := fileColumns(t, filepath.Join(dir, "lake", "quarantine", wantName), "detail")
	if d := quar["detail"].(*array.String).Value(1); d != "bad \uFFFD byte" {
		t.Errorf("quarantine detail %q, want %q", d, "bad \uFFFD byte")
	}

	// Grabs: amount_fen is null exactly for missed grabs; ts round-trips as the instant.
	grabs := fileColumns(t, filepath.Join(dir, "lake", "grabs", wantName),
		"outcome", "amount_fen", "ts", "kafka_offset", "kafka_partition")
	amount := grabs["amount_fen"]
	if amount.NullN() != 2 {
		t.Errorf("grabs: %d null amounts, want 2", amount.NullN())
	}
	for i := 0; i < amount.Len(); i++ {
		src := in[2+i]
		outcome := grabs["outcome"].(*array.String).Value(i)
		if amount.IsNull(i) != (outcome == events.OutcomeMissed) {
			t.Errorf("grab %d: outcome %s, amount null = %v", i, outcome, amount.IsNull(i))
		}
		got := grabs["ts"].(*array.Timestamp).Value(i).ToTime(arrow.Microsecond)
		if !got.Equal(src.TS) || got.Location() != time.UTC {
			t.Errorf("grab %d: ts %v, want the instant %v in UTC", i, got, src.TS)
		}
		if o := grabs["kafka_offset"].(*array.Int64).Value(i); o != offsets[2+i] {
			t.Errorf("grab %d: kafka_offset %d, want %d", i, o, offsets[2+i])
		}
		if p := grabs["kafka_partition"].(*array.Int32).Value(i); p != 3 {
			t.Errorf("grab %d: kafka_partition %d", i, p)
		}
	}
	if cf, _ := c.File("grabs"); !cf.MinTS.Equal(at(1).Add(1234*time.Microsecond)) || !cf.MaxTS.Equal(at(3)) {
		t.Errorf("grabs marker ts range %v .. %v", cf.MinTS, cf.MaxTS)
	}

	// Quarantine: nullable key and Kafka timestamp, the raw bytes, the reason.
	q := fileColumns(t, filepath.Join(dir, "lake", "quarantine", wantName),
		"kafka_key", "kafka_ts", "raw", "reason", "kafka_topic", "ingested_at")
	key := q["kafka_key"].(*array.Binary)
	if !bytes.Equal(key.Value(0), []byte("env-9")) || !key.IsNull(1) {
		t.Errorf("kafka_key = %q, null %v", key.Value(0), key.IsNull(1))
	}
	if kts := q["kafka_ts"]; !kts.(*array.Timestamp).Value(0).ToTime(arrow.Microsecond).Equal(at(10)) || !kts.IsNull(1) {
		t.Errorf("kafka_ts wrong")
	}
	if raw := q["raw"].(*array.Binary); string(raw.Value(1)) != "not json" || raw.IsNull(1) {
		t.Errorf("raw = %q", raw.Value(1))
	}
	reason, qtopic := q["reason"].(*array.String).Value(0), q["kafka_topic"].(*array.String).Value(1)
	if reason != string(events.ReasonUnknownType) || qtopic != topic {
		t.Errorf("reason %q topic %q", reason, qtopic)
	}
	if iat := q["ingested_at"].(*array.Timestamp).Value(0).ToTime(arrow.Microsecond); !iat.Equal(ingested) {
		t.Errorf("ingested_at = %v", iat)
	}

	// The marker on disk says what Commit returned.
	all, err := l.Commits()
	if err != nil {
		t.Fatal(err)
	}
	if len(all) != 1 || all[0].Rows() != c.Rows() || all[0].LastOffset != c.LastOffset || !all[0].CommittedAt.Equal(c.CommittedAt) {
		t.Errorf("Commits() = %+v", all)
	}
	if c.Rows() != int64(len(in)+len(quarantined)) {
		t.Errorf("commit rows %d", c.Rows())
	}

	// Nothing pending: no commit.
	if c2, err := w.Commit(); c2 != nil || err != nil {
		t.Errorf("empty Commit = %v, %v; want nil, nil", c2, err)
	}
	if next, ok := l.NextOffset(topic, 3); !ok || next != offset+2 {
		t.Errorf("NextOffset = %d, %v; want %d", next, ok, offset+2)
	}
}

// TestCommitReusesBuilders commits twice from one writer; the second commit holds only
// its own rows, and only the tables that received rows get a file.
func TestCommitReusesBuilders(t *testing.T) {
	dir, _, w := newLakeWriter(t, 0)
	defer w.Release()
	for i := range 10 {
		e := grab("g", "env", at(i), int64(i+1))
		w.Append(int64(i), &e)
	}
	if _, err := w.Commit(); err != nil {
		t.Fatal(err)
	}
	e := sent("env-2", at(20), 2, 50)
	w.Append(10, &e)
	g := grab("g-x", "env-2", at(21), 7)
	w.Append(11, &g)
	c, err := w.Commit()
	if err != nil {
		t.Fatal(err)
	}
	if len(c.Files) != 2 {
		t.Fatalf("second commit files %+v, want envelopes and grabs", c.Files)
	}
	cf, _ := c.File("grabs")
	tbl := readFile(t, filepath.Join(dir, "lake", "grabs", cf.File))
	if tbl.NumRows() != 1 || sumInt64(t, tbl, "amount_fen") != 7 || cf.SumFen != 7 {
		t.Errorf("second grabs file: %d rows, sum %d, marker sum %d", tbl.NumRows(), sumInt64(t, tbl, "amount_fen"), cf.SumFen)
	}
	names, _ := lakeFiles(t, dir, "withdrawals")
	if len(names) != 0 {
		t.Errorf("withdrawals folder holds %v", names)
	}
}
