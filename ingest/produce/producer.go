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
	// Chunk is how many messages are handed to the sender at once; 0 means 20,000.
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

// tally is Stats as the per-message path keeps it: the known types (events.Types)
// counted in arrays by their place, since two map updates keyed by the type's name
// took 7 % of the CPU of writing the simulator's events to a file; a type outside
// them goes to other's maps.
type tally struct {
	other      Stats // Messages and Bytes of all; Count and SumFen of unlisted types (nil until one comes)
	count, fen [nTypes]int64
}

// nTypes is the number of event types the tally counts in arrays.
const nTypes = 6

func init() {
	if len(events.Types) != nTypes {
		panic(fmt.Sprintf("produce: tally counts %d event types; events.Types lists %d", nTypes, len(events.Types)))
	}
}

// add counts one message of type typ, size bytes long, carrying fen: the one place a
// message is counted, whether it goes to Kafka or to a file.
func (t *tally) add(typ events.Type, size int, fen int64) {
	t.other.Messages++
	t.other.Bytes += int64(size)
	if i := typ.Index(); i >= 0 {
		t.count[i]++
		t.fen[i] += fen
		return
	}
	if t.other.Count == nil {
		t.other.Count, t.other.SumFen = map[events.Type]int64{}, map[events.Type]int64{}
	}
	t.other.Count[typ]++
	t.other.SumFen[typ] += fen
}

