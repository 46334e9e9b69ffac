package kafkasec

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"os"
	"strings"
	"time"

	"github.com/segmentio/kafka-go"
	kgsasl "github.com/segmentio/kafka-go/sasl"
	kgplain "github.com/segmentio/kafka-go/sasl/plain"
	kgscram "github.com/segmentio/kafka-go/sasl/scram"
	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/pkg/sasl"
	"github.com/twmb/franz-go/pkg/sasl/plain"
	"github.com/twmb/franz-go/pkg/sasl/scram"
)

// The SASL mechanisms hongbao speaks, as Kafka names them.
const (
	Plain       = "PLAIN"
	ScramSHA256 = "SCRAM-SHA-256"
	ScramSHA512 = "SCRAM-SHA-512"
)

// Mechanisms lists the SASL mechanisms, the recommended first.
var Mechanisms = []string{ScramSHA256, ScramSHA512, Plain}

// ParseMechanism returns the mechanism named by s, in any case.
func ParseMechanism(s string) (string, error) {
	for _, m := range Mechanisms {
		if strings.EqualFold(s, m) {
			return m, nil
		}
	}
	return "", fmt.Errorf("SASL mechanism %q is not one of %s", s, strings.Join(Mechanisms, ", "))
}

// Config says how a client connects to the brokers: in the clear or over TLS, and
// as which SASL user. The zero Config is plain TCP without authentication.
type Config struct {
	// TLS encrypts every connection and checks each broker's certificate.
	TLS bool
	// CAFile is a PEM file of the certificate authorities a broker's certificate is
	// checked against (for a self-signed broker, its own certificate); empty means
	// the system's.
	CAFile string
	// CertFile and KeyFile are a client certificate and its key (PEM), for brokers
	// that ask for one.
	CertFile, KeyFile string
	// Mechanism is the SASL mechanism (one of Mechanisms); empty means no SASL.
	Mechanism string
	// User and Password are the SASL credentials.
	User     string
	Password Secret
}

// Client is a Config with its files loaded: what every connection of one command
// uses. A nil *Client connects in the clear without authentication.
type Client struct {
	cfg    Config
	tls    *tls.Config
	kgSASL kgsasl.Mechanism // kafka-go
	fgSASL sasl.Mechanism   // franz-go
}

// LoadCA reads a PEM file of certificate authorities.
func LoadCA(path string) (*x509.CertPool, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(b) {
		return nil, fmt.Errorf("%s holds no PEM certificate", path)
	}
	return pool, nil
}

// LoadKeyPair reads a certificate and its private key (PEM files).
func LoadKeyPair(certFile, keyFile string) (tls.Certificate, error) {
	c, err := tls.LoadX509KeyPair(certFile, keyFile)
	if err != nil {
		// The standard library's message says what is wrong with the files, never their contents.
		return c, fmt.Errorf("certificate %s with key %s: %w", certFile, keyFile, err)
	}
	return c, nil
}

