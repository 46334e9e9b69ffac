package lake

import (
	"fmt"
	"os"
	"strings"
	"time"
	"unsafe"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/hongbao/hongbao/ingest/events"
)

// QuarantineRecord is one Kafka message that failed decoding or validation, stored
// in the quarantine table with the reason it was rejected.
type QuarantineRecord struct {
	// Offset is the message's Kafka offset.
	Offset int64
	// Key is the message key; nil is stored as null.
	Key []byte
	// KafkaTS is the message's Kafka timestamp; the zero time is stored as null.
	KafkaTS time.Time
	// Raw is the message value as received.
	Raw []byte
	// Reason is why the message was rejected.
	Reason events.Reason
	// Detail is the sentence for a person that goes with Reason.
	Detail string
	// IngestedAt is when the message was rejected; the zero time means now.
	IngestedAt time.Time
}

// PartitionWriter buffers the rows of one Kafka partition in Arrow record builders
// until Commit lands them in the lake. It is used by one goroutine at a time.
//
// From its first commit until Release it holds the partition's lock in the lake, so a
// second writer of the same partition, in this process or another, waits for it.
//
// A failed commit leaves the writer unable to commit again (ErrAborted): the caller
// must Release it, seek the partition to NextOffset, and start a new writer, so that
// the rows of the failed commit are read again rather than skipped.
type PartitionWriter struct {
	lake      *Lake
	topic     string
	topicID   string
	partition int

	tables  [numTables]tableBuf
	pending int
	first   int64  // first offset since the last seal
	last    int64  // last offset seen
	sealed  uint64 // batches sealed so far
	// disordered records an offset that did not increase; the batch will not commit.
	disordered bool

	part *partitionState

	stopAfter commitStep // set by tests only
}

// partitionState is what the commits of one writer share. Only the goroutine that
// commits touches it, one commit at a time.
type partitionState struct {
	lock      *os.File // the partition lock, once owned
	recovered bool     // the partition was recovered under the lock and next is known
	next      int64    // next offset to commit; -1 while the partition has no commit
	nextSeq   uint64   // sequence number of the next batch to commit
	err       error    // why commits stopped, if they did
}

// tableBuf accumulates one table's rows. The builders are typed views of rb's field
// builders, indexed by column, so that appending a value is one direct call.
type tableBuf struct {
	rb   *array.RecordBuilder
	str  []*array.StringBuilder
	bin  []*array.BinaryBuilder
	i64  []*array.Int64Builder
	i32  []*array.Int32Builder
	ts   []*array.TimestampBuilder
	rows int64
	sum  int64 // sum of the money column
	// hint is the size of the last batch, rows and bytes per variable-width column,
	// which the builders reserve for at the next batch's first row so that they do
	// not regrow step by step.
	hintRows  int
	hintBytes []int
	// minTS and maxTS are the range of ts (of ingested_at for the quarantine), in µs.
	minTS, maxTS int64
	// own are an event table's own columns, between its ts and kafka_partition, as
	// the contract reads them from an event.
	own []ownColumn
}

// ownColumn is one of an event table's own columns: its builder and how the contract
// reads its value from an event.
type ownColumn struct {
	b      array.Builder // for NULL
	str    *array.StringBuilder
	i64    *array.Int64Builder
	i32    *array.Int32Builder
	text   func(*events.Event) string
	number func(*events.Event) (int64, bool)
	money  bool // the table's MoneyColumn: its values are summed
}

func newTableBuf(mem memory.Allocator, table Table) tableBuf {
	schema := table.schema
	t := tableBuf{rb: array.NewRecordBuilder(mem, schema)}
	n := schema.NumFields()
	t.str = make([]*array.StringBuilder, n)
	t.bin = make([]*array.BinaryBuilder, n)
	t.i64 = make([]*array.Int64Builder, n)
	t.i32 = make([]*array.Int32Builder, n)
	t.ts = make([]*array.TimestampBuilder, n)
	t.hintBytes = make([]int, n)
	for i, b := range t.rb.Fields() {
		switch b := b.(type) {
		case *array.StringBuilder:
			t.str[i] = b
		case *array.BinaryBuilder:
			t.bin[i] = b
		case *array.Int64Builder:
			t.i64[i] = b
		case *array.Int32Builder:
			t.i32[i] = b
		case *array.TimestampBuilder:
			t.ts[i] = b
		default:
			panic(fmt.Sprintf("lake: no typed builder for column %s", schema.Field(i).Name))
		}
	}
	for i, c := range table.Columns {
		if c.text != nil || c.number != nil {
			t.own = append(t.own, ownColumn{b: t.rb.Field(i), str: t.str[i], i64: t.i64[i], i32: t.i32[i],
				text: c.text, number: c.number, money: c.Name == table.MoneyColumn})
		}
	}
	return t
}

