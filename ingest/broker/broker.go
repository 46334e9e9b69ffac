package broker

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strconv"

	"github.com/twmb/franz-go/pkg/kfake"

	"github.com/hongbao/hongbao/ingest/kafkasec"
)

// DefaultTopic is the topic hongbao's events travel on.
const DefaultTopic = "hongbao.events"

// Config says where the broker listens and what it keeps.
type Config struct {
	// Listen is host:port; the host defaults to 127.0.0.1 (loopback) and port 0
	// picks a free port.
	Listen string
	// Advertise is the host:port clients are told to connect to; empty means Listen.
	// Set it when listening on every interface (0.0.0.0), which clients cannot dial.
	Advertise string
	// DataDir persists topics, messages and group offsets; empty keeps them in memory.
	DataDir string
	// Topic is created at start (if missing) with Partitions partitions.
	Topic      string
	Partitions int32
	// TLS, if set, makes the broker speak TLS only, with its Certificates.
	TLS *tls.Config
	// SASL, if set, makes every client authenticate as this user before any other
	// request; nil lets anyone who reaches the port read, write and delete topics.
	SASL *User
	// Insecure lets the broker listen on an address other machines can reach
	// without SASL; without it, Start refuses (ErrOpenListen).
	Insecure bool
}

// User is the one SASL user of the broker.
type User struct {
	Mechanism string // one of kafkasec.Mechanisms
	Name      string
	Password  kafkasec.Secret
}

// ErrOpenListen is returned for a listen address other machines can reach when the
// broker has no SASL user and Insecure is not set.
var ErrOpenListen = errors.New("the broker would accept anyone on the network")

// maxRequest is the largest request the broker reads, Kafka's own default
// (socket.request.max.bytes): a longer one (or bytes that are not Kafka, such as a
// TLS handshake sent to a plain port) closes the connection instead of making the
// broker allocate what the first four bytes claim, up to 4 GiB.
const maxRequest = 100 << 20

// Check validates the configuration without starting anything: the addresses, and
// that a listen address other machines can reach has SASL or Insecure.
func (cfg Config) Check() error {
	host, portStr, err := net.SplitHostPort(cfg.Listen)
	if err != nil {
		return fmt.Errorf("listen address %q is not host:port (for example 127.0.0.1:9092): %w", cfg.Listen, err)
	}
	if port, err := strconv.Atoi(portStr); err != nil || port < 0 || port > 65535 {
		return fmt.Errorf("listen port %q is not a port number", portStr)
	}
	if cfg.Advertise != "" {
		if _, _, err := net.SplitHostPort(cfg.Advertise); err != nil {
			return fmt.Errorf("advertised address %q is not host:port: %w", cfg.Advertise, err)
		}
	}
	if cfg.SASL != nil {
		if _, err := kafkasec.ParseMechanism(cfg.SASL.Mechanism); err != nil {
			return err
		}
		if cfg.SASL.Name == "" || cfg.SASL.Password == "" {
			return errors.New("the broker's SASL user needs a name and a password")
		}
	}
	if cfg.SASL == nil && !cfg.Insecure && !Loopback(host) {
		return fmt.Errorf("%w: %s can be reached from other machines, and without SASL anyone who reaches it can read, write and delete topics; add --sasl-mechanism SCRAM-SHA-256 --sasl-user NAME with the password in HONGBAO_SASL_PASSWORD (and --tls-cert, --tls-key), listen on 127.0.0.1, or pass --insecure to accept the risk",
			ErrOpenListen, cfg.Listen)
	}
	return nil
}

// Loopback reports whether host (empty meaning 127.0.0.1) is reachable from this
// machine only: a loopback address, or a name that resolves to loopback addresses
// alone.
func Loopback(host string) bool {
	if host == "" || host == "localhost" {
		return true
	}
	if ip := net.ParseIP(host); ip != nil {
		return ip.IsLoopback()
	}
	ips, err := net.DefaultResolver.LookupIPAddr(context.Background(), host)
	if err != nil || len(ips) == 0 {
		return false
	}
	for _, ip := range ips {
		if !ip.IP.IsLoopback() {
			return false
		}
	}
	return true
}

// Broker is a running embedded broker.
type Broker struct {
	cluster *kfake.Cluster
	addr    string
	dataDir string
}

// SegmentBytes is the size at which the broker starts a new log file of a partition.
// At a restart kfake reads each segment whole to rebuild its index, every partition at
// once: with its default of 100 MiB, the full festival's 5.7 GB log (4 partitions) took
// the broker to a peak RSS of 993,000 kB before it listened. With 32 MiB segments (and
// the broker command's memory limit) a restart on the log of 'demo --scale 0.1' peaks
// at 357,000 kB, against 671,000 kB before. Segments written before keep their size.
const SegmentBytes = 32 << 20

// Start starts a one-node broker as configured.
func Start(cfg Config) (*Broker, error) { return start(cfg, nil) }

