package ingest

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"time"

	"github.com/segmentio/kafka-go"
	"github.com/segmentio/kafka-go/compress"
	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/pkg/kmsg"
	"github.com/twmb/franz-go/pkg/kversion"

	"github.com/hongbao/hongbao/ingest/kafkasec"
)

// partitionReader fetches one partition straight from its leader, one fetch at a
// time, and hands out its messages one by one. It keeps no queue of decoded messages,
// so what it holds is bounded in bytes: one fetch response (fetchMaxBytes) and the record
// batch being handed out. It never moves its offset on its own: a fetch the broker
// answers with "offset out of range" is an error naming the partition's range, where
// a consumer group's reader would skip to the log's start (losing offsets) or wait
// forever past its end.
//
// The fetches go through franz-go's client (connections, TLS, SASL, versions) and
// are parsed with its protocol package, kmsg: each record batch is checked against
// its checksum and decompressed once into memory of its own, and a message's key and
// value are slices of it, which the decoder may keep (events.DecodeOwned). kafka-go's
// Batch, which this replaced, read each message field by field from a buffered socket
// and copied its key and value into new slices: 750–800 ns a message against 180–220
// for this (docs/BENCHMARKS.md).
type partitionReader struct {
	brokers   []string
	topic     string
	partition int
	log       func(format string, args ...any)

	sec    *kafkasec.Client
	cl     *kgo.Client
	leader int32 // the partition's leader, -1 until the metadata names one

	// fetched is true while a fetch is being handed out: raw holds its record batches
	// not parsed yet, recs the records of the current batch not handed out yet (left
	// of them), in memory the messages own.
	fetched bool
	raw     []byte
	recs    []byte
	left    int32
	batch   kmsg.RecordBatch
	rec     kmsg.Record
	end     int64 // one past the current batch's last offset
	ended   error // why the current fetch stopped before its end, for Next
	next    int64 // the next offset to hand out
	hwm     int64 // the high watermark of the last fetch; -1 before the first
	lastErr string
	backoff time.Duration
}

// fetchMaxBytes is the most one fetch asks of a partition. The broker answers a fetch
// whole: kfake builds each answer by appending batch after batch to one growing slice,
// so 16 MiB fetches cost it 2.2 s of CPU for the 7.6 M messages of scale 0.05 and
// 4 MiB ones 1.4 s, at the same ingest rate. A batch larger than this still comes
// whole, as the first of its fetch.
const fetchMaxBytes = 4 << 20

// A fetch waits for at least fetchMinBytes, or fetchMaxWait: a partition that is caught
// up answers empty after fetchMaxWait, and the caller does its timed work.
const (
	fetchMinBytes = 1 << 20
	fetchMaxWait  = 250 * time.Millisecond
)

func newPartitionReader(brokers []string, topic string, partition int, from int64, log func(string, ...any), sec *kafkasec.Client) *partitionReader {
	return &partitionReader{brokers: brokers, topic: topic, partition: partition, log: log,
		sec: sec, leader: -1, next: from, hwm: -1}
}

// fromLogStart, as the offset to start at, reads a partition from the first offset
// its log holds: a partition the lake has no commit of.
const fromLogStart = -1

// OffsetsGoneError says the partition's log no longer holds the offset the lake
// resumes at, or ends before it: the topic is not the one the lake was ingesting.
type OffsetsGoneError struct {
	Topic      string
	Partition  int
	Next       int64 // the lake's next offset
	Start, End int64 // what the partition's log holds: Start up to End-1
}

func (e *OffsetsGoneError) Error() string {
	what := fmt.Sprintf("its log now holds offsets %d to %d", e.Start, e.End-1)
	if e.End <= e.Start {
		what = fmt.Sprintf("its log is empty from offset %d", e.Start)
	}
	if e.Next > e.End {
		return fmt.Sprintf("topic %s partition %d ends before the lake does: the lake holds offsets up to %d, but %s; the broker lost its data or the topic was created again. Nothing was skipped or read; start a new lake with another --dir",
			e.Topic, e.Partition, e.Next-1, what)
	}
	return fmt.Sprintf("topic %s partition %d no longer holds offset %d, where the lake resumes: %s, so offsets %d to %d were deleted before they were ingested; nothing was skipped or read; start a new lake with another --dir (or ingest another topic)",
		e.Topic, e.Partition, e.Next, what, e.Next, e.Start-1)
}

// Close releases the connections.
func (r *partitionReader) Close() {
	r.drop()
	if r.cl != nil {
		r.cl.Close()
		r.cl = nil
	}
}

