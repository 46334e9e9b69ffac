package main

import (
	"context"
	"fmt"
	"os"
	"runtime/debug"
	"strings"
	"sync/atomic"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/hongbao/hongbao/ingest"
	"github.com/hongbao/hongbao/ingest/metrics"
	"github.com/hongbao/hongbao/internal/textwrap"
	"github.com/hongbao/hongbao/transform"
)

type ingestOptions struct {
	kafka        kafkaOptions
	group        string
	untilIdle    time.Duration
	stallTimeout time.Duration
	flushRows    int
	refreshEvery time.Duration
	metricsAddr  string
	metricsOpen  bool
	// refreshed, if set, is called after each refresh of the warehouse while ingest
	// runs, on the refresher's goroutine, before the next refresh can start.
	refreshed func()
	// metricsServing, if set, is called with the metrics' URL once they are served.
	metricsServing func(url string)
}

func (o *ingestOptions) AddFlags(f *pflag.FlagSet) {
	o.kafka.AddFlags(f)
	f.StringVar(&o.group, "group", "hongbao-ingest", "consumer group; ingesters in one group share the partitions")
	f.DurationVar(&o.untilIdle, "until-idle", 0, "drain the topic: stop once every partition is in the lake up to its end and no message arrived for this long (for example 5s); 0 runs until Ctrl-C")
	f.DurationVar(&o.stallTimeout, "stall-timeout", 5*time.Minute, "with --until-idle, give up (exit 1) when the topic stalls this long without draining (the broker down, partitions held elsewhere); 0 means 5m")
	f.IntVar(&o.flushRows, "flush-rows", 250_000, "rows a partition holds before it commits them to the lake")
	f.DurationVar(&o.refreshEvery, "refresh-every", 5*time.Minute, "while running, rebuild the warehouse this often when the lake has new commits (0: only when ingest stops)")
	f.StringVar(&o.metricsAddr, "metrics-addr", "", "serve Prometheus metrics on host:port at /metrics while ingest runs (for example 127.0.0.1:9464, where 'hongbao serve' looks); docs/METRICS.md lists them")
	f.BoolVar(&o.metricsOpen, "metrics-insecure", false, "allow a --metrics-addr other machines can reach: anyone who reaches it reads the metrics")
}

