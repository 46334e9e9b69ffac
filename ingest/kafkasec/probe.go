package kafkasec

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"strings"
	"time"
)

// CheckReachable connects to each broker as the clients will (TLS, SASL, a metadata
// request) until one answers, and fails with a sentence that says what to do: a
// refused password or a TLS mismatch (this package's errors, at the first broker that
// shows one, since a cluster's brokers share their settings), or ErrUnreachable when
// none answers. It takes at most 5 seconds a broker.
func CheckReachable(ctx context.Context, brokers []string, sec *Client) error {
	var errs []string
	for _, b := range brokers {
		err := Probe(ctx, b, sec, 5*time.Second)
		if err == nil {
			return nil
		}
		if Permanent(err) {
			return err
		}
		errs = append(errs, fmt.Sprintf("%s: %v", b, err))
	}
	return fmt.Errorf("%w at %s (%s): start the embedded broker with 'hongbao broker', or pass --brokers / set HONGBAO_BROKERS to a running cluster",
		ErrUnreachable, strings.Join(brokers, ","), strings.Join(errs, "; "))
}

// Probe connects to one broker as every client of the command will (TCP, then TLS,
// then SASL) and asks it for the cluster's metadata, all within timeout. A failure
// that settings explain is a sentence wrapping ErrTLS, ErrAuthFailed or
// ErrAuthRequired; any other error (nothing listening, a timeout) comes back as
// the network gave it, for the caller to say the broker is unreachable.
func Probe(ctx context.Context, addr string, c *Client, timeout time.Duration) error {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	raw, err := (&net.Dialer{}).DialContext(ctx, "tcp", addr)
	if err != nil {
		return err
	}
	// The TLS handshake alone first, so that its failure is told apart from a
	// refused password or an unreachable broker.
	if c.TLS() {
		tc := tls.Client(raw, c.tlsConfig(addr))
		err := tc.HandshakeContext(ctx)
		tc.Close()
		if err != nil {
			if e, ok := explainTLS(err, addr, c); ok {
				return e
			}
			if closedEarly(err) || ctx.Err() != nil {
				return fmt.Errorf("%w: Kafka at %s did not complete the TLS handshake (%v): the port does not speak TLS; drop --tls, or dial its TLS listener", ErrTLS, addr, err)
			}
			return err
		}
	} else {
		raw.Close()
	}
	conn, err := c.Dialer(timeout).DialContext(ctx, "tcp", addr)
	if err == nil {
		defer conn.Close()
		if dl, ok := ctx.Deadline(); ok {
			conn.SetDeadline(dl)
		}
		_, err = conn.Brokers()
	}
	if err == nil {
		return nil
	}
	if e, ok := Explain(err, addr, c); ok {
		return e
	}
	if closedEarly(err) {
		// A broker that wants TLS or SASL closes the connection on a plain
		// request; see which.
		if !c.TLS() && speaksTLS(ctx, addr) {
			return fmt.Errorf("%w: Kafka at %s speaks TLS on this port and closed the plain connection; pass --tls (and --tls-ca FILE when its certificate is not signed by a CA this machine trusts)", ErrTLS, addr)
		}
		if !c.SASL() {
			return authRequired(addr)
		}
	}
	return err
}

// speaksTLS reports whether addr completes a TLS handshake, whoever signed its
// certificate: only to name the setting a client lacks, never to send data.
func speaksTLS(ctx context.Context, addr string) bool {
	raw, err := (&net.Dialer{}).DialContext(ctx, "tcp", addr)
	if err != nil {
		return false
	}
	tc := tls.Client(raw, &tls.Config{InsecureSkipVerify: true}) //nolint:gosec // a probe that sends nothing
	defer tc.Close()
	return tc.HandshakeContext(ctx) == nil
}

// Diagnose says whether err, met by a client using c while it runs, comes from the
// settings rather than from a broker that is down or restarting: it returns a
// sentence wrapping ErrAuthFailed or ErrTLS for the client to stop on, or nil for a
// failure worth retrying. A connection closed during the exchange is ambiguous (some
// clients, franz-go's among them, report a refused password as the connection
// closing), so with SASL or TLS on it probes the brokers to tell.
func Diagnose(ctx context.Context, err error, brokers []string, c *Client) error {
	if err == nil || ctx.Err() != nil {
		return nil
	}
	if e, ok := Explain(err, strings.Join(brokers, ","), c); ok {
		return e
	}
	if !closedEarly(err) || (!c.SASL() && !c.TLS()) {
		return nil
	}
	for _, b := range brokers {
		perr := Probe(ctx, b, c, 5*time.Second)
		// "Requires authentication" is told from the connection closing alone, as a
		// broker shutting down also does: not a reason to stop a running client.
		if Permanent(perr) && !errors.Is(perr, ErrAuthRequired) {
			return perr
		}
		if perr == nil {
			return nil
		}
	}
	return nil
}
