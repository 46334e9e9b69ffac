package produce

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"slices"
	"sync/atomic"
	"testing"
	"time"

	"github.com/segmentio/kafka-go"
	"github.com/segmentio/kafka-go/protocol"
	metadataAPI "github.com/segmentio/kafka-go/protocol/metadata"

	"github.com/hongbao/hongbao/ingest/broker"
	"github.com/hongbao/hongbao/ingest/events"
)

// startBroker starts an embedded broker on loopback, closed when the test ends.
func startBroker(t testing.TB) *broker.Broker {
	t.Helper()
	b, err := broker.Start(broker.Config{Listen: "127.0.0.1:0"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { b.Close() })
	return b
}

// TestAckedStats produces in several chunks and counts only what the broker
// acknowledged, per type and in fen.
func TestAckedStats(t *testing.T) {
	b := startBroker(t)
	ctx := context.Background()
	p := New(Config{Brokers: []string{b.Addr()}, Topic: broker.DefaultTopic, Chunk: 7})
	ts := time.Date(2014, 1, 31, 0, 0, 0, 0, time.UTC)
	for i := range 20 {
		e := events.Event{EventID: "e" + string(rune('a'+i)), Type: events.Withdrawal, TS: ts, UserID: "u1",
			Provider: events.ProviderWeChatPay, BankCode: "ICBC", AmountFen: int64(100 + i)}
		if err := p.Add(ctx, &e); err != nil {
			t.Fatal(err)
		}
	}
	if err := p.Close(ctx); err != nil {
		t.Fatal(err)
	}
	st := p.Acked()
	if st.Messages != 20 || st.Count[events.Withdrawal] != 20 || st.SumFen[events.Withdrawal] != 20*100+190 {
		t.Errorf("acked %+v, want 20 withdrawals summing 2190 fen", st)
	}
}

// countingTransport counts the one-topic metadata requests that reach the real transport.
type countingTransport struct {
	kafka.RoundTripper
	metadata atomic.Int64
}

func (c *countingTransport) RoundTrip(ctx context.Context, addr net.Addr, req protocol.Message) (protocol.Message, error) {
	if m, ok := req.(*metadataAPI.Request); ok && len(m.TopicNames) == 1 {
		c.metadata.Add(1)
	}
	return c.RoundTripper.RoundTrip(ctx, addr, req)
}

// TestWriterAsksMetadataOncePerSecond: kafka-go's Writer asks for the topic's metadata
// for every message; topicMetadata answers all but the first from its cache, and the
// messages land on all 4 of the topic's partitions.
func TestWriterAsksMetadataOncePerSecond(t *testing.T) {
	b := startBroker(t)
	ctx := context.Background()
	inner := &countingTransport{RoundTripper: &kafka.Transport{}}
	// Acks from the broker, so that WriteMessages returns once the messages are in the
	// log (the writer's default, no acks, let the count below race the broker).
	w := &kafka.Writer{Addr: kafka.TCP(b.Addr()), Topic: broker.DefaultTopic, Balancer: &kafka.Hash{},
		BatchTimeout: time.Millisecond, RequiredAcks: kafka.RequireAll, Transport: &topicMetadata{RoundTripper: inner}}
	defer w.Close()
	msgs := make([]kafka.Message, 1000)
	for i := range msgs {
		msgs[i] = kafka.Message{Key: fmt.Appendf(nil, "k%d", i), Value: []byte("v")}
	}
	start := time.Now()
	if err := w.WriteMessages(ctx, msgs...); err != nil {
		t.Fatal(err)
	}
	asked := inner.metadata.Load()
	if max := int64(time.Since(start)/metadataTTL) + 1; asked < 1 || asked > max {
		t.Errorf("%d metadata requests reached the transport for %d messages; want 1 to %d", asked, len(msgs), max)
	}
	ends := partitionEnds(t, b.Addr())
	var total int64
	for p, last := range ends {
		if last == 0 {
			t.Errorf("partition %d holds no message", p)
		}
		total += last
	}
	if total != int64(len(msgs)) {
		t.Errorf("the partitions hold %d messages, want %d", total, len(msgs))
	}
}

// TestChunksLandInOrder: with many small chunks in flight at once, every message lands
// once, and each partition holds its messages in the order they were added, as a
// producer that waited for each chunk would have written them.
func TestChunksLandInOrder(t *testing.T) {
	b := startBroker(t)
	ctx := context.Background()
	p := New(Config{Brokers: []string{b.Addr()}, Topic: broker.DefaultTopic, Chunk: 37})
	const n = 3000
	for i := range n {
		e := withdrawal(i)
		if err := p.Add(ctx, &e); err != nil {
			t.Fatal(err)
		}
	}
	if err := p.Close(ctx); err != nil {
		t.Fatal(err)
	}
	if st := p.Acked(); st.Messages != n || st.SumFen[events.Withdrawal] != n {
		t.Errorf("acked %d messages, %d fen; want %d of each", st.Messages, st.SumFen[events.Withdrawal], n)
	}
	seen := map[string]bool{}
	for part := range 4 {
		conn, err := kafka.DialLeader(ctx, "tcp", b.Addr(), broker.DefaultTopic, part)
		if err != nil {
			t.Fatal(err)
		}
		last, err := conn.ReadLastOffset()
		if err != nil {
			t.Fatal(err)
		}
		if _, err := conn.Seek(0, kafka.SeekAbsolute); err != nil {
			t.Fatal(err)
		}
		batch := conn.ReadBatch(1, 16<<20)
		prev := ""
		for off := int64(0); off < last; off++ {
			m, err := batch.ReadMessage()
			if err != nil {
				t.Fatalf("partition %d, offset %d: %v", part, off, err)
			}
			e, err := events.Decode(m.Value, events.DefaultValidator())
			if err != nil {
				t.Fatal(err)
			}
			if e.EventID <= prev {
				t.Fatalf("partition %d, offset %d holds %s after %s", part, off, e.EventID, prev)
			}
			// The Java client's partition of the key: the writer took Add's lane.
			if want := (&kafka.Murmur2Balancer{}).Balance(m, 0, 1, 2, 3); want != part {
				t.Fatalf("partition %d, offset %d holds key %q, whose partition is %d", part, off, m.Key, want)
			}
			if seen[e.EventID] {
				t.Fatalf("%s landed twice", e.EventID)
			}
			seen[e.EventID], prev = true, e.EventID
		}
		batch.Close()
		conn.Close()
	}
	if len(seen) != n {
		t.Errorf("the partitions hold %d events, want %d", len(seen), n)
	}
}

// TestLaneBalancerIsMurmur2: the writer's balancer answers as kafka-go's Murmur2Balancer
// does, whether it takes the lane Add chose (the partitions Add counted) or hashes the
// key again (other partitions, a message added without a lane).
func TestLaneBalancerIsMurmur2(t *testing.T) {
	c := &chunk{}
	lists := [][]int{{0}, {0, 1, 2, 3}, {0, 1, 2}, {0, 1, 2, 3, 4, 5, 6, 7}, {1, 2, 3, 4}, {0, 2, 5, 9}}
	for i := range 2000 {
		key := fmt.Appendf(nil, "s1jy-env-%d", i)
		for _, addParts := range []int{0, 1, 4, 8} {
			counted := make([]int, addParts)
			for p := range counted {
				counted[p] = p
			}
			lane := 0
			if addParts > 1 {
				lane = (&kafka.Murmur2Balancer{}).Balance(kafka.Message{Key: key}, counted...)
			}
			for _, m := range []*mark{c.markOf(lane, addParts), c.markOf(-1, 0)} {
				msg := kafka.Message{Key: key, WriterData: m}
				for _, parts := range lists {
					if got, want := (laneBalancer{}).Balance(msg, parts...), (&kafka.Murmur2Balancer{}).Balance(msg, parts...); got != want {
						t.Fatalf("key %s, lane %d of %d, partitions %v: %d, want %d", key, m.lane, m.parts, parts, got, want)
					}
				}
			}
		}
	}
}

// BenchmarkCachedMetadata is the writer's per-message metadata request answered from
// topicMetadata's cache, four goroutines at once as the writer's partitions run.
func BenchmarkCachedMetadata(b *testing.B) {
	br := startBroker(b)
	tm := &topicMetadata{RoundTripper: kafka.DefaultTransport}
	ctx := context.Background()
	req := &metadataAPI.Request{TopicNames: []string{broker.DefaultTopic}, AllowAutoTopicCreation: true}
	addr := kafka.TCP(br.Addr())
	if _, err := tm.RoundTrip(ctx, addr, req); err != nil {
		b.Fatal(err)
	}
	b.SetParallelism(2)
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if _, err := tm.RoundTrip(ctx, addr, req); err != nil {
				b.Error(err)
				return
			}
		}
	})
}

