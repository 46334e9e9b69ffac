package main

import (
	"context"
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/hongbao/hongbao/internal/testworld"
	"github.com/hongbao/hongbao/transform"
)

// TestServeAnswers runs 'hongbao serve' on a small world and fetches its pages, then
// stops it as Ctrl-C does.
func TestServeAnswers(t *testing.T) {
	dir, _ := testworld.SmallRefreshed(t, transform.Open)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	started := make(chan string, 1)
	done := make(chan error, 1)
	go func() {
		done <- runServe(ctx, &globalOptions{dir: dir}, &serveOptions{listen: "127.0.0.1:0", started: func(url string) { started <- url }})
	}()
	var url string
	select {
	case url = <-started:
	case err := <-done:
		t.Fatalf("serve stopped: %v", err)
	}
	for path, want := range map[string]string{"": "Overview", "replay": "Midnight replay", "facts": "reproduced", "api/replay": `"peak":"2014-01-31T00:00:00","peak_claims":3`} {
		resp, err := http.Get(url + path)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK || !strings.Contains(string(body), want) {
			t.Errorf("GET /%s: %s; want 200 showing %q", path, resp.Status, want)
		}
	}
	cancel()
	if err := <-done; err != nil {
		t.Errorf("serve after Ctrl-C: %v", err)
	}
}

// TestServeListensOnLoopbackOnly refuses addresses other machines reach, as the broker
// does, unless --insecure.
func TestServeListensOnLoopbackOnly(t *testing.T) {
	for _, addr := range []string{"0.0.0.0:8080", ":8080", "192.0.2.1:8080"} {
		err := runServe(context.Background(), &globalOptions{dir: t.TempDir()}, &serveOptions{listen: addr})
		var usage usageError
		if !errors.As(err, &usage) || !strings.Contains(err.Error(), "--insecure") {
			t.Errorf("--listen %s: %v; want a usage error naming --insecure", addr, err)
		}
	}
	err := runServe(context.Background(), &globalOptions{dir: t.TempDir()}, &serveOptions{listen: "localhost"})
	if !errors.As(err, new(usageError)) {
		t.Errorf("--listen localhost (no port): %v; want a usage error", err)
	}
}

// TestIngestMetricsWhileRunning runs 'hongbao ingest --metrics-addr' and scrapes the
// metrics while it runs: the three named families are there, with messages read.
func TestIngestMetricsWhileRunning(t *testing.T) {
	g, kafka, _ := simulatedBroker(t, "", 0.0002, 9)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	// Each refresh while ingest runs is a moment to scrape: the ingester is still up.
	urls := make(chan string, 1)
	scraped := make(chan string, 1)
	refreshed := func() {
		url := <-urls
		urls <- url
		resp, err := http.Get(url)
		if err != nil {
			return
		}
		defer resp.Body.Close()
		body, _ := io.ReadAll(resp.Body)
		if strings.Contains(string(body), `hongbao_ingest_messages_total{stage="read",type="all"}`) {
			select {
			case scraped <- string(body):
			default:
			}
		}
	}
	done := make(chan error, 1)
	go func() {
		_, err := runIngest(ctx, g, &ingestOptions{kafka: kafka, group: "metrics", flushRows: 2000, refreshEvery: 300 * time.Millisecond,
			metricsAddr: "127.0.0.1:0", metricsServing: func(url string) { urls <- url }, refreshed: refreshed}, nil)
		done <- err
	}()
	var body string
	select {
	case body = <-scraped:
	case err := <-done:
		t.Fatalf("the ingester stopped on its own (%v) before a scrape", err)
	case <-ctx.Done():
		t.Fatal("no scrape while the ingester ran")
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatalf("stopping the ingester: %v", err)
	}
	for _, name := range []string{"hongbao_ingest_messages_total", "hongbao_ingest_quarantined_total", "hongbao_ingest_lag_messages",
		"hongbao_ingest_commit_duration_seconds", "hongbao_ingest_lake_bytes_written_total", "hongbao_ingest_warehouse_refresh_duration_seconds"} {
		if !strings.Contains(body, "# TYPE "+name+" ") {
			t.Errorf("the metrics while ingest runs have no %s:\n%s", name, body)
		}
	}
}

// TestIngestMetricsLoopbackOnly refuses a metrics address other machines reach unless
// --metrics-insecure.
func TestIngestMetricsLoopbackOnly(t *testing.T) {
	err := checkListen("metrics-addr", "0.0.0.0:9464", "metrics-insecure", false, io.Discard)
	if !errors.As(err, new(usageError)) || !strings.Contains(err.Error(), "--metrics-insecure") {
		t.Errorf("--metrics-addr 0.0.0.0:9464: %v; want a usage error naming --metrics-insecure", err)
	}
	if err := checkListen("metrics-addr", "0.0.0.0:9464", "metrics-insecure", true, io.Discard); err != nil {
		t.Errorf("with --metrics-insecure: %v", err)
	}
	if err := checkListen("metrics-addr", "127.0.0.1:9464", "metrics-insecure", false, io.Discard); err != nil {
		t.Errorf("loopback: %v", err)
	}
}