// start is Start serving on ln, when it is not nil, instead of listening on
// cfg.Listen: a test that must know the port before the broker starts binds it
// itself, so that no other process can take the port in between.
func start(cfg Config, ln net.Listener) (*Broker, error) {
	if err := cfg.Check(); err != nil {
		return nil, err
	}
	host, portStr, _ := net.SplitHostPort(cfg.Listen)
	if host == "" {
		host = "127.0.0.1"
	}
	port, _ := strconv.Atoi(portStr)
	if cfg.Topic == "" {
		cfg.Topic = DefaultTopic
	}
	if cfg.Partitions <= 0 {
		cfg.Partitions = 4
	}
	var self *net.TCPAddr // the listener's own address, to reach it from here
	opts := []kfake.Opt{
		kfake.NumBrokers(1),
		kfake.Ports(port),
		kfake.ListenFn(func(network, _ string) (net.Listener, error) {
			ln := ln
			if ln == nil {
				var err error
				if ln, err = net.Listen(network, net.JoinHostPort(host, strconv.Itoa(port))); err != nil {
					return nil, err
				}
			}
			self = ln.Addr().(*net.TCPAddr)
			// TLS is served here rather than by kfake so that the request size
			// is checked on the decrypted stream.
			var out net.Listener = framedListener{Listener: ln, tls: cfg.TLS}
			if cfg.Advertise != "" {
				out = advertised{out, cfg.Advertise}
			}
			return out, nil
		}),
		kfake.SeedTopics(cfg.Partitions, cfg.Topic),
		kfake.DefaultNumPartitions(int(cfg.Partitions)),
		kfake.AllowAutoTopicCreation(),
		kfake.BrokerConfigs(map[string]string{
			"message.max.bytes": strconv.Itoa(16 << 20),
			"log.segment.bytes": strconv.Itoa(SegmentBytes),
		}),
	}
	if cfg.SASL != nil {
		mech, _ := kafkasec.ParseMechanism(cfg.SASL.Mechanism)
		// Always with a user: EnableSASL alone would let in kfake's default admin/admin.
		opts = append(opts, kfake.EnableSASL(), kfake.Superuser(mech, cfg.SASL.Name, cfg.SASL.Password.Reveal()))
	}
	if cfg.DataDir != "" {
		if err := os.MkdirAll(cfg.DataDir, 0o700); err != nil {
			return nil, fmt.Errorf("create the broker's data folder: %w", err)
		}
		if cfg.SASL != nil {
			// The log is what the password protects: other users of the machine
			// must not read it from the disk.
			if err := os.Chmod(cfg.DataDir, 0o700); err != nil {
				return nil, fmt.Errorf("make the broker's data folder private: %w", err)
			}
		}
		// kfake saves its SASL users in the data folder (PLAIN passwords in clear)
		// and, loading them at start, lets them replace the configured user: the
		// user given at start must be the only one, and nothing of it stays on disk.
		if err := removeSASLFile(cfg.DataDir); err != nil {
			return nil, err
		}
		opts = append(opts, kfake.DataDir(cfg.DataDir))
	}
	c, err := kfake.NewCluster(opts...)
	if err != nil {
		return nil, fmt.Errorf("start embedded broker on %s: %w", cfg.Listen, err)
	}
	if cfg.SASL != nil {
		ip := self.IP
		if ip.IsUnspecified() {
			ip = net.IPv4(127, 0, 0, 1)
			if self.IP.To4() == nil {
				ip = net.IPv6loopback
			}
		}
		if err := advertiseHandshakeV0(c, net.JoinHostPort(ip.String(), strconv.Itoa(self.Port)), cfg.TLS != nil); err != nil {
			c.Close()
			return nil, err
		}
	}
	addrs := c.ListenAddrs()
	return &Broker{cluster: c, addr: addrs[0], dataDir: cfg.DataDir}, nil
}

// saslFile is where kfake persists its SASL users.
const saslFile = "sasl.json"

func removeSASLFile(dir string) error {
	if err := os.Remove(filepath.Join(dir, saslFile)); err != nil && !errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("remove the saved SASL users from %s: %w", dir, err)
	}
	return nil
}

// Addr is the host:port clients connect to.
func (b *Broker) Addr() string { return b.addr }

// Close stops the broker, flushing its state to the data folder (all but the SASL
// users, which come from the configuration at each start).
func (b *Broker) Close() {
	b.cluster.Close()
	if b.dataDir != "" {
		_ = removeSASLFile(b.dataDir) // Start removes it too, before anything reads it
	}
}

// advertised is a listener that reports the address clients should dial: the broker
// hands its listener's address to clients in its metadata.
type advertised struct {
	net.Listener
	addr string
}

func (a advertised) Addr() net.Addr { return advertisedAddr(a.addr) }

type advertisedAddr string

func (a advertisedAddr) Network() string { return "tcp" }
func (a advertisedAddr) String() string  { return string(a) }
