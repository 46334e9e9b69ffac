package main

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/hongbao/hongbao/ingest/events"
	"github.com/hongbao/hongbao/ingest/lake"
	"github.com/hongbao/hongbao/ingest/quarantine"
	"github.com/hongbao/hongbao/internal/locale"
	"github.com/hongbao/hongbao/query"
)

// quarantineOptions are the flags of the quarantine subcommands.
type quarantineOptions struct {
	reason string // only messages quarantined for this reason
	format string // list and show: table, csv or json
	limit  int    // show: rows; 0 for all
	dryRun bool   // replay: decide, land nothing
}

func (o *quarantineOptions) addReason(f *pflag.FlagSet) {
	f.StringVar(&o.reason, "reason", "", "only messages quarantined for this reason (see 'hongbao quarantine list')")
}

func (o *quarantineOptions) addFormat(f *pflag.FlagSet) {
	f.StringVar(&o.format, "format", "table", "output format: table, csv or json")
}

// check validates the flags before anything runs.
func (o *quarantineOptions) check() error {
	if o.reason != "" && !slices.Contains(quarantineReasons(), o.reason) {
		return usagef("--reason %q is not a quarantine reason; use one of %s", o.reason, strings.Join(quarantineReasons(), ", "))
	}
	switch o.format {
	case "table", "csv", "json":
	default:
		return usagef("--format %q: use table, csv or json", o.format)
	}
	if o.limit < 0 {
		return usagef("--limit must be 0 (all) or more")
	}
	if o.limit == 0 && o.format == "table" {
		return usagef("--limit 0 lists every message: use it with --format csv or json, which stream")
	}
	return nil
}

func quarantineReasons() []string {
	var rs []string
	for _, r := range events.Reasons {
		rs = append(rs, string(r))
	}
	return append(rs, string(lake.ReasonUnreadableFile))
}

func newQuarantineCommand(g *globalOptions) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "quarantine",
		Short: "Review the messages the ingester refused, and land those that now pass",
		Long: `The quarantine holds every Kafka message the ingester refused, with the raw bytes and a
reason. These commands read the lake (DIR/lake), not the warehouse:

  list     counts by reason and topic: messages, how many a replay landed, offsets, an example
  show     the messages themselves, the raw bytes shown safely (escaped, cut for a terminal)
  replay   re-validates the messages not replayed yet with today's rules and lands those that
           pass in their event tables, once, keeping their Kafka partition and offset
  evict    moves the rows of a lake file DuckDB cannot read (one an older build wrote with
           invalid UTF-8, named by 'hongbao transform') into the quarantine

replay and evict change the lake: they wait for no ingester and refuse while one runs.
After either, run 'hongbao transform' to bring the warehouse up to date; its quarantine
table leaves out the messages a replay landed (they are in quarantine_replays).`,
		Example: "  hongbao quarantine list\n" +
			"  hongbao quarantine show --reason unknown_envelope --limit 5\n" +
			"  hongbao quarantine replay --dry-run\n" +
			"  hongbao quarantine replay --reason unknown_envelope\n" +
			"  hongbao quarantine evict DIR/lake/grabs/hongbao.events-p000-...parquet",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return usagef("say what to do: hongbao quarantine list, show, replay or evict FILE (see 'hongbao quarantine --help')")
		},
	}
	cmd.AddCommand(newQuarantineListCommand(g), newQuarantineShowCommand(g), newQuarantineReplayCommand(g),
		newQuarantineEvictCommand(g))
	return cmd
}

func newQuarantineListCommand(g *globalOptions) *cobra.Command {
	opts := quarantineOptions{limit: 1}
	cmd := &cobra.Command{
		Use:   "list [--reason R] [--format table|csv|json]",
		Short: "Count the quarantined messages by reason and topic",
		Args: func(cmd *cobra.Command, args []string) error {
			if len(args) > 0 {
				return usagef("list takes no arguments; choose a reason with --reason")
			}
			return opts.check()
		},
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runQuarantineList(cmd.Context(), g, opts, cmd.OutOrStdout())
		},
	}
	opts.addReason(cmd.Flags())
	opts.addFormat(cmd.Flags())
	return cmd
}

