package main

import (
	"fmt"
	"io"
	"os"
	"time"

	"github.com/schollz/progressbar/v3"
	"golang.org/x/term"

	"github.com/hongbao/hongbao/ingest/metrics"
)

// progress shows a bar on a terminal and, elsewhere, a plain line at the start and
// at the end of a step, so logs stay readable.
type progress struct {
	bar   *progressbar.ProgressBar
	out   io.Writer
	desc  string
	start time.Time
}

func isTerminal(f *os.File) bool { return term.IsTerminal(int(f.Fd())) }

func newProgress(total int64, desc string) *progress {
	p := &progress{out: os.Stderr, desc: desc, start: time.Now()}
	if isTerminal(os.Stderr) {
		p.bar = progressbar.NewOptions64(total,
			progressbar.OptionSetDescription(desc),
			progressbar.OptionSetWriter(os.Stderr),
			progressbar.OptionShowCount(),
			progressbar.OptionSetWidth(30),
			progressbar.OptionThrottle(100*time.Millisecond),
			progressbar.OptionClearOnFinish(),
		)
	} else {
		fmt.Fprintf(p.out, "%s ...\n", desc)
	}
	return p
}

// Set moves the bar to n.
func (p *progress) Set(n int64) {
	if p.bar != nil {
		_ = p.bar.Set64(n)
	}
}

// Metrics moves the bar to the messages an ingester read, and says beside it what
// its metrics say of lag and refusals: the numbers /metrics serves.
func (p *progress) Metrics(s metrics.Snapshot) {
	if p.bar == nil {
		return
	}
	desc := fmt.Sprintf("%s: %d quarantined, %d commits", p.desc, s.Quarantined, s.Commits)
	if s.Lag >= 0 {
		desc += fmt.Sprintf(", lag %d", s.Lag)
	}
	p.bar.Describe(desc)
	_ = p.bar.Set64(s.Read)
}

// Done ends the step with a line saying what it did.
func (p *progress) Done(format string, args ...any) {
	if p.bar != nil {
		_ = p.bar.Finish()
	}
	fmt.Fprintf(p.out, "%s: %s (%s)\n", p.desc, fmt.Sprintf(format, args...), time.Since(p.start).Round(time.Millisecond))
}
