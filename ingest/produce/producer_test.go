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

// TestProducerAsksMetadataOncePerSecond: the producer asks for the topic's metadata
// once per chunk, answered from topicMetadata's cache but for the first ask of each
// second, and the messages land on all 4 of the topic's partitions.
func TestProducerAsksMetadataOncePerSecond(t *testing.T) {
	b := startBroker(t)
	p := New(Config{Brokers: []string{b.Addr()}, Topic: broker.DefaultTopic, Chunk: 10})
	inner := &countingTransport{RoundTripper: p.meta.RoundTripper}
	p.meta.RoundTripper = inner
	const n = 1000
	start := time.Now()
	addWithdrawals(t, p, n)
	asked := inner.metadata.Load()
	if max := int64(time.Since(start)/metadataTTL) + 1; asked < 1 || asked > max {
		t.Errorf("%d metadata requests reached the transport for %d chunks; want 1 to %d", asked, n/10, max)
	}
	ends := partitionEnds(t, b.Addr())
	var total int64
	for p, last := range ends {
		if last == 0 {
			t.Errorf("partition %d holds no message", p)
		}
		total += last
	}
	if total != n {
		t.Errorf("the partitions hold %d messages, want %d", total, n)
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
	addWithdrawals(t, p, n)
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

// TestPartitionerIsMurmur2: a key's partition is the one kafka-go's Murmur2Balancer
// (the Java client's partitioner) gives it over as many partitions.
func TestPartitionerIsMurmur2(t *testing.T) {
	var p partitioner
	for i := range 2000 {
		key := fmt.Appendf(nil, "s1jy-env-%d", i)
		for _, n := range []int{1, 4, 3, 8, 4, 12} {
			ids := make([]int, n)
			for j := range ids {
				ids[j] = j
			}
			if got, want := p.partition(key, n), (&kafka.Murmur2Balancer{}).Balance(kafka.Message{Key: key}, ids...); got != want {
				t.Fatalf("key %s over %d partitions: %d, want %d", key, n, got, want)
			}
		}
	}
	if got := p.partition([]byte("k"), 0); got != 0 {
		t.Errorf("no partitions known: lane %d, want 0", got)
	}
}

// TestPlaceMovesToPartitions: messages added before the topic's partitions were
// known, or for another number of them, move to the lane of their partition and are
// batched within the limits. A key's messages keep the order they were added in; so
// do a partition's, unless they came from several lanes (the topic's partitions
// changed).
func TestPlaceMovesToPartitions(t *testing.T) {
	var p partitioner
	for _, from := range []int{0, 3, 4} {
		c := &chunk{}
		c.reset(from)
		const n = 12_000
		for i := range n {
			key := fmt.Appendf(nil, "k%d", i%97)
			c.add(p.partition(key, from), rec{key: key, value: fmt.Appendf(nil, "%06d", i)})
		}
		c.place(4, &p)
		if c.n != n || c.parts != 4 {
			t.Fatalf("from %d: %d messages for %d partitions after place; want %d for 4", from, c.n, c.parts, n)
		}
		got := 0
		last, lastOfKey := map[int]string{}, map[string]string{}
		c.batches(func(b *batch) {
			if len(b.recs) > batchMessages || b.c != c {
				t.Fatalf("from %d: a batch of %d messages", from, len(b.recs))
			}
			for _, r := range b.recs {
				if want := p.partition(r.key, 4); want != b.partition {
					t.Fatalf("from %d: key %s in a batch for partition %d; its partition is %d", from, r.key, b.partition, want)
				}
				v := string(r.value)
				if v <= last[b.partition] && from != 3 {
					t.Fatalf("from %d: partition %d has %s after %s", from, b.partition, v, last[b.partition])
				}
				if v <= lastOfKey[string(r.key)] {
					t.Fatalf("from %d: key %s has %s after %s", from, r.key, v, lastOfKey[string(r.key)])
				}
				last[b.partition], lastOfKey[string(r.key)] = v, v
				got++
			}
		})
		if got != n || len(last) != 4 {
			t.Errorf("from %d: batches hold %d messages over %d partitions; want %d over 4", from, got, len(last), n)
		}
	}
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

// addWithdrawals adds the first n withdrawals to p and closes it.
func addWithdrawals(t *testing.T, p *Producer, n int) {
	t.Helper()
	for i := range n {
		e := withdrawal(i)
		if err := p.Add(context.Background(), &e); err != nil {
			t.Fatal(err)
		}
	}
	if err := p.Close(context.Background()); err != nil {
		t.Fatal(err)
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
	if p.cur.parts != 4 {
		t.Fatalf("lanes for %d partitions after the first chunk; want one per partition of the topic (4)", p.cur.parts)
	}
	used := map[int]int{}
	for _, recs := range p.cur.recs {
		for _, m := range recs {
			part := (&kafka.Murmur2Balancer{}).Balance(kafka.Message{Key: m.key}, 0, 1, 2, 3)
			for lane, arena := range p.cur.lanes {
				// A lane that grew has copied its earlier messages: look for the bytes.
				if in := bytes.Contains(arena, append(slices.Clip(m.value), m.key...)); in != (lane == part) {
					t.Fatalf("message %s for partition %d: in lane %d is %v", m.key, part, lane, in)
				}
			}
			used[part]++
		}
	}
	if p.cur.n != 40 || len(used) < 2 {
		t.Errorf("%d messages queued over lanes %v; want 40 over several lanes", p.cur.n, used)
	}
}
