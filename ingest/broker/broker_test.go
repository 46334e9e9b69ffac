package broker

import (
	"context"
	"net"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/segmentio/kafka-go"
)

// TestAdvertisedAddress listens on every interface but tells clients the loopback
// address, so the metadata a client receives names an address it can dial.
func TestAdvertisedAddress(t *testing.T) {
	// The advertised address names the listening port, so the port is bound before
	// the broker starts and handed to it open: no other process can take it between.
	ln, err := net.Listen("tcp", "0.0.0.0:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close() // if start fails; the broker closes it otherwise
	port := ln.Addr().(*net.TCPAddr).Port
	adv := net.JoinHostPort("127.0.0.1", strconv.Itoa(port))
	b, err := start(Config{Listen: net.JoinHostPort("0.0.0.0", strconv.Itoa(port)), Advertise: adv, Insecure: true}, ln)
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	conn, err := kafka.DialContext(context.Background(), "tcp", adv)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	brokers, err := conn.Brokers()
	if err != nil {
		t.Fatal(err)
	}
	if len(brokers) != 1 || brokers[0].Host != "127.0.0.1" || brokers[0].Port != port {
		t.Errorf("metadata names %+v, want 127.0.0.1:%d", brokers, port)
	}
	parts, err := conn.ReadPartitions(DefaultTopic)
	if err != nil || len(parts) != 4 {
		t.Errorf("topic %s has %d partitions (%v), want 4", DefaultTopic, len(parts), err)
	}
}

func TestBadListenAddress(t *testing.T) {
	for _, cfg := range []Config{{Listen: "nohost"}, {Listen: "127.0.0.1:0", Advertise: "nowhere"}} {
		if b, err := Start(cfg); err == nil {
			b.Close()
			t.Errorf("%+v: started; want an error", cfg)
		}
	}
}

// TestLogRollsAtSegmentBytes writes a little over two segments to one partition and
// finds three log files: a restart reads each whole, so their size bounds its memory.
func TestLogRollsAtSegmentBytes(t *testing.T) {
	dir := t.TempDir()
	b, err := Start(Config{Listen: "127.0.0.1:0", DataDir: dir, Partitions: 1})
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	conn, err := kafka.DialLeader(context.Background(), "tcp", b.Addr(), DefaultTopic, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	value := make([]byte, 64<<10)
	for i := range value {
		value[i] = byte(i*7919>>3) ^ byte(i)
	}
	msgs := make([]kafka.Message, 64)
	for i := range msgs {
		msgs[i] = kafka.Message{Value: value}
	}
	for written := 0; written < 2*SegmentBytes+(1<<20); written += len(msgs) * len(value) {
		if _, err := conn.WriteMessages(msgs...); err != nil {
			t.Fatal(err)
		}
	}
	segs, err := filepath.Glob(filepath.Join(dir, "partitions", DefaultTopic+"-0", "*.dat"))
	if err != nil || len(segs) != 3 {
		t.Errorf("the partition's log is in %d files %v (%v), want 3 of at most %d bytes", len(segs), segs, err, SegmentBytes)
	}
}
