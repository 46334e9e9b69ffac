package ingest

import (
	"time"

	"github.com/hongbao/hongbao/ingest/events"
	"github.com/hongbao/hongbao/ingest/lake"
)

// Observer is told what the ingester does, for its metrics (ingest/metrics). Its
// methods are called on the partitions' goroutines: they must be quick and safe for
// concurrent use, and must not keep what they are given.
type Observer interface {
	// Position says partition p is read up to next (the next offset to read), and
	// that its log ended at highWatermark at the last fetch (-1 before the first).
	// It is called every block of messages read and at each fetch that found
	// nothing new.
	Position(partition int, next, highWatermark int64)
	// Quarantined says one message was refused, with its reason.
	Quarantined(reason events.Reason)
	// Committed says commit c is durable in the lake; took is how long writing it
	// (Parquet files, marker, renames) took.
	Committed(c *lake.Commit, took time.Duration)
}

// noObserver is the Observer of a Config without one.
type noObserver struct{}

func (noObserver) Position(int, int64, int64)            {}
func (noObserver) Quarantined(events.Reason)             {}
func (noObserver) Committed(*lake.Commit, time.Duration) {}