// take empties the builders into a record, remembering its size for the next batch.
func (t *tableBuf) take() arrow.RecordBatch {
	rec := t.rb.NewRecordBatch()
	t.hintRows = int(rec.NumRows())
	for i, col := range rec.Columns() {
		if b, ok := col.(interface{ ValueBytes() []byte }); ok {
			t.hintBytes[i] = len(b.ValueBytes())
		}
	}
	return rec
}

// reserve sizes the empty builders for a batch like the last one, and an eighth more:
// a builder that outgrows its room doubles it and copies what it holds, so a batch a
// little larger than the last cost twice its size again (a third of the builders'
// allocations at scale 0.1 were such regrowth).
func (t *tableBuf) reserve() {
	t.rb.Reserve(t.hintRows + t.hintRows/8)
	for i, n := range t.hintBytes {
		if t.str[i] != nil {
			t.str[i].ReserveData(n + n/8)
		} else if t.bin[i] != nil {
			t.bin[i].ReserveData(n + n/8)
		}
	}
	t.hintRows = 0
}

// note widens the table's time range and counts the row.
func (t *tableBuf) note(ts int64) {
	if t.rows == 0 || ts < t.minTS {
		t.minTS = ts
	}
	if t.rows == 0 || ts > t.maxTS {
		t.maxTS = ts
	}
	t.rows++
}

// appendStr appends s without converting it to a []byte first, which would copy it;
// the builder copies the bytes into its own buffer.
func appendStr(b *array.StringBuilder, s string) {
	b.BinaryBuilder.Append(unsafe.Slice(unsafe.StringData(s), len(s)))
}

// NewPartitionWriter returns an empty writer for one partition of topic. It takes
// the partition's lock at its first commit.
func (l *Lake) NewPartitionWriter(topic string, partition int) *PartitionWriter {
	w := &PartitionWriter{lake: l, topic: topic, partition: partition, part: &partitionState{next: -1}}
	for i := range w.tables {
		w.tables[i] = newTableBuf(l.mem, contract[i])
	}
	return w
}

// SetTopicID records the broker's identity of the topic in the markers of the
// writer's commits from now on (see Commit.TopicID).
func (w *PartitionWriter) SetTopicID(id string) { w.topicID = id }

// Topic is the Kafka topic the writer stores.
func (w *PartitionWriter) Topic() string { return w.topic }

// Partition is the Kafka partition the writer stores.
func (w *PartitionWriter) Partition() int { return w.partition }

func (w *PartitionWriter) noteOffset(offset int64) {
	if w.pending == 0 {
		w.first = offset
	} else if offset <= w.last {
		w.disordered = true
	}
	w.last = offset
	w.pending++
}

// Hold reserves offset in the pending batch for a message whose row is decided later
// (a claim waiting for its envelope): the batch's range covers it, so no commit can
// pass it by, and AppendHeld or QuarantineHeld must give it its row before the next
// Seal. Offsets follow Append's rule.
func (w *PartitionWriter) Hold(offset int64) { w.noteOffset(offset) }

// AppendHeld adds the row of an offset reserved with Hold.
func (w *PartitionWriter) AppendHeld(offset int64, e *events.Event) { w.appendRow(offset, e) }

// QuarantineHeld adds the quarantine row of an offset reserved with Hold.
func (w *PartitionWriter) QuarantineHeld(q QuarantineRecord) { w.quarantineRow(q) }