// drop forgets the fetch being handed out; the next fetch starts at r.next.
func (r *partitionReader) drop() {
	r.fetched, r.raw, r.recs, r.left, r.ended = false, nil, nil, 0, nil
}

// HighWaterMark is the partition's high watermark as of the last fetch, -1 before it.
func (r *partitionReader) HighWaterMark() int64 { return r.hwm }

// Next returns the next message. ok is false when a fetch came back empty (the
// partition is caught up for now, after at most fetchMaxWait), so that the caller can do
// its timed work. A broker that is gone or restarting is retried with backoff and
// reported once; the error is for what retrying cannot fix (OffsetsGoneError, a
// refused password or certificate) and for the end of ctx.
func (r *partitionReader) Next(ctx context.Context) (m kafka.Message, ok bool, err error) {
	for {
		if err := ctx.Err(); err != nil {
			return m, false, err
		}
		if !r.fetched {
			if err := r.fetch(ctx); err != nil {
				if gone := (*OffsetsGoneError)(nil); errors.As(err, &gone) || ctx.Err() != nil {
					return m, false, err
				}
				if perr := kafkasec.Diagnose(ctx, err, r.brokers, r.sec); perr != nil {
					return m, false, fmt.Errorf("partition %d: %w", r.partition, perr)
				}
				r.retry(ctx, err)
				continue
			}
		}
		if m, ok := r.Buffered(); ok {
			return m, true, nil
		}
		err := r.ended
		r.drop()
		if err != nil {
			r.retry(ctx, err) // a batch that failed its checks: fetched again
			continue
		}
		if r.next >= r.hwm {
			return kafka.Message{}, false, nil // caught up
		}
	}
}

// Buffered returns the next message if the current fetch holds it. It never sends a
// fetch. ok is false when there is no fetch or it is used up or failed, and Next then
// says which and goes on.
func (r *partitionReader) Buffered() (m kafka.Message, ok bool) {
	for r.fetched && r.ended == nil {
		for r.left > 0 {
			r.left--
			size, n := binary.Varint(r.recs)
			if n <= 0 || size < 0 || size > int64(len(r.recs)-n) {
				r.ended = fmt.Errorf("partition %d: a record of the batch at offset %d is cut off", r.partition, r.batch.FirstOffset)
				return kafka.Message{}, false
			}
			if err := r.rec.ReadFrom(r.recs[:n+int(size)]); err != nil {
				r.ended = fmt.Errorf("partition %d: a record of the batch at offset %d: %w", r.partition, r.batch.FirstOffset, err)
				return kafka.Message{}, false
			}
			r.recs = r.recs[n+int(size):]
			offset := r.batch.FirstOffset + int64(r.rec.OffsetDelta)
			if offset < r.next {
				continue // a batch starts before the offset asked for
			}
			r.next = offset + 1
			r.lastErr, r.backoff = "", 0
			ts := r.batch.FirstTimestamp + r.rec.TimestampDelta64
			if r.batch.Attributes&0x08 != 0 { // the broker's append time, for the whole batch
				ts = r.batch.MaxTimestamp
			}
			return kafka.Message{Topic: r.topic, Partition: r.partition, Offset: offset, HighWaterMark: r.hwm,
				Key: r.rec.Key, Value: r.rec.Value, Time: kafkaTime(ts)}, true
		}
		if r.end > r.next {
			r.next = r.end // past records a compacted log no longer has
		}
		if !r.nextBatch() {
			break
		}
	}
	return kafka.Message{}, false
}

// kafkaTime is a record's timestamp (milliseconds since 1970) as kafka-go gives it:
// UTC, and the zero time for none.
func kafkaTime(ms int64) time.Time {
	if ms <= 0 {
		return time.Time{}
	}
	return time.UnixMilli(ms).UTC()
}

// batchHeader is the size of a record batch v2 before its records: offset, length,
// leader epoch, magic, checksum, attributes, last offset delta, two timestamps,
// producer id and epoch, first sequence, record count.
const batchHeader = 61

