//go:build ignore

// kafkatool is the acceptance script's window on the topic itself, which hongbao
// has no command for. Build it with 'go build -o BIN scripts/kafkatool.go'.
//
//	kafkatool ranges  BROKER TOPIC   one line per partition: "P START END" (END is the
//	                                 high watermark), then "id TOPIC-ID"
//	kafkatool produce BROKER TOPIC   produces each stdin line "KEY<TAB>VALUE" (or
//	                                 "VALUE" alone) as one message, bytes as they are,
//	                                 like 'kcat -P -K "\t"'; prints how many
package main

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"os"
	"slices"
	"time"

	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/pkg/kmsg"
)

func main() {
	if len(os.Args) != 4 {
		fmt.Fprintln(os.Stderr, "usage: kafkatool ranges|produce BROKER TOPIC")
		os.Exit(2)
	}
	cmd, broker, topic := os.Args[1], os.Args[2], os.Args[3]
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	var err error
	switch cmd {
	case "ranges":
		err = ranges(ctx, broker, topic)
	case "produce":
		err = produce(ctx, broker, topic)
	default:
		err = fmt.Errorf("unknown command %q", cmd)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "kafkatool:", err)
		os.Exit(1)
	}
}

func ranges(ctx context.Context, broker, topic string) error {
	cl, err := kgo.NewClient(kgo.SeedBrokers(broker), kgo.DialTimeout(5*time.Second))
	if err != nil {
		return err
	}
	defer cl.Close()
	mreq := kmsg.NewPtrMetadataRequest()
	mt := kmsg.NewMetadataRequestTopic()
	mt.Topic = kmsg.StringPtr(topic)
	mreq.Topics = append(mreq.Topics, mt)
	mresp, err := mreq.RequestWith(ctx, cl)
	if err != nil {
		return err
	}
	if len(mresp.Topics) != 1 {
		return fmt.Errorf("%d topics in the metadata answer", len(mresp.Topics))
	}
	t := mresp.Topics[0]
	if err := kerr.ErrorForCode(t.ErrorCode); err != nil {
		return fmt.Errorf("topic %s: %w", topic, err)
	}
	start, end := map[int32]int64{}, map[int32]int64{}
	for _, ts := range []int64{-2, -1} { // -2 the log start, -1 the high watermark
		lreq := kmsg.NewPtrListOffsetsRequest()
		lt := kmsg.NewListOffsetsRequestTopic()
		lt.Topic = topic
		for _, p := range t.Partitions {
			lp := kmsg.NewListOffsetsRequestTopicPartition()
			lp.Partition, lp.Timestamp = p.Partition, ts
			lt.Partitions = append(lt.Partitions, lp)
		}
		lreq.Topics = append(lreq.Topics, lt)
		lresp, err := lreq.RequestWith(ctx, cl)
		if err != nil {
			return err
		}
		for _, rt := range lresp.Topics {
			for _, rp := range rt.Partitions {
				if err := kerr.ErrorForCode(rp.ErrorCode); err != nil {
					return fmt.Errorf("partition %d: %w", rp.Partition, err)
				}
				if ts == -2 {
					start[rp.Partition] = rp.Offset
				} else {
					end[rp.Partition] = rp.Offset
				}
			}
		}
	}
	ps := make([]int, 0, len(end))
	for p := range end {
		ps = append(ps, int(p))
	}
	slices.Sort(ps)
	for _, p := range ps {
		fmt.Printf("%d %d %d\n", p, start[int32(p)], end[int32(p)])
	}
	fmt.Printf("id %x\n", t.TopicID)
	return nil
}

func produce(ctx context.Context, broker, topic string) error {
	cl, err := kgo.NewClient(kgo.SeedBrokers(broker), kgo.DefaultProduceTopic(topic),
		kgo.ProducerBatchMaxBytes(16<<20), kgo.RequiredAcks(kgo.AllISRAcks()))
	if err != nil {
		return err
	}
	defer cl.Close()
	sc := bufio.NewScanner(os.Stdin)
	sc.Buffer(make([]byte, 1<<20), 16<<20)
	n := 0
	for sc.Scan() {
		line := append([]byte(nil), sc.Bytes()...)
		r := &kgo.Record{Value: line}
		if k, v, ok := bytes.Cut(line, []byte("\t")); ok {
			r.Key, r.Value = k, v
		}
		if err := cl.ProduceSync(ctx, r).FirstErr(); err != nil {
			return fmt.Errorf("message %d: %w", n+1, err)
		}
		n++
	}
	if err := sc.Err(); err != nil {
		return err
	}
	fmt.Println(n)
	return nil
}
