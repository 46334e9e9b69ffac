package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"sync/atomic"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/hongbao/hongbao/ingest/broker"
	"github.com/hongbao/hongbao/ingest/events"
	"github.com/hongbao/hongbao/ingest/produce"
	"github.com/hongbao/hongbao/internal/datadir"
	"github.com/hongbao/hongbao/internal/locale"
	"github.com/hongbao/hongbao/reports/fonts"
	"github.com/hongbao/hongbao/reports/report"
)

type demoOptions struct {
	world worldOptions
	// kafka, when its brokers are set, is a cluster the demo uses instead of its own
	// embedded broker (with TLS and SASL as for simulate and ingest).
	kafka kafkaOptions
}

// demoSecurityFlags are the flags that only mean something with --brokers.
var demoSecurityFlags = []string{"tls", "tls-ca", "tls-cert", "tls-key", "sasl-mechanism", "sasl-user", "sasl-password-file"}

func (o *demoOptions) AddFlags(f *pflag.FlagSet) {
	o.world.AddFlags(f)
	// No HONGBAO_BROKERS default here: the demo's own broker is the point of it.
	f.StringVar(&o.kafka.brokers, "brokers", "", "use these Kafka brokers (host:port,...) instead of the embedded broker; the topic is then drained, whatever it held before")
	f.StringVar(&o.kafka.topic, "topic", broker.DefaultTopic, "Kafka topic of the events, with --brokers")
	o.kafka.security.AddFlags(f)
}

// check refuses TLS or SASL flags without --brokers: the embedded broker listens on
// loopback and speaks neither.
func (o *demoOptions) check(f *pflag.FlagSet) error {
	if o.kafka.brokers != "" {
		return nil
	}
	for _, name := range demoSecurityFlags {
		if f.Changed(name) {
			return usagef("--%s applies to a cluster given with --brokers; the demo's embedded broker listens on loopback without TLS or SASL", name)
		}
	}
	return nil
}

func newDemoCommand(g *globalOptions) *cobra.Command {
	o := &demoOptions{}
	c := &cobra.Command{
		Use:   "demo",
		Short: "Run the whole pipeline on the embedded defaults: broker, simulate, ingest, transform, report",
		Long: `demo starts the embedded Kafka broker, replays the 2014 festival into it, ingests the
events into the Parquet lake and the DuckDB warehouse, builds the models, writes the
report (DIR/reports) and prints a summary. It replaces an earlier demo in the same
--dir, and refuses a folder that holds anything else.`,
		Example: "  hongbao demo\n  hongbao demo --scale 0.1 --dir /tmp/hb",
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if o.world.listCals {
				return listCalibrations(cmd.OutOrStdout())
			}
			if err := o.check(cmd.Flags()); err != nil {
				return err
			}
			defaultMemoryLimit(DefaultGoMemoryLimit)
			_, err := runDemo(cmd.Context(), g, o, cmd.OutOrStdout())
			return err
		},
	}
	o.AddFlags(c.Flags())
	return c
}

// demoResult is what a demo run measured.
type demoResult struct {
	Produced     produce.Stats
	Landed       map[events.Type]int64
	LandedFen    map[events.Type]int64
	Quarantined  int64
	PeakMinute   string
	PeakClaims   int64
	Report       string // the PDF report
	ReportPages  int
	ReportCharts int
	Elapsed      time.Duration
}

func runDemo(ctx context.Context, g *globalOptions, o *demoOptions, out io.Writer) (*demoResult, error) {
	start := time.Now()
	if err := o.world.check(); err != nil {
		return nil, err
	}
	if err := prepareDemoDir(g.dir); err != nil {
		return nil, err
	}
	kafka := o.kafka
	external := kafka.brokers != ""
	if !external {
		b, err := broker.Start(broker.Config{Listen: "127.0.0.1:0", DataDir: datadir.Dir(g.dir).Broker(), Topic: broker.DefaultTopic})
		if err != nil {
			return nil, err
		}
		defer b.Close()
		fmt.Fprintf(os.Stderr, "embedded broker on %s\n", b.Addr())
		kafka = kafkaOptions{brokers: b.Addr(), topic: broker.DefaultTopic}
	}
	if external {
		st, err := runSimulate(ctx, &simulateOptions{kafka: kafka, world: o.world, dir: g.dir})
		if err != nil {
			return nil, err
		}
		// A cluster's topic may hold more than this run produced: drain it.
		if _, err := runIngest(ctx, g, &ingestOptions{kafka: kafka, group: "hongbao-demo", flushRows: 250_000, untilIdle: 3 * time.Second}, nil); err != nil {
			return nil, err
		}
		return finishDemo(ctx, g, st, start, out)
	}
	// Produce and consume side by side, as a stream would: the ingester reads what the
	// simulator produced so far, and stops once it has read every message the simulator
	// says it produced.
	var target atomic.Int64 // 0 until the simulator is done
	ingestCtx, stopIngest := context.WithCancel(ctx)
	defer stopIngest()
	ingested := make(chan error, 1)
	go func() {
		_, err := runIngest(ingestCtx, g, &ingestOptions{kafka: kafka, group: "hongbao-demo", flushRows: 250_000}, &target)
		ingested <- err
	}()
	st, err := runSimulate(ctx, &simulateOptions{kafka: kafka, world: o.world, dir: g.dir})
	if err == nil && st.Messages == 0 {
		err = errors.New("the simulator produced no events")
	}
	if err != nil {
		stopIngest()
		<-ingested
		return nil, err
	}
	target.Store(st.Messages)
	if err := <-ingested; err != nil {
		return nil, err
	}
	return finishDemo(ctx, g, st, start, out)
}