func runQuarantineList(ctx context.Context, g *globalOptions, opts quarantineOptions, out io.Writer) error {
	counts, err := quarantine.List(ctx, g.dir, events.Reason(opts.reason))
	if err != nil {
		return err
	}
	res := &query.Result{
		Columns: []string{"reason", "topic", "messages", "replayed", "waiting", "partitions", "first_offset", "last_offset", "example"},
		Types:   []string{"VARCHAR", "VARCHAR", "BIGINT", "BIGINT", "BIGINT", "BIGINT", "BIGINT", "BIGINT", "VARCHAR"},
	}
	var total, replayed int64
	for _, c := range counts {
		example := c.Example
		if opts.format == "table" {
			example = quarantine.Printable([]byte(example), 72)
		}
		res.Rows = append(res.Rows, []query.Value{text(string(c.Reason)), text(c.Topic), number(c.Messages),
			number(c.Replayed), number(c.Pending()), number(c.Partitions), number(c.FirstOffset), number(c.LastOffset), text(example)})
		total += c.Messages
		replayed += c.Replayed
	}
	res.Total = int64(len(res.Rows))
	if err := res.Write(out, query.Format(opts.format)); err != nil {
		return err
	}
	if opts.format == "table" {
		fmt.Fprintf(out, "%s messages in quarantine: %s waiting, %s landed by a replay\n",
			locale.Int(total), locale.Int(total-replayed), locale.Int(replayed))
	}
	return nil
}

func newQuarantineShowCommand(g *globalOptions) *cobra.Command {
	var pending bool
	opts := quarantineOptions{}
	cmd := &cobra.Command{
		Use:   "show [--reason R] [--limit N] [--waiting] [--format table|csv|json]",
		Short: "Print quarantined messages, their raw bytes shown safely",
		Long: `show prints quarantined messages in Kafka order (topic, partition, offset): key, Kafka
time, reason, detail, the raw message and when a replay landed it (empty while it waits).
Bytes are shown escaped: \n \r \t \\, other control characters as \u{XX}, bytes that are
not UTF-8 as \xNN. The table cuts key, detail and raw to fit a terminal; csv and json
give them whole (still escaped) and stream, so --limit 0 prints every message.`,
		Args: func(cmd *cobra.Command, args []string) error {
			if len(args) > 0 {
				return usagef("show takes no arguments; choose messages with --reason and --limit")
			}
			return opts.check()
		},
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runQuarantineShow(cmd.Context(), g, opts, pending, cmd.OutOrStdout())
		},
	}
	opts.addReason(cmd.Flags())
	opts.addFormat(cmd.Flags())
	cmd.Flags().IntVar(&opts.limit, "limit", 20, "messages to print; 0 for all (csv and json only)")
	cmd.Flags().BoolVar(&pending, "waiting", false, "only messages no replay landed")
	return cmd
}

