// Package testtopic gives tests a Kafka topic to read: the embedded broker on a
// loopback port, and the simulated festival produced to its topic through the real
// producer, as 'hongbao simulate' produces it. Tests of the ingester, its metrics and
// the commands start their topics here.
package testtopic

import (
	"context"
	"fmt"
	"testing"

	"github.com/hongbao/hongbao/ingest/broker"
	"github.com/hongbao/hongbao/ingest/events"
	"github.com/hongbao/hongbao/ingest/produce"
	"github.com/hongbao/hongbao/ingest/simulate"
)

// Topic is the topic Broker creates and Produce writes to.
const Topic = broker.DefaultTopic

// Broker starts an embedded broker on a loopback port that keeps its data in dataDir
// (in memory when dataDir is empty) and creates Topic; it stops when the test ends.
func Broker(t testing.TB, dataDir string) *broker.Broker {
	t.Helper()
	b, err := broker.Start(broker.Config{Listen: "127.0.0.1:0", DataDir: dataDir, Topic: Topic})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(b.Close)
	return b
}

// Produce simulates the festival at scale and seed and produces every event to Topic
// at addr, then each of raw as a message of its own (keys raw0, raw1, …); it returns
// what the broker acknowledged.
func Produce(t testing.TB, addr string, scale float64, seed uint64, raw ...string) produce.Stats {
	t.Helper()
	ctx := context.Background()
	sim, err := simulate.New(simulate.Config{Scale: scale, Seed: seed})
	if err != nil {
		t.Fatal(err)
	}
	p := produce.New(produce.Config{Brokers: []string{addr}, Topic: Topic})
	if err := sim.Run(ctx, func(e *events.Event) error { return p.Add(ctx, e) }); err != nil {
		t.Fatal(err)
	}
	for i, v := range raw {
		if err := p.AddRaw(ctx, fmt.Appendf(nil, "raw%d", i), []byte(v), "raw", 0); err != nil {
			t.Fatal(err)
		}
	}
	if err := p.Close(ctx); err != nil {
		t.Fatal(err)
	}
	return p.Acked()
}
