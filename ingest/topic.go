package ingest

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/pkg/kmsg"

	"github.com/hongbao/hongbao/ingest/kafkasec"
)

// offsetRange is what a partition's log holds: offsets Start up to End-1. End is
// the high watermark, the offset the next message will get.
type offsetRange struct{ Start, End int64 }

// topicState is what the brokers say of the topic at one moment.
type topicState struct {
	// ID is the topic's identity as the broker gives it (Kafka 2.8+ and the embedded
	// broker); empty when the broker has none.
	ID         string
	Partitions map[int]offsetRange
}

// sortedPartitions lists the partitions of the topic in order.
func (s *topicState) sortedPartitions() []int {
	ps := make([]int, 0, len(s.Partitions))
	for p := range s.Partitions {
		ps = append(ps, p)
	}
	slices.Sort(ps)
	return ps
}

// admin asks the brokers about the topic and the group: the consumer itself only
// fetches. It uses franz-go's client, which speaks the newer protocol versions that
// carry topic ids and routes each request to the broker that can answer it.
type admin struct {
	cl    *kgo.Client
	topic string
	group string
}

func newAdmin(brokers []string, topic, group string, sec *kafkasec.Client) (*admin, error) {
	opts := append(sec.KgoOpts(), kgo.SeedBrokers(brokers...), kgo.DialTimeout(5*time.Second),
		kgo.RetryTimeout(5*time.Second), kgo.MetadataMinAge(time.Second))
	cl, err := kgo.NewClient(opts...)
	if err != nil {
		return nil, fmt.Errorf("kafka client for %s: %w", strings.Join(brokers, ","), err)
	}
	return &admin{cl: cl, topic: topic, group: group}, nil
}

func (a *admin) Close() { a.cl.Close() }

// topicMetadata asks the brokers for the metadata of one topic: its id, its partitions
// and their leaders.
func topicMetadata(ctx context.Context, cl *kgo.Client, topic string) (*kmsg.MetadataResponse, error) {
	req := kmsg.NewPtrMetadataRequest()
	t := kmsg.NewMetadataRequestTopic()
	t.Topic = kmsg.StringPtr(topic)
	req.Topics = append(req.Topics, t)
	return req.RequestWith(ctx, cl)
}

// state reads the topic's id, partitions and each partition's range. It gives up
// after timeout, so a broker that is down is a stall the caller reports, not a hang.
func (a *admin) state(ctx context.Context, timeout time.Duration) (*topicState, error) {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	mresp, err := topicMetadata(ctx, a.cl, a.topic)
	if err != nil {
		return nil, fmt.Errorf("read the metadata of topic %s: %w", a.topic, err)
	}
	if len(mresp.Topics) != 1 {
		return nil, fmt.Errorf("read the metadata of topic %s: %d topics in the answer", a.topic, len(mresp.Topics))
	}
	t := mresp.Topics[0]
	if err := kerr.ErrorForCode(t.ErrorCode); err != nil {
		if errors.Is(err, kerr.UnknownTopicOrPartition) {
			return nil, ErrNoTopic
		}
		return nil, fmt.Errorf("read the metadata of topic %s: %w", a.topic, err)
	}
	st := &topicState{Partitions: map[int]offsetRange{}}
	if t.TopicID != ([16]byte{}) {
		id := t.TopicID
		st.ID = fmt.Sprintf("%x-%x-%x-%x-%x", id[0:4], id[4:6], id[6:8], id[8:10], id[10:16])
	}
	for _, p := range t.Partitions {
		st.Partitions[int(p.Partition)] = offsetRange{}
	}
	// -2 asks for the log start, -1 for the high watermark.
	for _, ts := range []int64{-2, -1} {
		lreq := kmsg.NewPtrListOffsetsRequest()
		lt := kmsg.NewListOffsetsRequestTopic()
		lt.Topic = a.topic
		for p := range st.Partitions {
			lp := kmsg.NewListOffsetsRequestTopicPartition()
			lp.Partition, lp.Timestamp = int32(p), ts
			lt.Partitions = append(lt.Partitions, lp)
		}
		lreq.Topics = append(lreq.Topics, lt)
		lresp, err := lreq.RequestWith(ctx, a.cl)
		if err != nil {
			return nil, fmt.Errorf("read the offsets of topic %s: %w", a.topic, err)
		}
		for _, rt := range lresp.Topics {
			for _, rp := range rt.Partitions {
				if err := kerr.ErrorForCode(rp.ErrorCode); err != nil {
					return nil, fmt.Errorf("read the offsets of topic %s partition %d: %w", a.topic, rp.Partition, err)
				}
				r := st.Partitions[int(rp.Partition)]
				if ts == -2 {
					r.Start = rp.Offset
				} else {
					r.End = rp.Offset
				}
				st.Partitions[int(rp.Partition)] = r
			}
		}
	}
	return st, nil
}

// groupMember is one member of the consumer group and the partitions of the topic it
// was given.
type groupMember struct {
	ID, Client, Host string
	Partitions       []int
}

// members describes the group: who holds which partitions of the topic. The group's
// state is empty when it has no members, and "PreparingRebalance" or
// "CompletingRebalance" while it moves partitions.
func (a *admin) members(ctx context.Context, timeout time.Duration) (state string, members []groupMember, err error) {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	req := kmsg.NewPtrDescribeGroupsRequest()
	req.Groups = []string{a.group}
	resp, err := req.RequestWith(ctx, a.cl)
	if err != nil {
		return "", nil, fmt.Errorf("describe consumer group %s: %w", a.group, err)
	}
	if len(resp.Groups) != 1 {
		return "", nil, fmt.Errorf("describe consumer group %s: %d groups in the answer", a.group, len(resp.Groups))
	}
	g := resp.Groups[0]
	if err := kerr.ErrorForCode(g.ErrorCode); err != nil {
		return "", nil, fmt.Errorf("describe consumer group %s: %w", a.group, err)
	}
	for _, m := range g.Members {
		gm := groupMember{ID: m.MemberID, Client: m.ClientID, Host: m.ClientHost}
		var as kmsg.ConsumerMemberAssignment
		if len(m.MemberAssignment) > 0 && as.ReadFrom(m.MemberAssignment) == nil {
			for _, t := range as.Topics {
				if t.Topic == a.topic {
					for _, p := range t.Partitions {
						gm.Partitions = append(gm.Partitions, int(p))
					}
				}
			}
		}
		members = append(members, gm)
	}
	return g.State, members, nil
}
