package main

import (
	"context"
	"fmt"
	"os"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/hongbao/hongbao/ingest/broker"
	"github.com/hongbao/hongbao/internal/datadir"
)

type brokerOptions struct {
	listen     string
	advertise  string
	data       string
	topic      string
	partitions int32
	security   brokerSecurityOptions
}

func (o *brokerOptions) AddFlags(f *pflag.FlagSet) {
	f.StringVar(&o.listen, "listen", "127.0.0.1:9092", "address to listen on; keep the loopback host unless other machines must connect")
	f.StringVar(&o.advertise, "advertise", "", "host:port clients on other machines dial, when --listen is 0.0.0.0 or another host")
	f.StringVar(&o.data, "data", "", "folder that keeps topics and messages across restarts (default DIR/broker)")
	f.StringVar(&o.topic, "topic", broker.DefaultTopic, "topic to create at start")
	f.Int32Var(&o.partitions, "partitions", 4, "partitions of the topic when it is created")
	o.security.AddFlags(f)
}

// brokerGoMemoryLimit is the Go heap the broker command aims to stay under: it holds an
// index of its log and the fetches and produce requests in flight, and at a restart one
// log segment per partition (broker.SegmentBytes) while it rebuilds the index. Without a
// limit, the garbage of that rebuild took a restart on the full festival's log to a
// peak RSS of 993,000 kB; with 512 MiB, to 659,000 kB.
const brokerGoMemoryLimit = 512 << 20

func newBrokerCommand(g *globalOptions) *cobra.Command {
	o := &brokerOptions{}
	c := &cobra.Command{
		Use:   "broker",
		Short: "Run the embedded Kafka-protocol broker (persisted to --data)",
		Long: `broker runs a one-node broker that speaks the real Kafka wire protocol (franz-go's
kfake), so that hongbao and any Kafka client (kcat, kafka-console-producer) can use it.
Topics, messages and consumer-group offsets are kept in --data across restarts.

It listens on loopback unless told otherwise. With --tls-cert and --tls-key it speaks
TLS only; with --sasl-mechanism and --sasl-user every client must authenticate as
that user, with the password from HONGBAO_SASL_PASSWORD or --sasl-password-file.
A --listen address other machines can reach needs SASL, or --insecure.`,
		Example: `  hongbao broker
  HONGBAO_SASL_PASSWORD=... hongbao broker --listen 0.0.0.0:9093 --advertise kafka.example.org:9093 \
      --tls-cert cert.pem --tls-key key.pem --sasl-mechanism SCRAM-SHA-256 --sasl-user ana`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := checkWritePlace("--data", o.data, g.dir, datadir.Dir(g.dir).Broker()); err != nil {
				return err
			}
			if o.data == "" {
				o.data = datadir.Dir(g.dir).Broker()
			}
			defaultMemoryLimit(brokerGoMemoryLimit)
			return runBroker(cmd.Context(), o)
		},
	}
	o.AddFlags(c.Flags())
	return c
}

// maxPartitions bounds the partitions of the topic the broker creates: each keeps a log
// on disk and a writer in every ingester, and 100,000 (a slip of the keyboard) took
// 786 MB of disk before the first message. The festival runs on 4.
const maxPartitions = 1024

func runBroker(ctx context.Context, o *brokerOptions) error {
	if o.partitions < 1 || o.partitions > maxPartitions {
		return usagef("--partitions %d must be from 1 to %d", o.partitions, maxPartitions)
	}
	if _, err := listenHost("listen", o.listen, "9092"); err != nil {
		return err
	}
	if err := checkTopic(o.topic); err != nil {
		return err
	}
	cfg := broker.Config{Listen: o.listen, Advertise: o.advertise, DataDir: o.data, Topic: o.topic, Partitions: o.partitions}
	protection, err := o.security.apply(&cfg, os.Stderr)
	if err != nil {
		return err
	}
	b, err := broker.Start(cfg)
	if err != nil {
		return err
	}
	fmt.Fprintf(os.Stderr, "broker listening on %s (%s), topic %s, data in %s (Ctrl-C to stop)\n", b.Addr(), protection, o.topic, o.data)
	<-ctx.Done()
	b.Close()
	fmt.Fprintln(os.Stderr, "broker stopped; state saved")
	return nil
}
