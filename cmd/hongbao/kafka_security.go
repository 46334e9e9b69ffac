package main

import (
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"strings"

	"github.com/spf13/pflag"

	"github.com/hongbao/hongbao/ingest/broker"
	"github.com/hongbao/hongbao/ingest/kafkasec"
	"github.com/hongbao/hongbao/ingest/lake"
)

// kafkaOptions say where the events travel and how to connect there; every command
// that is a Kafka client shares them.
type kafkaOptions struct {
	brokers  string
	topic    string
	security kafkaSecurityOptions
}

func (o *kafkaOptions) AddFlags(f *pflag.FlagSet) {
	f.StringVar(&o.brokers, "brokers", envOr("HONGBAO_BROKERS", "127.0.0.1:9092"), "comma-separated Kafka brokers (env HONGBAO_BROKERS)")
	f.StringVar(&o.topic, "topic", broker.DefaultTopic, "Kafka topic of the events")
	o.security.AddFlags(f)
}

// connect validates the brokers and the TLS and SASL flags and reads the password:
// the first thing a command that talks to Kafka does.
func (o *kafkaOptions) connect(warn io.Writer) ([]string, *kafkasec.Client, error) {
	if err := checkTopic(o.topic); err != nil {
		return nil, nil, err
	}
	brokers, err := o.brokerList()
	if err != nil {
		return nil, nil, err
	}
	sec, err := o.security.client(brokers, warn)
	if err != nil {
		return nil, nil, err
	}
	return brokers, sec, nil
}

// checkTopic refuses a --topic the lake could not hold (lake.CheckTopic), before
// anything connects.
func checkTopic(topic string) error {
	if lake.CheckTopic(topic) != nil {
		return usagef("--topic %q is not a Kafka topic name hongbao can keep: use %s, for example --topic %s", topic, lake.TopicRule, broker.DefaultTopic)
	}
	return nil
}

func (o *kafkaOptions) brokerList() ([]string, error) {
	var out []string
	for _, b := range strings.Split(o.brokers, ",") {
		if b = strings.TrimSpace(b); b != "" {
			out = append(out, b)
		}
	}
	if len(out) == 0 {
		return nil, usagef("--brokers is empty: pass host:port of a broker, for example --brokers 127.0.0.1:9092")
	}
	return out, nil
}

// passwordEnv holds the SASL password; a flag never does, so that it stays out of
// the process list and shell history.
const passwordEnv = "HONGBAO_SASL_PASSWORD"

// saslOptions are the SASL flags the clients and the broker share.
type saslOptions struct {
	mechanism    string
	user         string
	passwordFile string
}

func (o *saslOptions) AddFlags(f *pflag.FlagSet) {
	f.StringVar(&o.mechanism, "sasl-mechanism", "", "SASL mechanism: SCRAM-SHA-256, SCRAM-SHA-512 or PLAIN (PLAIN sends the password itself: use it over TLS only)")
	f.StringVar(&o.user, "sasl-user", "", "SASL user; the password comes from "+passwordEnv+" or --sasl-password-file, never from a flag")
	f.StringVar(&o.passwordFile, "sasl-password-file", "", "file holding the SASL password (one line; keep it mode 600); default: the environment variable "+passwordEnv)
}

