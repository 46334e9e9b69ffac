package ingest_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/pkg/kmsg"

	"github.com/hongbao/hongbao/ingest"
	"github.com/hongbao/hongbao/ingest/events"
	"github.com/hongbao/hongbao/ingest/lake"
	"github.com/hongbao/hongbao/ingest/produce"
	"github.com/hongbao/hongbao/internal/testtopic"
)

// produceRaw sends n messages of value under keys k<from>…, each on the partition
// its key chooses.
func produceRaw(t testing.TB, addr string, from, n int, value func(i int) []byte) {
	t.Helper()
	ctx := context.Background()
	p := produce.New(produce.Config{Brokers: []string{addr}, Topic: topic})
	for i := from; i < from+n; i++ {
		if err := p.AddRaw(ctx, []byte(fmt.Sprintf("k%d", i)), value(i), "raw", 0); err != nil {
			t.Fatal(err)
		}
	}
	if err := p.Close(ctx); err != nil {
		t.Fatal(err)
	}
}

func notJSON(int) []byte { return []byte("not json") }

func link(i int) []byte {
	return []byte(fmt.Sprintf(`{"event_id":"link-%03d","type":"link_shared","ts":"2014-01-31T12:00:00+08:00","user_id":"u1","chat_id":"g1","url":"http://x"}`, i))
}

// signals tells what an ingester does: each commit, each partition it reads (on
// the channel of its first report), and counts duplicate rejections.
type signals struct {
	committed chan struct{}
	reading   chan struct{}
	once      sync.Once
	mu        sync.Mutex
	dups      int
}

func newSignals() *signals {
	return &signals{committed: make(chan struct{}, 1024), reading: make(chan struct{})}
}

func (s *signals) Position(int, int64, int64) { s.once.Do(func() { close(s.reading) }) }
func (s *signals) Quarantined(r events.Reason) {
	if r == events.ReasonDuplicateEventID {
		s.mu.Lock()
		s.dups++
		s.mu.Unlock()
	}
}
func (s *signals) Committed(*lake.Commit, time.Duration) {
	select {
	case s.committed <- struct{}{}:
	default:
	}
}

