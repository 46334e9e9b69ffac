package ingest

import (
	"context"
	"errors"
	"fmt"
	"os"
	"sync"
	"sync/atomic"
	"time"

	"github.com/segmentio/kafka-go"

	"github.com/hongbao/hongbao/ingest/events"
	"github.com/hongbao/hongbao/ingest/lake"
	"github.com/hongbao/hongbao/ingest/produce"
)

// Config says what to consume and where to land it.
type Config struct {
	Brokers []string
	Topic   string
	Group   string // consumer group; several ingesters in one group share the partitions
	Dir     string // data folder; the lake is Dir/lake
	// UntilIdle stops the ingester once no message arrived for this long after it got
	// its partitions; 0 runs until the context ends.
	UntilIdle time.Duration
	// FlushRows commits a partition's batches once they hold this many rows; 0 means 250,000.
	FlushRows int
	// FlushInterval commits what a partition holds at least this often; 0 means 5s.
	FlushInterval time.Duration
	// Validator checks single messages; nil means events.DefaultValidator().
	Validator *events.Validator
	// Consumed, if set, is advanced by the number of messages read.
	Consumed *atomic.Int64
	// Committed, if set, is advanced by each durable lake commit.
	Committed *atomic.Int64
	// Log receives a sentence about a transient problem the ingester recovers from
	// (a broker restarting); nil prints to standard error.
	Log func(format string, args ...any)
}