func runQuarantineShow(ctx context.Context, g *globalOptions, opts quarantineOptions, pending bool, out io.Writer) error {
	columns := []string{"topic", "partition", "offset", "key", "kafka_ts", "reason", "detail", "raw", "replayed_at"}
	types := []string{"VARCHAR", "INTEGER", "BIGINT", "VARCHAR", "VARCHAR", "VARCHAR", "VARCHAR", "VARCHAR", "VARCHAR"}
	table := opts.format == "table"
	cut := func(n int) int {
		if table {
			return n
		}
		return 0
	}
	when := func(t time.Time) query.Value {
		if t.IsZero() {
			return query.Value{Kind: query.KindNull}
		}
		return text(t.In(shanghai).Format("2006-01-02 15:04:05"))
	}
	toRow := func(m *quarantine.Message) []query.Value {
		key := query.Value{Kind: query.KindNull}
		if m.Key != nil {
			key = text(quarantine.Printable(m.Key, cut(24)))
		}
		return []query.Value{text(m.Topic), number(int64(m.Partition)), number(m.Offset), key, when(m.KafkaTS),
			text(string(m.Reason)), text(quarantine.Printable([]byte(m.Detail), cut(60))),
			text(quarantine.Printable(m.Raw, cut(60))), when(m.ReplayedAt)}
	}
	show := quarantine.ShowOptions{Reason: events.Reason(opts.reason), Pending: pending, Limit: opts.limit}
	if !table {
		rw, err := query.NewRowWriter(out, query.Format(opts.format))
		if err != nil {
			return err
		}
		if err := rw.Header(columns, types); err != nil {
			return err
		}
		if err := quarantine.Show(ctx, g.dir, show, func(m *quarantine.Message) error { return rw.Row(toRow(m)) }); err != nil {
			return err
		}
		return rw.Close()
	}
	res := &query.Result{Columns: columns, Types: types}
	err := quarantine.Show(ctx, g.dir, show, func(m *quarantine.Message) error {
		res.Rows = append(res.Rows, toRow(m))
		return nil
	})
	if err != nil {
		return err
	}
	res.More = len(res.Rows) == opts.limit
	return res.Write(out, query.FormatTable)
}

func newQuarantineReplayCommand(g *globalOptions) *cobra.Command {
	opts := quarantineOptions{format: "table", limit: 1}
	cmd := &cobra.Command{
		Use:   "replay [--reason R] [--dry-run]",
		Short: "Re-validate quarantined messages with today's rules and land those that pass, once",
		Long: `replay takes every quarantined message no replay landed yet (or those of --reason),
decodes it with today's rules, then checks it against the lake: its event_id must not
have landed (else duplicate_event_id), an envelope must not have been sent already
(duplicate_envelope), a grab must name an envelope in the lake (unknown_envelope) and a
claim must fit in the envelope's shares and total, counting the claims already landed
(claims_exceed_shares, claims_exceed_total). What passes lands in its event table with
its Kafka partition and offset, through commits like the ingester's (files synced, a
marker, then renames), envelopes first; a replay stopped at any point and run again
lands each message once, and a second replay changes nothing. What fails stays in
quarantine, counted by the reason it fails for today. --dry-run says what would land.`,
		Args: func(cmd *cobra.Command, args []string) error {
			if len(args) > 0 {
				return usagef("replay takes no arguments; choose messages with --reason")
			}
			return opts.check()
		},
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runQuarantineReplay(cmd.Context(), g, opts, cmd.OutOrStdout())
		},
	}
	opts.addReason(cmd.Flags())
	cmd.Flags().BoolVar(&opts.dryRun, "dry-run", false, "decide what would land and what would stay; land nothing")
	return cmd
}

func runQuarantineReplay(ctx context.Context, g *globalOptions, opts quarantineOptions, out io.Writer) error {
	rep, err := quarantine.Replay(ctx, g.dir, quarantine.ReplayOptions{Reason: events.Reason(opts.reason), DryRun: opts.dryRun})
	if err != nil {
		return err
	}
	w := bufio.NewWriter(out)
	verb, stay := "landed", "stay"
	if rep.DryRun {
		verb, stay = "would land", "would stay"
	}
	fmt.Fprintf(w, "%s quarantined messages not replayed before: %s %s, %s %s in quarantine\n",
		locale.Int(rep.Considered), locale.Int(rep.LandedTotal()), verb, locale.Int(rep.StaysTotal()), stay)
	if rep.LandedTotal() > 0 {
		fmt.Fprintf(w, "\n%s, by the reason they had been quarantined for:\n", verb)
		writeCounts(w, rep.Landed)
		fmt.Fprintf(w, "\n%s, by table:\n", verb)
		tables := make([]string, 0, len(rep.Tables))
		for t := range rep.Tables {
			tables = append(tables, t)
		}
		sort.Strings(tables)
		for _, t := range tables {
			c := rep.Tables[t]
			fmt.Fprintf(w, "  %-22s %8s rows", t, locale.Int(c.Rows))
			if c.SumFen != 0 {
				fmt.Fprintf(w, "  %s fen", locale.Int(c.SumFen))
			}
			fmt.Fprintln(w)
		}
	}
	if rep.StaysTotal() > 0 {
		fmt.Fprintf(w, "\n%s in quarantine, by the reason they fail today's rules for:\n", stay)
		writeCounts(w, rep.Stays)
	}
	switch {
	case rep.DryRun && rep.LandedTotal() > 0:
		fmt.Fprintf(w, "\nNothing was landed: run without --dry-run to land them.\n")
	case len(rep.Commits) > 0:
		fmt.Fprintf(w, "\n%d replay commits, markers %s to %s.\nRun 'hongbao transform --dir %s' to bring the warehouse up to date.\n",
			len(rep.Commits),
			lake.ReplayMarkerPath(g.dir, rep.Commits[0].Seq),
			filepath.Base(lake.ReplayMarkerPath(g.dir, rep.Commits[len(rep.Commits)-1].Seq)), g.dir)
	}
	return w.Flush()
}

