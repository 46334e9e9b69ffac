package ingest

import (
	"context"
	"time"

	"github.com/segmentio/kafka-go"
)

// TopicRanges reads each partition's log range (start, end) and the topic id, for
// tests that check the lake against the topic itself.
func TopicRanges(ctx context.Context, brokers []string, topic string) (map[int][2]int64, string, error) {
	adm, err := newAdmin(brokers, topic, "", nil)
	if err != nil {
		return nil, "", err
	}
	defer adm.Close()
	st, err := adm.state(ctx, 30*time.Second)
	if err != nil {
		return nil, "", err
	}
	out := map[int][2]int64{}
	for p, r := range st.Partitions {
		out[p] = [2]int64{r.Start, r.End}
	}
	return out, st.ID, nil
}

// GroupMembers is how many members the group has once it is stable, for tests that
// must wait until an ingester holds its partitions.
func GroupMembers(ctx context.Context, brokers []string, topic, group string) (int, error) {
	adm, err := newAdmin(brokers, topic, group, nil)
	if err != nil {
		return 0, err
	}
	defer adm.Close()
	state, members, err := adm.members(ctx, 5*time.Second)
	if err != nil || state != "Stable" {
		return 0, err
	}
	n := 0
	for _, m := range members {
		if len(m.Partitions) > 0 {
			n++
		}
	}
	return n, nil
}

// ReadAll reads every message partition p holds, from its log's start to the high
// watermark of the first fetch, with the ingester's own partition reader, and returns
// how many messages and bytes it read: the consume stage alone, for BenchmarkConsume.
func ReadAll(ctx context.Context, brokers []string, topic string, p int) (msgs, bytes int64, err error) {
	err = eachMessage(ctx, brokers, topic, p, func(m kafka.Message) {
		msgs++
		bytes += int64(len(m.Key) + len(m.Value))
	})
	return msgs, bytes, err
}

// ReadMessages reads every message partition p holds, as ReadAll does, and returns
// them all, kept as the reader gave them: for the test that the ingester may hand each
// message over to the decoder (see events.DecodeOwned).
func ReadMessages(ctx context.Context, brokers []string, topic string, p int) (out []kafka.Message, err error) {
	err = eachMessage(ctx, brokers, topic, p, func(m kafka.Message) { out = append(out, m) })
	return out, err
}

// eachMessage calls f with every message of partition p, read with the ingester's
// partition reader from the log's start until it is caught up.
func eachMessage(ctx context.Context, brokers []string, topic string, p int, f func(kafka.Message)) error {
	r := newPartitionReader(brokers, topic, p, fromLogStart, func(string, ...any) {}, nil)
	defer r.Close()
	for {
		m, ok, err := r.Next(ctx)
		if err != nil || !ok {
			return err // nil once caught up
		}
		f(m)
	}
}

// ReadFrom reads partition p from offset from with the ingester's partition reader
// until it is caught up, and returns the first error: for tests of offsets the log
// does not hold.
func ReadFrom(ctx context.Context, brokers []string, topic string, p int, from int64) (msgs int64, err error) {
	r := newPartitionReader(brokers, topic, p, from, func(string, ...any) {}, nil)
	defer r.Close()
	for {
		_, ok, err := r.Next(ctx)
		if err != nil || !ok {
			return msgs, err
		}
		msgs++
	}
}

// SetSeedHook makes f run before a partition seeds the duplicate window; the returned
// function removes it.
func SetSeedHook(f func(p int)) func() {
	seedHook = f
	return func() { seedHook = nil }
}
