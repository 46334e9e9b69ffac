package ingest

import (
	"context"
	"errors"
	"fmt"
	"os"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/segmentio/kafka-go"

	"github.com/hongbao/hongbao/ingest/events"
	"github.com/hongbao/hongbao/ingest/kafkasec"
	"github.com/hongbao/hongbao/ingest/lake"
	"github.com/hongbao/hongbao/internal/textwrap"
)

// Config says what to consume and where to land it.
type Config struct {
	Brokers []string
	Topic   string
	Group   string // consumer group; several ingesters in one group share the partitions
	Dir     string // data folder; the lake is Dir/lake
	// Security is the TLS and SASL of every connection (the consumer group, the
	// partition readers, the admin client); nil is plain TCP without SASL.
	Security *kafkasec.Client
	// UntilIdle asks the ingester to drain the topic: it stops once every partition
	// is in the lake up to the high watermark and no message came for this long. A
	// stall (a rebalance, a broker restart) is waited out; an ingester that cannot
	// drain returns ErrNotDrained. 0 runs until the context ends.
	UntilIdle time.Duration
	// StallTimeout is how long a draining ingester waits for a stalled topic (no
	// partition moving, the broker unreachable) before it gives up with
	// ErrNotDrained; 0 means 5 minutes.
	StallTimeout time.Duration
	// FlushRows commits a partition's batches once they hold this many rows; 0 means 250,000.
	FlushRows int
	// FlushBytes commits a partition's batches once the messages they hold add up to
	// this many bytes; 0 means PendingBudget shared among the topic's partitions
	// (between 8 and 64 MiB each), so that the whole ingester's memory is bounded in
	// bytes whatever the number of partitions.
	FlushBytes int
	// FlushInterval commits what a partition holds at least this often; 0 means 5s.
	FlushInterval time.Duration
	// Validator checks single messages; nil means events.DefaultValidator().
	Validator *events.Validator
	// StopAfter, if positive, is how many messages the topic holds (the producer's
	// count, as the demo knows it): the ingester stops once it has read that many,
	// then checks that the lake holds every partition up to the topic's end, and
	// returns ErrNotDrained if not (see CheckDrained).
	StopAfter int64
	// Consumed, if set, is advanced by the number of messages read.
	Consumed *atomic.Int64
	// OnConsumed, if set, is called with Consumed's new total each time the
	// ingester advances it, on the partitions' goroutines: it must be quick and
	// safe for concurrent use.
	OnConsumed func(total int64)
	// Committed, if set, is advanced by each durable lake commit.
	Committed *atomic.Int64
	// Seen is the window of recent event ids that catches duplicates; nil makes one
	// of events.DefaultSeenIDs ids.
	Seen *events.Seen
	// Log receives a sentence about a transient problem the ingester recovers from
	// (a broker restarting); nil prints to standard error.
	Log func(format string, args ...any)
	// Observer, if set, is told of positions, refusals and commits (see Observer).
	Observer Observer
}

// Summary says what one run of the ingester did.
type Summary struct {
	Messages    int64 // messages read
	Quarantined int64
	Commits     int64 // lake commits written
	Elapsed     time.Duration
	// Reading is the time from the first message read to the last: Messages/Reading is
	// the rate the topic was read and landed at, without the group's join before and,
	// with UntilIdle, the wait after that tells a drained topic from a slow one (the
	// lake commits follow the reading a batch behind, and the last one is in Elapsed).
	// It ends at the last message, or at a rebalance after it. Zero when nothing was read.
	Reading time.Duration
	// Drained is set when the run stopped because the topic was drained (UntilIdle).
	Drained bool
}

