package main

import (
	"bytes"
	"context"
	"errors"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hongbao/hongbao/ingest/broker"
	"github.com/hongbao/hongbao/ingest/produce"
	"github.com/hongbao/hongbao/internal/testworld"
)

// writeSQLTestLake lands three grabs in the lake, as the ingester does: two in the first
// minute of 2014-01-31 in Beijing, one missed a minute later.
func writeSQLTestLake(t *testing.T, dir string) {
	t.Helper()
	testworld.New(t, dir).Add(0,
		testworld.Claim("g1", testworld.TS("2014-01-30 16:00:10+00"), "env1", "u1", 100),
		testworld.Claim("g2", testworld.TS("2014-01-30 16:00:40+00"), "env1", "u2", 250),
		testworld.Miss("g3", testworld.TS("2014-01-30 16:01:00+00"), "env1", "u3")).Commit()
}

// sqlTestWarehouse is a fresh data folder holding the lake of writeSQLTestLake and the
// warehouse 'hongbao transform' builds from it.
func sqlTestWarehouse(t *testing.T) *globalOptions {
	t.Helper()
	g := &globalOptions{dir: t.TempDir()}
	writeSQLTestLake(t, g.dir)
	if err := runTransform(context.Background(), g, new(bytes.Buffer), false); err != nil {
		t.Fatal(err)
	}
	return g
}

// simulatedBroker starts an embedded broker (creating topic when it is not empty)
// that the test stops, and runs 'hongbao simulate' into broker.DefaultTopic at scale and
// seed; it returns the options of a data folder beside the broker's, the Kafka options
// and what the simulator produced.
func simulatedBroker(t *testing.T, topic string, scale float64, seed uint64) (*globalOptions, kafkaOptions, produce.Stats) {
	t.Helper()
	dir := t.TempDir()
	b, err := broker.Start(broker.Config{Listen: "127.0.0.1:0", DataDir: filepath.Join(dir, "broker"), Topic: topic})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { b.Close() })
	kafka := kafkaOptions{brokers: b.Addr(), topic: broker.DefaultTopic}
	st, err := runSimulate(context.Background(), &simulateOptions{kafka: kafka, world: worldOptions{scale: scale, seed: seed}})
	if err != nil {
		t.Fatal(err)
	}
	return &globalOptions{dir: filepath.Join(dir, "data")}, kafka, st
}

// execHongbao runs the command line with args and stdin, as main does, and returns
// what it wrote to stdout and stderr.
func execHongbao(t *testing.T, stdin string, args ...string) (string, string, error) {
	t.Helper()
	root := newRootCommand()
	var out, errOut bytes.Buffer
	root.SetArgs(args)
	root.SetIn(strings.NewReader(stdin))
	root.SetOut(&out)
	root.SetErr(&errOut)
	err := root.ExecuteContext(context.Background())
	return out.String(), errOut.String(), err
}

// runHongbao runs the command line with args and returns stdout.
func runHongbao(t *testing.T, stdin string, args ...string) (string, error) {
	t.Helper()
	out, _, err := execHongbao(t, stdin, args...)
	return out, err
}

// isUsage reports whether err is a usage error: one main exits 2 on.
func isUsage(err error) bool {
	var ue usageError
	return errors.As(err, &ue)
}

// wantContains reports each of wants that got, the output named what, lacks.
func wantContains(t *testing.T, what, got string, wants ...string) {
	t.Helper()
	for _, want := range wants {
		if !strings.Contains(got, want) {
			t.Errorf("%s lacks %q:\n%s", what, want, got)
		}
	}
}
