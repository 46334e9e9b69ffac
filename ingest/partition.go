package ingest

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/segmentio/kafka-go"

	"github.com/hongbao/hongbao/ingest/events"
	"github.com/hongbao/hongbao/ingest/lake"
)

// consumePartition reads one partition from the lake's next offset, and commits to
// the lake by size and by time. It returns when the generation or the run ends,
// after committing what it holds. A commit that finds its offsets already in the
// lake (another ingester got there first) starts the partition over from the lake.
func (in *ingester) consumePartition(gctx, runCtx context.Context, gen *kafka.Generation, p int, seeded *barrier) error {
	ctx, cancel := context.WithCancel(gctx)
	defer cancel()
	go func() {
		select {
		case <-runCtx.Done():
			cancel()
		case <-ctx.Done():
		}
	}()
	ready := seeded.arrive()
	defer ready() // a partition that fails before it has seeded holds up no other
	for {
		err := in.readPartition(ctx, gen, p, func() error { ready(); return seeded.wait(ctx) })
		if errors.Is(err, lake.ErrOverlap) && ctx.Err() == nil {
			in.cfg.Log("partition %d: %v; reading again from the lake's next offset", p, err)
			continue
		}
		return err
	}
}

// readPartition is one pass of consumePartition, with one lake writer.
// seeded is called once the duplicate window holds the partition's recent ids, and
// returns when every partition of the generation is as far.
func (in *ingester) readPartition(ctx context.Context, gen *kafka.Generation, p int, seeded func() error) error {
	cfg := in.cfg
	w := in.lake.NewPartitionWriter(cfg.Topic, p)
	defer w.Release()
	w.SetTopicID(in.topicID)
	// The lock first: until it is held, a previous owner may still be committing, and
	// what the lake says about the partition may still change.
	next, ok, err := w.Own()
	if err != nil {
		if errors.Is(err, lake.ErrLocked) {
			return fmt.Errorf("partition %d: %w (another ingester holds it; it lets go when it stops)", p, err)
		}
		return fmt.Errorf("partition %d: %w", p, err)
	}
	validator := *cfg.Validator // one per goroutine: it caches the clock
	tracker := &events.Tracker{}
	if err := in.lake.RestoreTracker(cfg.Topic, p, tracker); err != nil {
		return fmt.Errorf("partition %d: restore validation state from the lake: %w", p, err)
	}
	// At every pass, not only the first: after a rebalance another ingester may have
	// landed events on the partition, and copies of them must still be caught. The ids
	// this ingester holds already keep their positions.
	if seedHook != nil {
		seedHook(p)
	}
	err = in.lake.RecentEventIDs(cfg.Topic, p, in.seedPerPartition, func(id string, offset int64) {
		in.seen.Seed(id, int32(p), offset)
	})
	if err != nil {
		return fmt.Errorf("partition %d: restore the duplicate window from the lake: %w", p, err)
	}
	if err := seeded(); err != nil {
		// The generation ended (a member joined or left) or the run stopped before
		// every partition had seeded: nothing was read, and the next generation, if
		// any, starts the partition again from the lake. Not a failure.
		return nil
	}
	h := &handler{in: in, w: w, tracker: tracker, validator: &validator, partition: p}
	if !ok {
		next = fromLogStart // the partition has no commit yet: read all the topic has
	}
	r := newPartitionReader(cfg.Brokers, cfg.Topic, p, next, cfg.Log, cfg.Security)
	defer r.Close()
	pos, unregister := in.position(p, next)
	defer unregister()

	// Commits run on their own goroutine, one batch at a time and in order, so the
	// partition keeps reading while a batch is encoded and synced. At most one sealed
	// batch waits, which bounds memory to about three batches per partition. The first
	// commit that fails closes failed (commitErr says why): the partition stops at its
	// next batch or idle moment, not when the run ends, and the batches after it are
	// dropped unwritten (the lake's next offset is where they are read again).
	batches := make(chan *lake.Batch, 1)
	failed := make(chan struct{})
	committerDone := make(chan struct{})
	var commitErr error // written before failed is closed, read after
	var inflight sync.WaitGroup
	h.committed = inflight.Wait
	go func() {
		defer close(committerDone)
		for b := range batches {
			if commitErr != nil {
				b.Release()
				inflight.Done()
				continue
			}
			_, last := b.Offsets()
			began := time.Now()
			c, err := b.Commit()
			inflight.Done()
			if err != nil {
				commitErr = fmt.Errorf("partition %d: commit to the lake: %w", p, err)
				close(failed)
				continue
			}
			cfg.Observer.Committed(c, time.Since(began))
			atomic.AddInt64(&in.sum.Commits, 1)
			if cfg.Committed != nil {
				cfg.Committed.Add(1)
			}
			// Tell the group too, so lag tools see progress; the lake stays the truth.
			_ = gen.CommitOffsets(map[string]map[int]int64{cfg.Topic: {p: last + 1}})
		}
	}()
	lastCommit := time.Now()
	pendingBytes := 0
	commit := func() error {
		lastCommit = time.Now()
		pendingBytes = 0
		select {
		case <-failed:
			return commitErr
		default:
		}
		if err := h.resolveHeld(); err != nil {
			return err
		}
		if b := w.Seal(); b != nil {
			inflight.Add(1)
			select {
			case batches <- b:
			case <-failed:
				inflight.Done()
				b.Release()
				return commitErr
			}
		}
		return nil
	}
	// finish commits what is pending and waits for every batch to be durable.
	finish := func() error {
		err := commit()
		close(batches)
		<-committerDone
		if err == nil {
			err = commitErr
		}
		return err
	}
	var unreported int64
	var clock int // messages handled, to read the clock every clockEvery of them
	report := func() {
		cfg.Observer.Position(p, pos.Load(), r.HighWaterMark())
		if unreported == 0 {
			return // idleness is measured from the last message, not the last empty fetch
		}
		in.lastActivity.Store(time.Now().UnixNano())
		if total := cfg.Consumed.Add(unreported); cfg.OnConsumed != nil {
			cfg.OnConsumed(total)
		}
		if n := atomic.AddInt64(&in.sum.Messages, unreported); cfg.StopAfter > 0 && n >= cfg.StopAfter {
			in.stop()
		}
		unreported = 0
	}
	defer report()
	// One message is read ahead: it is decoded, and the duplicate window asked to
	// fetch where its id goes (events.Seen.Prefetch), while the message before it is
	// handled, so that its claim need not wait for memory. The message ahead is handled
	// before anything that may wait for the broker or stop the partition, so none stays
	// unhandled while the partition idles.
	ahead, spare := &prepared{}, &prepared{}
	have := false
	settle := func() error {
		if !have {
			return nil
		}
		have = false
		m := &ahead.m
		h.handle(ahead)
		pendingBytes += len(m.Value) + len(m.Key)
		pos.Store(m.Offset + 1)
		// Report in blocks to keep shared counters off the per-message path, and at
		// once when caught up, so idleness is measured from the last message.
		if unreported++; unreported >= 1024 || m.Offset+1 >= m.HighWaterMark {
			report()
		}
		// The clock is read every clockEvery messages, not each one: a busy partition
		// commits by size long before FlushInterval, and an idle one is timed above.
		if clock++; w.Pending() >= cfg.FlushRows || pendingBytes >= cfg.FlushBytes ||
			clock%clockEvery == 0 && time.Since(lastCommit) >= cfg.FlushInterval {
			return commit()
		}
		return nil
	}
	for {
		var m kafka.Message
		var got bool
		if have {
			if ctx.Err() == nil {
				m, got = r.Buffered()
			}
			if !got {
				if err := settle(); err != nil {
					finish()
					return err
				}
			}
		}
		var err error
		if !got {
			m, got, err = r.Next(ctx)
		}
		if err != nil {
			ferr := finish()
			if ctx.Err() != nil {
				return ferr
			}
			if gone := (*OffsetsGoneError)(nil); !errors.As(err, &gone) {
				return err // a refused password or certificate: kafkasec's sentence
			}
			return fmt.Errorf("%w: %w", ErrTopicChanged, err)
		}
		if !got {
			// Caught up: commit what waits once FlushInterval has passed.
			report()
			select {
			case <-failed: // the last batch failed while the topic was quiet
				finish()
				return commitErr
			default:
			}
			if w.Pending() > 0 && time.Since(lastCommit) >= cfg.FlushInterval {
				if err := commit(); err != nil {
					finish()
					return err
				}
			}
			continue
		}
		if clock == 0 && !have { // this pass's first message: the run's first, unless one came before
			in.firstRead.CompareAndSwap(0, time.Now().UnixNano())
		}
		h.prepare(spare, m)
		if err := settle(); err != nil {
			finish()
			return err
		}
		ahead, spare, have = spare, ahead, true
	}
}

