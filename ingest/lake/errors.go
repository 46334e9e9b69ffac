package lake

import (
	"errors"
	"fmt"
)

// ErrInvalidTopic is returned for a topic name that is not a legal Kafka topic name
// or would not make a safe file name.
var ErrInvalidTopic = errors.New("lake: invalid topic name")

// ErrOverlap is returned by Commit when the offsets it would commit are already
// covered by a commit in the lake, for example one made by another ingester that held
// the partition before a rebalance. The rows are discarded; the caller must seek to
// NextOffset and read again with a new writer.
var ErrOverlap = errors.New("lake: offsets already committed")

// ErrAborted is returned by Commit once an earlier commit of the same writer failed
// (or the writer was released): committing later offsets would skip the failed ones.
// The caller must release the writer, seek the partition to NextOffset and start over.
var ErrAborted = errors.New("lake: partition writer stopped after a failed commit")

// ErrLocked is returned by Commit when another writer, in this process or another,
// held the partition's lock for longer than Lake.LockWait.
var ErrLocked = errors.New("lake: partition locked by another writer")

// errMarkerInDoubt wraps a failure after a marker (a commit's, a replay's) or an
// eviction record took its final name: it may or may not survive a crash, so the files
// it names must stay, and recovery settles it at the next start.
var errMarkerInDoubt = errors.New("lake: the marker is in place but not known to be durable; recovery settles it at the next start")

// errReleased is the cause ErrAborted reports after Release.
var errReleased = errors.New("writer released")

// MarkerError reports a commit marker that cannot be read or does not match its
// name. The lake cannot tell which offsets are durable until it is repaired.
type MarkerError struct {
	Path string
	Err  error
}

func (e *MarkerError) Error() string { return fmt.Sprintf("lake: commit marker %s: %v", e.Path, e.Err) }

func (e *MarkerError) Unwrap() error { return e.Err }
