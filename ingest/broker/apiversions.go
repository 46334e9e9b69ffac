package broker

import (
	"crypto/tls"
	"encoding/binary"
	"fmt"
	"io"
	"net"
	"regexp"
	"time"

	"github.com/twmb/franz-go/pkg/kfake"
	"github.com/twmb/franz-go/pkg/kmsg"
)

// librdkafka (kcat, and the clients built on it: confluent-kafka for Python, Go, .NET)
// authenticates only with a broker that advertises SaslHandshake from version 0, as
// every Kafka broker does; kfake advertises it from version 1, since it does not
// serve version 0's unframed exchange. advertiseHandshakeV0 makes the broker's
// ApiVersions answer list version 0 too. librdkafka then sends version 1 with
// SaslAuthenticate, which kfake serves; a client that did send version 0 is refused
// as before.
func advertiseHandshakeV0(c *kfake.Cluster, addr string, tlsOn bool) error {
	base, err := askAPIVersions(addr, tlsOn)
	if err != nil {
		return fmt.Errorf("read the embedded broker's API versions: %w", err)
	}
	if base.ErrorCode != 0 {
		return fmt.Errorf("read the embedded broker's API versions: error code %d", base.ErrorCode)
	}
	for i := range base.ApiKeys {
		if base.ApiKeys[i].ApiKey == int16(kmsg.SASLHandshake) {
			base.ApiKeys[i].MinVersion = 0
		}
	}
	c.ControlKey(int16(kmsg.ApiVersions), func(kr kmsg.Request) (kmsg.Response, error, bool) {
		c.KeepControl()
		req := kr.(*kmsg.ApiVersionsRequest)
		// What kfake answers with an error (a version above its own, a client
		// name a broker refuses, a cluster or node that is not this one) it
		// answers itself.
		if req.Version > base.Version || (req.Version >= 3 && (!softwareName.MatchString(req.ClientSoftwareName) ||
			!softwareName.MatchString(req.ClientSoftwareVersion))) || (req.Version >= 5 && (req.ClusterID != nil || req.NodeID != -1)) {
			return nil, nil, false
		}
		resp := *base
		resp.Version = req.Version
		return &resp, nil, true
	})
	return nil
}

// softwareName is what a Kafka broker accepts as a client's software name and version.
var softwareName = regexp.MustCompile(`^[a-zA-Z0-9](?:[a-zA-Z0-9\-.]*[a-zA-Z0-9])?$`)

// askAPIVersions sends one ApiVersions request, at the highest version this
// package's kmsg knows, to the broker's own listener.
func askAPIVersions(addr string, tlsOn bool) (*kmsg.ApiVersionsResponse, error) {
	conn, err := net.DialTimeout("tcp", addr, 5*time.Second)
	if err != nil {
		return nil, err
	}
	if tlsOn {
		// The broker talking to itself over loopback, before any client: its
		// certificate names the address clients dial, not this one.
		conn = tls.Client(conn, &tls.Config{InsecureSkipVerify: true}) //nolint:gosec // our own listener
	}
	defer conn.Close()
	conn.SetDeadline(time.Now().Add(5 * time.Second))
	req := kmsg.NewPtrApiVersionsRequest()
	req.Version = req.MaxVersion()
	req.ClientSoftwareName, req.ClientSoftwareVersion = "hongbao", "1"
	const corr = 1
	if _, err := conn.Write(kmsg.NewRequestFormatter(kmsg.FormatterClientID("hongbao-broker")).AppendRequest(nil, req, corr)); err != nil {
		return nil, err
	}
	var size [4]byte
	if _, err := io.ReadFull(conn, size[:]); err != nil {
		return nil, err
	}
	n := binary.BigEndian.Uint32(size[:])
	if n < 4 || n > 1<<20 {
		return nil, fmt.Errorf("an answer of %d bytes", n)
	}
	body := make([]byte, n)
	if _, err := io.ReadFull(conn, body); err != nil {
		return nil, err
	}
	resp := req.ResponseKind().(*kmsg.ApiVersionsResponse)
	// ApiVersions answers have the plain header: the correlation id, then the body.
	if err := resp.ReadFrom(body[4:]); err != nil {
		return nil, err
	}
	return resp, nil
}