// seedHook, set by tests only, runs before partition p seeds the duplicate window.
var seedHook func(p int)

// clockEvery is how many messages a partition handles between two looks at the clock
// for FlushInterval while it is busy.
const clockEvery = 64

// handler validates one partition's messages and adds them to its writer: as
// events, or to the quarantine with their reason.
type handler struct {
	in        *ingester
	w         *lake.PartitionWriter
	tracker   *events.Tracker
	validator *events.Validator
	partition int
	// held are claims on envelopes not seen yet, waiting for the end of the batch:
	// an envelope may arrive a little after its first claims (a producer that sends
	// on several connections, a replay). Their offsets are held in the batch, so no
	// commit passes them, and their bytes count towards the batch's.
	held []heldClaim
	// committed waits until every sealed batch of the partition is in the lake.
	committed func()
}

type heldClaim struct {
	m    kafka.Message
	e    events.Event
	late bool // a late envelope (see late), not a claim
}

// prepared is a message decoded, its id's place in the duplicate window on its way
// into the cache.
type prepared struct {
	m   kafka.Message
	e   events.Event
	err error // why it could not be decoded
	id  events.IDKey
}

// prepare decodes m into p and starts fetching its id's place in the window.
func (h *handler) prepare(p *prepared, m kafka.Message) {
	p.m = m
	p.e, p.err = events.DecodeOwned(m.Value, h.validator) // kafka-go allocates each message afresh
	if p.err == nil {
		p.id = events.KeyOf(p.e.EventID)
		h.in.seen.Prefetch(p.id)
	}
}