// castagnoli is the CRC-32C table record batches are checked with.
var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// nextBatch parses the fetch's next record batch into r.batch and r.recs. It reports
// false when the fetch is used up, and when the batch fails its checks (r.ended says
// why). A batch cut off at the end of the fetch is left to the next fetch.
func (r *partitionReader) nextBatch() bool {
	for {
		if len(r.raw) < 12 {
			r.fetched = false
			return false
		}
		at := int64(binary.BigEndian.Uint64(r.raw))
		total := 12 + int64(int32(binary.BigEndian.Uint32(r.raw[8:12])))
		if total < batchHeader {
			r.ended = fmt.Errorf("partition %d: the batch at offset %d gives itself %d bytes, less than a batch's header", r.partition, at, total)
			return false
		}
		if total > int64(len(r.raw)) {
			r.fetched = false
			return false
		}
		raw := r.raw[:total]
		r.raw = r.raw[total:]
		if raw[16] != 2 {
			r.ended = fmt.Errorf("partition %d: the batch at offset %d is not in the record batch format (magic 2) Kafka writes since 0.11", r.partition, at)
			return false
		}
		if err := r.batch.ReadFrom(raw); err != nil {
			r.ended = fmt.Errorf("partition %d: the batch at offset %d: %w", r.partition, at, err)
			return false
		}
		if crc32.Checksum(raw[21:], castagnoli) != uint32(r.batch.CRC) {
			r.ended = fmt.Errorf("partition %d: the batch at offset %d fails its checksum", r.partition, at)
			return false
		}
		r.end = r.batch.FirstOffset + int64(r.batch.LastOffsetDelta) + 1
		if r.end <= r.next || r.batch.Attributes&0x20 != 0 {
			// Read before (a fetch starts with the batch that holds its offset), or a
			// transaction's control batch: no messages.
			r.next = max(r.next, r.end)
			continue
		}
		recs, err := decompress(r.batch.Records, compress.Compression(r.batch.Attributes&0x07))
		if err != nil {
			r.ended = fmt.Errorf("partition %d: the batch at offset %d: %w", r.partition, at, err)
			return false
		}
		r.recs, r.left = recs, r.batch.NumRecords
		return true
	}
}

// decompress returns a batch's records in memory of their own: the messages handed
// out point into it, and the decoder keeps pieces of them.
func decompress(records []byte, codec compress.Compression) ([]byte, error) {
	if codec == 0 {
		return bytes.Clone(records), nil
	}
	c := codec.Codec()
	if c == nil {
		return nil, fmt.Errorf("unknown compression codec %d", codec)
	}
	zr := c.NewReader(bytes.NewReader(records))
	defer zr.Close()
	out := bytes.NewBuffer(make([]byte, 0, 6*len(records)))
	if _, err := out.ReadFrom(io.LimitReader(zr, maxBatchRecords+1)); err != nil {
		return nil, fmt.Errorf("%s: %w", c.Name(), err)
	}
	if out.Len() > maxBatchRecords {
		return nil, fmt.Errorf("its %d bytes of %s decompress to more than %d MiB, more than the ingester holds for one batch", len(records), c.Name(), maxBatchRecords>>20)
	}
	return out.Bytes(), nil
}

// maxBatchRecords bounds what one record batch may decompress to: a batch built to
// expand without end must not take the ingester's memory. Kafka's own limit on a
// batch (message.max.bytes) is 1 MiB by default, before compression.
const maxBatchRecords = 64 << 20

// fetch finds the leader if needed and sends one fetch from r.next.
func (r *partitionReader) fetch(ctx context.Context) error {
	if r.cl == nil {
		opts := append(r.sec.KgoOpts(), kgo.SeedBrokers(r.brokers...), kgo.DialTimeout(5*time.Second),
			// Fetch version 12, which names topics (13 and later name them by id).
			kgo.MaxVersions(kversion.V3_0_0()))
		cl, err := kgo.NewClient(opts...)
		if err != nil {
			return fmt.Errorf("partition %d: %w", r.partition, err)
		}
		r.cl = cl
	}
	if r.leader < 0 {
		if err := r.findLeader(ctx); err != nil {
			return err
		}
	}
	if r.next == fromLogStart {
		first, err := r.offset(ctx, logStart)
		if err != nil {
			return fmt.Errorf("partition %d: read where its log starts: %w", r.partition, err)
		}
		r.next = first
	}
	req := kmsg.NewPtrFetchRequest()
	req.MaxWaitMillis = int32(fetchMaxWait / time.Millisecond)
	req.MinBytes = fetchMinBytes
	req.MaxBytes = fetchMaxBytes
	t := kmsg.NewFetchRequestTopic()
	t.Topic = r.topic
	p := kmsg.NewFetchRequestTopicPartition()
	p.Partition = int32(r.partition)
	p.FetchOffset = r.next
	p.PartitionMaxBytes = fetchMaxBytes
	t.Partitions = append(t.Partitions, p)
	req.Topics = append(req.Topics, t)
	res, err := req.RequestWith(ctx, r.cl.Broker(int(r.leader)))
	if err != nil {
		r.leader = -1
		return fmt.Errorf("partition %d: fetch: %w", r.partition, err)
	}
	if err := kerr.ErrorForCode(res.ErrorCode); err != nil {
		return fmt.Errorf("partition %d: fetch: %w", r.partition, err)
	}
	for _, rt := range res.Topics {
		for _, rp := range rt.Partitions {
			if rt.Topic != r.topic || rp.Partition != int32(r.partition) {
				continue
			}
			if err := kerr.ErrorForCode(rp.ErrorCode); err != nil {
				if errors.Is(err, kerr.OffsetOutOfRange) {
					if cerr := r.checkRange(ctx); cerr != nil {
						return cerr
					}
				}
				r.leader = -1 // a leader that moved, or a topic being created: ask again
				return fmt.Errorf("partition %d: fetch: %w", r.partition, err)
			}
			r.hwm = rp.HighWatermark
			r.raw, r.fetched = rp.RecordBatches, true
			return nil
		}
	}
	return fmt.Errorf("partition %d: the broker's answer to a fetch does not name the partition", r.partition)
}

