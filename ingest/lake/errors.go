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
// the partition before a rebalance. The pending rows are discarded; the caller must
// seek to NextOffset and read again.
var ErrOverlap = errors.New("lake: offsets already committed")

// MarkerError reports a commit marker that cannot be read or does not match its
// name. The lake cannot tell which offsets are durable until it is repaired.
type MarkerError struct {
	Path string
	Err  error
}

func (e *MarkerError) Error() string { return fmt.Sprintf("lake: commit marker %s: %v", e.Path, e.Err) }

func (e *MarkerError) Unwrap() error { return e.Err }
