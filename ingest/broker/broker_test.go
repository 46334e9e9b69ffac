package broker

import (
	"context"
	"net"
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
