package produce

import (
	"sync"
	"sync/atomic"

	"github.com/segmentio/kafka-go"
)

// chunk is the memory of one chunk of messages: their keys and values, encoded one
// after the other (no allocation per message), and their counts. The writer reports
// each message's acknowledgement with the chunk it came from.
type chunk struct {
	arena []byte
	stats Stats
	left  atomic.Int64 // messages not yet acknowledged or failed
	mu    sync.Mutex
	err   error // the first failure of one of its messages
	done  chan struct{}
}

func (c *chunk) reset() {
	c.arena = c.arena[:0]
	c.stats = newStats()
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