// addTo adds the tally's counts to s.
func (t *tally) addTo(s *Stats) {
	for i, typ := range events.Types {
		if t.count[i] != 0 {
			s.Count[typ] += t.count[i]
			s.SumFen[typ] += t.fen[i]
		}
	}
	s.add(t.other)
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
// Encoding the next chunks overlaps with writing the previous ones: each chunk's
// batches, one or more per partition, are handed to the sender, which writes them in
// the background, and at most maxInFlight chunks wait for their acknowledgements. (A
// producer that waited for each chunk's acknowledgement left the simulator waiting
// three quarters of the time.)
type Producer struct {
	send    *sender
	meta    *topicMetadata
	brokers string
	sec     *kafkasec.Client
	chunk   int
	cur     *chunk // the chunk being filled
	// inFlight are the chunks handed to the sender, oldest first; free are chunks
	// acknowledged, whose buffers the next chunks reuse. Fresh buffers for every
	// chunk (8 MB) made the runtime clear and return memory without end under the
	// memory limit: 7 % of a full-festival demo's CPU.
	inFlight []*chunk
	free     []*chunk
	acked    Stats
	broken   error // set once a chunk failed: nothing more is sent
	// part places each message in the lane of its partition (see chunk); key holds the
	// key of the message being added.
	part partitioner
	key  []byte
	enc  events.Encoder // remembers the last second it wrote
}

// maxInFlight is how many chunks may wait for their acknowledgements at once.
const maxInFlight = 4

// New returns a producer; call kafkasec.CheckReachable first for a clear error.
func New(cfg Config) *Producer {
	size := cfg.Chunk
	if size <= 0 {
		size = 20_000
	}
	meta := &topicMetadata{RoundTripper: cfg.Security.Transport(10 * time.Second)}
	client := &kafka.Client{Addr: kafka.TCP(cfg.Brokers...), Transport: meta, Timeout: writeTimeout}
	p := &Producer{send: newSender(client, cfg.Topic), meta: meta, brokers: strings.Join(cfg.Brokers, ","),
		sec: cfg.Security, chunk: size, acked: newStats()}
	p.cur = &chunk{}
	p.cur.reset(0)
	return p
}

// Add encodes e and queues it; every Chunk messages the queue is written.
func (p *Producer) Add(ctx context.Context, e *events.Event) error {
	p.key = append(p.key[:0], e.Key()...)
	lane := p.part.partition(p.key, p.cur.parts)
	arena := p.cur.lane(lane)
	start := len(*arena)
	a, err := p.enc.Append(*arena, e)
	if err != nil {
		return fmt.Errorf("encode event %s: %w", e.EventID, err)
	}
	mid := len(a)
	a = append(a, p.key...)
	*arena = a
	// Full slice expressions: a message's bytes end where the next one's begin.
	return p.add(ctx, lane, rec{key: a[mid:len(a):len(a)], value: a[start:mid:mid]}, e.Type, amountOf(e))
}

func amountOf(e *events.Event) int64 {
	if e.Type == events.EnvelopeSent {
		return e.TotalFen
	}
	return e.AmountFen
}

// AddRaw queues an already encoded message; typ and fen feed the statistics. key and
// value must stay unchanged until the message is acknowledged.
func (p *Producer) AddRaw(ctx context.Context, key, value []byte, typ events.Type, fen int64) error {
	return p.add(ctx, p.part.partition(key, p.cur.parts), rec{key: key, value: value}, typ, fen)
}

// add queues a message in lane.
func (p *Producer) add(ctx context.Context, lane int, r rec, typ events.Type, fen int64) error {
	if p.broken != nil {
		return p.broken
	}
	if size := len(r.key) + len(r.value); size > batchBytes {
		return fmt.Errorf("produce to Kafka: a message of %d bytes is larger than a batch may be (%d bytes); nothing was sent for it", size, batchBytes)
	}
	p.cur.add(lane, r)
	p.cur.tally.add(typ, len(r.value), fen)
	if p.cur.n >= p.chunk {
		return p.flush(ctx)
	}
	return nil
}

// flush hands the queued chunk to the sender, after waiting for the oldest chunk in
// flight if maxInFlight are.
func (p *Producer) flush(ctx context.Context) error {
	if p.broken != nil {
		return p.broken
	}
	if p.cur.n == 0 {
		return nil
	}
	for len(p.inFlight) >= maxInFlight {
		if err := p.waitOldest(ctx); err != nil {
			return err
		}
	}
	parts, err := p.meta.partitionCount(ctx, p.send.client.Addr, p.send.topic)
	if err != nil {
		return p.fail(p.explain(err))
	}
	c := p.cur
	c.place(parts, &p.part)
	c.left.Store(int64(c.n))
	c.batches(p.send.send)
	p.inFlight = append(p.inFlight, c)
	if n := len(p.free); n > 0 {
		p.cur, p.free = p.free[n-1], p.free[:n-1]
	} else {
		p.cur = &chunk{}
		for _, l := range c.lanes {
			*p.cur.lane(len(p.cur.lanes)) = make([]byte, 0, len(l)+len(l)/8)
		}
	}
	p.cur.reset(parts) // the next chunk's lanes are for the partitions counted now
	return nil
}

// waitOldest waits for the oldest chunk in flight to be acknowledged.
func (p *Producer) waitOldest(ctx context.Context) error {
	c := p.inFlight[0]
	select {
	case <-c.done:
	case <-ctx.Done():
		return p.fail(fmt.Errorf("produce to Kafka: %w", ctx.Err()))
	}
	p.inFlight = p.inFlight[1:]
	if c.err != nil {
		return p.fail(p.explain(c.err))
	}
	c.tally.addTo(&p.acked)
	p.free = append(p.free, c)
	return nil
}

// explain turns the sender's error into one that says what to change. The sender
// does not retry a refused password, and kafka-go reports one as the connection
// closing: Diagnose asks the brokers.
func (p *Producer) explain(err error) error {
	if e := kafkasec.Diagnose(context.Background(), err, strings.Split(p.brokers, ","), p.sec); e != nil {
		return e
	}
	return fmt.Errorf("produce to Kafka: %w", err)
}

// fail stops the producer: the sender may still be sending chunks it has, so no
// buffer is reused and nothing more is sent. The chunks in flight are counted by Close
// once the sender is done with them.
func (p *Producer) fail(err error) error {
	p.broken = err
	p.free = nil
	return err
}

// Flush writes everything queued and waits for the acknowledgements.
func (p *Producer) Flush(ctx context.Context) error {
	if err := p.flush(ctx); err != nil {
		return err
	}
	for len(p.inFlight) > 0 {
		if err := p.waitOldest(ctx); err != nil {
			return err
		}
	}
	return nil
}

// Acked returns the statistics of what the broker acknowledged so far.
func (p *Producer) Acked() Stats { return p.acked }

// Close flushes and stops the sender. Stopping it waits until it has written or given
// up on every chunk handed to it, so that Acked then counts every chunk the
// broker acknowledged, even after ctx ended or a write failed.
func (p *Producer) Close(ctx context.Context) error {
	err := p.Flush(ctx)
	p.send.close()
	if t, ok := p.meta.RoundTripper.(interface{ CloseIdleConnections() }); ok {
		t.CloseIdleConnections()
	}
	for _, c := range p.inFlight {
		select {
		case <-c.done:
			if c.err == nil {
				c.tally.addTo(&p.acked)
			}
		default: // not settled: not counted
		}
	}
	p.inFlight = nil
	return err
}
