package quarantine

import (
	"bufio"
	"cmp"
	"fmt"
	"io"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/hongbao/hongbao/ingest/events"
	"github.com/hongbao/hongbao/ingest/lake"
	"github.com/hongbao/hongbao/internal/locale"
)

// reasons lists every reason a quarantined message can have: the codec's, then the
// lake's unreadable_file.
func reasons() []string {
	var rs []string
	for _, r := range events.Reasons {
		rs = append(rs, string(r))
	}
	return append(rs, string(lake.ReasonUnreadableFile))
}

// ParseReason reads a reason a message can be quarantined for, as a --reason flag
// names it; the error lists the reasons there are.
func ParseReason(s string) (events.Reason, error) {
	if !slices.Contains(reasons(), s) {
		return "", fmt.Errorf("%q is not a quarantine reason; use one of %s", s, strings.Join(reasons(), ", "))
	}
	return events.Reason(s), nil
}

// Header names the columns of a listing and gives their SQL types, for a caller that
// prints rows as a table, CSV or JSON. A row's values are strings, int64s, or nil for
// NULL.
type Header struct {
	Columns []string
	Types   []string
}

// ListHeader is the header of List's rows (ReasonCount.Row).
var ListHeader = Header{
	Columns: []string{"reason", "topic", "messages", "replayed", "waiting", "partitions", "first_offset", "last_offset", "example"},
	Types:   []string{"VARCHAR", "VARCHAR", "BIGINT", "BIGINT", "BIGINT", "BIGINT", "BIGINT", "BIGINT", "VARCHAR"},
}

// Row is c as a row of ListHeader's columns. For a terminal, the example is escaped
// and cut to a line; otherwise it is whole.
func (c ReasonCount) Row(terminal bool) []any {
	example := c.Example
	if terminal {
		example = Printable([]byte(example), 72)
	}
	return []any{string(c.Reason), c.Topic, c.Messages, c.Replayed, c.Pending(), c.Partitions, c.FirstOffset, c.LastOffset, example}
}

// ListTotal is the line under a listing: how many messages the counts hold, how many
// of them wait and how many a replay landed.
func ListTotal(counts []ReasonCount) string {
	var total, replayed int64
	for _, c := range counts {
		total += c.Messages
		replayed += c.Replayed
	}
	return fmt.Sprintf("%s messages in quarantine: %s waiting, %s landed by a replay",
		locale.Int(total), locale.Int(total-replayed), locale.Int(replayed))
}

// ShowHeader is the header of Show's rows (Message.Row).
var ShowHeader = Header{
	Columns: []string{"topic", "partition", "offset", "key", "kafka_ts", "reason", "detail", "raw", "replayed_at"},
	Types:   []string{"VARCHAR", "INTEGER", "BIGINT", "VARCHAR", "VARCHAR", "VARCHAR", "VARCHAR", "VARCHAR", "VARCHAR"},
}

// Row is m as a row of ShowHeader's columns: bytes escaped (see Printable), times in
// China Standard Time. For a terminal, key, detail and raw are cut to fit a line;
// otherwise they are whole.
func (m *Message) Row(terminal bool) []any {
	cut := func(n int) int {
		if terminal {
			return n
		}
		return 0
	}
	when := func(t time.Time) any {
		if t.IsZero() {
			return nil
		}
		return t.In(locale.Zone).Format("2006-01-02 15:04:05")
	}
	var key any
	if m.Key != nil {
		key = Printable(m.Key, cut(24))
	}
	return []any{m.Topic, int64(m.Partition), m.Offset, key, when(m.KafkaTS), string(m.Reason),
		Printable([]byte(m.Detail), cut(60)), Printable(m.Raw, cut(60)), when(m.ReplayedAt)}
}