// Append adds a valid event read at offset. Offsets must increase from call to call
// (gaps are fine). It panics if e.Type is not a known type, which Decode never yields.
func (w *PartitionWriter) Append(offset int64, e *events.Event) {
	w.appendRow(offset, e)
	w.noteOffset(offset)
}

func (w *PartitionWriter) appendRow(offset int64, e *events.Event) {
	ti := tableIndex(e.Type)
	if ti < 0 {
		panic(fmt.Sprintf("lake: Append of an event of unknown type %q", e.Type))
	}
	t := &w.tables[ti]
	if t.hintRows > 0 {
		t.reserve()
	}
	ts := e.TS.UnixMicro()
	appendStr(t.str[0], e.EventID)
	t.ts[1].Append(arrow.Timestamp(ts))
	for i := range t.own {
		c := &t.own[i]
		if c.text != nil {
			appendStr(c.str, c.text(e))
			continue
		}
		v, ok := c.number(e)
		switch {
		case !ok:
			c.b.AppendNull()
		case c.i32 != nil:
			c.i32.Append(int32(v))
		default:
			c.i64.Append(v)
		}
		if ok && c.money {
			t.sum += v
		}
	}
	n := len(t.str)
	t.i32[n-2].Append(int32(w.partition))
	t.i64[n-1].Append(offset)
	t.note(ts)
}

// Quarantine adds a rejected message. Its offset follows the same rule as Append's.
func (w *PartitionWriter) Quarantine(q QuarantineRecord) {
	w.quarantineRow(q)
	w.noteOffset(q.Offset)
}

func (w *PartitionWriter) quarantineRow(q QuarantineRecord) {
	t := &w.tables[tQuarantine]
	if t.hintRows > 0 {
		t.reserve()
	}
	at := q.IngestedAt
	if at.IsZero() {
		at = time.Now()
	}
	appendStr(t.str[0], w.topic)
	t.i32[1].Append(int32(w.partition))
	t.i64[2].Append(q.Offset)
	if q.Key == nil {
		t.bin[3].AppendNull()
	} else {
		t.bin[3].Append(q.Key)
	}
	if q.KafkaTS.IsZero() {
		t.ts[4].AppendNull()
	} else {
		t.ts[4].Append(arrow.Timestamp(q.KafkaTS.UnixMicro()))
	}
	t.bin[5].Append(q.Raw)
	appendStr(t.str[6], string(q.Reason))
	// A detail may quote the message's bytes; one that is not UTF-8 would make DuckDB
	// refuse the whole file, so any such byte is replaced (Raw keeps the bytes).
	appendStr(t.str[7], strings.ToValidUTF8(q.Detail, "\uFFFD"))
	t.ts[8].Append(arrow.Timestamp(at.UnixMicro()))
	t.note(at.UnixMicro())
}

// Pending is the number of rows, events and quarantined messages, since the last
// commit.
func (w *PartitionWriter) Pending() int { return w.pending }

// Release frees the builders and the partition lock. Rows not committed are lost
// (they will be read again from Kafka). The writer must not be used afterwards, and
// its batches must be committed or released before.
func (w *PartitionWriter) Release() {
	for i := range w.tables {
		if w.tables[i].rb != nil {
			w.tables[i].rb.Release()
			w.tables[i].rb = nil
		}
	}
	if w.part.lock != nil {
		unlockFile(w.part.lock)
		w.part.lock = nil
	}
	w.part.recovered = false
	if w.part.err == nil {
		w.part.err = errReleased
	}
}

// discard drops the pending rows without committing them.
func (w *PartitionWriter) discard() {
	for i := range w.tables {
		if w.tables[i].rows > 0 {
			w.tables[i].take().Release()
		}
	}
	w.reset()
}

// PendingEnvelopes returns the offsets of the envelope ids in ids that rows appended
// since the last seal carry: envelopes not in the lake yet.
func (w *PartitionWriter) PendingEnvelopes(ids map[string]bool) map[string]int64 {
	found := map[string]int64{}
	t := &w.tables[tEnvelopes]
	env, off := t.str[2], t.i64[len(t.str)-1]
	for i := 0; i < env.Len(); i++ {
		if id := env.Value(i); ids[id] {
			if _, dup := found[id]; !dup {
				found[id] = off.Value(i)
			}
		}
	}
	return found
}
