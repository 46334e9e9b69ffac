package produce

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/segmentio/kafka-go"
)

// Limits of one produce request, and how a failed one is retried.
const (
	// batchMessages and batchBytes bound the messages of one request: a lane of a chunk
	// is sent in as many requests as these need.
	batchMessages = 5_000
	batchBytes    = 8 << 20
	// writeAttempts is how many times a batch is sent before its failure is reported;
	// between two attempts the sender waits from backoffMin, doubling, up to backoffMax.
	writeAttempts = 10
	backoffMin    = 100 * time.Millisecond
	backoffMax    = 2 * time.Second
	// writeTimeout bounds one produce request, the acknowledgement included.
	writeTimeout = 10 * time.Second
)

// batch is one produce request's worth of a chunk's messages, all for one partition,
// in the order they were added.
type batch struct {
	partition int
	recs      []rec
	c         *chunk
}

// sender writes a topic's batches with kafka-go's Client.Produce: one goroutine per
// partition, so that a partition's batches land in the order they were queued, each
// retried until it is acknowledged or fails for good, and then settled in its chunk.
//
// It replaces kafka-go's Writer, whose WriteMessages does for every message what a
// chunk's lanes already know once for all of them: it asks the transport for the
// topic's partitions (a new client and request each time), hashes the key again,
// groups the message in a map of partitions and copies it into a batch. That was 5 %
// of the CPU of 'demo --scale 0.1' (docs/BENCHMARKS.md).
type sender struct {
	client *kafka.Client
	topic  string
	queues []*queue // by partition; made as partitions get their first batch
	wg     sync.WaitGroup
	// failed holds the first batch's failure: the batches queued after it fail with
	// it, unsent. The producer stops at it anyway, and a partition's later batch that
	// landed would leave a hole in its log; each of them retried for seconds against
	// a broker that is gone would keep Close waiting for minutes.
	failed atomic.Pointer[error]
}

func newSender(client *kafka.Client, topic string) *sender {
	return &sender{client: client, topic: topic}
}

// queue is one partition's batches waiting to be written. It never makes the producer
// wait: the producer bounds what is queued by the chunks it keeps in flight, and a
// chunk is thus handed over whole or not at all, which keeps its count of what was
// acknowledged exact even when the producer's context ends.
type queue struct {
	mu      sync.Mutex
	batches []*batch
	closed  bool
	wake    chan struct{} // holds a token when batches or closed changed
}

func (q *queue) push(b *batch) {
	q.mu.Lock()
	q.batches = append(q.batches, b)
	q.mu.Unlock()
	q.signal()
}

func (q *queue) signal() {
	select {
	case q.wake <- struct{}{}:
	default:
	}
}

// pop returns the oldest batch, waiting for one; nil once the queue is closed and empty.
func (q *queue) pop() *batch {
	for {
		q.mu.Lock()
		if len(q.batches) > 0 {
			b := q.batches[0]
			q.batches[0] = nil
			q.batches = q.batches[1:]
			q.mu.Unlock()
			return b
		}
		closed := q.closed
		q.mu.Unlock()
		if closed {
			return nil
		}
		<-q.wake
	}
}

// send queues b for its partition.
func (s *sender) send(b *batch) {
	for len(s.queues) <= b.partition {
		s.queues = append(s.queues, nil)
	}
	q := s.queues[b.partition]
	if q == nil {
		q = &queue{wake: make(chan struct{}, 1)}
		s.queues[b.partition] = q
		s.wg.Add(1)
		go s.run(q)
	}
	q.push(b)
}

// close waits until every queued batch is acknowledged or has failed.
func (s *sender) close() {
	for _, q := range s.queues {
		if q != nil {
			q.mu.Lock()
			q.closed = true
			q.mu.Unlock()
			q.signal()
		}
	}
	s.queues = nil
	s.wg.Wait()
}

// run writes one partition's batches, one after another.
func (s *sender) run(q *queue) {
	defer s.wg.Done()
	for b := q.pop(); b != nil; b = q.pop() {
		if first := s.failed.Load(); first != nil {
			b.c.settle(len(b.recs), fmt.Errorf("not sent after an earlier batch failed: %w", *first))
			continue
		}
		err := s.write(b)
		if err != nil {
			s.failed.CompareAndSwap(nil, &err)
		}
		b.c.settle(len(b.recs), err)
	}
}

// write sends b until the broker acknowledges it, an error is not worth retrying, or
// writeAttempts are spent. A retried batch may land twice if only its answer was lost:
// the ingester's duplicate window catches the copies.
func (s *sender) write(b *batch) error {
	var err error
	wait := backoffMin
	for attempt := range writeAttempts {
		if attempt > 0 {
			time.Sleep(wait)
			wait = min(2*wait, backoffMax)
		}
		ctx, cancel := context.WithTimeout(context.Background(), writeTimeout)
		var res *kafka.ProduceResponse
		res, err = s.client.Produce(ctx, &kafka.ProduceRequest{
			Topic:        s.topic,
			Partition:    b.partition,
			RequiredAcks: kafka.RequireAll,
			Compression:  kafka.Lz4,
			Records:      &records{recs: b.recs},
		})
		cancel()
		if err == nil && res != nil {
			err = res.Error
		}
		if err == nil || !retriable(err) {
			return err
		}
	}
	return err
}

// retriable reports whether a failed produce request may succeed if sent again: a
// Kafka error the protocol marks as temporary (a leader moving, a broker starting),
// or a connection refused or cut.
func retriable(err error) bool {
	var t interface{ Temporary() bool }
	if errors.As(err, &t) && t.Temporary() {
		return true
	}
	return errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, syscall.ECONNREFUSED) ||
		errors.Is(err, syscall.ECONNRESET) || errors.Is(err, syscall.EPIPE)
}

// records hands a batch's messages to the produce request, one reused Record at a
// time. A request that is sent again reads them from a new records.
type records struct {
	recs       []rec
	i          int
	r          kafka.Record
	key, value bytesReader
}

func (r *records) ReadRecord() (*kafka.Record, error) {
	if r.i >= len(r.recs) {
		return nil, io.EOF
	}
	m := &r.recs[r.i]
	r.i++
	r.r = kafka.Record{}
	if m.key != nil { // nil is a null key, as kafka-go's Writer sends it
		r.key.Reset(m.key)
		r.r.Key = &r.key
	}
	if m.value != nil {
		r.value.Reset(m.value)
		r.r.Value = &r.value
	}
	return &r.r, nil
}

// bytesReader is a message's key or value as the protocol reads it.
type bytesReader struct{ bytes.Reader }

func (*bytesReader) Close() error { return nil }
