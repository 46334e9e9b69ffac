package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"runtime/debug"
	"sync/atomic"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/hongbao/hongbao/ingest"
	"github.com/hongbao/hongbao/ingest/lake"
	"github.com/hongbao/hongbao/internal/datadir"
	"github.com/hongbao/hongbao/transform"
)

type ingestOptions struct {
	kafka        kafkaOptions
	group        string
	untilIdle    time.Duration
	stallTimeout time.Duration
	flushRows    int
	refreshEvery time.Duration
	// refreshed, if set, is called after each refresh of the warehouse while ingest
	// runs, on the refresher's goroutine, before the next refresh can start.
	refreshed func()
}

func (o *ingestOptions) AddFlags(f *pflag.FlagSet) {
	o.kafka.AddFlags(f)
	f.StringVar(&o.group, "group", "hongbao-ingest", "consumer group; ingesters in one group share the partitions")
	f.DurationVar(&o.untilIdle, "until-idle", 0, "drain the topic: stop once every partition is in the lake up to its end and no message arrived for this long (for example 5s); 0 runs until Ctrl-C")
	f.DurationVar(&o.stallTimeout, "stall-timeout", 5*time.Minute, "with --until-idle, give up (exit 1) when the topic stalls this long without draining (the broker down, partitions held elsewhere); 0 means 5m")
	f.IntVar(&o.flushRows, "flush-rows", 250_000, "rows a partition holds before it commits them to the lake")
	f.DurationVar(&o.refreshEvery, "refresh-every", 5*time.Minute, "while running, rebuild the warehouse this often when the lake has new commits (0: only when ingest stops)")
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
			_, err := runIngest(cmd.Context(), g, o, nil)
			return err
		},
	}
	o.AddFlags(c.Flags())
	return c
}

// runIngest consumes, then refreshes the warehouse. stopAt, if set, is read after
// each poll: once it is positive and that many messages were read, ingest stops.
func runIngest(ctx context.Context, g *globalOptions, o *ingestOptions, stopAt *atomic.Int64) (*ingest.Summary, error) {
	brokers, sec, err := o.kafka.connect(os.Stderr)
	if err != nil {
		return nil, err
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
	var consumed atomic.Int64
	runCtx, cancel := context.WithCancel(ctx)
	defer cancel()
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
				n := consumed.Load()
				bar.Set(n)
				if stopAt != nil {
					if target := stopAt.Load(); target > 0 && n >= target {
						cancel()
					}
				}
			}
		}
	}()
	var committed atomic.Int64
	refresherDone := make(chan struct{})
	go func() {
		defer close(refresherDone)
		if o.refreshEvery > 0 {
			keepWarehouseCurrent(runCtx, g.dir, o.refreshEvery, &committed, done, o.refreshed)
		}
	}()
	sum, err := ingest.Run(runCtx, ingest.Config{
		Brokers: brokers, Topic: o.kafka.topic, Group: o.group, Dir: g.dir, Security: sec,
		UntilIdle: o.untilIdle, StallTimeout: o.stallTimeout, FlushRows: o.flushRows, Consumed: &consumed, Committed: &committed,
	})
	close(done)
	<-refresherDone
	if err != nil {
		return sum, err
	}
	if stopAt != nil && ctx.Err() == nil {
		// Stopped on a message count (the demo): the count says everything produced
		// was read; the lake must say it is all there.
		if err := ingest.CheckDrained(ctx, ingest.Config{Brokers: brokers, Topic: o.kafka.topic, Dir: g.dir, Security: sec}); err != nil {
			return sum, err
		}
	}
	bar.Done("%d messages read, %d quarantined, %d lake commits, %.0f msg/s",
		sum.Messages, sum.Quarantined, sum.Commits, float64(sum.Messages)/sum.Elapsed.Seconds())
	if ctx.Err() != nil {
		// Stopped by Ctrl-C: everything read is in the lake; a refresh now would be
		// cut short anyway.
		fmt.Fprintf(os.Stderr, "ingest stopped: every message read is in the lake; run 'hongbao transform --dir %s' to refresh the warehouse\n", g.dir)
		return sum, nil
	}
	// Hand the ingester's heap back to the OS before DuckDB takes its share.
	debug.FreeOSMemory()
	if err := refreshWarehouse(ctx, g.dir, os.Stderr); err != nil {
		return sum, err
	}
	return sum, nil
}

// keepWarehouseCurrent rebuilds the warehouse every interval while the lake gains
// commits, so analysts see recent data during a long run. A refresh that fails (an
// analyst's session holds the file, say) is reported and tried again next time.
// refreshed, if not nil, is called after each refresh that succeeded.
func keepWarehouseCurrent(ctx context.Context, dir string, every time.Duration, committed *atomic.Int64, done <-chan struct{}, refreshed func()) {
	t := time.NewTicker(every)
	defer t.Stop()
	var seen int64
	reported := false
	for {
		select {
		case <-done:
			return
		case <-ctx.Done():
			return
		case <-t.C:
			n := committed.Load()
			if n == seen {
				continue
			}
			if err := refreshWarehouse(ctx, dir, os.Stderr); err != nil {
				if errors.Is(err, transform.ErrUnreadableLakeFile) {
					// Refreshed, without the files it names; the final refresh fails on them.
					if !reported {
						fmt.Fprintf(os.Stderr, "ingest: %v\n", err)
						reported = true
					}
					seen = n
					continue
				}
				if ctx.Err() == nil {
					fmt.Fprintf(os.Stderr, "ingest: the warehouse was not refreshed (%v); trying again in %s\n", err, every)
				}
				continue
			}
			seen = n
			if refreshed != nil {
				refreshed()
			}
		}
	}
}

// refreshWait is how long a refresh waits for another process (a second ingester
// of the group refreshing, an analyst's query) to let go of the warehouse.
const refreshWait = 2 * time.Minute

// refreshWarehouse reloads DIR/warehouse.duckdb from the lake. Several ingesters of
// one group share the data folder: one refreshes while the others wait their turn
// (their refresh then has little or nothing new to load).
func refreshWarehouse(ctx context.Context, dir string, log io.Writer) error {
	start := time.Now()
	// One refresher at a time, in this process or another: DuckDB's own lock keeps
	// out other processes only, and two refreshes would conflict in the file.
	release, err := lake.LockFile(datadir.Dir(dir).RefreshLock(), refreshWait)
	if err != nil {
		return fmt.Errorf("wait for another refresh of %s: %w", dir, err)
	}
	defer release()
	w, err := openWaiting(ctx, dir, refreshWait, log)
	if err != nil {
		return err
	}
	defer w.Close()
	if err := w.Refresh(ctx); err != nil {
		return err
	}
	fmt.Fprintf(log, "warehouse %s refreshed (%s)\n", w.Path(), time.Since(start).Round(time.Millisecond))
	return nil
}

// openWaiting opens the warehouse for writing, waiting up to wait while another
// process has it open.
func openWaiting(ctx context.Context, dir string, wait time.Duration, log io.Writer) (*transform.Warehouse, error) {
	deadline := time.Now().Add(wait)
	said := false
	for {
		w, err := transform.Open(dir)
		if err == nil || !errors.Is(err, transform.ErrLocked) || time.Now().After(deadline) {
			return w, err
		}
		if !said {
			fmt.Fprintf(log, "%v; waiting up to %s\n", err, wait)
			said = true
		}
		t := time.NewTimer(250 * time.Millisecond)
		select {
		case <-ctx.Done():
			t.Stop()
			return nil, ctx.Err()
		case <-t.C:
		}
	}
}