// Run consumes until the context ends or, with UntilIdle, until the topic is drained.
// Every message read is committed to the lake exactly once: each partition resumes
// after the last offset the lake holds, whatever the group's committed offset says.
func Run(ctx context.Context, cfg Config) (*Summary, error) {
	start := time.Now()
	if cfg.FlushRows <= 0 {
		cfg.FlushRows = 250_000
	}
	if cfg.FlushInterval <= 0 {
		cfg.FlushInterval = 5 * time.Second
	}
	if cfg.StallTimeout <= 0 {
		cfg.StallTimeout = 5 * time.Minute
	}
	if cfg.Validator == nil {
		cfg.Validator = events.DefaultValidator()
	}
	if cfg.Consumed == nil {
		cfg.Consumed = new(atomic.Int64)
	}
	if cfg.Log == nil {
		// What brokers and other members report (a member's client id, an error text) is
		// theirs to choose: a terminal shows it as text.
		cfg.Log = func(format string, args ...any) {
			fmt.Fprintln(os.Stderr, "ingest: "+textwrap.Inert(fmt.Sprintf(format, args...), true))
		}
	}
	if cfg.Observer == nil {
		cfg.Observer = noObserver{}
	}
	lk, err := lake.Open(cfg.Dir)
	if err != nil {
		return nil, err
	}
	if err := kafkasec.CheckReachable(ctx, cfg.Brokers, cfg.Security); err != nil {
		return nil, err
	}
	adm, err := newAdmin(cfg.Brokers, cfg.Topic, cfg.Group, cfg.Security)
	if err != nil {
		return nil, err
	}
	defer adm.Close()
	st, err := adm.state(ctx, 15*time.Second)
	if errors.Is(err, ErrNoTopic) {
		return nil, fmt.Errorf("%w: the brokers at %s have no topic %s; produce to it first ('hongbao simulate') or pass the right --topic",
			ErrNoTopic, strings.Join(cfg.Brokers, ","), cfg.Topic)
	}
	if err != nil {
		return nil, err
	}
	if cfg.FlushBytes <= 0 {
		cfg.FlushBytes = flushBytesFor(len(st.Partitions))
	}
	in := &ingester{cfg: cfg, lake: lk, sum: &Summary{}, topicID: st.ID, positions: map[int]*atomic.Int64{},
		seen: cfg.Seen}
	if in.seen == nil {
		in.seen = events.NewSeen(0)
	}
	// Each partition seeds its share of the window from the lake at its first start.
	in.seedPerPartition = in.seen.Cap() / max(1, len(st.Partitions))
	// Check the lake against the topic before reading anything: a topic created again,
	// or one that lost offsets the lake has not landed, stops here with the lake as it was.
	if err := in.checkTopic(st); err != nil {
		return nil, err
	}
	cg, err := kafka.NewConsumerGroup(kafka.ConsumerGroupConfig{
		ID:      cfg.Group,
		Brokers: cfg.Brokers,
		Topics:  []string{cfg.Topic},
		// Short timeouts let a restarted ingester take its partitions back quickly
		// after a crash.
		SessionTimeout:    sessionTimeout,
		RebalanceTimeout:  rebalanceTimeout,
		HeartbeatInterval: time.Second,
		JoinGroupBackoff:  500 * time.Millisecond,
		StartOffset:       kafka.FirstOffset,
		Dialer:            cfg.Security.Dialer(10 * time.Second),
	})
	if err != nil {
		return nil, fmt.Errorf("join consumer group %q: %w", cfg.Group, err)
	}
	runCtx, stop := context.WithCancel(ctx)
	defer stop()
	in.stop = stop

	in.lastActivity.Store(time.Now().UnixNano())
	if cfg.UntilIdle > 0 {
		go in.watchDrain(runCtx, stop, adm)
	}
	var lastGroupErr string
	for {
		gen, err := cg.Next(runCtx)
		if err != nil {
			if runCtx.Err() != nil || errors.Is(err, kafka.ErrGroupClosed) {
				break
			}
			// A refused password or certificate is no broker to wait for.
			if perr := kafkasec.Diagnose(runCtx, err, cfg.Brokers, cfg.Security); perr != nil {
				in.fail(perr)
				break
			}
			// A broker that restarts, or is busy loading its log, fails a join or a
			// heartbeat: the group keeps retrying with backoff, and so do we.
			if msg := err.Error(); msg != lastGroupErr {
				cfg.Log("consumer group %q: %v; retrying", cfg.Group, err)
				lastGroupErr = msg
			}
			continue
		}
		lastGroupErr = ""
		in.lastActivity.Store(time.Now().UnixNano())
		var wg sync.WaitGroup
		seeded := newBarrier(len(gen.Assignments[cfg.Topic]))
		for _, pa := range gen.Assignments[cfg.Topic] {
			wg.Add(1)
			p := pa.ID
			gen.Start(func(gctx context.Context) {
				defer wg.Done()
				if err := in.consumePartition(gctx, runCtx, gen, p, seeded); err != nil {
					in.fail(err)
					stop()
				}
			})
		}
		wg.Wait()
		if runCtx.Err() != nil {
			break
		}
	}
	cg.Close()
	in.sum.Elapsed = time.Since(start)
	if first, last := in.firstRead.Load(), in.lastActivity.Load(); first > 0 && last > first {
		in.sum.Reading = time.Duration(last - first)
	}
	if err := in.err(); err != nil {
		return in.sum, err
	}
	if cfg.UntilIdle > 0 {
		// Every partition goroutine has committed what it read; the lake must now
		// reach the high watermarks the drain was decided on.
		target := in.drainTarget.Load()
		if target == nil {
			if ctx.Err() != nil {
				return in.sum, fmt.Errorf("%w: interrupted; every message read is in the lake, and a rerun goes on from there", ErrNotDrained)
			}
			return in.sum, fmt.Errorf("%w: it stopped without having seen the topic drained", ErrNotDrained)
		}
		if lagging, err := in.lagging(target, false); err != nil {
			return in.sum, err
		} else if len(lagging) > 0 {
			return in.sum, fmt.Errorf("%w: %s", ErrNotDrained, describeLagging(lagging))
		}
		in.sum.Drained = true
	}
	if cfg.StopAfter > 0 && ctx.Err() == nil {
		// Stopped on the count: it says everything produced was read; the lake must
		// say it is all there.
		if err := CheckDrained(ctx, cfg); err != nil {
			return in.sum, err
		}
	}
	return in.sum, nil
}

