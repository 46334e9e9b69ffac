package events

import (
	"strings"
	"time"
)

// EnvelopeLifetime is how long an envelope can be claimed: WeChat returned what was
// left of an envelope to its sender after 24 hours.
const EnvelopeLifetime = 24 * time.Hour

// Tracker checks the rules that span messages: an envelope's claims never exceed its
// shares, and never add up to more than its total. It remembers the envelopes sent
// within EnvelopeLifetime of the newest event it saw, at most Max of them, so its
// memory stays bounded whatever the stream's length. A claim on an envelope it does
// not know (sent before the window, or on another partition) passes unchecked.
//
// One Tracker serves one Kafka partition: envelope events are keyed by envelope id,
// so all of an envelope's events arrive on one partition, in order.
type Tracker struct {
	// Max bounds the number of envelopes remembered; 0 means 4,000,000.
	Max int

	live  map[string]*envelopeState
	order []tracked // envelopes in arrival order, for expiry
	head  int
}

type envelopeState struct {
	shares, claims     int32
	totalFen, claimFen int64
}

type tracked struct {
	id string
	ts int64 // unix seconds of the send
}

// Check applies the cross-message rules to e and, if e passes, records it.
// It returns a *RejectError for a claim that would overdraw its envelope.
func (t *Tracker) Check(e *Event) error {
	if t.live == nil {
		t.live = make(map[string]*envelopeState)
	}
	switch e.Type {
	case EnvelopeSent:
		t.expire(e.TS)
		t.remember(e.EnvelopeID, e.TS, envelopeState{shares: e.Shares, totalFen: e.TotalFen})
	case EnvelopeGrabbed:
		if e.Outcome != OutcomeClaimed {
			return nil
		}
		// Update through the pointer: assigning to an existing string key makes the
		// map keep the new key, which would pin this message's buffer.
		s := t.live[e.EnvelopeID]
		if s == nil {
			return nil
		}
		if s.claims+1 > s.shares {
			return reject(ReasonClaimsExceedShares, "envelope %s has %d shares and all were already claimed", e.EnvelopeID, s.shares)
		}
		if s.claimFen+e.AmountFen > s.totalFen {
			return reject(ReasonClaimOverTotal, "envelope %s holds %d fen; claims would reach %d fen", e.EnvelopeID, s.totalFen, s.claimFen+e.AmountFen)
		}
		s.claims++
		s.claimFen += e.AmountFen
	}
	return nil
}

// remember records an envelope's state. The id is copied: a decoded id may share
// memory with the whole message it came from, which would keep every message of
// the window alive.
func (t *Tracker) remember(id string, sent time.Time, s envelopeState) {
	if old := t.live[id]; old != nil {
		*old = s
		return
	}
	id = strings.Clone(id)
	t.order = append(t.order, tracked{id, sent.Unix()})
	t.live[id] = &s
}

// Restore seeds the state of one envelope, as read back from the lake after a
// restart: what was sent and what had been claimed of it.
func (t *Tracker) Restore(envelopeID string, sent time.Time, shares int32, totalFen int64, claims int32, claimFen int64) {
	if t.live == nil {
		t.live = make(map[string]*envelopeState)
	}
	t.remember(envelopeID, sent, envelopeState{shares: shares, totalFen: totalFen, claims: claims, claimFen: claimFen})
}

// Len is the number of envelopes remembered.
func (t *Tracker) Len() int { return len(t.live) }

func (t *Tracker) expire(now time.Time) {
	max := t.Max
	if max <= 0 {
		max = 4_000_000
	}
	cutoff := now.Add(-EnvelopeLifetime).Unix()
	for t.head < len(t.order) {
		o := t.order[t.head]
		if len(t.live) < max && o.ts >= cutoff {
			break
		}
		delete(t.live, o.id)
		t.order[t.head] = tracked{}
		t.head++
	}
	// Reclaim the consumed front of the queue once it dominates.
	if t.head > 1024 && t.head*2 > len(t.order) {
		t.order = append(t.order[:0], t.order[t.head:]...)
		t.head = 0
	}
}