// finishDemo writes the report, summarizes the ingested run from the numbers the
// report read, and prints both.
func finishDemo(ctx context.Context, g *globalOptions, st produce.Stats, start time.Time, out io.Writer) (*demoResult, error) {
	// The report is the demo's last step: Chinese and English when a Chinese font is
	// installed, English alone (with a sentence naming the package) when not.
	rep, err := report.Build(ctx, report.Options{Dir: g.dir, Lang: "both"})
	if errors.Is(err, fonts.ErrNoChineseFont) {
		fmt.Fprintf(os.Stderr, "%v\nwriting the English report only\n", err)
		rep, err = report.Build(ctx, report.Options{Dir: g.dir, Lang: "en"})
	}
	if err != nil {
		return nil, err
	}
	res := demoSummary(&rep.Summary, st)
	res.Report, res.ReportPages, res.ReportCharts = rep.PDF, rep.Pages, len(rep.Charts)
	res.Elapsed = time.Since(start)
	printDemo(out, res)
	return res, nil
}

// prepareDemoDir makes dir ready for a demo: new, empty, or holding an earlier demo.
func prepareDemoDir(dir string) error {
	d := datadir.Dir(dir)
	empty, err := d.Empty()
	if err != nil {
		return err
	}
	if empty {
		return d.MarkDemo()
	}
	if !d.HoldsDemo() {
		return usagef("%s holds data that is not from 'hongbao demo'; pass another --dir (or empty this one) for the demo", dir)
	}
	if err := d.Clear(); err != nil {
		return fmt.Errorf("replace the earlier demo: %w", err)
	}
	fmt.Fprintf(os.Stderr, "replacing the earlier demo in %s\n", dir)
	return nil
}

// demoSummary is what the demo prints of the run: st produced, sum landed.
func demoSummary(sum *report.Summary, st produce.Stats) *demoResult {
	res := &demoResult{Produced: st, Landed: map[events.Type]int64{}, LandedFen: map[events.Type]int64{},
		Quarantined: sum.Rows["quarantine"], PeakClaims: sum.PeakClaims}
	for _, t := range events.Types {
		res.Landed[t], res.LandedFen[t] = sum.Rows[t.Table()], sum.Fen[t.Table()]
	}
	if !sum.PeakMinute.IsZero() {
		res.PeakMinute = sum.PeakMinute.Format("2006-01-02 15:04") + " " + locale.ZoneName
	}
	return res
}

func printDemo(w io.Writer, r *demoResult) {
	fmt.Fprintf(w, "\n%-18s %12s %12s %12s %18s\n", "type", "produced", "landed", "quarantined", "sum_fen landed")
	var landed int64
	for _, t := range events.Types {
		fmt.Fprintf(w, "%-18s %12d %12d %12s %18d\n", t, r.Produced.Count[t], r.Landed[t], "", r.LandedFen[t])
		landed += r.Landed[t]
	}
	fmt.Fprintf(w, "%-18s %12d %12d %12d\n", "total", r.Produced.Messages, landed, r.Quarantined)
	fmt.Fprintf(w, "\nbusiest minute: %s, %d claims\n", r.PeakMinute, r.PeakClaims)
	if r.Report != "" {
		fmt.Fprintf(w, "report: %s (%d pages, %d charts)\n", r.Report, r.ReportPages, r.ReportCharts)
	}
	fmt.Fprintf(w, "wall time: %s, %.0f events/s end to end\n", r.Elapsed.Round(time.Millisecond), float64(r.Produced.Messages)/r.Elapsed.Seconds())
}
