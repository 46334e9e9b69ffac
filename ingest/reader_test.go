package ingest

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"hash/crc32"
	"strings"
	"testing"

	"github.com/segmentio/kafka-go/compress"
	"github.com/twmb/franz-go/pkg/kmsg"
)

// recordBatch encodes n records from offset base as Kafka's record batch v2, with
// codec: keys k<offset>, values v<offset>, timestamps base+i ms.
func recordBatch(t testing.TB, base int64, n int, codec compress.Compression) []byte {
	t.Helper()
	var recs []byte
	for i := range n {
		off := base + int64(i)
		body := (&kmsg.Record{TimestampDelta64: int64(i), OffsetDelta: int32(i),
			Key: fmt.Appendf(nil, "k%d", off), Value: fmt.Appendf(nil, "v%d", off)}).AppendTo(nil)
		// body starts with a zero length (one byte): the length of the rest goes there.
		recs = binary.AppendVarint(recs, int64(len(body)-1))
		recs = append(recs, body[1:]...)
	}
	if codec != 0 {
		var buf bytes.Buffer
		w := codec.Codec().NewWriter(&buf)
		if _, err := w.Write(recs); err != nil {
			t.Fatal(err)
		}
		if err := w.Close(); err != nil {
			t.Fatal(err)
		}
		recs = buf.Bytes()
	}
	b := kmsg.RecordBatch{FirstOffset: base, Magic: 2, Attributes: int16(codec), LastOffsetDelta: int32(n - 1),
		FirstTimestamp: 1_391_097_600_000 + base, MaxTimestamp: 1_391_097_600_000 + base + int64(n-1),
		ProducerID: -1, ProducerEpoch: -1, FirstSequence: -1, NumRecords: int32(n), Records: recs}
	raw := b.AppendTo(nil)
	binary.BigEndian.PutUint32(raw[8:12], uint32(len(raw)-12))
	binary.BigEndian.PutUint32(raw[17:21], crc32.Checksum(raw[21:], castagnoli))
	return raw
}

// handOut hands out every message of one fetch's record batches, from offset next.
func handOut(raw []byte, next int64) (offsets []int64, r *partitionReader) {
	r = &partitionReader{partition: 0, topic: "t", fetched: true, raw: raw, next: next, hwm: 1 << 40}
	for {
		m, ok := r.Buffered()
		if !ok {
			return offsets, r
		}
		if string(m.Key) != fmt.Sprintf("k%d", m.Offset) || string(m.Value) != fmt.Sprintf("v%d", m.Offset) ||
			m.Time.UnixMilli() != 1_391_097_600_000+m.Offset {
			panic(fmt.Sprintf("offset %d handed out as key %q, value %q, time %v", m.Offset, m.Key, m.Value, m.Time))
		}
		offsets = append(offsets, m.Offset)
	}
}

// TestReaderHandsOutBatches: the messages of a fetch's batches come out once each, in
// order, from the offset asked for, whatever the compression; a batch cut off at the
// end of the fetch is left to the next one.
func TestReaderHandsOutBatches(t *testing.T) {
	for _, codec := range []compress.Compression{0, compress.Gzip, compress.Snappy, compress.Lz4, compress.Zstd} {
		raw := append(recordBatch(t, 10, 5, codec), recordBatch(t, 15, 3, codec)...)
		cut := recordBatch(t, 18, 4, codec)
		raw = append(raw, cut[:len(cut)/2]...)
		got, r := handOut(raw, 12)
		if want := []int64{12, 13, 14, 15, 16, 17}; fmt.Sprint(got) != fmt.Sprint(want) || r.ended != nil {
			t.Errorf("codec %d: offsets %v (%v), want %v", codec, got, r.ended, want)
		}
		if r.next != 18 || r.fetched {
			t.Errorf("codec %d: the next fetch starts at %d (fetch used up: %v), want 18", codec, r.next, !r.fetched)
		}
	}
}

// TestReaderRefusesACorruptBatch: a batch whose bytes changed fails its checksum; none
// of its messages is handed out, and the fetch stops there with the reason.
func TestReaderRefusesACorruptBatch(t *testing.T) {
	good := recordBatch(t, 0, 4, compress.Lz4)
	bad := recordBatch(t, 4, 4, compress.Lz4)
	bad[len(bad)-3] ^= 0x40
	got, r := handOut(append(good, bad...), 0)
	if fmt.Sprint(got) != "[0 1 2 3]" || r.ended == nil || !strings.Contains(r.ended.Error(), "checksum") {
		t.Errorf("handed out %v, then %v; want offsets 0 to 3, then a failed checksum", got, r.ended)
	}
	if r.next != 4 {
		t.Errorf("the next fetch starts at %d, want 4 (the corrupt batch, fetched again)", r.next)
	}
}

// FuzzRecordBatches: whatever bytes a fetch holds, the reader hands out messages in
// increasing offsets and stops, without a panic.
func FuzzRecordBatches(f *testing.F) {
	f.Add(recordBatch(f, 0, 3, 0))
	f.Add(recordBatch(f, 7, 2, compress.Lz4))
	f.Add(append(recordBatch(f, 0, 2, compress.Snappy), recordBatch(f, 2, 2, compress.Gzip)...))
	f.Fuzz(inIncreasingOffsets)
}

// inIncreasingOffsets hands out the messages of raw, as a fetch's record batches, and
// fails if an offset does not climb.
func inIncreasingOffsets(t *testing.T, raw []byte) {
	r := &partitionReader{topic: "t", fetched: true, raw: raw, hwm: 1 << 40}
	last := int64(-1)
	for range 1 << 16 {
		m, ok := r.Buffered()
		if !ok {
			return
		}
		if m.Offset <= last {
			t.Fatalf("offset %d after %d", m.Offset, last)
		}
		last = m.Offset
	}
}

// FuzzRecords: whatever the records of a batch with a right checksum hold, the reader
// hands out messages in increasing offsets and stops, without a panic.
func FuzzRecords(f *testing.F) {
	valid := recordBatch(f, 0, 3, 0)
	f.Add(int32(3), valid[batchHeader:])
	f.Add(int32(1<<30), valid[batchHeader:])
	f.Fuzz(func(t *testing.T, n int32, recs []byte) {
		b := kmsg.RecordBatch{Magic: 2, LastOffsetDelta: max(n-1, 0), ProducerID: -1, ProducerEpoch: -1,
			FirstSequence: -1, NumRecords: n, Records: recs}
		raw := b.AppendTo(nil)
		binary.BigEndian.PutUint32(raw[8:12], uint32(len(raw)-12))
		binary.BigEndian.PutUint32(raw[17:21], crc32.Checksum(raw[21:], castagnoli))
		inIncreasingOffsets(t, raw)
	})
}
