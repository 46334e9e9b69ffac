package ingest

import (
	"context"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/segmentio/kafka-go"

	"github.com/hongbao/hongbao/ingest/kafkasec"
)

// partitionReader fetches one partition straight from its leader, one fetch at a
// time, and hands out its messages one by one. Unlike kafka-go's Reader it keeps no
// queue of decoded messages, so what it holds is bounded in bytes: one fetch
// response (maxBytes, streamed from the socket) and the message being handed out.
// It never moves its offset on its own: a fetch the broker answers with "offset out
// of range" is an error naming the partition's range, where kafka-go's Reader would
// skip to the log's start (losing offsets) or wait forever past its end.
type partitionReader struct {
	brokers   []string
	topic     string
	partition int
	minBytes  int
	maxBytes  int
	maxWait   time.Duration
	log       func(format string, args ...any)

	dialer *kafka.Dialer
	sec    *kafkasec.Client
	conn   *kafka.Conn
	batch  *kafka.Batch
	ended  error // why the current fetch ended (io.EOF when used up), for Next
	next   int64 // the next offset to hand out
	hwm    int64 // the high watermark of the last fetch; -1 before the first
	// unguarded counts the messages read since the read deadline was last pushed
	// back: see deadlineEvery.
	unguarded int
	lastErr   string
	backoff   time.Duration
}

// fetchMaxBytes is the most one fetch asks of a partition. The broker answers a fetch
// whole, however much of it the client streams: kfake builds each answer by appending
// batch after batch to one growing slice, so 16 MiB fetches cost it 2.2 s of CPU for
// the 7.6 M messages of scale 0.05 and 4 MiB ones 1.4 s, at the same ingest rate. A
// batch larger than this still comes whole, as the first of its fetch.
const fetchMaxBytes = 4 << 20

func newPartitionReader(brokers []string, topic string, partition int, from int64, log func(string, ...any), sec *kafkasec.Client) *partitionReader {
	return &partitionReader{brokers: brokers, topic: topic, partition: partition,
		minBytes: 1 << 20, maxBytes: fetchMaxBytes, maxWait: 250 * time.Millisecond, log: log,
		dialer: sec.Dialer(5 * time.Second), sec: sec, next: from, hwm: -1}
}

// readDeadline is how long a read inside a fetched batch may block before the
// connection counts as gone (a broker that died mid-response).
const readDeadline = 10 * time.Second

// deadlineEvery is how many messages one push of the read deadline covers. Pushing
// it is a clock read and a timer change on the socket: once a message, that was 5 % of
// the ingester's CPU; 256 messages of a batch read in far less than readDeadline.
const deadlineEvery = 256

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

// Close releases the connection.
func (r *partitionReader) Close() {
	r.closeBatch()
	if r.conn != nil {
		r.conn.Close()
		r.conn = nil
	}
}

func (r *partitionReader) closeBatch() error {
	if r.batch == nil {
		return nil
	}
	err := r.batch.Close()
	r.batch, r.ended = nil, nil
	return err
}

// HighWaterMark is the partition's high watermark as of the last fetch, -1 before it.
func (r *partitionReader) HighWaterMark() int64 { return r.hwm }

