package main

import (
	"context"
	"testing"
	"time"

	"github.com/hongbao/hongbao/ingest/broker"
	"github.com/hongbao/hongbao/transform"
)

// TestIngestKeepsWarehouseCurrent runs the ingester with no end and checks that the
// warehouse fills while it runs, not only when it stops.
func TestIngestKeepsWarehouseCurrent(t *testing.T) {
	g, kafka, st := simulatedBroker(t, "", 0.0002, 9)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	// After each refresh, on the refresher's goroutine (no refresh has the warehouse
	// open then), count the grabs an analyst would see.
	sawGrabs := make(chan error, 1) // the first error, or nil once there are grabs
	refreshed := func() {
		w, err := transform.OpenReadOnly(g.dir)
		var grabs int64
		if err == nil {
			err = w.DB().QueryRow("SELECT count(*) FROM grabs").Scan(&grabs)
			w.Close()
		}
		if err != nil || grabs > 0 {
			select {
			case sawGrabs <- err:
			default:
			}
		}
	}
	done := make(chan error, 1)
	go func() {
		_, err := runIngest(ctx, g, &ingestOptions{kafka: kafka, group: "current", flushRows: 2000, refreshEvery: 300 * time.Millisecond,
			refreshed: refreshed}, nil)
		done <- err
	}()
	select {
	case err := <-sawGrabs:
		if err != nil {
			t.Fatalf("read the warehouse after a refresh: %v", err)
		}
	case err := <-done:
		t.Fatalf("the ingester stopped on its own (%v) before the warehouse showed grabs", err)
	case <-ctx.Done():
		t.Fatalf("the warehouse never showed grabs while the ingester ran (%d produced)", st.Count["envelope_grabbed"])
	}
	cancel() // as Ctrl-C does: a clean stop, not an error
	if err := <-done; err != nil {
		t.Fatalf("stopping the ingester: %v", err)
	}
}

// TestTwoIngestCommandsOneFolder runs two 'hongbao ingest --until-idle' of one group
// on one data folder: both drain, both refresh the warehouse (one waits for the
// other's lock), both exit 0, and the warehouse holds every event once.
func TestTwoIngestCommandsOneFolder(t *testing.T) {
	g, kafka, st := simulatedBroker(t, broker.DefaultTopic, 0.0003, 10)
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	errs := make(chan error, 2)
	for range 2 {
		go func() {
			_, err := runIngest(ctx, g, &ingestOptions{kafka: kafka, group: "pair", flushRows: 5000, untilIdle: time.Second}, nil)
			errs <- err
		}()
	}
	for range 2 {
		if err := <-errs; err != nil {
			t.Errorf("an ingester: %v", err)
		}
	}
	w, err := transform.OpenReadOnly(g.dir)
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	var n, distinct int64
	if err := w.DB().QueryRow("SELECT count(*), count(DISTINCT event_id) FROM grabs").Scan(&n, &distinct); err != nil {
		t.Fatal(err)
	}
	if want := st.Count["envelope_grabbed"]; n != want || distinct != n {
		t.Errorf("grabs: %d rows, %d distinct; %d produced", n, distinct, want)
	}
}
