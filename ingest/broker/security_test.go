package broker_test

import (
	"context"
	"errors"
	"io"
	"io/fs"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/hongbao/hongbao/ingest/broker"
	"github.com/hongbao/hongbao/ingest/kafkasec"
	"github.com/hongbao/hongbao/internal/testcert"
)

func probe(t *testing.T, addr string, cfg kafkasec.Config) error {
	t.Helper()
	c, err := kafkasec.Build(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return kafkasec.Probe(context.Background(), addr, c, 5*time.Second)
}

// TestOpenListenNeedsSASL: a broker other machines can reach starts only with a
// SASL user or with Insecure.
func TestOpenListenNeedsSASL(t *testing.T) {
	for _, host := range []string{"0.0.0.0", "::"} {
		_, err := broker.Start(broker.Config{Listen: net.JoinHostPort(host, "0")})
		if !errors.Is(err, broker.ErrOpenListen) || !strings.Contains(err.Error(), "--insecure") {
			t.Errorf("listen on %s without SASL: %v, want ErrOpenListen naming --insecure", host, err)
		}
	}
	for _, host := range []string{"127.0.0.1", "localhost", "::1", ""} {
		if err := (broker.Config{Listen: net.JoinHostPort(host, "9092")}).Check(); err != nil {
			t.Errorf("%s is loopback: %v", host, err)
		}
	}
	for _, cfg := range []broker.Config{
		{Listen: "0.0.0.0:0", Advertise: "127.0.0.1:1", Insecure: true},
		{Listen: "0.0.0.0:0", Advertise: "127.0.0.1:1", SASL: &broker.User{Mechanism: "SCRAM-SHA-256", Name: "ana", Password: "pw"}},
	} {
		b, err := broker.Start(cfg)
		if err != nil {
			t.Errorf("insecure %v, SASL %v: %v", cfg.Insecure, cfg.SASL != nil, err)
			continue
		}
		b.Close()
	}
}

// TestSASLUserIsTheConfiguredOne restarts a broker on its data folder with another
// password: the new one works, the old one is refused, and no password (PLAIN keeps
// it in clear) is left in the data folder.
func TestSASLUserIsTheConfiguredOne(t *testing.T) {
	dir := t.TempDir()
	cert := testcert.New(t, dir, "broker")
	data := filepath.Join(dir, "broker")
	const first, second = "first-Pw-31337", "second-Pw-27182"
	for _, mech := range []string{kafkasec.Plain, kafkasec.ScramSHA256} {
		for i, pass := range []string{first, second} {
			b, err := broker.Start(broker.Config{Listen: "127.0.0.1:0", DataDir: data,
				TLS: cert.ServerTLS(t), SASL: &broker.User{Mechanism: mech, Name: "ana", Password: kafkasec.Secret(pass)}})
			if err != nil {
				t.Fatal(err)
			}
			client := kafkasec.Config{TLS: true, CAFile: cert.Cert, Mechanism: mech, User: "ana"}
			client.Password = kafkasec.Secret(pass)
			if err := probe(t, b.Addr(), client); err != nil {
				t.Errorf("%s start %d: the configured password: %v", mech, i+1, err)
			}
			if i == 1 {
				client.Password = first
				if err := probe(t, b.Addr(), client); !errors.Is(err, kafkasec.ErrAuthFailed) {
					t.Errorf("%s: the password of the earlier start still works (%v)", mech, err)
				}
			}
			b.Close()
			st, err := os.Stat(data)
			if err != nil || st.Mode().Perm() != 0o700 {
				t.Errorf("data folder %v (%v), want mode 0700", st.Mode(), err)
			}
			filepath.WalkDir(data, func(path string, d fs.DirEntry, err error) error {
				if err != nil || d.IsDir() {
					return err
				}
				b, err := os.ReadFile(path)
				if err != nil {
					t.Fatal(err)
				}
				if strings.Contains(string(b), first) || strings.Contains(string(b), second) || filepath.Base(path) == "sasl.json" {
					t.Errorf("%s after the broker stopped: %s holds SASL users", mech, path)
				}
				return nil
			})
		}
	}
}

// TestOversizeRequestClosed: four bytes that announce a 2 GiB request (or a TLS
// handshake sent to the plain port) close the connection at once, and the broker
// goes on serving.
func TestOversizeRequestClosed(t *testing.T) {
	b, err := broker.Start(broker.Config{Listen: "127.0.0.1:0"})
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	for _, head := range [][]byte{{0x7f, 0xff, 0xff, 0xff}, {0x16, 0x03, 0x01, 0x02}} {
		conn, err := net.Dial("tcp", b.Addr())
		if err != nil {
			t.Fatal(err)
		}
		conn.SetDeadline(time.Now().Add(5 * time.Second))
		if _, err := conn.Write(head); err != nil {
			t.Fatal(err)
		}
		_, err = conn.Read(make([]byte, 1))
		conn.Close()
		if err == nil || errors.Is(err, os.ErrDeadlineExceeded) {
			t.Errorf("after % x the connection is still open (%v)", head, err)
		}
		if err != io.EOF && !strings.Contains(err.Error(), "reset") {
			t.Logf("closed with %v", err)
		}
	}
	if err := probe(t, b.Addr(), kafkasec.Config{}); err != nil {
		t.Errorf("the broker stopped serving: %v", err)
	}
}