func newIngestCommand(g *globalOptions) *cobra.Command {
	o := &ingestOptions{}
	c := &cobra.Command{
		Use:   "ingest",
		Short: "Consume events into the Parquet lake and refresh the DuckDB warehouse",
		Long: `ingest joins a Kafka consumer group, validates each message, lands valid events in
the Parquet lake (DIR/lake) and bad ones in quarantine with their reason, then refreshes
DIR/warehouse.duckdb. Each partition resumes after the last offset the lake holds, so a
restarted ingester loses nothing and duplicates nothing.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			defaultMemoryLimit(DefaultGoMemoryLimit)
			_, err := runIngest(cmd.Context(), g, o, nil)
			return err
		},
	}
	o.AddFlags(c.Flags())
	return c
}

// DefaultGoMemoryLimit is the soft limit of the Go heap that ingest and demo set when
// GOMEMLIMIT is not in the environment. The garbage collector works harder as the heap
// nears it, so a long run's peak RSS stays under 1 GiB (issue 11) with room for the
// runtime's own overhead and the C memory DuckDB takes outside the Go heap. At full
// scale the ingester holds 550–650 MB (envelope trackers, duplicate window, Arrow
// batches): at 700 MiB the collector ran every 40–80 MB of allocation; at 800 MiB the
// festival takes 0.93× the CPU, at a peak RSS of 0.84 GiB (docs/BENCHMARKS.md).
const DefaultGoMemoryLimit = 800 << 20

// defaultMemoryLimit sets limit (DefaultGoMemoryLimit, or the broker's) unless
// GOMEMLIMIT says otherwise (the runtime has already read GOMEMLIMIT; "off" there keeps
// the limit off).
func defaultMemoryLimit(limit int64) {
	if _, set := os.LookupEnv("GOMEMLIMIT"); !set {
		debug.SetMemoryLimit(limit)
	}
}

// runIngest consumes, then refreshes the warehouse. stopAt, if set, is how many
// messages the topic holds once positive (a producer running beside the ingester sets
// it when done): ingest stops once it has read them all, and checks the lake holds them.
func runIngest(ctx context.Context, g *globalOptions, o *ingestOptions, stopAt *atomic.Int64) (*ingest.Summary, error) {
	brokers, sec, err := o.kafka.connect(os.Stderr)
	if err != nil {
		return nil, err
	}
	if strings.TrimSpace(o.group) == "" {
		return nil, usagef("--group is empty: name the consumer group, for example --group hongbao-ingest (the default)")
	}
	if o.untilIdle < 0 {
		return nil, usagef("--until-idle %s must not be negative", o.untilIdle)
	}
	if o.stallTimeout < 0 {
		return nil, usagef("--stall-timeout %s must not be negative", o.stallTimeout)
	}
	if o.flushRows < 1 {
		return nil, usagef("--flush-rows %d must be at least 1", o.flushRows)
	}
	if o.refreshEvery < 0 {
		return nil, usagef("--refresh-every %s must not be negative", o.refreshEvery)
	}
	met := metrics.New(g.dir)
	if o.metricsAddr != "" {
		if err := checkListen("metrics-addr", o.metricsAddr, "metrics-insecure", o.metricsOpen, os.Stderr); err != nil {
			return nil, err
		}
		srv, err := met.Serve(o.metricsAddr)
		if err != nil {
			return nil, fmt.Errorf("serve metrics on %s: %w", o.metricsAddr, err)
		}
		defer srv.Close()
		fmt.Fprintf(os.Stderr, "ingest: metrics on %s\n", srv.URL())
		if o.metricsServing != nil {
			o.metricsServing(srv.URL())
		}
	}
	runCtx, stopRun := context.WithCancel(ctx) // stopped on stopAt's count
	defer stopRun()
	bar := newProgress(-1, "ingest")
	done := make(chan struct{})
	go func() {
		t := time.NewTicker(100 * time.Millisecond)
		defer t.Stop()
		for {
			select {
			case <-done:
				return
			case <-t.C:
				bar.Metrics(met.Snapshot())
				if stopAt != nil {
					if target := stopAt.Load(); target > 0 && met.Read.Load() >= target {
						stopRun()
					}
				}
			}
		}
	}()
	var committed atomic.Int64
	// A look for new commits starts each refresh, on the keeper's goroutine.
	var looked time.Time
	keeper := transform.KeepCurrent(ctx, g.dir, transform.KeepConfig{Every: o.refreshEvery,
		Commits: func() int64 { looked = time.Now(); return committed.Load() },
		Out:     os.Stderr, Log: func(format string, args ...any) {
			fmt.Fprintln(os.Stderr, "ingest: "+textwrap.Inert(fmt.Sprintf(format, args...), true))
		},
		Refreshed: func() {
			met.Refreshed(time.Since(looked))
			if o.refreshed != nil {
				o.refreshed()
			}
		}})
	cfg := ingest.Config{
		Brokers: brokers, Topic: o.kafka.topic, Group: o.group, Dir: g.dir, Security: sec,
		UntilIdle: o.untilIdle, StallTimeout: o.stallTimeout, FlushRows: o.flushRows,
		Consumed: &met.Read, Committed: &committed, Observer: met,
	}
	sum, err := ingest.Run(runCtx, cfg)
	close(done)
	if err == nil && stopAt != nil && ctx.Err() == nil {
		// Stopped on the count: it says everything produced was read; the lake must
		// say it is all there.
		err = ingest.CheckDrained(ctx, cfg)
	}
	keeper.Stop()
	if err != nil {
		return sum, err
	}
	bar.Done("%d messages read, %d quarantined, %d lake commits, %s",
		sum.Messages, sum.Quarantined, sum.Commits, ingestRate(sum))
	if ctx.Err() != nil {
		// Stopped by Ctrl-C: everything read is in the lake; a refresh now would be
		// cut short anyway.
		fmt.Fprintf(os.Stderr, "ingest stopped: every message read is in the lake; run 'hongbao transform --dir %s' to refresh the warehouse\n", g.dir)
		return sum, nil
	}
	// Hand the ingester's heap back to the OS before DuckDB takes its share.
	debug.FreeOSMemory()
	began := time.Now()
	if err := keeper.Finish(ctx); err != nil {
		return sum, err
	}
	met.Refreshed(time.Since(began))
	return sum, nil
}

// ingestRate words the run's rate over the time from the first message read to the
// last, when there was one: the whole run also counts the group's join and the
// --until-idle wait.
func ingestRate(sum *ingest.Summary) string {
	if sum.Reading <= 0 {
		return fmt.Sprintf("%.0f msg/s", float64(sum.Messages)/sum.Elapsed.Seconds())
	}
	return fmt.Sprintf("%.0f msg/s over the %s from the first message read to the last",
		float64(sum.Messages)/sum.Reading.Seconds(), sum.Reading.Round(time.Millisecond))
}