// TestProducerReportsALostBroker: the broker goes away while chunks are in flight. The
// producer returns an error instead of hanging, and what it counts as acknowledged is
// in the broker's log when the broker comes back on the same data.
func TestProducerReportsALostBroker(t *testing.T) {
	dir := t.TempDir()
	b, err := broker.Start(broker.Config{Listen: "127.0.0.1:0", DataDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	p := New(Config{Brokers: []string{b.Addr()}, Topic: broker.DefaultTopic, Chunk: 500})
	add := func(i int) error {
		e := withdrawal(i)
		return p.Add(ctx, &e)
	}
	i := 0
	for ; p.Acked().Messages < 5_000; i++ {
		if err := add(i); err != nil {
			t.Fatal(err)
		}
	}
	addr := b.Addr()
	b.Close()
	start := time.Now()
	for err == nil && time.Since(start) < time.Minute {
		err = add(i)
		i++
	}
	if cerr := p.Close(ctx); err == nil {
		err = cerr
	}
	if err == nil {
		t.Fatalf("%d events added with the broker gone, and no error", i)
	}
	t.Logf("after %s: %v", time.Since(start).Round(time.Millisecond), err)

	b, err = broker.Start(broker.Config{Listen: addr, DataDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	landed := topicMessages(t, b.Addr())
	if acked := p.Acked().Messages; acked < 5_000 || acked > landed {
		t.Errorf("the producer counts %d messages acknowledged; the broker's log holds %d", acked, landed)
	}
}

// TestAckedAfterCancel: the context ends with chunks in flight. Close still waits for
// them, and Acked then counts exactly what the topic holds.
func TestAckedAfterCancel(t *testing.T) {
	b := startBroker(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	p := New(Config{Brokers: []string{b.Addr()}, Topic: broker.DefaultTopic, Chunk: 300})
	var err error
	for i := 0; err == nil; i++ {
		if i == 4_000 {
			cancel()
		}
		e := withdrawal(i)
		err = p.Add(ctx, &e)
	}
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("Add after the cancel: %v, want context.Canceled", err)
	}
	if err := p.Close(ctx); !errors.Is(err, context.Canceled) {
		t.Errorf("Close: %v, want context.Canceled", err)
	}
	landed := topicMessages(t, b.Addr())
	if st := p.Acked(); st.Messages != landed || st.SumFen[events.Withdrawal] != landed || landed < 3_000 {
		t.Errorf("acked %d messages (%d fen); the topic holds %d", st.Messages, st.SumFen[events.Withdrawal], landed)
	}
}

// withdrawal is the i-th event of the tests that count messages: one fen, ids that
// sort in the order added, keys spread over the partitions.
func withdrawal(i int) events.Event {
	return events.Event{EventID: fmt.Sprintf("e%07d", i), Type: events.Withdrawal,
		TS: time.Date(2014, 1, 31, 0, 0, 0, 0, time.UTC), UserID: fmt.Sprintf("u%d", i%101),
		Provider: events.ProviderWeChatPay, BankCode: "ICBC", AmountFen: 1}
}

// partitionEnds returns the high watermark of each of the topic's four partitions.
func partitionEnds(t *testing.T, addr string) []int64 {
	t.Helper()
	ends := make([]int64, 4)
	for p := range ends {
		conn, err := kafka.DialLeader(context.Background(), "tcp", addr, broker.DefaultTopic, p)
		if err != nil {
			t.Fatal(err)
		}
		ends[p], err = conn.ReadLastOffset()
		conn.Close()
		if err != nil {
			t.Fatal(err)
		}
	}
	return ends
}

// topicMessages is the number of messages the topic holds.
func topicMessages(t *testing.T, addr string) int64 {
	t.Helper()
	var n int64
	for _, end := range partitionEnds(t, addr) {
		n += end
	}
	return n
}

// TestLanesFollowPartitions: once the topic's metadata is in, each message is encoded
// in the lane of the partition the writer sends it to, so that a batch reads one run
// of memory.
func TestLanesFollowPartitions(t *testing.T) {
	b := startBroker(t)
	ctx := context.Background()
	p := New(Config{Brokers: []string{b.Addr()}, Topic: broker.DefaultTopic, Chunk: 50})
	defer p.Close(ctx)
	for i := range 50 + 40 { // one chunk to learn the partitions, then 40 in lanes
		e := withdrawal(i)
		if err := p.Add(ctx, &e); err != nil {
			t.Fatal(err)
		}
	}
	if len(p.parts) != 4 {
		t.Fatalf("%d lanes after the first chunk; want one per partition of the topic (4)", len(p.parts))
	}
	used := map[int]int{}
	for _, m := range p.buf {
		part := (&kafka.Murmur2Balancer{}).Balance(m, 0, 1, 2, 3)
		for lane, arena := range p.cur.lanes {
			// A lane that grew has copied its earlier messages: look for the bytes.
			if in := bytes.Contains(arena, append(slices.Clip(m.Value), m.Key...)); in != (lane == part) {
				t.Fatalf("message %s for partition %d: in lane %d is %v", m.Key, part, lane, in)
			}
		}
		used[part]++
	}
	if len(p.buf) != 40 || len(used) < 2 {
		t.Errorf("%d messages queued over lanes %v; want 40 over several lanes", len(p.buf), used)
	}
}
