package kafkasec

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"strings"
	"syscall"

	"github.com/segmentio/kafka-go"
	"github.com/twmb/franz-go/pkg/kerr"
)

// ErrAuthFailed is returned when the brokers refuse the SASL user or password, or
// the mechanism: retrying cannot help, so clients stop on it.
var ErrAuthFailed = errors.New("Kafka refused the credentials")

// ErrAuthRequired is returned when the brokers close the connection of a client that
// did not authenticate: they require SASL.
var ErrAuthRequired = errors.New("Kafka requires authentication")

// ErrTLS is returned when TLS with a broker cannot work: a certificate this client
// does not trust, TLS against a port that does not speak it, or the reverse.
var ErrTLS = errors.New("TLS with Kafka failed")

// ErrUnreachable wraps a failure to reach any broker: none answered, and none refused
// the settings either (see CheckReachable).
var ErrUnreachable = errors.New("cannot reach Kafka")

// Permanent reports whether err is one of this package's errors: a setting to fix,
// not a broker to wait for.
func Permanent(err error) bool {
	return errors.Is(err, ErrAuthFailed) || errors.Is(err, ErrAuthRequired) || errors.Is(err, ErrTLS)
}

const passwordHint = "the password from HONGBAO_SASL_PASSWORD (or the file --sasl-password-file names)"

// Explain turns an error of a Kafka client that retrying cannot fix (a refused
// password, an untrusted certificate) into a sentence that says what to change,
// wrapping ErrAuthFailed or ErrTLS; where names the brokers. ok is false, and err
// comes back as it was, for any other error.
func Explain(err error, where string, c *Client) (_ error, ok bool) {
	if err == nil || Permanent(err) {
		return err, err != nil
	}
	who := "no SASL user"
	if c.SASL() {
		who = fmt.Sprintf("user %q with %s", c.cfg.User, c.cfg.Mechanism)
	}
	switch {
	case errors.Is(err, kafka.SASLAuthenticationFailed), errors.Is(err, kerr.SaslAuthenticationFailed):
		return fmt.Errorf("%w: Kafka at %s refused %s: the password is wrong, or the user does not exist there with that mechanism; check --sasl-user, --sasl-mechanism and %s",
			ErrAuthFailed, where, who, passwordHint), true
	case errors.Is(err, kafka.UnsupportedSASLMechanism), errors.Is(err, kerr.UnsupportedSaslMechanism):
		return fmt.Errorf("%w: Kafka at %s does not offer SASL %s; pass the --sasl-mechanism its operator set up (%s)",
			ErrAuthFailed, where, c.cfg.Mechanism, strings.Join(Mechanisms, ", ")), true
	case errors.Is(err, kafka.IllegalSASLState), errors.Is(err, kerr.IllegalSaslState):
		return fmt.Errorf("%w: Kafka at %s does not take SASL on this port; drop --sasl-mechanism or use its SASL listener",
			ErrAuthFailed, where), true
	}
	if e, ok := explainTLS(err, where, c); ok {
		return e, true
	}
	return err, false
}

func authRequired(where string) error {
	return fmt.Errorf("%w: Kafka at %s closed the connection on the first request, as a broker that requires SASL does; pass --sasl-mechanism and --sasl-user, with %s",
		ErrAuthRequired, where, passwordHint)
}

// explainTLS explains a failed TLS handshake.
func explainTLS(err error, where string, c *Client) (error, bool) {
	var unknown x509.UnknownAuthorityError
	var host x509.HostnameError
	var invalid x509.CertificateInvalidError
	var verify *tls.CertificateVerificationError
	var header tls.RecordHeaderError
	switch {
	case errors.As(err, &unknown):
		hint := "pass --tls-ca FILE holding the CA that signed it (for a self-signed broker, its certificate)"
		if c != nil && c.cfg.CAFile != "" {
			hint = fmt.Sprintf("%s does not hold the CA that signed it: pass the right --tls-ca", c.cfg.CAFile)
		}
		return fmt.Errorf("%w: the certificate of Kafka at %s is not signed by a CA this client trusts; %s", ErrTLS, where, hint), true
	case errors.As(err, &host):
		return fmt.Errorf("%w: the certificate of Kafka at %s does not name the address dialled (%v); pass --brokers with a name the certificate holds", ErrTLS, where, host), true
	case errors.As(err, &invalid):
		return fmt.Errorf("%w: the certificate of Kafka at %s is not valid (%v); the broker's operator must renew it", ErrTLS, where, invalid), true
	case errors.As(err, &verify):
		return fmt.Errorf("%w: the certificate of Kafka at %s cannot be verified (%v)", ErrTLS, where, verify.Err), true
	case errors.As(err, &header):
		return fmt.Errorf("%w: Kafka at %s does not speak TLS on this port; drop --tls, or dial its TLS listener", ErrTLS, where), true
	}
	if msg := err.Error(); strings.Contains(msg, "remote error: tls:") {
		hint := "check --tls-cert and --tls-key, or ask its operator what it expects"
		if c == nil || len(c.tls.Certificates) == 0 {
			hint = "it may want a client certificate: pass --tls-cert and --tls-key"
		}
		return fmt.Errorf("%w: Kafka at %s ended the TLS handshake (%s); %s", ErrTLS, where, msg[strings.Index(msg, "remote error: tls:")+len("remote error: "):], hint), true
	}
	return err, false
}

// closedEarly reports whether err is the peer closing the connection, as a broker
// does with a request it will not serve before authentication, or a TLS listener
// with bytes that are not TLS.
func closedEarly(err error) bool {
	return errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) ||
		errors.Is(err, syscall.ECONNRESET) || errors.Is(err, syscall.EPIPE)
}
