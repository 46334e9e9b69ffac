package produce

import (
	"sync"
	"sync/atomic"

	"github.com/segmentio/kafka-go"
)

// chunk is the memory of one chunk of messages: their keys and values, encoded one
// after the other (no allocation per message), and their counts. The sender settles
// each batch of it as the broker acknowledges it.
//
// Each partition's messages have an arena of their own (a lane), so that a batch,
// which holds one partition's messages, reads them from one run of memory when it is
// compressed. In one arena a batch read every fourth message of a chunk that had long
// left the caches: copying them into the lz4 writer took as much CPU as compressing
// them (docs/BENCHMARKS.md).
type chunk struct {
	lanes [][]byte // the bytes of each lane's messages
	recs  [][]rec  // each lane's messages, in the order added
	n     int      // messages added
	// parts is the number of partitions the lanes stand for: a message's lane is its
	// partition among parts (the Java client's murmur2 of its key), or lane 0 for all
	// when parts is 0 (before the topic's metadata came).
	parts int
	tally tally
	left  atomic.Int64 // messages not yet acknowledged or failed
	mu    sync.Mutex
	err   error // the first failure of one of its messages
	done  chan struct{}
}

// rec is one message of a chunk: its key and value, in a lane's arena or the caller's
// memory (AddRaw).
type rec struct{ key, value []byte }

func (c *chunk) reset(parts int) {
	for i := range c.lanes {
		c.lanes[i] = c.lanes[i][:0]
	}
	for i := range c.recs {
		clear(c.recs[i]) // drop the caller's memory that AddRaw's messages held
		c.recs[i] = c.recs[i][:0]
	}
	c.n, c.parts = 0, parts
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

// lane returns the arena of lane i, which it makes if the chunk has fewer lanes.
func (c *chunk) lane(i int) *[]byte {
	for len(c.lanes) <= i {
		c.lanes = append(c.lanes, nil)
	}
	return &c.lanes[i]
}

// add records a message in lane i.
func (c *chunk) add(i int, r rec) {
	for len(c.recs) <= i {
		c.recs = append(c.recs, nil)
	}
	c.recs[i] = append(c.recs[i], r)
	c.n++
}

// place moves the messages to the lanes of parts partitions, if they were placed for
// another number: the topic's partitions were not known yet when they were added, or
// changed since. Their bytes stay where they are.
func (c *chunk) place(parts int, b *partitioner) {
	if c.parts == parts || (c.parts == 0 && parts == 1) {
		c.parts = parts
		return
	}
	var all []rec
	for i, l := range c.recs {
		all = append(all, l...)
		c.recs[i] = l[:0]
	}
	c.n, c.parts = 0, parts
	for _, r := range all {
		c.add(b.partition(r.key, parts), r)
	}
}

// batches calls f with the chunk's messages, a lane's at a time, in runs of at most
// batchMessages messages and batchBytes bytes, oldest first.
func (c *chunk) batches(f func(b *batch)) {
	for lane, recs := range c.recs {
		for len(recs) > 0 {
			n, size := 0, 0
			for n < len(recs) && n < batchMessages {
				size += len(recs[n].key) + len(recs[n].value)
				if n > 0 && size > batchBytes {
					break
				}
				n++
			}
			f(&batch{partition: lane, recs: recs[:n:n], c: c})
			recs = recs[n:]
		}
	}
}

// partitioner is the Java client's partitioner, murmur2 of the key, as kafka-go's
// Murmur2Balancer computes it, over partitions 0 to n-1.
type partitioner struct {
	balancer kafka.Murmur2Balancer
	ids      []int
}

func (p *partitioner) partition(key []byte, n int) int {
	if n <= 1 {
		return 0
	}
	if len(p.ids) != n {
		p.ids = make([]int, n)
		for i := range p.ids {
			p.ids[i] = i
		}
	}
	return p.balancer.Balance(kafka.Message{Key: key}, p.ids...)
}
