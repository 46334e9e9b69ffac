package produce

import (
	"context"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/segmentio/kafka-go"

	"github.com/hongbao/hongbao/ingest/events"
	"github.com/hongbao/hongbao/ingest/kafkasec"
)

// Config says where to produce.
type Config struct {
	Brokers []string // host:port of one or more brokers
	Topic   string
	// Chunk is how many messages are handed to the Kafka writer at once; 0 means 20,000.
	Chunk int
	// Security is the TLS and SASL of every connection; nil is plain TCP without SASL.
	Security *kafkasec.Client
}

// Stats counts what was acknowledged by the broker, per event type.
type Stats struct {
	Messages int64
	Bytes    int64
	Count    map[events.Type]int64
	// SumFen adds amount_fen (total_fen for envelopes) per type.
	SumFen map[events.Type]int64
}

func newStats() Stats {
	return Stats{Count: map[events.Type]int64{}, SumFen: map[events.Type]int64{}}
}

// count adds one message of type typ, size bytes long, carrying fen: the one place a
// message is counted, whether it goes to Kafka or to a file.
func (s *Stats) count(typ events.Type, size int, fen int64) {
	s.Messages++
	s.Bytes += int64(size)
	s.Count[typ]++
	s.SumFen[typ] += fen
}

// add adds the counts of o.
func (s *Stats) add(o Stats) {
	s.Messages += o.Messages
	s.Bytes += o.Bytes
	for t, n := range o.Count {
		s.Count[t] += n
	}
	for t, n := range o.SumFen {
		s.SumFen[t] += n
	}
}

// Print writes the counts as a table: one line per event type, then the total.
func (s Stats) Print(w io.Writer) {
	fmt.Fprintf(w, "%-18s %12s %18s\n", "type", "produced", "sum_fen")
	for _, t := range events.Types {
		fmt.Fprintf(w, "%-18s %12d %18d\n", t, s.Count[t], s.SumFen[t])
	}
	fmt.Fprintf(w, "%-18s %12d %18s\n", "total", s.Messages, "")
}

// Producer batches events and writes them with acks from all in-sync replicas.
// Encoding the next chunk overlaps with writing the previous one.
type Producer struct {
	w       *kafka.Writer
	brokers string
	sec     *kafkasec.Client
	chunk   int
	buf     []kafka.Message
	pending Stats // of buf
	// arena holds the keys and values of buf, encoded one after the other: no
	// allocation per message.
	arena []byte
	// sent and sentArena are the buffers of the chunk in flight: once the broker
	// acknowledges it, the next chunk is queued in them. Fresh buffers for every
	// chunk (8 MB) made the runtime clear and return memory without end under
	// the memory limit: 7 % of a full-festival demo's CPU.
	sent      []kafka.Message
	sentArena []byte
	acked     Stats
	inFlight  chan error // result of the chunk being written, nil when none
	inStats   Stats
}

// New returns a producer; call kafkasec.CheckReachable first for a clear error.
func New(cfg Config) *Producer {
	chunk := cfg.Chunk
	if chunk <= 0 {
		chunk = 20_000
	}
	w := &kafka.Writer{
		Addr:            kafka.TCP(cfg.Brokers...),
		Topic:           cfg.Topic,
		Balancer:        &kafka.Murmur2Balancer{}, // the Java client's partitioner: same key, same partition
		RequiredAcks:    kafka.RequireAll,
		MaxAttempts:     10,
		WriteBackoffMin: 100 * time.Millisecond,
		WriteBackoffMax: 2 * time.Second,
		// A partition's batch: kafka-go allocates room for BatchSize messages for
		// every batch, so a batch as large as the chunk cost 3 MB of cleared memory
		// per partition per chunk. A full batch is sent at once, without the timeout.
		BatchSize:    5_000,
		BatchBytes:   8 << 20,
		BatchTimeout: 20 * time.Millisecond,
		// lz4 batches: the broker's log (and what crosses the socket) shrinks several
		// times, for a decompression the consumer hardly notices.
		Compression:            kafka.Lz4,
		AllowAutoTopicCreation: true,
		Transport:              &topicMetadata{RoundTripper: cfg.Security.Transport(10 * time.Second)},
	}
	return &Producer{w: w, brokers: strings.Join(cfg.Brokers, ","), sec: cfg.Security, chunk: chunk, pending: newStats(), acked: newStats()}
}

// Add encodes e and queues it; every Chunk messages the queue is written.
func (p *Producer) Add(ctx context.Context, e *events.Event) error {
	start := len(p.arena)
	a, err := events.AppendEncoded(p.arena, e)
	if err != nil {
		return fmt.Errorf("encode event %s: %w", e.EventID, err)
	}
	mid := len(a)
	a = append(a, e.Key()...)
	p.arena = a
	// Full slice expressions: a message's bytes end where the next one's begin.
	return p.AddRaw(ctx, a[mid:len(a):len(a)], a[start:mid:mid], e.Type, amountOf(e))
}

func amountOf(e *events.Event) int64 {
	if e.Type == events.EnvelopeSent {
		return e.TotalFen
	}
	return e.AmountFen
}

// AddRaw queues an already encoded message; typ and fen feed the statistics.
func (p *Producer) AddRaw(ctx context.Context, key, value []byte, typ events.Type, fen int64) error {
	p.buf = append(p.buf, kafka.Message{Key: key, Value: value})
	p.pending.count(typ, len(value), fen)
	if len(p.buf) >= p.chunk {
		return p.flush(ctx)
	}
	return nil
}

// flush waits for the chunk in flight, then starts writing the queued one.
func (p *Producer) flush(ctx context.Context) error {
	if err := p.wait(); err != nil {
		return err
	}
	if len(p.buf) == 0 {
		return nil
	}
	msgs, arena := p.buf, p.arena
	if p.sent != nil { // acknowledged by the wait above
		p.buf, p.arena = p.sent[:0], p.sentArena[:0]
	} else {
		p.buf = make([]kafka.Message, 0, p.chunk)
		p.arena = make([]byte, 0, len(arena)+len(arena)/8)
	}
	p.sent, p.sentArena = msgs, arena
	p.inStats, p.pending = p.pending, newStats()
	ch := make(chan error, 1)
	p.inFlight = ch
	go func() { ch <- p.w.WriteMessages(ctx, msgs...) }()
	return nil
}

func (p *Producer) wait() error {
	if p.inFlight == nil {
		return nil
	}
	err := <-p.inFlight
	p.inFlight = nil
	if err != nil {
		// The writer may still be sending a chunk it gave up on: never reuse it.
		p.sent, p.sentArena = nil, nil
		// The writer does not retry a refused password; say what to change. The
		// writer reports one as the connection closing: Diagnose asks the brokers.
		if e := kafkasec.Diagnose(context.Background(), err, strings.Split(p.brokers, ","), p.sec); e != nil {
			return e
		}
		return fmt.Errorf("produce to Kafka: %w", err)
	}
	p.acked.add(p.inStats)
	return nil
}

// Flush writes everything queued and waits for the acknowledgements.
func (p *Producer) Flush(ctx context.Context) error {
	if err := p.flush(ctx); err != nil {
		return err
	}
	return p.wait()
}

// Acked returns the statistics of what the broker acknowledged so far.
func (p *Producer) Acked() Stats { return p.acked }

// Close flushes and closes the writer.
func (p *Producer) Close(ctx context.Context) error {
	err := p.Flush(ctx)
	if cerr := p.w.Close(); err == nil && cerr != nil {
		err = cerr
	}
	return err
}