// TestCommitFailureStopsTheIngester: a commit the lake refuses (here its quarantine
// folder turned into a file) stops the ingester with the error while it runs, not
// when it is told to stop: before, the partition read on and dropped every batch.
func TestCommitFailureStopsTheIngester(t *testing.T) {
	b := testtopic.Broker(t, "")
	dir := t.TempDir()
	produceRaw(t, b.Addr(), 0, 40, notJSON)
	sig := newSignals()
	done := make(chan error, 1)
	go func() {
		_, err := ingest.Run(context.Background(), ingest.Config{Brokers: []string{b.Addr()}, Topic: topic,
			Group: "g", Dir: dir, FlushInterval: 50 * time.Millisecond, Observer: sig, Log: t.Logf})
		done <- err
	}()
	<-sig.committed
	q := filepath.Join(dir, "lake", lake.QuarantineTable)
	if err := os.Rename(q, q+".away"); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(q, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	produceRaw(t, b.Addr(), 100, 40, notJSON)
	select {
	case err := <-done:
		if err == nil || !strings.Contains(err.Error(), "commit to the lake") {
			t.Fatalf("Run = %v, want the failed commit", err)
		}
	case <-time.After(time.Minute):
		t.Fatal("the ingester still runs a minute after its commits began to fail")
	}
}

// TestUntilIdleOnAnEmptiedLog: partitions the lake never saw, whose logs were emptied
// (retention, DeleteRecords) so that they start past 0, are drained: --until-idle
// stops at once instead of waiting out the stall timeout.
func TestUntilIdleOnAnEmptiedLog(t *testing.T) {
	b := testtopic.Broker(t, "")
	produceRaw(t, b.Addr(), 0, 40, notJSON)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	ranges, _, err := ingest.TopicRanges(ctx, []string{b.Addr()}, topic)
	if err != nil {
		t.Fatal(err)
	}
	cl, err := kgo.NewClient(kgo.SeedBrokers(b.Addr()))
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	req := kmsg.NewPtrDeleteRecordsRequest()
	rt := kmsg.NewDeleteRecordsRequestTopic()
	rt.Topic = topic
	for p, r := range ranges {
		rp := kmsg.NewDeleteRecordsRequestTopicPartition()
		rp.Partition, rp.Offset = int32(p), r[1]
		rt.Partitions = append(rt.Partitions, rp)
	}
	req.Topics = append(req.Topics, rt)
	if _, err := req.RequestWith(ctx, cl); err != nil {
		t.Fatal(err)
	}
	if ranges, _, _ = ingest.TopicRanges(ctx, []string{b.Addr()}, topic); ranges[0][0] == 0 || ranges[0][0] != ranges[0][1] {
		t.Fatalf("partition 0 spans %v after the deletion, want an empty log past 0", ranges[0])
	}
	sum, err := ingest.Run(ctx, ingest.Config{Brokers: []string{b.Addr()}, Topic: topic, Group: "g",
		Dir: t.TempDir(), UntilIdle: 200 * time.Millisecond, StallTimeout: 30 * time.Second, Log: t.Logf})
	if err != nil || !sum.Drained || sum.Messages != 0 {
		t.Fatalf("Run = %+v, %v; want drained with nothing read", sum, err)
	}
}

// TestRebalanceSeedsTheWindowAgain: ingester A reads alone, B joins and lands events
// on its partitions, B leaves. Copies of those events then reach A on the partitions
// it got back, and every one is a duplicate: A loads the lake's recent ids each time
// it takes a partition, not only the first time.
func TestRebalanceSeedsTheWindowAgain(t *testing.T) {
	b := testtopic.Broker(t, "")
	addr := []string{b.Addr()}
	dir := t.TempDir()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	run := func(ctx context.Context, sig *signals, done chan<- error) {
		_, err := ingest.Run(ctx, ingest.Config{Brokers: addr, Topic: topic, Group: "g", Dir: dir,
			FlushInterval: 50 * time.Millisecond, Observer: sig, Log: t.Logf})
		done <- err
	}
	drained := func() {
		for ingest.CheckDrained(ctx, ingest.Config{Brokers: addr, Topic: topic, Dir: dir}) != nil {
			if ctx.Err() != nil {
				t.Fatal("the lake never held the topic")
			}
			time.Sleep(20 * time.Millisecond)
		}
	}
	sigA, aDone := newSignals(), make(chan error, 1)
	actx, stopA := context.WithCancel(ctx)
	defer stopA()
	go run(actx, sigA, aDone)
	waitForMembers(t, ctx, b.Addr(), "g", 1)
	<-sigA.reading

	sigB, bDone := newSignals(), make(chan error, 1)
	bctx, stopB := context.WithCancel(ctx)
	defer stopB()
	go run(bctx, sigB, bDone)
	waitForMembers(t, ctx, b.Addr(), "g", 2)
	<-sigB.reading // B holds partitions now
	produceRaw(t, b.Addr(), 0, 40, link)
	drained()
	stopB()
	if err := <-bDone; err != nil {
		t.Fatal(err)
	}
	waitForMembers(t, ctx, b.Addr(), "g", 1)

	produceRaw(t, b.Addr(), 0, 40, link) // the same events under the same keys
	drained()
	stopA()
	if err := <-aDone; err != nil && !errors.Is(err, context.Canceled) {
		t.Fatal(err)
	}
	db := openWarehouse(t, dir)
	var rows, distinct, dups int64
	if err := db.QueryRow("SELECT count(*), count(DISTINCT event_id) FROM links").Scan(&rows, &distinct); err != nil {
		t.Fatal(err)
	}
	if err := db.QueryRow("SELECT count(*) FROM quarantine WHERE reason = 'duplicate_event_id'").Scan(&dups); err != nil {
		t.Fatal(err)
	}
	if rows != 40 || distinct != 40 || dups != 40 {
		t.Errorf("links holds %d rows of %d event ids and the quarantine %d duplicates; want 40, 40, 40", rows, distinct, dups)
	}
}

// TestHugeKeyIsCut: a message key is kept in the quarantine up to
// events.MaxMessageBytes, like its value, and the detail says so.
func TestHugeKeyIsCut(t *testing.T) {
	b := testtopic.Broker(t, "")
	dir := t.TempDir()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	key := []byte(strings.Repeat("k", 1<<20))
	p := produce.New(produce.Config{Brokers: []string{b.Addr()}, Topic: topic})
	if err := p.AddRaw(ctx, key, []byte("x"), "raw", 0); err != nil {
		t.Fatal(err)
	}
	if err := p.Close(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := ingest.Run(ctx, ingest.Config{Brokers: []string{b.Addr()}, Topic: topic, Group: "g", Dir: dir,
		UntilIdle: 200 * time.Millisecond, Log: t.Logf}); err != nil {
		t.Fatal(err)
	}
	var n int64
	var detail string
	if err := openWarehouse(t, dir).QueryRow("SELECT octet_length(kafka_key), detail FROM quarantine").Scan(&n, &detail); err != nil {
		t.Fatal(err)
	}
	if n != events.MaxMessageBytes || !strings.Contains(detail, fmt.Sprintf("key keeps the first %d of %d bytes", events.MaxMessageBytes, len(key))) {
		t.Errorf("quarantined key of %d bytes, detail %q", n, detail)
	}
}

// TestEveryPartitionSeedsBeforeAnyReads: at a start, a copy of an event under another
// key (so on another partition) is caught even when the original's partition is slow
// to load its recent ids: no partition reads before every one has. Here the
// original's partition holds its seeding until a message is consumed, or 3 s pass.
func TestEveryPartitionSeedsBeforeAnyReads(t *testing.T) {
	b := testtopic.Broker(t, "")
	addr := []string{b.Addr()}
	dir := t.TempDir()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	cfg := ingest.Config{Brokers: addr, Topic: topic, Group: "g", Dir: dir, UntilIdle: 200 * time.Millisecond, Log: t.Logf}
	produceRaw(t, b.Addr(), 0, 1, link) // link-000 under key k0
	if _, err := ingest.Run(ctx, cfg); err != nil {
		t.Fatal(err)
	}
	ranges, _, err := ingest.TopicRanges(ctx, addr, topic)
	if err != nil {
		t.Fatal(err)
	}
	original := -1
	for p, r := range ranges {
		if r[1] > 0 {
			original = p
		}
	}
	p := produce.New(produce.Config{Brokers: addr, Topic: topic})
	for k := range 12 { // copies of link-000 under other keys, on every partition
		if err := p.AddRaw(ctx, []byte(fmt.Sprintf("other-%d", k)), link(0), "raw", 0); err != nil {
			t.Fatal(err)
		}
	}
	if err := p.Close(ctx); err != nil {
		t.Fatal(err)
	}
	consumed := make(chan struct{})
	var once sync.Once
	defer ingest.SetSeedHook(func(p int) {
		if p == original {
			select {
			case <-consumed:
			case <-time.After(3 * time.Second):
			}
		}
	})()
	cfg.OnConsumed = func(int64) { once.Do(func() { close(consumed) }) }
	sum, err := ingest.Run(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	if sum.Messages != 12 || sum.Quarantined != 12 {
		t.Errorf("read %d copies and quarantined %d, want all 12 caught as duplicates", sum.Messages, sum.Quarantined)
	}
}
