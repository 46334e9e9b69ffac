package kafkasec

import (
	"fmt"
	"io"
)

// Secret is a password. It prints as "[redacted]" with every fmt verb and in JSON, so
// a struct that holds one can be logged or encoded without leaking it; Reveal gives
// the password to the code that sends it.
type Secret string

const redacted = "[redacted]"

// Reveal returns the password itself.
func (s Secret) Reveal() string { return string(s) }

func (s Secret) String() string   { return redacted }
func (s Secret) GoString() string { return redacted }

// Format prints "[redacted]" whatever the verb (%s, %v, %q, %x, %d).
func (s Secret) Format(f fmt.State, _ rune) { io.WriteString(f, redacted) }

// MarshalText keeps the password out of JSON, XML and other encodings.
func (s Secret) MarshalText() ([]byte, error) { return []byte(redacted), nil }
