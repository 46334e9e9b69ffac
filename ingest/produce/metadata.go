package produce

import (
	"context"
	"fmt"
	"net"
	"sync/atomic"
	"time"

	"github.com/segmentio/kafka-go"
	"github.com/segmentio/kafka-go/protocol"
	metadataAPI "github.com/segmentio/kafka-go/protocol/metadata"
)

// metadataTTL is how long a topic's metadata answers the producer's own requests.
const metadataTTL = time.Second

// topicMetadata is the producer's transport with a cache in front of one request: the
// producer asks for the topic's metadata once per chunk, to count its partitions, and
// kafka-go's Writer, before the sender, asked once per message: each ask cost a
// connection-pool round trip and a filtered copy of the cluster's metadata (4 % of a
// full-festival demo's CPU). A one-topic metadata request
// is answered from the last good answer for up to metadataTTL (kafka.Transport itself
// refreshes its metadata every 6 s); every other request goes through. An answer is
// marked stale by a timer rather than by reading the clock at every message (1 % of a
// demo's CPU), so a cached answer costs two atomic loads.
type topicMetadata struct {
	kafka.RoundTripper
	last atomic.Pointer[metadataAnswer]
}

// metadataAnswer is a kept answer to a one-topic metadata request.
type metadataAnswer struct {
	topic string
	auto  bool
	res   protocol.Message
	fresh atomic.Bool // until metadataTTL after it came
}

func (t *topicMetadata) RoundTrip(ctx context.Context, addr net.Addr, req protocol.Message) (protocol.Message, error) {
	m, ok := req.(*metadataAPI.Request)
	if !ok || len(m.TopicNames) != 1 {
		return t.RoundTripper.RoundTrip(ctx, addr, req)
	}
	if a := t.last.Load(); a != nil && a.fresh.Load() && a.topic == m.TopicNames[0] && a.auto == m.AllowAutoTopicCreation {
		return a.res, nil
	}
	res, err := t.RoundTripper.RoundTrip(ctx, addr, req)
	if err != nil || !answered(res, m.TopicNames[0]) {
		return res, err
	}
	a := &metadataAnswer{topic: m.TopicNames[0], auto: m.AllowAutoTopicCreation, res: res}
	a.fresh.Store(true)
	t.last.Store(a)
	time.AfterFunc(metadataTTL, func() { a.fresh.Store(false) })
	return res, nil
}

// partitionCount asks for topic's metadata, creating the topic if the brokers allow
// it, and returns its number of partitions. A topic being created, or a leader being
// elected, is asked again a few times before its error is returned.
func (t *topicMetadata) partitionCount(ctx context.Context, addr net.Addr, topic string) (int, error) {
	wait := backoffMin
	for attempt := 0; ; attempt++ {
		res, err := t.RoundTrip(ctx, addr, &metadataAPI.Request{TopicNames: []string{topic}, AllowAutoTopicCreation: true})
		if err != nil {
			return 0, err
		}
		r, ok := res.(*metadataAPI.Response)
		if !ok {
			return 0, fmt.Errorf("the brokers answered a metadata request with a %T", res)
		}
		err = kafka.UnknownTopicOrPartition
		for _, tp := range r.Topics {
			if tp.Name != topic {
				continue
			}
			if tp.ErrorCode != 0 {
				err = kafka.Error(tp.ErrorCode)
			} else if len(tp.Partitions) > 0 {
				return len(tp.Partitions), nil
			}
		}
		if attempt == writeAttempts-1 || !retriable(err) {
			return 0, err
		}
		select {
		case <-ctx.Done():
			return 0, ctx.Err()
		case <-time.After(wait):
		}
		wait = min(2*wait, backoffMax)
	}
}

// answered reports whether res names topic without an error: only such an answer is
// kept (a topic being created, or a broker error, is asked again).
func answered(res protocol.Message, topic string) bool {
	r, ok := res.(*metadataAPI.Response)
	if !ok {
		return false
	}
	for _, tp := range r.Topics {
		if tp.Name == topic {
			return tp.ErrorCode == 0 && len(tp.Partitions) > 0
		}
	}
	return false
}