// handle validates one prepared message: decoded, a duplicate event_id, the envelope
// rules.
func (h *handler) handle(p *prepared) {
	m, e := p.m, &p.e
	if p.err != nil {
		h.quarantine(m, p.err, false)
		return
	}
	if rej := h.keyRule(e, m.Key); rej != nil {
		h.quarantine(m, rej, false)
		return
	}
	if first, dup := h.in.seen.ClaimKey(p.id, int32(h.partition), m.Offset); dup {
		h.quarantine(m, events.DuplicateEventID(e.EventID, first), false)
		return
	}
	if h.late(e) {
		h.w.Hold(m.Offset)
		h.held = append(h.held, heldClaim{m, *e, true})
		return
	}
	if err := h.tracker.Check(e, m.Offset); err != nil {
		var rej *events.RejectError
		if errors.As(err, &rej) && rej.Reason == events.ReasonUnknownEnvelope {
			h.w.Hold(m.Offset)
			h.held = append(h.held, heldClaim{m, *e, false})
			return
		}
		h.in.seen.Release(e.EventID, int32(h.partition), m.Offset)
		h.quarantine(m, err, false)
		return
	}
	h.w.Append(m.Offset, e)
}

// keyRule: an envelope's events must be keyed by its envelope_id, so that they all
// arrive in order on one partition, whose tracker alone knows the envelope; a copy
// under another key lands on a partition that has never seen it. It runs before the
// duplicate window, so that a misrouted copy cannot take the event's id.
func (h *handler) keyRule(e *events.Event, key []byte) error {
	if e.Type != events.EnvelopeSent && e.Type != events.EnvelopeGrabbed || string(key) == e.EnvelopeID {
		return nil
	}
	shown := key
	if len(shown) > maxKeyShown {
		shown = shown[:maxKeyShown]
	}
	return &events.RejectError{Reason: events.ReasonWrongKey, Detail: fmt.Sprintf(
		"an %s event must be keyed by its envelope_id %q, so that all of the envelope's events reach one partition in order; its key is %q",
		e.Type, e.EnvelopeID, shown) + clippedNote(len(key), maxKeyShown)}
}

// maxKeyShown is how much of a wrong key its rejection quotes; the quarantine row
// keeps more of it.
const maxKeyShown = 256

