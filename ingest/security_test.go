package ingest_test

import (
	"context"
	"crypto/tls"
	"errors"
	"net"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/hongbao/hongbao/ingest"
	"github.com/hongbao/hongbao/ingest/broker"
	"github.com/hongbao/hongbao/ingest/events"
	"github.com/hongbao/hongbao/ingest/kafkasec"
	"github.com/hongbao/hongbao/ingest/lake"
	"github.com/hongbao/hongbao/ingest/produce"
	"github.com/hongbao/hongbao/ingest/simulate"
	"github.com/hongbao/hongbao/internal/testcert"
)

// TestPasswordChangedUnderRunningIngester restarts the broker with another password
// while an ingester reads: the ingester stops within seconds with a sentence about
// the refused password, instead of retrying as for a broker restart, and what it
// read is in the lake.
func TestPasswordChangedUnderRunningIngester(t *testing.T) {
	dir := t.TempDir()
	cert := testcert.New(t, dir, "broker")
	kp, err := kafkasec.LoadKeyPair(cert.Cert, cert.Key)
	if err != nil {
		t.Fatal(err)
	}
	probe, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := probe.Addr().String()
	probe.Close()
	start := func(pass kafkasec.Secret) *broker.Broker {
		b, err := broker.Start(broker.Config{Listen: addr, DataDir: filepath.Join(dir, "broker"), Topic: topic,
			TLS: &tls.Config{Certificates: []tls.Certificate{kp}}, SASL: &broker.User{Mechanism: kafkasec.ScramSHA256, Name: "ana", Password: pass}})
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	b := start("first-password")
	sec, err := kafkasec.Build(kafkasec.Config{TLS: true, CAFile: cert.Cert, Mechanism: kafkasec.ScramSHA256, User: "ana", Password: "first-password"})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	sim, err := simulate.New(simulate.Config{Scale: 0.0002, Seed: 5})
	if err != nil {
		t.Fatal(err)
	}
	p := produce.New(produce.Config{Brokers: []string{addr}, Topic: topic, Security: sec})
	if err := sim.Run(ctx, func(e *events.Event) error { return p.Add(ctx, e) }); err != nil {
		t.Fatal(err)
	}
	if err := p.Close(ctx); err != nil {
		t.Fatal(err)
	}
	produced := p.Acked().Messages

	runCtx, cancel := context.WithTimeout(ctx, 2*time.Minute)
	defer cancel()
	var consumed atomic.Int64
	done := make(chan error, 1)
	go func() {
		_, err := ingest.Run(runCtx, ingest.Config{Brokers: []string{addr}, Topic: topic, Group: "rotated", Dir: filepath.Join(dir, "data"),
			Security: sec, FlushRows: 1000, Consumed: &consumed})
		done <- err
	}()
	for consumed.Load() < produced {
		select {
		case err := <-done:
			t.Fatalf("the ingester stopped before reading everything: %v", err)
		case <-time.After(20 * time.Millisecond):
		}
	}
	b.Close()
	b = start("second-password")
	defer b.Close()
	changed := time.Now()
	select {
	case err := <-done:
		elapsed := time.Since(changed)
		t.Logf("stopped %s after the password changed: %v", elapsed.Round(time.Millisecond), err)
		if !errors.Is(err, kafkasec.ErrAuthFailed) || errors.Is(err, ingest.ErrTopicChanged) || !strings.Contains(err.Error(), `refused user "ana"`) {
			t.Errorf("the ingester stopped with %v, want the refused password", err)
		}
		if elapsed > 20*time.Second {
			t.Errorf("it took %s to stop", elapsed)
		}
		if strings.Contains(err.Error(), "first-password") {
			t.Errorf("the error holds the password: %v", err)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("the ingester still retries 30s after the password changed")
	}
	lk, err := lake.Open(filepath.Join(dir, "data"))
	if err != nil {
		t.Fatal(err)
	}
	ends, err := lk.Ends(topic)
	if err != nil {
		t.Fatal(err)
	}
	var landed int64
	for _, e := range ends {
		landed += e.Next
	}
	if landed != produced {
		t.Errorf("the lake holds %d offsets; the ingester had read all %d", landed, produced)
	}
}

// TestProducerStopsOnRefusedPassword: the writer does not retry a refused password;
// the producer's error is the sentence, within seconds.
func TestProducerStopsOnRefusedPassword(t *testing.T) {
	b, err := broker.Start(broker.Config{Listen: "127.0.0.1:0", Topic: topic,
		SASL: &broker.User{Mechanism: kafkasec.ScramSHA512, Name: "ana", Password: "right"}})
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	sec, err := kafkasec.Build(kafkasec.Config{Mechanism: kafkasec.ScramSHA512, User: "ana", Password: "wrong"})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	p := produce.New(produce.Config{Brokers: []string{b.Addr()}, Topic: topic, Security: sec})
	start := time.Now()
	err = p.AddRaw(ctx, []byte("k"), []byte("{}"), "bad", 0)
	if err == nil {
		err = p.Close(ctx)
	}
	if !errors.Is(err, kafkasec.ErrAuthFailed) || time.Since(start) > 20*time.Second {
		t.Errorf("after %s: %v, want ErrAuthFailed", time.Since(start), err)
	}
}
