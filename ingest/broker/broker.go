package broker

import (
	"fmt"
	"net"
	"strconv"

	"github.com/twmb/franz-go/pkg/kfake"
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
}

// Broker is a running embedded broker.
type Broker struct {
	cluster *kfake.Cluster
	addr    string
}

// Start starts a one-node broker as configured.
func Start(cfg Config) (*Broker, error) {
	host, portStr, err := net.SplitHostPort(cfg.Listen)
	if err != nil {
		return nil, fmt.Errorf("listen address %q is not host:port (for example 127.0.0.1:9092): %w", cfg.Listen, err)
	}
	if host == "" {
		host = "127.0.0.1"
	}
	port, err := strconv.Atoi(portStr)
	if err != nil || port < 0 || port > 65535 {
		return nil, fmt.Errorf("listen port %q is not a port number", portStr)
	}
	if cfg.Advertise != "" {
		if _, _, err := net.SplitHostPort(cfg.Advertise); err != nil {
			return nil, fmt.Errorf("advertised address %q is not host:port: %w", cfg.Advertise, err)
		}
	}
	if cfg.Topic == "" {
		cfg.Topic = DefaultTopic
	}
	if cfg.Partitions <= 0 {
		cfg.Partitions = 4
	}
	opts := []kfake.Opt{
		kfake.NumBrokers(1),
		kfake.Ports(port),
		kfake.ListenFn(func(network, _ string) (net.Listener, error) {
			ln, err := net.Listen(network, net.JoinHostPort(host, strconv.Itoa(port)))
			if err != nil || cfg.Advertise == "" {
				return ln, err
			}
			return advertised{ln, cfg.Advertise}, nil
		}),
		kfake.SeedTopics(cfg.Partitions, cfg.Topic),
		kfake.DefaultNumPartitions(int(cfg.Partitions)),
		kfake.AllowAutoTopicCreation(),
		kfake.BrokerConfigs(map[string]string{"message.max.bytes": strconv.Itoa(16 << 20)}),
	}
	if cfg.DataDir != "" {
		opts = append(opts, kfake.DataDir(cfg.DataDir))
	}
	c, err := kfake.NewCluster(opts...)
	if err != nil {
		return nil, fmt.Errorf("start embedded broker on %s: %w", cfg.Listen, err)
	}
	addrs := c.ListenAddrs()
	return &Broker{cluster: c, addr: addrs[0]}, nil
}

// Addr is the host:port clients connect to.
func (b *Broker) Addr() string { return b.addr }

// Close stops the broker, flushing its state to the data folder.
func (b *Broker) Close() { b.cluster.Close() }

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