// clippedNote says how much of n bytes a quote of at most shown bytes left out.
func clippedNote(n, shown int) string {
	if n <= shown {
		return ""
	}
	return fmt.Sprintf(" (the first %d of %d bytes)", shown, n)
}

// late reports an envelope sent over a day before the tracker's clock. The tracker
// may have forgotten an earlier send of it, and a second send must not reset its
// claims; nor may a stream that goes back in time (the festival produced again)
// lose its envelopes. So a late envelope waits for the end of the batch, where the
// lake says whether it was sent before.
func (h *handler) late(e *events.Event) bool {
	if e.Type != events.EnvelopeSent {
		return false
	}
	clock := h.tracker.Clock()
	return !clock.IsZero() && e.TS.Before(clock.Add(-events.EnvelopeLifetime))
}

// resolveHeld decides the held messages before the batch is sealed, in the order
// they arrived. A late envelope lands unless the lake or the batch holds an earlier
// send of it (duplicate_envelope). A claim whose envelope has arrived since is
// checked and lands; the others go to quarantine as unknown_envelope ('hongbao
// quarantine replay' lands them once their envelope is in the lake).
func (h *handler) resolveHeld() error {
	// Where late envelopes were sent before, if they were: in the lake, or earlier
	// in this batch.
	var before map[string]int64
	ids := map[string]bool{}
	for _, c := range h.held {
		if c.late {
			ids[c.e.EnvelopeID] = true
		}
	}
	if len(ids) > 0 {
		h.committed() // the lake must hold every batch before this one
		var err error
		if before, err = h.in.lake.FindEnvelopes(h.w.Topic(), h.partition, ids); err != nil {
			return fmt.Errorf("partition %d: look for late envelopes in the lake: %w", h.partition, err)
		}
		for id, off := range h.w.PendingEnvelopes(ids) {
			if _, ok := before[id]; !ok {
				before[id] = off
			}
		}
	}
	// In arrival order, as the tracker would have seen them.
	for i := range h.held {
		c := &h.held[i]
		var err error
		if off, sent := before[c.e.EnvelopeID]; c.late && sent && off < c.m.Offset {
			err = &events.RejectError{Reason: events.ReasonDuplicateEnvelope, Detail: fmt.Sprintf(
				"envelope %q was already sent at offset %d; a second send would reset its claims", c.e.EnvelopeID, off)}
		} else {
			err = h.tracker.Check(&c.e, c.m.Offset)
		}
		if err != nil {
			h.in.seen.Release(c.e.EventID, int32(h.partition), c.m.Offset)
			h.quarantine(c.m, err, true)
			continue
		}
		h.w.AppendHeld(c.m.Offset, &c.e)
	}
	clear(h.held)
	h.held = h.held[:0]
	return nil
}

// quarantine adds a rejected message with its reason. The raw bytes are kept, up
// to events.MaxMessageBytes: no event is longer, and a hostile 16 MiB message must
// not be copied whole into the lake.
func (h *handler) quarantine(m kafka.Message, err error, held bool) {
	var rej *events.RejectError
	if !errors.As(err, &rej) {
		rej = &events.RejectError{Reason: events.ReasonInvalidValue, Detail: err.Error()}
	}
	raw, key, detail := m.Value, m.Key, rej.Detail
	if len(raw) > events.MaxMessageBytes {
		raw = raw[:events.MaxMessageBytes]
		detail += fmt.Sprintf(" (raw keeps the first %d of %d bytes)", events.MaxMessageBytes, len(m.Value))
	}
	// So is the key: one longer than a message could not be the envelope_id a replay
	// compares it with, so its cut changes no verdict.
	if len(key) > events.MaxMessageBytes {
		key = key[:events.MaxMessageBytes]
		detail += fmt.Sprintf(" (key keeps the first %d of %d bytes)", events.MaxMessageBytes, len(m.Key))
	}
	q := lake.QuarantineRecord{Offset: m.Offset, Key: key, Raw: raw, Reason: rej.Reason, Detail: detail, KafkaTS: m.Time}
	if held {
		h.w.QuarantineHeld(q)
	} else {
		h.w.Quarantine(q)
	}
	atomic.AddInt64(&h.in.sum.Quarantined, 1)
	h.in.cfg.Observer.Quarantined(rej.Reason)
}