// Print writes what a replay of the lake in dir did (or, for a dry run, would do):
// the messages landed by the reason they had been quarantined for and by table, those
// that stay by the reason they fail today's rules for, and what to run next.
func (r *ReplayReport) Print(out io.Writer, dir string) error {
	w := bufio.NewWriter(out)
	verb, stay := "landed", "stay"
	if r.DryRun {
		verb, stay = "would land", "would stay"
	}
	fmt.Fprintf(w, "%s quarantined messages not replayed before: %s %s, %s %s in quarantine\n",
		locale.Int(r.Considered), locale.Int(r.LandedTotal()), verb, locale.Int(r.StaysTotal()), stay)
	if r.LandedTotal() > 0 {
		fmt.Fprintf(w, "\n%s, by the reason they had been quarantined for:\n", verb)
		writeCounts(w, r.Landed)
		fmt.Fprintf(w, "\n%s, by table:\n", verb)
		tables := make([]string, 0, len(r.Tables))
		for t := range r.Tables {
			tables = append(tables, t)
		}
		slices.Sort(tables)
		for _, t := range tables {
			c := r.Tables[t]
			fmt.Fprintf(w, "  %-22s %8s rows", t, locale.Int(c.Rows))
			if c.SumFen != 0 {
				fmt.Fprintf(w, "  %s fen", locale.Int(c.SumFen))
			}
			fmt.Fprintln(w)
		}
	}
	if r.StaysTotal() > 0 {
		fmt.Fprintf(w, "\n%s in quarantine, by the reason they fail today's rules for:\n", stay)
		writeCounts(w, r.Stays)
	}
	switch {
	case r.DryRun && r.LandedTotal() > 0:
		fmt.Fprintf(w, "\nNothing was landed: run without --dry-run to land them.\n")
	case len(r.Commits) > 0:
		fmt.Fprintf(w, "\n%d replay commits, markers %s to %s.\nRun 'hongbao transform --dir %s' to bring the warehouse up to date.\n",
			len(r.Commits),
			lake.ReplayMarkerPath(dir, r.Commits[0].Seq),
			filepath.Base(lake.ReplayMarkerPath(dir, r.Commits[len(r.Commits)-1].Seq)), dir)
	}
	return w.Flush()
}

// writeCounts prints counts by reason, most first.
func writeCounts(w io.Writer, m map[events.Reason]int64) {
	rs := make([]events.Reason, 0, len(m))
	for r := range m {
		rs = append(rs, r)
	}
	slices.SortFunc(rs, func(a, b events.Reason) int { // most rows first
		return cmp.Or(cmp.Compare(m[b], m[a]), cmp.Compare(a, b))
	})
	for _, r := range rs {
		fmt.Fprintf(w, "  %-22s %8s\n", r, locale.Int(m[r]))
	}
}

// PrintEvictions writes what Evict did in the lake of dir: for each file, the rows
// moved to quarantine by reason, where the file and its commit marker are now. When
// complete (Evict returned no error) and something was evicted, it says what to run
// next.
func PrintEvictions(out io.Writer, dir string, evs []lake.Eviction, complete bool) error {
	w := bufio.NewWriter(out)
	for _, ev := range evs {
		var parts []string
		for _, r := range []events.Reason{events.ReasonInvalidUTF8, lake.ReasonUnreadableFile} {
			if n := ev.Reasons[r]; n > 0 {
				parts = append(parts, fmt.Sprintf("%s %s", r, locale.Int(n)))
			}
		}
		fmt.Fprintf(w, "evicted %s/%s: %s rows moved to quarantine (%s)\n  the file is kept at %s\n  marker %s lists %s instead\n",
			ev.Table, ev.File, locale.Int(ev.QuarantineFile.Rows), strings.Join(parts, ", "),
			lake.EvictedPath(dir, ev.Table, ev.File),
			lake.MarkerPath(dir, ev.Topic, ev.Partition, ev.Marker),
			filepath.Join(lake.QuarantineTable, ev.QuarantineFile.File))
	}
	if len(evs) > 0 && complete {
		fmt.Fprintf(w, "Next: 'hongbao quarantine replay --dir %s' lands the valid rows again, then 'hongbao transform --dir %s'.\n", dir, dir)
	}
	return w.Flush()
}
