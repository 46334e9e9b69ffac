package produce

import (
	"sync"
	"sync/atomic"

	"github.com/segmentio/kafka-go"
)

// chunk is the memory of one chunk of messages: their keys and values, encoded one
// after the other (no allocation per message), and their counts. The writer reports
// each message's acknowledgement with the chunk it came from.
//
// Each partition's messages have an arena of their own (a lane), so that a batch,
// which holds one partition's messages, reads them from one run of memory when the
// writer compresses it. In one arena a batch read every fourth message of a chunk
// that had long left the caches: copying them into the lz4 writer took as much CPU as
// compressing them (docs/BENCHMARKS.md).
type chunk struct {
	lanes [][]byte
	tally tally
	left  atomic.Int64 // messages not yet acknowledged or failed
	mu    sync.Mutex
	err   error // the first failure of one of its messages
	done  chan struct{}
}

func (c *chunk) reset() {
	for i := range c.lanes {
		c.lanes[i] = c.lanes[i][:0]
	}
	c.tally = tally{}
	c.err = nil
	c.done = make(chan struct{})
}

// settle records that n of the chunk's messages were acknowledged, or failed with err.
func (c *chunk) settle(n int, err error) {
	if err != nil {
		c.mu.Lock()
		if c.err == nil {
			c.err = err
		}
		c.mu.Unlock()
	}
	if c.left.Add(-int64(n)) == 0 {
		close(c.done)
	}
}

// completed is the writer's Completion: msgs are one batch, in the order they were
// queued, so runs of one chunk are settled at once.
func completed(msgs []kafka.Message, err error) {
	for i := 0; i < len(msgs); {
		c := msgs[i].WriterData.(*chunk)
		j := i + 1
		for j < len(msgs) && msgs[j].WriterData == any(c) {
			j++
		}
		c.settle(j-i, err)
		i = j
	}
}

// lane returns the arena of lane i, which it makes if the chunk has fewer lanes.
func (c *chunk) lane(i int) *[]byte {
	for len(c.lanes) <= i {
		c.lanes = append(c.lanes, nil)
	}
	return &c.lanes[i]
}
