package produce

import (
	"context"
	"net"
	"sync"
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
// refreshes its metadata every 6 s); every other request goes through.
type topicMetadata struct {
	kafka.RoundTripper

	mu    sync.Mutex
	topic string
	auto  bool
	res   protocol.Message
	until time.Time
}

func (t *topicMetadata) RoundTrip(ctx context.Context, addr net.Addr, req protocol.Message) (protocol.Message, error) {
	m, ok := req.(*metadataAPI.Request)
	if !ok || len(m.TopicNames) != 1 {
		return t.RoundTripper.RoundTrip(ctx, addr, req)
	}
	now := time.Now()
	t.mu.Lock()
	if t.res != nil && t.topic == m.TopicNames[0] && t.auto == m.AllowAutoTopicCreation && now.Before(t.until) {
		res := t.res
		t.mu.Unlock()
		return res, nil
	}
	t.mu.Unlock()
	res, err := t.RoundTripper.RoundTrip(ctx, addr, req)
	if err != nil || !answered(res, m.TopicNames[0]) {
		return res, err
	}
	t.mu.Lock()
	t.topic, t.auto, t.res, t.until = m.TopicNames[0], m.AllowAutoTopicCreation, res, now.Add(metadataTTL)
	t.mu.Unlock()
	return res, nil
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