// PendingBudget is what the messages every partition has read but not yet sealed
// may add up to, when Config.FlushBytes is 0. A partition holds up to three batches
// (one filling, one waiting, one being written), so the ingester's batches stay
// within about three times this, in bytes, at every scale.
const PendingBudget = 128 << 20

// flushBytesFor is each partition's share of PendingBudget: at least 8 MiB, so that
// a topic of many partitions still writes files worth reading, and at most 64 MiB.
func flushBytesFor(partitions int) int {
	return min(max(PendingBudget/max(1, partitions), 8<<20), 64<<20)
}

// The group's timeouts: a member that stops heartbeating loses its partitions after
// sessionTimeout.
const (
	sessionTimeout   = 6 * time.Second
	rebalanceTimeout = 6 * time.Second
)

type ingester struct {
	cfg     Config
	lake    *lake.Lake
	sum     *Summary
	topicID string
	// lastActivity is when a message was last read (or the group last started), and
	// firstRead when the first one was, in Unix nanoseconds.
	lastActivity, firstRead atomic.Int64
	drainTarget             atomic.Pointer[topicState]
	stop                    func() // ends the run (StopAfter)

	// seen is the duplicate window of every partition this process reads: a copy of
	// an event may arrive under another key, on another partition.
	seen             *events.Seen
	seedPerPartition int

	mu        sync.Mutex
	firstErr  error
	positions map[int]*atomic.Int64 // next offset to read, per partition this ingester reads
}

// barrier lets the partitions of one generation start reading only once each has
// loaded its recent ids into the duplicate window: a copy of an event under another
// key, read on one partition, must find the original its own partition landed.
type barrier struct {
	left sync.WaitGroup
	all  chan struct{}
}

func newBarrier(n int) *barrier {
	b := &barrier{all: make(chan struct{})}
	b.left.Add(n)
	go func() {
		b.left.Wait()
		close(b.all)
	}()
	return b
}

// arrive returns the function one member calls once, when it is ready or gives up.
func (b *barrier) arrive() func() {
	var once sync.Once
	return func() { once.Do(b.left.Done) }
}

