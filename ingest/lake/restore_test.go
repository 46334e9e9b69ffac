package lake

import (
	"errors"
	"strings"
	"testing"

	"github.com/hongbao/hongbao/ingest/events"
)

func TestRestoreTracker(t *testing.T) {
	dir, _, w := newLakeWriter(t, 0)

	// Commit 1: an envelope sent two days before the rest, fully claimed; it is out
	// of the window and not restored.
	old := sent("env-old", at(-2*24*60), 1, 100)
	oldClaim := grab("g-old", "env-old", at(-2*24*60+1), 100)
	w.Append(0, &old)
	w.Append(1, &oldClaim)
	if _, err := w.Commit(); err != nil {
		t.Fatal(err)
	}
	// Commit 2: envelope A (3 shares, 900 fen) and B (3 shares, 500 fen).
	a := sent("env-a", at(0), 3, 900)
	b := sent("env-b", at(0), 3, 500)
	w.Append(2, &a)
	w.Append(3, &b)
	if _, err := w.Commit(); err != nil {
		t.Fatal(err)
	}
	// Commit 3: two claims on A, a miss, one claim of 200 on B.
	for i, g := range []events.Event{
		grab("g-1", "env-a", at(1), 100),
		grab("g-2", "env-a", at(2), 200),
		grab("g-3", "env-a", at(3), 0),
		grab("g-4", "env-b", at(3), 200),
	} {
		w.Append(int64(4+i), &g)
	}
	if _, err := w.Commit(); err != nil {
		t.Fatal(err)
	}
	w.Release()

	l := openLake(t, dir)
	var tr events.Tracker
	if err := l.RestoreTracker(topic, 0, &tr); err != nil {
		t.Fatal(err)
	}
	if tr.Len() != 2 {
		t.Errorf("restored %d envelopes, want 2", tr.Len())
	}
	claim := func(env string, amount int64) error {
		e := grab("g-new", env, at(10), amount)
		return tr.Check(&e, 100)
	}
	if err := claim("env-a", 300); err != nil {
		t.Fatalf("third claim on a 3-share envelope: %v", err)
	}
	var rej *events.RejectError
	if err := claim("env-a", 1); !errors.As(err, &rej) || rej.Reason != events.ReasonClaimsExceedShares {
		t.Errorf("fourth claim: %v, want %s", err, events.ReasonClaimsExceedShares)
	}
	if err := claim("env-b", 400); !errors.As(err, &rej) || rej.Reason != events.ReasonClaimOverTotal {
		t.Errorf("claim over B's total: %v, want %s", err, events.ReasonClaimOverTotal)
	}
	if err := claim("env-b", 300); err != nil {
		t.Errorf("claim of what is left of B: %v", err)
	}
	if err := claim("env-old", 1); !errors.As(err, &rej) || rej.Reason != events.ReasonUnknownEnvelope {
		t.Errorf("a claim on an envelope out of the window: %v, want %s", err, events.ReasonUnknownEnvelope)
	}
	// The restored envelopes keep the offset of their send: a second send of A is
	// refused and names it.
	again := sent("env-a", at(11), 3, 900)
	if err := tr.Check(&again, 101); !errors.As(err, &rej) || rej.Reason != events.ReasonDuplicateEnvelope ||
		!strings.Contains(rej.Detail, "offset 2;") {
		t.Errorf("a second send of env-a: %v, want %s naming offset 2", err, events.ReasonDuplicateEnvelope)
	}

	// A partition without commits leaves the tracker as it is.
	var empty events.Tracker
	if err := l.RestoreTracker(topic, 9, &empty); err != nil || empty.Len() != 0 {
		t.Errorf("RestoreTracker of an empty partition: %v, %d envelopes", err, empty.Len())
	}
}