// credentials validates the SASL flags and reads the password; mechanism is empty
// when SASL is off.
func (o *saslOptions) credentials(warn io.Writer) (mechanism, user string, pass kafkasec.Secret, err error) {
	if o.mechanism == "" {
		if o.user != "" || o.passwordFile != "" {
			return "", "", "", usagef("--sasl-user and --sasl-password-file need --sasl-mechanism (%s)", strings.Join(kafkasec.Mechanisms, ", "))
		}
		return "", "", "", nil
	}
	mechanism, err = kafkasec.ParseMechanism(o.mechanism)
	if err != nil {
		return "", "", "", usagef("--sasl-mechanism: %v", err)
	}
	if o.user == "" {
		return "", "", "", usagef("--sasl-mechanism %s needs --sasl-user NAME", mechanism)
	}
	if o.passwordFile != "" {
		pass, err = readPasswordFile(o.passwordFile, warn)
		if err != nil {
			return "", "", "", err
		}
	} else {
		pass = kafkasec.Secret(os.Getenv(passwordEnv))
	}
	if pass == "" {
		return "", "", "", usagef("SASL user %q has no password: set %s, or pass --sasl-password-file FILE (a password is never a flag, which anyone on the machine could read in the process list)", o.user, passwordEnv)
	}
	return mechanism, o.user, pass, nil
}

// readPasswordFile reads a password file: its first line, without the line end.
func readPasswordFile(path string, warn io.Writer) (kafkasec.Secret, error) {
	st, err := os.Stat(path)
	if err != nil {
		return "", usagef("--sasl-password-file: %v", err)
	}
	if st.IsDir() {
		return "", usagef("--sasl-password-file %s is a folder; pass the file holding the password", path)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return "", usagef("--sasl-password-file: %v", err)
	}
	line, _, _ := strings.Cut(string(b), "\n")
	line = strings.TrimSuffix(line, "\r")
	if line == "" {
		return "", usagef("--sasl-password-file %s is empty: write the password on its first line", path)
	}
	if st.Mode().Perm()&0o077 != 0 {
		fmt.Fprintf(warn, "hongbao: warning: %s, which holds the SASL password, is readable by other users (mode %04o); run 'chmod 600 %s'\n", path, st.Mode().Perm(), path)
	}
	return kafkasec.Secret(line), nil
}

// kafkaSecurityOptions are the TLS and SASL flags of every command that connects to
// Kafka as a client.
type kafkaSecurityOptions struct {
	tls     bool
	tlsCA   string
	tlsCert string
	tlsKey  string
	sasl    saslOptions
}

func (o *kafkaSecurityOptions) AddFlags(f *pflag.FlagSet) {
	f.BoolVar(&o.tls, "tls", false, "connect to the brokers over TLS (implied by --tls-ca, --tls-cert and --tls-key)")
	f.StringVar(&o.tlsCA, "tls-ca", "", "PEM file of the CA that signed the brokers' certificates (for a self-signed broker, its certificate); default: the system's CAs")
	f.StringVar(&o.tlsCert, "tls-cert", "", "PEM client certificate, for brokers that ask for one (with --tls-key)")
	f.StringVar(&o.tlsKey, "tls-key", "", "PEM private key of --tls-cert")
	o.sasl.AddFlags(f)
}

// client validates the flags, reads the files and the password, and returns what
// every connection of the command uses (nil: plain TCP without SASL). brokers is
// only for a warning about PLAIN in clear over the network.
func (o *kafkaSecurityOptions) client(brokers []string, warn io.Writer) (*kafkasec.Client, error) {
	if (o.tlsCert == "") != (o.tlsKey == "") {
		return nil, usagef("--tls-cert and --tls-key go together: pass both (the client certificate and its key) or neither")
	}
	for _, f := range []struct{ flag, path string }{{"--tls-ca", o.tlsCA}, {"--tls-cert", o.tlsCert}, {"--tls-key", o.tlsKey}} {
		if f.path == "" {
			continue
		}
		if _, err := os.Stat(f.path); err != nil {
			return nil, usagef("%s: %v", f.flag, err)
		}
	}
	cfg := kafkasec.Config{TLS: o.tls || o.tlsCA != "" || o.tlsCert != "", CAFile: o.tlsCA, CertFile: o.tlsCert, KeyFile: o.tlsKey}
	if o.tlsCA != "" {
		if _, err := kafkasec.LoadCA(o.tlsCA); err != nil {
			return nil, usagef("--tls-ca: %v", err)
		}
	}
	if o.tlsCert != "" {
		if _, err := kafkasec.LoadKeyPair(o.tlsCert, o.tlsKey); err != nil {
			return nil, usagef("--tls-cert, --tls-key: %v", err)
		}
	}
	var err error
	cfg.Mechanism, cfg.User, cfg.Password, err = o.sasl.credentials(warn)
	if err != nil {
		return nil, err
	}
	c, err := kafkasec.Build(cfg)
	if err != nil {
		return nil, usagef("%v", err)
	}
	if cfg.Mechanism == kafkasec.Plain && !cfg.TLS && !allLoopback(brokers) {
		fmt.Fprintf(warn, "hongbao: warning: SASL PLAIN without --tls sends the password in clear over the network; add --tls, or use SCRAM-SHA-256\n")
	}
	return c, nil
}