// findLeader asks the brokers which of them leads the partition.
func (r *partitionReader) findLeader(ctx context.Context) error {
	res, err := topicMetadata(ctx, r.cl, r.topic)
	if err != nil {
		return fmt.Errorf("partition %d: find its leader: %w", r.partition, err)
	}
	for _, rt := range res.Topics {
		if rt.Topic == nil || *rt.Topic != r.topic {
			continue
		}
		if err := kerr.ErrorForCode(rt.ErrorCode); err != nil {
			return fmt.Errorf("partition %d: find its leader: %w", r.partition, err)
		}
		for _, rp := range rt.Partitions {
			if rp.Partition != int32(r.partition) {
				continue
			}
			if err := kerr.ErrorForCode(rp.ErrorCode); err != nil {
				return fmt.Errorf("partition %d: find its leader: %w", r.partition, err)
			}
			if rp.Leader >= 0 {
				r.leader = rp.Leader
				return nil
			}
		}
	}
	return fmt.Errorf("partition %d: find its leader: %w", r.partition, kerr.LeaderNotAvailable)
}

// Timestamps a list-offsets request asks for: the log's first offset, and its end
// (the next offset to be written).
const (
	logStart = -2
	logEnd   = -1
)

// offset asks the leader for the partition's offset at logStart or logEnd.
func (r *partitionReader) offset(ctx context.Context, at int64) (int64, error) {
	req := kmsg.NewPtrListOffsetsRequest()
	req.ReplicaID = -1
	t := kmsg.NewListOffsetsRequestTopic()
	t.Topic = r.topic
	p := kmsg.NewListOffsetsRequestTopicPartition()
	p.Partition = int32(r.partition)
	p.Timestamp = at
	t.Partitions = append(t.Partitions, p)
	req.Topics = append(req.Topics, t)
	res, err := req.RequestWith(ctx, r.cl)
	if err != nil {
		return 0, err
	}
	for _, rt := range res.Topics {
		for _, rp := range rt.Partitions {
			if rt.Topic == r.topic && rp.Partition == int32(r.partition) {
				return rp.Offset, kerr.ErrorForCode(rp.ErrorCode)
			}
		}
	}
	return 0, kerr.UnknownTopicOrPartition
}

// checkRange asks the leader what the partition holds after an "offset out of range"
// and says whether r.next lies outside it for good.
func (r *partitionReader) checkRange(ctx context.Context) error {
	first, err := r.offset(ctx, logStart)
	var end int64
	if err == nil {
		end, err = r.offset(ctx, logEnd)
	}
	if err != nil {
		r.log("partition %d: offset %d is out of range, and its range could not be read: %v", r.partition, r.next, err)
		return nil // retried: the next fetch asks again
	}
	if r.next < first || r.next > end {
		return &OffsetsGoneError{Topic: r.topic, Partition: r.partition, Next: r.next, Start: first, End: end}
	}
	return nil
}

// retry reports a failure once (until it changes) and waits, longer each time, for
// the broker to come back.
func (r *partitionReader) retry(ctx context.Context, err error) {
	if msg := err.Error(); msg != r.lastErr {
		r.log("partition %d: %v; retrying", r.partition, err)
		r.lastErr = msg
	}
	r.backoff = min(max(2*r.backoff, 50*time.Millisecond), 2*time.Second)
	t := time.NewTimer(r.backoff)
	defer t.Stop()
	select {
	case <-ctx.Done():
	case <-t.C:
	}
}