// Build loads the files cfg names and prepares the SASL mechanism. Its errors name
// the file or setting at fault, never the password.
func Build(cfg Config) (*Client, error) {
	if !cfg.TLS && cfg.Mechanism == "" {
		if cfg.CAFile != "" || cfg.CertFile != "" || cfg.User != "" {
			return nil, errors.New("a CA, certificate or SASL user is set but neither TLS nor a SASL mechanism")
		}
		return nil, nil
	}
	c := &Client{cfg: cfg}
	if cfg.TLS {
		c.tls = &tls.Config{MinVersion: tls.VersionTLS12}
		if cfg.CAFile != "" {
			pool, err := LoadCA(cfg.CAFile)
			if err != nil {
				return nil, fmt.Errorf("CA file: %w", err)
			}
			c.tls.RootCAs = pool
		}
		if (cfg.CertFile == "") != (cfg.KeyFile == "") {
			return nil, errors.New("a client certificate needs both its certificate and its key")
		}
		if cfg.CertFile != "" {
			kp, err := LoadKeyPair(cfg.CertFile, cfg.KeyFile)
			if err != nil {
				return nil, err
			}
			c.tls.Certificates = []tls.Certificate{kp}
		}
	} else if cfg.CAFile != "" || cfg.CertFile != "" || cfg.KeyFile != "" {
		return nil, errors.New("a CA or client certificate is set but TLS is off")
	}
	if cfg.Mechanism != "" {
		m, err := ParseMechanism(cfg.Mechanism)
		if err != nil {
			return nil, err
		}
		c.cfg.Mechanism = m
		if cfg.User == "" {
			return nil, fmt.Errorf("SASL %s needs a user", m)
		}
		if cfg.Password == "" {
			return nil, fmt.Errorf("SASL user %q has no password", cfg.User)
		}
		pass := cfg.Password.Reveal()
		switch m {
		case Plain:
			c.kgSASL = kgplain.Mechanism{Username: cfg.User, Password: pass}
			c.fgSASL = plain.Auth{User: cfg.User, Pass: pass}.AsMechanism()
		case ScramSHA256, ScramSHA512:
			algo, fg := kgscram.SHA256, scram.Auth{User: cfg.User, Pass: pass}.AsSha256Mechanism()
			if m == ScramSHA512 {
				algo, fg = kgscram.SHA512, scram.Auth{User: cfg.User, Pass: pass}.AsSha512Mechanism()
			}
			// The error of Mechanism is about the user name or password not being
			// valid UTF-8 (SASLprep); it never quotes them.
			kg, err := kgscram.Mechanism(algo, cfg.User, pass)
			if err != nil {
				return nil, fmt.Errorf("SASL user %q or its password cannot be used with %s (not valid text)", cfg.User, m)
			}
			c.kgSASL, c.fgSASL = kg, fg
		}
	} else if cfg.User != "" {
		return nil, fmt.Errorf("SASL user %q is set but no SASL mechanism", cfg.User)
	}
	return c, nil
}

// TLS reports whether connections are encrypted.
func (c *Client) TLS() bool { return c != nil && c.tls != nil }

// SASL reports whether connections authenticate.
func (c *Client) SASL() bool { return c != nil && c.kgSASL != nil }

// String describes the connection for a log line: "TLS, SASL SCRAM-SHA-256 as ana".
func (c *Client) String() string {
	var parts []string
	if c.TLS() {
		parts = append(parts, "TLS")
	} else {
		parts = append(parts, "plain TCP")
	}
	if c.SASL() {
		parts = append(parts, fmt.Sprintf("SASL %s as %s", c.cfg.Mechanism, c.cfg.User))
	} else {
		parts = append(parts, "no SASL")
	}
	return strings.Join(parts, ", ")
}

// tlsConfig is a copy of the TLS settings with the server name a certificate must
// hold set from addr.
func (c *Client) tlsConfig(addr string) *tls.Config {
	tc := c.tls.Clone()
	if host, _, err := net.SplitHostPort(addr); err == nil {
		tc.ServerName = host
	}
	return tc
}

// Dialer is a kafka-go dialer with the TLS and SASL settings, for connections
// (kafka.Conn) and the consumer group.
func (c *Client) Dialer(timeout time.Duration) *kafka.Dialer {
	d := &kafka.Dialer{Timeout: timeout, DualStack: true}
	if c.TLS() {
		d.TLS = c.tls // kafka-go sets the server name from the address it dials
	}
	if c.SASL() {
		d.SASLMechanism = c.kgSASL
	}
	return d
}

// Transport is a kafka-go transport with the TLS and SASL settings, for the writer.
func (c *Client) Transport(dialTimeout time.Duration) *kafka.Transport {
	t := &kafka.Transport{Dial: (&net.Dialer{Timeout: dialTimeout}).DialContext}
	if c.TLS() {
		t.TLS = c.tls
	}
	if c.SASL() {
		t.SASL = c.kgSASL
	}
	return t
}

// KgoOpts are the franz-go client options with the TLS and SASL settings.
func (c *Client) KgoOpts() []kgo.Opt {
	var opts []kgo.Opt
	if c.TLS() {
		opts = append(opts, kgo.DialTLSConfig(c.tls.Clone())) // franz-go sets the server name per broker
	}
	if c.SASL() {
		opts = append(opts, kgo.SASL(c.fgSASL))
	}
	return opts
}
