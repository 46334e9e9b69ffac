package ingest

import (
	"context"
	"errors"
	"fmt"
	"net"
	"sync"
	"time"

	"github.com/segmentio/kafka-go"
	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/hongbao/hongbao/ingest/kafkasec"
)

// partitionReader reads one partition with franz-go's client (kgo), assigned
// directly at an exact offset (no consumer group: the lake says where to resume),
// and hands out its messages one by one. What it holds is bounded in bytes: the
// fetch being handed out and the next one, maxBytes each as the broker sends them
// (lz4 batches decompress to about 4.6 times that). It never moves its offset
// on its own: the client is set never to reset an offset, so a fetch the broker
// answers with "offset out of range" is an error naming the partition's range, where
// a client left to itself would skip to the log's start (losing offsets) or wait
// forever past its end.
type partitionReader struct {
	brokers   []string
	topic     string
	partition int
	maxBytes  int
	maxWait   time.Duration
	log       func(format string, args ...any)
	sec       *kafkasec.Client

	cl     *kgo.Client
	recs   []*kgo.Record // the last poll's records, handed out from i
	i      int
	next   int64 // the next offset to hand out
	hwm    int64 // the high watermark of the last fetch; -1 before the first
	caught bool  // the caught-up return was made for the records handed out

	problems *connProblems
	backoff  time.Duration
}

func newPartitionReader(brokers []string, topic string, partition int, from int64, log func(string, ...any), sec *kafkasec.Client) *partitionReader {
	return &partitionReader{brokers: brokers, topic: topic, partition: partition,
		maxBytes: 2 << 20, maxWait: 250 * time.Millisecond, log: log, sec: sec, next: from, hwm: -1,
		problems: &connProblems{partition: partition, log: log}}
}

// connProblems hears the client's connection failures (a kgo hook, on the client's
// goroutines) and says each kind once until a fetch succeeds again: that the
// connection was lost, that it could not connect. The last failure to connect is
// kept for the reader to diagnose (a refused password is not worth retrying).
type connProblems struct {
	partition int
	log       func(format string, args ...any)

	mu         sync.Mutex
	lost, dial bool
	connErr    error
}

// closing reports an error of a client being closed, not of the broker.
func closing(err error) bool {
	return err == nil || errors.Is(err, context.Canceled) || errors.Is(err, net.ErrClosed) || errors.Is(err, kgo.ErrClientClosed)
}