// writeCounts prints counts by reason, most first.
func writeCounts(w io.Writer, m map[events.Reason]int64) {
	rs := make([]events.Reason, 0, len(m))
	for r := range m {
		rs = append(rs, r)
	}
	sort.Slice(rs, func(i, j int) bool {
		if m[rs[i]] != m[rs[j]] {
			return m[rs[i]] > m[rs[j]]
		}
		return rs[i] < rs[j]
	})
	for _, r := range rs {
		fmt.Fprintf(w, "  %-22s %8s\n", r, locale.Int(m[r]))
	}
}

func newQuarantineEvictCommand(g *globalOptions) *cobra.Command {
	return &cobra.Command{
		Use:   "evict FILE...",
		Short: "Move the rows of a lake file DuckDB cannot read into the quarantine",
		Long: `evict takes lake files that DuckDB cannot read, as 'hongbao transform' names them (an
older build wrote strings that are not UTF-8, and lake files are never rewritten), and
moves each file's rows to the quarantine: a row holding an invalid string with reason
invalid_utf8, the others with reason unreadable_file, each with the row as its event's
JSON (the strings' bytes as they were). The file moves to DIR/lake/_evicted/<table>/ and
its commit marker lists the quarantine file instead. Each step is durable before the next;
an eviction interrupted is finished by the next replay or evict. Then 'hongbao quarantine
replay' lands the valid rows again, and 'hongbao transform' loads them. A file DuckDB
reads is refused.`,
		Example: "  hongbao quarantine evict --dir ./hongbao-data ./hongbao-data/lake/grabs/hongbao.events-p000-00000000000000000000-00000000000000249999.parquet",
		Args: func(cmd *cobra.Command, args []string) error {
			if len(args) == 0 {
				return usagef("name the lake files to evict, as 'hongbao transform' prints them")
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			return runQuarantineEvict(cmd.Context(), g, args, cmd.OutOrStdout())
		},
	}
}

func runQuarantineEvict(ctx context.Context, g *globalOptions, files []string, out io.Writer) error {
	evs, err := quarantine.Evict(ctx, g.dir, files)
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
			lake.EvictedPath(g.dir, ev.Table, ev.File),
			lake.MarkerPath(g.dir, ev.Topic, ev.Partition, ev.Marker),
			filepath.Join(lake.QuarantineTable, ev.QuarantineFile.File))
	}
	if len(evs) > 0 && err == nil {
		fmt.Fprintf(w, "Next: 'hongbao quarantine replay --dir %s' lands the valid rows again, then 'hongbao transform --dir %s'.\n", g.dir, g.dir)
	}
	if ferr := w.Flush(); err == nil {
		err = ferr
	}
	return err
}

func text(s string) query.Value { return query.Value{Text: s, Kind: query.KindText} }
func number(n int64) query.Value {
	return query.Value{Text: strconv.FormatInt(n, 10), Kind: query.KindNumber}
}

// shanghai is the zone the warehouse shows times in.
var shanghai = locale.Zone
