package kafkasec_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/pkg/kmsg"

	"github.com/hongbao/hongbao/ingest/broker"
	"github.com/hongbao/hongbao/ingest/kafkasec"
	"github.com/hongbao/hongbao/internal/testcert"
)

const password = "Zq7-probe-secret-4711"

func startBroker(t *testing.T, cert *testcert.Files, user *broker.User) *broker.Broker {
	t.Helper()
	cfg := broker.Config{Listen: "127.0.0.1:0", SASL: user}
	if cert != nil {
		cfg.TLS = cert.ServerTLS(t)
	}
	b, err := broker.Start(cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(b.Close)
	return b
}

func build(t *testing.T, cfg kafkasec.Config) *kafkasec.Client {
	t.Helper()
	c, err := kafkasec.Build(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// TestProbe connects to brokers with TLS, SASL, both and neither, with the right
// settings and each kind of wrong one: the right ones pass, each wrong one is a
// sentence naming the setting to change, in a few seconds.
func TestProbe(t *testing.T) {
	dir := t.TempDir()
	cert := testcert.New(t, dir, "broker")
	other := testcert.New(t, dir, "other")
	scram := &broker.User{Mechanism: kafkasec.ScramSHA256, Name: "ana", Password: password}
	plainUser := &broker.User{Mechanism: kafkasec.Plain, Name: "ana", Password: password}
	secure := startBroker(t, &cert, scram)
	tlsOnly := startBroker(t, &cert, nil)
	saslOnly := startBroker(t, nil, plainUser)
	open := startBroker(t, nil, nil)

	good := kafkasec.Config{TLS: true, CAFile: cert.Cert, Mechanism: kafkasec.ScramSHA256, User: "ana", Password: password}
	with := func(f func(*kafkasec.Config)) kafkasec.Config { c := good; f(&c); return c }
	cases := []struct {
		name   string
		addr   string
		cfg    kafkasec.Config
		want   error  // nil: the probe passes
		phrase string // in the sentence
	}{
		{"tls+scram", secure.Addr(), good, nil, ""},
		{"tls only", tlsOnly.Addr(), kafkasec.Config{TLS: true, CAFile: cert.Cert}, nil, ""},
		{"plain sasl", saslOnly.Addr(), kafkasec.Config{Mechanism: "plain", User: "ana", Password: password}, nil, ""},
		{"open", open.Addr(), kafkasec.Config{}, nil, ""},
		{"wrong password", secure.Addr(), with(func(c *kafkasec.Config) { c.Password = "wrong" }), kafkasec.ErrAuthFailed, "password is wrong"},
		{"unknown user", secure.Addr(), with(func(c *kafkasec.Config) { c.User = "bob" }), kafkasec.ErrAuthFailed, `user "bob"`},
		{"wrong mechanism", secure.Addr(), with(func(c *kafkasec.Config) { c.Mechanism = kafkasec.ScramSHA512 }), kafkasec.ErrAuthFailed, "refused"},
		{"wrong plain password", saslOnly.Addr(), kafkasec.Config{Mechanism: kafkasec.Plain, User: "ana", Password: "nope"}, kafkasec.ErrAuthFailed, "password is wrong"},
		{"no sasl", secure.Addr(), kafkasec.Config{TLS: true, CAFile: cert.Cert}, kafkasec.ErrAuthRequired, "--sasl-mechanism"},
		{"no sasl, plain", saslOnly.Addr(), kafkasec.Config{}, kafkasec.ErrAuthRequired, "--sasl-mechanism"},
		{"plain tcp to tls", secure.Addr(), kafkasec.Config{}, kafkasec.ErrTLS, "pass --tls"},
		{"plain tcp with sasl to tls", secure.Addr(), with(func(c *kafkasec.Config) { c.TLS, c.CAFile = false, "" }), kafkasec.ErrTLS, "pass --tls"},
		{"tls to plain", open.Addr(), kafkasec.Config{TLS: true, CAFile: cert.Cert}, kafkasec.ErrTLS, "does not speak TLS"},
		{"untrusted", secure.Addr(), with(func(c *kafkasec.Config) { c.CAFile = other.Cert }), kafkasec.ErrTLS, "right --tls-ca"},
		{"system roots", secure.Addr(), with(func(c *kafkasec.Config) { c.CAFile = "" }), kafkasec.ErrTLS, "pass --tls-ca"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			start := time.Now()
			err := kafkasec.Probe(context.Background(), tc.addr, build(t, tc.cfg), 5*time.Second)
			elapsed := time.Since(start)
			t.Logf("%s: %v", elapsed.Round(time.Millisecond), err)
			if tc.want == nil {
				if err != nil {
					t.Fatalf("probe failed: %v", err)
				}
				return
			}
			if !errors.Is(err, tc.want) || !strings.Contains(err.Error(), tc.phrase) {
				t.Fatalf("probe error %q, want %v saying %q", err, tc.want, tc.phrase)
			}
			if strings.Contains(err.Error(), password) || strings.Contains(err.Error(), "Zq7") {
				t.Fatalf("the error holds the password: %v", err)
			}
			if elapsed > 6*time.Second {
				t.Errorf("the probe took %s", elapsed)
			}
		})
	}
}

// TestDiagnoseKgo: franz-go (the admin client) reports a refused password as the
// connection closing; Diagnose tells it from a broker restarting.
func TestDiagnoseKgo(t *testing.T) {
	dir := t.TempDir()
	cert := testcert.New(t, dir, "broker")
	b := startBroker(t, &cert, &broker.User{Mechanism: kafkasec.ScramSHA256, Name: "ana", Password: password})
	for _, pass := range []kafkasec.Secret{password, "wrong"} {
		c := build(t, kafkasec.Config{TLS: true, CAFile: cert.Cert, Mechanism: kafkasec.ScramSHA256, User: "ana", Password: pass})
		cl, err := kgo.NewClient(append(c.KgoOpts(), kgo.SeedBrokers(b.Addr()), kgo.RetryTimeout(3*time.Second))...)
		if err != nil {
			t.Fatal(err)
		}
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		start := time.Now()
		_, err = kmsg.NewPtrMetadataRequest().RequestWith(ctx, cl)
		cancel()
		cl.Close()
		diagnosed := kafkasec.Diagnose(context.Background(), err, []string{b.Addr()}, c)
		t.Logf("%s: %v (%v)", time.Since(start), err, diagnosed)
		if pass == password && err != nil {
			t.Errorf("right password: %v", err)
		}
		if pass != password && !errors.Is(diagnosed, kafkasec.ErrAuthFailed) {
			t.Errorf("wrong password: %v, diagnosed %v", err, diagnosed)
		}
	}
	// A broker that is gone is worth waiting for: no diagnosis.
	c := build(t, kafkasec.Config{TLS: true, CAFile: cert.Cert, Mechanism: kafkasec.ScramSHA256, User: "ana", Password: password})
	addr := b.Addr()
	b.Close()
	for _, err := range []error{io.EOF, syscall.ECONNREFUSED} {
		if d := kafkasec.Diagnose(context.Background(), err, []string{addr}, c); d != nil {
			t.Errorf("%v with the broker gone: diagnosed %v", err, d)
		}
	}
}

func TestSecretNeverPrints(t *testing.T) {
	c := kafkasec.Config{Mechanism: kafkasec.Plain, User: "ana", Password: password}
	for _, s := range []string{fmt.Sprint(c), fmt.Sprintf("%+v %#v %q %x %s %d", c, c, c.Password, c.Password, c.Password, c.Password)} {
		if strings.Contains(s, password) {
			t.Errorf("printed: %s", s)
		}
	}
}

func TestUnreachableBrokerSaysWhatToDo(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close() // nothing listens there now
	err = kafkasec.CheckReachable(context.Background(), []string{addr}, nil)
	if !errors.Is(err, kafkasec.ErrUnreachable) {
		t.Fatalf("err = %v, want ErrUnreachable", err)
	}
	for _, want := range []string{addr, "hongbao broker", "--brokers"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("the error %q does not mention %q", err, want)
		}
	}
}