func (c *connProblems) OnBrokerConnect(_ kgo.BrokerMetadata, _ time.Duration, _ net.Conn, err error) {
	if closing(err) {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.connErr = err
	if !c.dial {
		c.dial = true
		c.log("partition %d: connect to its leader: %v; retrying", c.partition, err)
	}
}

func (c *connProblems) OnBrokerRead(_ kgo.BrokerMetadata, _ int16, _ int, _, _ time.Duration, err error) {
	if closing(err) {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if !c.lost && !c.dial {
		c.lost = true
		c.log("partition %d: %v; retrying", c.partition, err)
	}
}

// fetched clears the problems once a fetch succeeds.
func (c *connProblems) fetched() {
	c.mu.Lock()
	c.lost, c.dial, c.connErr = false, false, nil
	c.mu.Unlock()
}

func (c *connProblems) lastConnErr() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.connErr
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

// Close releases the client and its connections.
func (r *partitionReader) Close() { r.dropClient() }

func (r *partitionReader) dropClient() {
	if r.cl != nil {
		r.cl.Close()
		r.cl = nil
	}
	clear(r.recs)
	r.recs, r.i = r.recs[:0], 0
}

// HighWaterMark is the partition's high watermark as of the last fetch, -1 before it.
func (r *partitionReader) HighWaterMark() int64 { return r.hwm }

// open starts a client reading the partition from r.next.
func (r *partitionReader) open() error {
	at := kgo.NewOffset().At(r.next)
	if r.next == fromLogStart {
		at = kgo.NewOffset().AtStart()
	}
	opts := append(r.sec.KgoOpts(), kgo.SeedBrokers(r.brokers...),
		kgo.ConsumePartitions(map[string]map[int32]kgo.Offset{r.topic: {int32(r.partition): at}}),
		kgo.ConsumeResetOffset(kgo.NoResetOffset()),
		kgo.FetchMaxBytes(int32(r.maxBytes)), kgo.FetchMaxPartitionBytes(int32(r.maxBytes)),
		kgo.FetchMinBytes(1<<20), kgo.FetchMaxWait(r.maxWait),
		kgo.DialTimeout(5*time.Second), kgo.MetadataMinAge(time.Second),
		kgo.WithHooks(r.problems))
	cl, err := kgo.NewClient(opts...)
	if err != nil {
		return fmt.Errorf("partition %d: kafka client: %w", r.partition, err)
	}
	r.cl = cl
	return nil
}

// Next returns the next message. ok is false when the partition is caught up for now
// (every message up to the high watermark handed out, or nothing came for maxWait),
// so that the caller can do its timed work. A broker that is gone or restarting is
// retried by the client and reported once; the error is for what retrying cannot
// fix (OffsetsGoneError, a refused password or certificate) and for the end of ctx.
func (r *partitionReader) Next(ctx context.Context) (m kafka.Message, ok bool, err error) {
	for {
		if err := ctx.Err(); err != nil {
			return m, false, err
		}
		if r.i < len(r.recs) {
			rec := r.recs[r.i]
			r.recs[r.i] = nil
			r.i++
			if rec.Offset < r.next {
				continue
			}
			r.next, r.caught = rec.Offset+1, false
			return kafka.Message{Topic: rec.Topic, Partition: int(rec.Partition), Offset: rec.Offset,
				HighWaterMark: r.hwm, Key: rec.Key, Value: rec.Value, Time: rec.Timestamp}, true, nil
		}
		if !r.caught && r.hwm >= 0 && r.next >= r.hwm {
			r.caught = true
			return m, false, nil
		}
		if r.cl == nil {
			if err := r.open(); err != nil {
				return m, false, err
			}
		}
		pctx, cancel := context.WithTimeout(ctx, r.maxWait+100*time.Millisecond)
		fs := r.cl.PollFetches(pctx)
		cancel()
		if ctx.Err() != nil {
			return m, false, ctx.Err()
		}
		got, err := r.take(ctx, fs)
		if err != nil {
			return m, false, err
		}
		if got {
			continue
		}
		// Nothing came: caught up, or the broker cannot be reached.
		if cerr := r.problems.lastConnErr(); cerr != nil {
			if perr := kafkasec.Diagnose(ctx, cerr, r.brokers, r.sec); perr != nil {
				return m, false, fmt.Errorf("partition %d: %w", r.partition, perr)
			}
		}
		r.caught = true
		return m, false, nil
	}
}

// take keeps the records of a poll, and turns its errors into what Next returns.
func (r *partitionReader) take(ctx context.Context, fs kgo.Fetches) (got bool, err error) {
	clear(r.recs)
	r.recs, r.i = r.recs[:0], 0
	var ferr error
	fs.EachPartition(func(p kgo.FetchTopicPartition) {
		if p.Err != nil {
			if ferr == nil && !errors.Is(p.Err, context.DeadlineExceeded) && !errors.Is(p.Err, context.Canceled) {
				ferr = p.Err
			}
			return
		}
		if p.Topic != r.topic || int(p.Partition) != r.partition {
			return
		}
		r.hwm = p.HighWatermark
		r.recs = append(r.recs, p.Records...)
	})
	if len(r.recs) > 0 {
		r.problems.fetched()
		r.backoff = 0
		return true, nil
	}
	if ferr == nil {
		return false, nil
	}
	if errors.Is(ferr, kerr.OffsetOutOfRange) {
		if err := r.checkRange(ctx); err != nil {
			return false, err
		}
	}
	if perr := kafkasec.Diagnose(ctx, ferr, r.brokers, r.sec); perr != nil {
		return false, fmt.Errorf("partition %d: %w", r.partition, perr)
	}
	// The client stops reading a partition on an error it does not retry itself:
	// start a new one at r.next, after a pause.
	r.log("partition %d: %v; retrying", r.partition, ferr)
	r.dropClient()
	r.wait(ctx)
	return true, nil
}

// checkRange asks the brokers what the partition holds after an "offset out of
// range" and says whether r.next lies outside it for good.
func (r *partitionReader) checkRange(ctx context.Context) error {
	adm, err := newAdmin(r.brokers, r.topic, "", r.sec)
	if err != nil {
		return nil // retried: the next fetch asks again
	}
	defer adm.Close()
	st, err := adm.state(ctx, 10*time.Second)
	if err != nil {
		return nil
	}
	rg, ok := st.Partitions[r.partition]
	if ok && r.next != fromLogStart && (r.next < rg.Start || r.next > rg.End) {
		return &OffsetsGoneError{Topic: r.topic, Partition: r.partition, Next: r.next, Start: rg.Start, End: rg.End}
	}
	return nil
}

// wait pauses before a new client, longer each time.
func (r *partitionReader) wait(ctx context.Context) {
	r.backoff = min(max(2*r.backoff, 50*time.Millisecond), 2*time.Second)
	t := time.NewTimer(r.backoff)
	defer t.Stop()
	select {
	case <-ctx.Done():
	case <-t.C:
	}
}
