package broker

import (
	"crypto/tls"
	"encoding/binary"
	"fmt"
	"net"
)

// framedListener serves TLS when tls is set and hands out connections that refuse
// a request longer than maxRequest.
type framedListener struct {
	net.Listener
	tls *tls.Config
}

func (l framedListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	if l.tls != nil {
		c = tls.Server(c, l.tls)
	}
	return &framedConn{Conn: c}, nil
}

// framedConn follows the size prefixes of the Kafka requests read through it.
type framedConn struct {
	net.Conn
	hdr  [4]byte
	nhdr int   // bytes of the next size prefix read so far
	left int64 // bytes of the current request still to come
}

func (c *framedConn) Read(p []byte) (int, error) {
	n, err := c.Conn.Read(p)
	for i := 0; i < n; {
		if c.left > 0 {
			k := min(int64(n-i), c.left)
			c.left -= k
			i += int(k)
			continue
		}
		c.hdr[c.nhdr] = p[i]
		c.nhdr++
		i++
		if c.nhdr == len(c.hdr) {
			c.nhdr = 0
			size := binary.BigEndian.Uint32(c.hdr[:])
			if size > maxRequest {
				c.Conn.Close()
				return 0, fmt.Errorf("request of %d bytes from %s is over the limit of %d: not Kafka, or TLS to a plain port", size, c.RemoteAddr(), maxRequest)
			}
			c.left = int64(size)
		}
	}
	return n, err
}