// Summary says what one run of the ingester did.
type Summary struct {
	Messages    int64 // messages read
	Quarantined int64
	Commits     int64 // lake commits written
	Elapsed     time.Duration
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
	if cfg.Validator == nil {
		cfg.Validator = events.DefaultValidator()
	}
	if cfg.Consumed == nil {
		cfg.Consumed = new(atomic.Int64)
	}
	if cfg.Log == nil {
		cfg.Log = func(format string, args ...any) { fmt.Fprintf(os.Stderr, "ingest: "+format+"\n", args...) }
	}
	lk, err := lake.Open(cfg.Dir)
	if err != nil {
		return nil, err
	}
	if err := produce.CheckReachable(ctx, cfg.Brokers); err != nil {
		return nil, err
	}
	cg, err := kafka.NewConsumerGroup(kafka.ConsumerGroupConfig{
		ID:      cfg.Group,
		Brokers: cfg.Brokers,
		Topics:  []string{cfg.Topic},
		// Short timeouts let a restarted ingester take its partitions back quickly
		// after a crash.
		SessionTimeout:    6 * time.Second,
		RebalanceTimeout:  6 * time.Second,
		HeartbeatInterval: time.Second,
		JoinGroupBackoff:  500 * time.Millisecond,
		StartOffset:       kafka.FirstOffset,
	})
	if err != nil {
		return nil, fmt.Errorf("join consumer group %q: %w", cfg.Group, err)
	}
	runCtx, stop := context.WithCancel(ctx)
	defer stop()

	in := &ingester{cfg: cfg, lake: lk, sum: &Summary{}}
	in.lastActivity.Store(time.Now().UnixNano())
	if cfg.UntilIdle > 0 {
		go in.watchIdle(runCtx, stop)
	}
	var runErr error
	var lastGroupErr string
	for {
		gen, err := cg.Next(runCtx)
		if err != nil {
			if runCtx.Err() != nil || errors.Is(err, kafka.ErrGroupClosed) {
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
		in.assigned.Store(true)
		in.lastActivity.Store(time.Now().UnixNano())
		var wg sync.WaitGroup
		for _, pa := range gen.Assignments[cfg.Topic] {
			wg.Add(1)
			p := pa.ID
			gen.Start(func(gctx context.Context) {
				defer wg.Done()
				if err := in.consumePartition(gctx, runCtx, gen, p); err != nil {
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
	if runErr == nil {
		runErr = in.err()
	}
	return in.sum, runErr
}

type ingester struct {
	cfg          Config
	lake         *lake.Lake
	sum          *Summary
	assigned     atomic.Bool
	lastActivity atomic.Int64
	mu           sync.Mutex
	firstErr     error
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

// watchIdle stops the run once no message has arrived for UntilIdle.
func (in *ingester) watchIdle(ctx context.Context, stop func()) {
	t := time.NewTicker(100 * time.Millisecond)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			if in.assigned.Load() && time.Since(time.Unix(0, in.lastActivity.Load())) >= in.cfg.UntilIdle {
				stop()
				return
			}
		}
	}
}

// consumePartition reads one partition from the lake's next offset, and commits to
// the lake by size and by time. It returns when the generation or the run ends,
// after committing what it holds.
func (in *ingester) consumePartition(gctx, runCtx context.Context, gen *kafka.Generation, p int) error {
	cfg := in.cfg
	ctx, cancel := context.WithCancel(gctx)
	defer cancel()
	go func() {
		select {
		case <-runCtx.Done():
			cancel()
		case <-ctx.Done():
		}
	}()

	validator := *cfg.Validator // one per goroutine: it caches the clock
	tracker := &events.Tracker{}
	if err := in.lake.RestoreTracker(cfg.Topic, p, tracker); err != nil {
		return fmt.Errorf("partition %d: restore validation state from the lake: %w", p, err)
	}
	w := in.lake.NewPartitionWriter(cfg.Topic, p)
	defer w.Release()
	r := kafka.NewReader(kafka.ReaderConfig{
		Brokers:        cfg.Brokers,
		Topic:          cfg.Topic,
		Partition:      p,
		MinBytes:       1 << 20, // large fetches: a consumer that keeps up with the producer would otherwise fetch a few messages at a time
		MaxBytes:       16 << 20,
		MaxWait:        250 * time.Millisecond,
		QueueCapacity:  20_000,
		ReadBackoffMin: 50 * time.Millisecond,
		ReadBackoffMax: 500 * time.Millisecond,
	})
	defer r.Close()
	next, ok, err := in.lake.ResumeOffset(cfg.Topic, p)
	if err != nil {
		return fmt.Errorf("partition %d: read the lake's commits: %w", p, err)
	}
	if !ok {
		next = kafka.FirstOffset
	}
	if err := r.SetOffset(next); err != nil {
		return fmt.Errorf("partition %d: seek to %d: %w", p, next, err)
	}

	// Commits run on their own goroutine, one batch at a time and in order, so the
	// partition keeps reading while a batch is encoded and synced. At most one sealed
	// batch waits, which bounds memory to about three batches per partition.
	batches := make(chan *lake.Batch, 1)
	commitErr := make(chan error, 1)
	go func() {
		var err error
		for b := range batches {
			if err != nil {
				b.Release()
				continue
			}
			_, last := b.Offsets()
			if _, err = b.Commit(); err != nil {
				err = fmt.Errorf("partition %d: commit to the lake: %w", p, err)
				continue
			}
			atomic.AddInt64(&in.sum.Commits, 1)
			if cfg.Committed != nil {
				cfg.Committed.Add(1)
			}
			// Tell the group too, so lag tools see progress; the lake stays the truth.
			_ = gen.CommitOffsets(map[string]map[int]int64{cfg.Topic: {p: last + 1}})
		}
		commitErr <- err
	}()
	lastCommit := time.Now()
	commit := func() error {
		lastCommit = time.Now()
		if b := w.Seal(); b != nil {
			select {
			case batches <- b:
			case err := <-commitErr:
				b.Release()
				commitErr <- err
				return err
			}
		}
		return nil
	}
	// finish commits what is pending and waits for every batch to be durable.
	finish := func() error {
		err := commit()
		close(batches)
		if cerr := <-commitErr; err == nil {
			err = cerr
		}
		return err
	}
	var lastReadErr string
	var unreported int64
	report := func() {
		in.lastActivity.Store(time.Now().UnixNano())
		cfg.Consumed.Add(unreported)
		atomic.AddInt64(&in.sum.Messages, unreported)
		unreported = 0
	}
	defer report()
	for {
		// While messages flow, block on the run's context alone: a timer per message
		// costs more than the decode. Arm one only when caught up with rows pending,
		// so that a quiet topic still commits within FlushInterval.
		fctx, fcancel := ctx, context.CancelFunc(func() {})
		if w.Pending() > 0 && r.Lag() == 0 {
			fctx, fcancel = context.WithTimeout(ctx, max(time.Millisecond, cfg.FlushInterval-time.Since(lastCommit)))
		}
		m, err := r.FetchMessage(fctx)
		fcancel()
		if err != nil {
			if ctx.Err() != nil {
				return finish()
			}
			if errors.Is(err, context.DeadlineExceeded) {
				if err := commit(); err != nil {
					finish()
					return err
				}
				continue
			}
			// The broker is gone or restarting: the reader redials with backoff.
			// What is read and committed stays; nothing is skipped.
			if msg := err.Error(); msg != lastReadErr {
				cfg.Log("partition %d: %v; retrying", p, err)
				lastReadErr = msg
			}
			select {
			case <-ctx.Done():
			case <-time.After(250 * time.Millisecond):
			}
			continue
		}
		lastReadErr = ""
		e, derr := events.Decode(m.Value, &validator)
		if derr == nil {
			derr = tracker.Check(&e, m.Offset)
		}
		if derr != nil {
			var rej *events.RejectError
			if !errors.As(derr, &rej) {
				rej = &events.RejectError{Reason: events.ReasonInvalidValue, Detail: derr.Error()}
			}
			w.Quarantine(lake.QuarantineRecord{Offset: m.Offset, Key: m.Key, Raw: m.Value,
				Reason: rej.Reason, Detail: rej.Detail, KafkaTS: m.Time})
			atomic.AddInt64(&in.sum.Quarantined, 1)
		} else {
			w.Append(m.Offset, &e)
		}
		// Report in blocks to keep shared counters off the per-message path, and at
		// once when caught up, so idleness is measured from the last message.
		if unreported++; unreported >= 1024 || r.Lag() == 0 {
			report()
		}
		if w.Pending() >= cfg.FlushRows || time.Since(lastCommit) >= cfg.FlushInterval {
			if err := commit(); err != nil {
				finish()
				return err
			}
		}
	}
}