// wait blocks until every member has arrived, or ctx ends.
func (b *barrier) wait(ctx context.Context) error {
	select {
	case <-b.all:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

func (in *ingester) fail(err error) {
	in.mu.Lock()
	defer in.mu.Unlock()
	if in.firstErr == nil {
		in.firstErr = err
	}
}

func (in *ingester) err() error {
	in.mu.Lock()
	defer in.mu.Unlock()
	return in.firstErr
}

// position registers a partition this ingester now reads, and returns the counter
// of its next offset; done unregisters it once its rows are committed.
func (in *ingester) position(p int, next int64) (pos *atomic.Int64, done func()) {
	pos = new(atomic.Int64)
	pos.Store(next)
	in.mu.Lock()
	in.positions[p] = pos
	in.mu.Unlock()
	return pos, func() {
		in.mu.Lock()
		if in.positions[p] == pos {
			delete(in.positions, p)
		}
		in.mu.Unlock()
	}
}

// readPositions copies the next offset of each partition this ingester reads.
func (in *ingester) readPositions() map[int]int64 {
	in.mu.Lock()
	defer in.mu.Unlock()
	out := make(map[int]int64, len(in.positions))
	for p, pos := range in.positions {
		out[p] = pos.Load()
	}
	return out
}

// checkTopic compares the lake with the topic as the brokers have it now: the
// topic's identity, and each partition's range against where the lake resumes.
func (in *ingester) checkTopic(st *topicState) error {
	ends, err := in.lake.Ends(in.cfg.Topic)
	if err != nil {
		return err
	}
	for _, e := range ends {
		if e.TopicID != "" && st.ID != "" && e.TopicID != st.ID {
			return fmt.Errorf("%w: the lake in %s holds topic %s with id %s (partition %d up to offset %d), but the brokers' topic %s has id %s: it was deleted and created again, or the broker lost its data, and the lake's offsets do not apply to it. Nothing was read; start a new lake with another --dir",
				ErrTopicChanged, in.cfg.Dir, in.cfg.Topic, e.TopicID, e.Partition, e.Next-1, in.cfg.Topic, st.ID)
		}
		r, ok := st.Partitions[e.Partition]
		if !ok {
			return fmt.Errorf("%w: the lake in %s holds partition %d of topic %s up to offset %d, but the topic has no partition %d now: it was created again with fewer partitions. Nothing was read; start a new lake with another --dir",
				ErrTopicChanged, in.cfg.Dir, e.Partition, in.cfg.Topic, e.Next-1, e.Partition)
		}
		if e.Next < r.Start || e.Next > r.End {
			return fmt.Errorf("%w: %w", ErrTopicChanged, &OffsetsGoneError{Topic: in.cfg.Topic, Partition: e.Partition, Next: e.Next, Start: r.Start, End: r.End})
		}
	}
	return nil
}

// lagStatus is one partition not yet landed up to its high watermark.
type lagStatus struct {
	Partition int
	Have      int64 // the lake's next offset, or this ingester's read position if further
	End       int64 // the high watermark
}

// lagging lists the partitions of st that the lake (plus, with reading, what this
// ingester has read and will commit) does not hold up to the high watermark.
func (in *ingester) lagging(st *topicState, reading bool) ([]lagStatus, error) {
	ends, err := in.lake.Ends(in.cfg.Topic)
	if err != nil {
		return nil, err
	}
	have := map[int]int64{}
	for _, e := range ends {
		have[e.Partition] = e.Next
	}
	if reading {
		for p, next := range in.readPositions() {
			if next >= 0 { // fromLogStart until a first message: the log's start applies
				have[p] = max(have[p], next)
			}
		}
	}
	var out []lagStatus
	for _, p := range st.sortedPartitions() {
		r := st.Partitions[p]
		h, ok := have[p]
		if !ok {
			h = r.Start // nothing landed: the partition is drained if its log is empty
		}
		if h < r.End {
			out = append(out, lagStatus{Partition: p, Have: h, End: r.End})
		}
	}
	return out, nil
}

func describeLagging(ls []lagStatus) string {
	parts := make([]string, len(ls))
	for i, l := range ls {
		landed := fmt.Sprintf("landed up to offset %d", l.Have-1)
		if l.Have <= 0 {
			landed = "nothing landed"
		}
		parts[i] = fmt.Sprintf("partition %d (%s; the topic ends at %d)", l.Partition, landed, l.End-1)
	}
	slices.Sort(parts)
	return strings.Join(parts, ", ")
}

// CheckDrained says whether the lake holds every partition of the topic up to its
// high watermark now, with ErrNotDrained naming what it lacks. An ingester stopped
// by a message count (the demo's) calls it to know the count told the truth.
func CheckDrained(ctx context.Context, cfg Config) error {
	lk, err := lake.Open(cfg.Dir)
	if err != nil {
		return err
	}
	adm, err := newAdmin(cfg.Brokers, cfg.Topic, cfg.Group, cfg.Security)
	if err != nil {
		return err
	}
	defer adm.Close()
	st, err := adm.state(ctx, 15*time.Second)
	if err != nil {
		return fmt.Errorf("%w: the brokers could not say where the topic ends: %w", ErrNotDrained, err)
	}
	if cfg.FlushBytes <= 0 {
		cfg.FlushBytes = flushBytesFor(len(st.Partitions))
	}
	in := &ingester{cfg: cfg, lake: lk, topicID: st.ID, positions: map[int]*atomic.Int64{}}
	if err := in.checkTopic(st); err != nil {
		return err
	}
	lagging, err := in.lagging(st, false)
	if err != nil {
		return err
	}
	if len(lagging) > 0 {
		return fmt.Errorf("%w: %s", ErrNotDrained, describeLagging(lagging))
	}
	return nil
}
