package main

import (
	"context"
	"fmt"
	"io"
	"strconv"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/hongbao/hongbao/ingest/events"
	"github.com/hongbao/hongbao/ingest/quarantine"
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
// noArgs checks the flags of a verb that takes no arguments; choose says what
// chooses its messages instead.
func (o *quarantineOptions) noArgs(verb, choose string) cobra.PositionalArgs {
	return func(_ *cobra.Command, args []string) error {
		if len(args) > 0 {
			return usagef("%s takes no arguments; %s", verb, choose)
		}
		return o.check()
	}
}

func (o *quarantineOptions) check() error {
	if o.reason != "" {
		if _, err := quarantine.ParseReason(o.reason); err != nil {
			return usagef("--reason %v", err)
		}
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
		RunE: sayWhatToDo("hongbao quarantine list, show, replay or evict FILE"),
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
		Args:  opts.noArgs("list", "choose a reason with --reason"),
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
	table := opts.format == "table"
	res := &query.Result{Columns: quarantine.ListHeader.Columns, Types: quarantine.ListHeader.Types}
	for _, c := range counts {
		res.Rows = append(res.Rows, values(c.Row(table)))
	}
	res.Total = int64(len(res.Rows))
	if err := res.Write(out, query.Format(opts.format)); err != nil {
		return err
	}
	if table {
		fmt.Fprintln(out, quarantine.ListTotal(counts))
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
		Args: opts.noArgs("show", "choose messages with --reason and --limit"),
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
	h := quarantine.ShowHeader
	table := opts.format == "table"
	show := quarantine.ShowOptions{Reason: events.Reason(opts.reason), Pending: pending, Limit: opts.limit}
	if !table {
		rw, err := query.NewRowWriter(out, query.Format(opts.format))
		if err != nil {
			return err
		}
		if err := rw.Header(h.Columns, h.Types); err != nil {
			return err
		}
		if err := quarantine.Show(ctx, g.dir, show, func(m *quarantine.Message) error { return rw.Row(values(m.Row(table))) }); err != nil {
			return err
		}
		return rw.Close()
	}
	res := &query.Result{Columns: h.Columns, Types: h.Types}
	err := quarantine.Show(ctx, g.dir, show, func(m *quarantine.Message) error {
		res.Rows = append(res.Rows, values(m.Row(table)))
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
		Args: opts.noArgs("replay", "choose messages with --reason"),
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
	return rep.Print(out, g.dir)
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
	if perr := quarantine.PrintEvictions(out, g.dir, evs, err == nil); err == nil {
		err = perr
	}
	return err
}

// values turns a quarantine row (strings, int64s, nil for NULL) into the values the
// SQL client's formats print.
func values(row []any) []query.Value {
	vs := make([]query.Value, len(row))
	for i, v := range row {
		switch v := v.(type) {
		case string:
			vs[i] = query.Value{Text: v, Kind: query.KindText}
		case int64:
			vs[i] = query.Value{Text: strconv.FormatInt(v, 10), Kind: query.KindNumber}
		default:
			vs[i] = query.Value{Kind: query.KindNull}
		}
	}
	return vs
}
