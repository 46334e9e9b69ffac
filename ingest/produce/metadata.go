package produce

import (
	"context"
	"net"
	"sync/atomic"
	"time"

	"github.com/segmentio/kafka-go"
	"github.com/segmentio/kafka-go/protocol"
	metadataAPI "github.com/segmentio/kafka-go/protocol/metadata"
)

// metadataTTL is how long a topic's metadata answers the writer's own requests.
const metadataTTL = time.Second

// topicMetadata is the writer's transport with a cache in front of one request: kafka-go's
// Writer asks the transport for the topic's metadata once per message, to count its
// partitions, and each ask cost a connection-pool round trip and a filtered copy of the
// cluster's metadata (4 % of a full-festival demo's CPU). A one-topic metadata request
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

// partitions is how many partitions the last answer kept gives topic, 0 before one.
func (t *topicMetadata) partitions(topic string) int {
	a := t.last.Load()
	if a == nil || a.topic != topic {
		return 0
	}
	r, ok := a.res.(*metadataAPI.Response)
	if !ok {
		return 0
	}
	for _, tp := range r.Topics {
		if tp.Name == topic {
			return len(tp.Partitions)
		}
	}
	return 0
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
