package produce

import (
	"bufio"
	"context"
	"io"

	"github.com/hongbao/hongbao/ingest/events"
)

// LineWriter writes events as JSON lines instead of producing them: each event's wire
// encoding (the bytes the producer would send) followed by a newline. It counts what it
// writes as the Producer counts what the broker acknowledged.
type LineWriter struct {
	w     *bufio.Writer
	tally tally
	line  []byte // reused for each event's encoding
	enc   events.Encoder
}

// NewLineWriter returns a LineWriter writing to w, buffered; call Flush at the end.
func NewLineWriter(w io.Writer) *LineWriter {
	return &LineWriter{w: bufio.NewWriterSize(w, 1<<20)}
}

// Add encodes e and writes it as one line.
func (l *LineWriter) Add(_ context.Context, e *events.Event) error {
	b, err := l.enc.Append(l.line[:0], e)
	if err != nil {
		return err
	}
	l.line = b
	l.tally.add(e.Type, len(b), amountOf(e))
	l.w.Write(b)
	return l.w.WriteByte('\n')
}

// Flush writes out what the buffer holds.
func (l *LineWriter) Flush() error { return l.w.Flush() }

// Written returns the statistics of the events written so far.
func (l *LineWriter) Written() Stats {
	s := newStats()
	l.tally.addTo(&s)
	return s
}
