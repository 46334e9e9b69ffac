package transform

import (
	"bytes"
	"context"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/hongbao/hongbao/internal/testworld"
)

// TestKeeperRefreshesWhenTheLakeGrowsAndAtTheEnd drives a Keeper look by look: a look
// after a new commit refreshes, a look without one does not, and Finish refreshes
// what came since.
func TestKeeperRefreshesWhenTheLakeGrowsAndAtTheEnd(t *testing.T) {
	dir := t.TempDir()
	world := testworld.New(t, dir)
	ctx := context.Background()
	var commits atomic.Int64
	tick := make(chan time.Time)
	type look struct {
		refreshed bool
		err       error
	}
	looked := make(chan look)
	var out bytes.Buffer // written by the keeper's goroutine before each look ends, read after
	var refreshed atomic.Int64
	k := KeepCurrent(ctx, dir, KeepConfig{Every: time.Hour, Commits: commits.Load, Out: &out, Refreshed: func() { refreshed.Add(1) },
		Log:  func(format string, args ...any) { t.Errorf("the keeper complained: "+format, args...) },
		tick: tick, looked: func(refreshed bool, err error) { looked <- look{refreshed, err} }})
	lookNow := func() look {
		t.Helper()
		tick <- time.Now()
		return <-looked
	}
	grabs := func() int64 {
		t.Helper()
		w, err := OpenReadOnly(dir)
		if err != nil {
			t.Fatal(err)
		}
		defer w.Close()
		return queryInt(t, w.DB(), "SELECT count(*) FROM grabs")
	}

	// A look after a commit refreshes: the warehouse then holds the commit's grabs.
	lookAfterCommit := func(first, last, wantGrabs int64) {
		t.Helper()
		commitGrabs(world, first, last, -1)
		commits.Add(1)
		if lk := lookNow(); !lk.refreshed || lk.err != nil {
			t.Fatalf("the look after committing offsets %d to %d: refreshed %v, %v", first, last, lk.refreshed, lk.err)
		}
		if n := grabs(); n != wantGrabs {
			t.Errorf("after committing offsets %d to %d the warehouse holds %d grabs, want %d", first, last, n, wantGrabs)
		}
	}
	lookAfterCommit(0, 2, 3)
	// No commit since: the look does nothing.
	if lk := lookNow(); lk.refreshed {
		t.Errorf("a look without a new commit refreshed (%v)", lk.err)
	}
	lookAfterCommit(3, 6, 7)
	if n := strings.Count(out.String(), " refreshed ("); n != 2 {
		t.Errorf("%d refreshes reported after three looks (one without a commit), want 2:\n%s", n, out.String())
	}
	if n := refreshed.Load(); n != 2 {
		t.Errorf("Refreshed was called %d times after two looks that refreshed, want 2", n)
	}

	// A commit no look saw: Finish stops the looks and refreshes it in.
	commitGrabs(world, 7, 8, -1)
	commits.Add(1)
	if err := k.Finish(ctx); err != nil {
		t.Fatal(err)
	}
	if n := grabs(); n != 9 {
		t.Errorf("after Finish the warehouse holds %d grabs, want 9", n)
	}
	if refreshed := strings.Count(out.String(), " refreshed ("); refreshed != 3 {
		t.Errorf("%d refreshes reported in all, want 3:\n%s", refreshed, out.String())
	}
	select {
	case tick <- time.Now():
		t.Error("the keeper still looks after Finish")
	default:
	}
}

// TestKeeperWithoutIntervalRefreshesOnlyAtTheEnd: Every 0 starts no looks at all.
func TestKeeperWithoutIntervalRefreshesOnlyAtTheEnd(t *testing.T) {
	dir := t.TempDir()
	commitGrabs(testworld.New(t, dir), 0, 4, -1)
	k := KeepCurrent(context.Background(), dir, KeepConfig{Commits: func() int64 { return 1 }})
	if _, err := OpenReadOnly(dir); err == nil {
		t.Fatal("a warehouse exists before Finish")
	}
	if err := k.Finish(context.Background()); err != nil {
		t.Fatal(err)
	}
	w, err := OpenReadOnly(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	if n := queryInt(t, w.DB(), "SELECT sum(amount_fen) FROM grabs"); n != 500 {
		t.Errorf("after Finish the grabs add up to %d fen, want 500", n)
	}
}
