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
	marks []*mark // one for each lane, made as the lanes are
	raw   mark    // for messages added without a lane (AddRaw)
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
		c := msgs[i].WriterData.(*mark).c
		j := i + 1
		for j < len(msgs) && msgs[j].WriterData.(*mark).c == c {
			j++
		}
		c.settle(j-i, err)
		i = j
	}
}

// mark is what the writer carries with each message (its WriterData): the chunk to
// settle, and the partition Add chose for the message's lane, of how many, so that
// the writer's balancer takes it instead of hashing the key a second time.
type mark struct {
	c     *chunk
	lane  int // -1: none chosen
	parts int
}

// markOf returns the mark of lane (of parts partitions), or of no lane for -1. A
// chunk's marks are set again as it is filled: the writer reads them only while
// WriteMessages assigns the chunk's messages, and the chunk is reused only once all
// are acknowledged.
func (c *chunk) markOf(lane, parts int) *mark {
	if lane < 0 {
		if c.raw.c == nil {
			c.raw = mark{c: c, lane: -1}
		}
		return &c.raw
	}
	for len(c.marks) <= lane {
		c.marks = append(c.marks, &mark{c: c, lane: len(c.marks)})
	}
	m := c.marks[lane]
	m.parts = parts
	return m
}

// laneBalancer is the Java client's partitioner (murmur2 of the key), which answers a
// message with the lane Add computed for it when the writer offers the partitions Add
// counted: the same hash of the same key over as many partitions gives the same one.
// It hashed every key twice before: 1.6 % of a full-festival demo's CPU.
type laneBalancer struct{ kafka.Murmur2Balancer }

func (b laneBalancer) Balance(msg kafka.Message, partitions ...int) int {
	if m, ok := msg.WriterData.(*mark); ok && m.lane >= 0 && m.parts == len(partitions) && m.lane < len(partitions) && partitions[m.lane] == m.lane {
		return m.lane
	}
	return b.Murmur2Balancer.Balance(msg, partitions...)
}

// lane returns the arena of lane i, which it makes if the chunk has fewer lanes.
func (c *chunk) lane(i int) *[]byte {
	for len(c.lanes) <= i {
		c.lanes = append(c.lanes, nil)
	}
	return &c.lanes[i]
}
