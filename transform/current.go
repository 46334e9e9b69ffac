package transform

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"sync"
	"time"

	"github.com/hongbao/hongbao/ingest/lake"
	"github.com/hongbao/hongbao/internal/datadir"
)

// refreshWait is how long a Keeper's refresh waits for another process (a second
// ingester of the group refreshing, an analyst's query) to let go of the warehouse.
const refreshWait = 2 * time.Minute

// KeepConfig says how a Keeper keeps the warehouse current.
type KeepConfig struct {
	// Every is how often the Keeper looks for new lake commits and, when there are,
	// refreshes; 0 refreshes only at Finish.
	Every time.Duration
	// Commits returns the number of lake commits so far (the ingester's count): a look
	// that finds no new one refreshes nothing.
	Commits func() int64
	// Out receives a line for each refresh done; nil for none.
	Out io.Writer
	// Log receives a sentence about a refresh that failed while the lake grows (an
	// analyst's session held the file, say), to be tried again at the next look; nil
	// prints to standard error.
	Log func(format string, args ...any)
	// Refreshed, if set, is called after each refresh that succeeded while the lake
	// grows, on the Keeper's goroutine, before its next look: no refresh has the
	// warehouse open then.
	Refreshed func()

	tick   <-chan time.Time                // the looks; a ticker of Every when nil (tests set it)
	looked func(refreshed bool, err error) // after each look, with the refresh's error (tests)
}

// Keeper keeps the warehouse of a data folder current as the lake grows, so that
// analysts see recent data during a long ingest. Start it with KeepCurrent and end it
// with Stop or Finish.
type Keeper struct {
	dir  string
	cfg  KeepConfig
	stop chan struct{}
	done chan struct{}
	once sync.Once

	// Of the goroutine that looks:
	seen     int64 // commits at the last look that refreshed
	reported bool  // an unreadable lake file was reported
}

// KeepCurrent starts refreshing the warehouse of dir every cfg.Every in which the lake
// gained commits, until ctx ends or the Keeper is stopped. A refresh that fails is
// reported and tried again at the next look; one that leaves out a lake file DuckDB
// cannot read is reported once, and the final refresh (Finish) fails on it.
func KeepCurrent(ctx context.Context, dir string, cfg KeepConfig) *Keeper {
	if cfg.Log == nil {
		cfg.Log = func(format string, args ...any) { fmt.Fprintf(os.Stderr, format+"\n", args...) }
	}
	if cfg.Out == nil {
		cfg.Out = io.Discard
	}
	k := &Keeper{dir: dir, cfg: cfg, stop: make(chan struct{}), done: make(chan struct{})}
	tick := cfg.tick
	var ticker *time.Ticker
	if tick == nil && cfg.Every > 0 {
		ticker = time.NewTicker(cfg.Every)
		tick = ticker.C
	}
	if tick == nil {
		close(k.done)
		return k
	}
	go func() {
		if ticker != nil {
			defer ticker.Stop()
		}
		k.run(ctx, tick)
	}()
	return k
}

func (k *Keeper) run(ctx context.Context, tick <-chan time.Time) {
	defer close(k.done)
	for {
		select {
		case <-k.stop:
			return
		case <-ctx.Done():
			return
		case <-tick:
		}
		refreshed, err := k.look(ctx)
		if k.cfg.looked != nil {
			k.cfg.looked(refreshed, err)
		}
	}
}

// look refreshes when the lake has commits since the last look that refreshed.
func (k *Keeper) look(ctx context.Context) (refreshed bool, err error) {
	n := k.cfg.Commits()
	if n == k.seen {
		return false, nil
	}
	err = refreshInTurn(ctx, k.dir, k.cfg.Out)
	switch {
	case errors.Is(err, ErrUnreadableLakeFile):
		// Refreshed, without the files it names; the final refresh fails on them.
		if !k.reported {
			k.cfg.Log("%v", err)
			k.reported = true
		}
		k.seen = n
	case err != nil:
		if ctx.Err() == nil {
			k.cfg.Log("the warehouse was not refreshed (%v); trying again in %s", err, k.cfg.Every)
		}
	default:
		k.seen = n
		if k.cfg.Refreshed != nil {
			k.cfg.Refreshed()
		}
	}
	return true, err
}

// Stop ends the refreshes while the lake grows, waiting for one under way.
func (k *Keeper) Stop() {
	k.once.Do(func() { close(k.stop) })
	<-k.done
}

// Finish stops the Keeper and refreshes once more, so that the warehouse holds all the
// lake holds: the refresh after the ingester stopped.
func (k *Keeper) Finish(ctx context.Context) error {
	k.Stop()
	return refreshInTurn(ctx, k.dir, k.cfg.Out)
}

// refreshInTurn reloads the warehouse of dir from the lake and writes a line saying so
// to out. Several ingesters of one group share the data folder: one refreshes while
// the others wait their turn (their refresh then has little or nothing new to load).
func refreshInTurn(ctx context.Context, dir string, out io.Writer) error {
	start := time.Now()
	// One refresher at a time, in this process or another: DuckDB's own lock keeps
	// out other processes only, and two refreshes would conflict in the file.
	release, err := lake.LockFile(datadir.Dir(dir).RefreshLock(), refreshWait)
	if err != nil {
		return fmt.Errorf("wait for another refresh of %s: %w", dir, err)
	}
	defer release()
	w, err := openWaiting(ctx, dir, refreshWait, out)
	if err != nil {
		return err
	}
	defer w.Close()
	if err := w.Refresh(ctx); err != nil {
		return err
	}
	fmt.Fprintf(out, "warehouse %s refreshed (%s)\n", w.Path(), time.Since(start).Round(time.Millisecond))
	return nil
}

// openWaiting opens the warehouse for writing, waiting up to wait while another
// process has it open.
func openWaiting(ctx context.Context, dir string, wait time.Duration, out io.Writer) (*Warehouse, error) {
	deadline := time.Now().Add(wait)
	said := false
	for {
		w, err := Open(dir)
		if err == nil || !errors.Is(err, ErrLocked) || time.Now().After(deadline) {
			return w, err
		}
		if !said {
			fmt.Fprintf(out, "%v; waiting up to %s\n", err, wait)
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