// Next returns the next message. ok is false when a fetch came back empty (the
// partition is caught up for now, after at most maxWait), so that the caller can do
// its timed work. A broker that is gone or restarting is retried with backoff and
// reported once; the error is for what retrying cannot fix (OffsetsGoneError, a
// refused password or certificate) and for the end of ctx.
func (r *partitionReader) Next(ctx context.Context) (m kafka.Message, ok bool, err error) {
	for {
		if err := ctx.Err(); err != nil {
			return m, false, err
		}
		if r.batch == nil {
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
		err, r.ended = r.ended, nil
		if o := r.batch.Offset(); o > r.next {
			r.next = o // past records a compacted log no longer has
		}
		cerr := r.closeBatch()
		if cerr == nil {
			cerr = err
		}
		// kafka-go ends a fetch with io.EOF, or with RequestTimedOut when the broker
		// answered after the fetch's wait with nothing more (or a cut-off message):
		// either way the fetch is used up, and the next one starts at r.next.
		if errors.Is(cerr, io.EOF) || errors.Is(cerr, kafka.RequestTimedOut) {
			if r.next >= r.hwm {
				return kafka.Message{}, false, nil // caught up
			}
			continue
		}
		if errors.Is(cerr, kafka.OffsetOutOfRange) {
			if err := r.checkRange(ctx); err != nil {
				return m, false, err
			}
		}
		r.dropConn()
		r.retry(ctx, cerr)
	}
}

// Buffered returns the next message if the current fetch holds it. It never sends a
// fetch: it may wait for the rest of a response already on its way (under the read
// deadline), never for the broker to have more. ok is false when there is no fetch or
// it is used up or failed, and Next then says which and goes on.
func (r *partitionReader) Buffered() (m kafka.Message, ok bool) {
	for r.batch != nil && r.ended == nil {
		if r.unguarded == 0 {
			r.conn.SetReadDeadline(time.Now().Add(readDeadline))
		}
		r.unguarded = (r.unguarded + 1) % deadlineEvery
		m, err := r.batch.ReadMessage()
		if err != nil {
			r.ended = err
			break
		}
		if m.Offset < r.next {
			continue // a compressed batch starts before the offset asked for
		}
		r.next = m.Offset + 1
		r.lastErr, r.backoff = "", 0
		return m, true
	}
	return kafka.Message{}, false
}

// fetch dials the leader if needed and sends one fetch from r.next.
func (r *partitionReader) fetch(ctx context.Context) error {
	if r.conn == nil {
		var err error
		if r.conn, err = r.dialLeader(ctx); err != nil {
			return err
		}
	}
	if r.next == fromLogStart {
		r.conn.SetDeadline(time.Now().Add(10 * time.Second))
		first, err := r.conn.ReadFirstOffset()
		r.conn.SetDeadline(time.Time{})
		if err != nil {
			r.dropConn()
			return fmt.Errorf("partition %d: read where its log starts: %w", r.partition, err)
		}
		r.next = first
	}
	if _, err := r.conn.Seek(r.next, kafka.SeekAbsolute|kafka.SeekDontCheck); err != nil {
		r.dropConn()
		return err
	}
	r.conn.SetReadDeadline(time.Now().Add(r.maxWait + readDeadline))
	r.unguarded = 0
	b := r.conn.ReadBatchWith(kafka.ReadBatchConfig{MinBytes: r.minBytes, MaxBytes: r.maxBytes, MaxWait: r.maxWait})
	if err := b.Err(); err != nil {
		b.Close()
		if errors.Is(err, kafka.OffsetOutOfRange) {
			if cerr := r.checkRange(ctx); cerr != nil {
				return cerr
			}
		}
		r.dropConn()
		return err
	}
	r.batch = b
	r.hwm = b.HighWaterMark()
	return nil
}

// checkRange asks the leader what the partition holds after an "offset out of range"
// and says whether r.next lies outside it for good. It asks on a connection of its
// own: the one whose fetch failed may be left mid-response, and a range it cannot
// read would only be retried for ever.
func (r *partitionReader) checkRange(ctx context.Context) error {
	conn, err := r.dialLeader(ctx)
	if err != nil {
		r.log("partition %d: offset %d is out of range, and its range could not be read: %v", r.partition, r.next, err)
		return nil // retried: the next fetch asks again
	}
	defer conn.Close()
	conn.SetDeadline(time.Now().Add(10 * time.Second))
	first, last, err := conn.ReadOffsets()
	if err != nil {
		r.log("partition %d: offset %d is out of range, and its range could not be read: %v", r.partition, r.next, err)
		return nil
	}
	if r.next < first || r.next > last {
		return &OffsetsGoneError{Topic: r.topic, Partition: r.partition, Next: r.next, Start: first, End: last}
	}
	return nil
}

// dialLeader connects to the partition's leader through the first broker that answers.
func (r *partitionReader) dialLeader(ctx context.Context) (*kafka.Conn, error) {
	var err error
	for _, b := range r.brokers {
		var conn *kafka.Conn
		if conn, err = r.dialer.DialLeader(ctx, "tcp", b, r.topic, r.partition); err == nil {
			return conn, nil
		}
	}
	return nil, fmt.Errorf("partition %d: connect to its leader: %w", r.partition, err)
}

func (r *partitionReader) dropConn() {
	r.closeBatch()
	if r.conn != nil {
		r.conn.Close()
		r.conn = nil
	}
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