func allLoopback(addrs []string) bool {
	for _, a := range addrs {
		host, _, err := net.SplitHostPort(a)
		if err != nil || !broker.Loopback(host) {
			return false
		}
	}
	return true
}

// brokerSecurityOptions are the embedded broker's TLS and SASL flags.
type brokerSecurityOptions struct {
	tlsCert  string
	tlsKey   string
	sasl     saslOptions
	insecure bool
}

func (o *brokerSecurityOptions) AddFlags(f *pflag.FlagSet) {
	f.StringVar(&o.tlsCert, "tls-cert", "", "PEM certificate of the broker: it then speaks TLS only (with --tls-key)")
	f.StringVar(&o.tlsKey, "tls-key", "", "PEM private key of --tls-cert")
	o.sasl.AddFlags(f)
	f.BoolVar(&o.insecure, "insecure", false, "allow a --listen address other machines can reach without SASL: anyone who reaches it can read, write and delete topics")
}

// apply validates the flags into cfg, warns about what stays open, and returns a
// description of the protection for the start-up line.
func (o *brokerSecurityOptions) apply(cfg *broker.Config, warn io.Writer) (string, error) {
	if (o.tlsCert == "") != (o.tlsKey == "") {
		return "", usagef("--tls-cert and --tls-key go together: pass the broker's certificate and its key, or neither")
	}
	var what []string
	if o.tlsCert != "" {
		kp, err := kafkasec.LoadKeyPair(o.tlsCert, o.tlsKey)
		if err != nil {
			return "", usagef("--tls-cert, --tls-key: %v", err)
		}
		cfg.TLS = &tls.Config{Certificates: []tls.Certificate{kp}, MinVersion: tls.VersionTLS12}
		what = append(what, "TLS")
	}
	mech, user, pass, err := o.sasl.credentials(warn)
	if err != nil {
		return "", err
	}
	if mech != "" {
		cfg.SASL = &broker.User{Mechanism: mech, Name: user, Password: pass}
		what = append(what, fmt.Sprintf("SASL %s user %s", mech, user))
	}
	cfg.Insecure = o.insecure
	if err := cfg.Check(); err != nil {
		if errors.Is(err, broker.ErrOpenListen) {
			return "", usagef("%v", err)
		}
		return "", usagef("--listen, --advertise: %v", err)
	}
	host, _, _ := net.SplitHostPort(cfg.Listen)
	open := !broker.Loopback(host)
	switch {
	case open && cfg.SASL == nil:
		fmt.Fprintf(warn, "hongbao: warning: --insecure: the broker on %s has no SASL, so anyone who can reach it can read, write and delete its topics\n", cfg.Listen)
	case open && mech == kafkasec.Plain && cfg.TLS == nil:
		fmt.Fprintf(warn, "hongbao: warning: SASL PLAIN without --tls-cert lets anyone on the network read the password as clients send it; add --tls-cert and --tls-key, or use SCRAM-SHA-256\n")
	}
	if len(what) == 0 {
		return "no TLS, no SASL", nil
	}
	return strings.Join(what, ", "), nil
}
