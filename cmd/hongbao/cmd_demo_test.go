package main

import (
	"bytes"
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hongbao/hongbao/ingest/broker"
	"github.com/hongbao/hongbao/ingest/events"
	"github.com/hongbao/hongbao/internal/datadir"
	"github.com/hongbao/hongbao/internal/testenv"
	"github.com/hongbao/hongbao/internal/testtopic"
	"github.com/hongbao/hongbao/reports/fonts"
)

// TestDemoEndToEnd runs the main job at a small scale: embedded broker, simulate,
// ingest, warehouse, report, and the summary; then runs it again in the same folder.
func TestDemoEndToEnd(t *testing.T) {
	if _, err := fonts.Chinese(""); err != nil {
		testenv.Missing(t, "no Chinese font for the demo's report: %v", err)
	}
	g := &globalOptions{dir: filepath.Join(t.TempDir(), "demo")}
	o := &demoOptions{world: worldOptions{scale: 0.0005, seed: 3}}
	for run := 1; run <= 2; run++ {
		var out bytes.Buffer
		res, err := runDemo(context.Background(), g, o, &out)
		if err != nil {
			t.Fatalf("run %d: %v", run, err)
		}
		for _, typ := range events.Types {
			if res.Landed[typ] != res.Produced.Count[typ] || res.Landed[typ] == 0 {
				t.Errorf("run %d: %s produced %d, landed %d", run, typ, res.Produced.Count[typ], res.Landed[typ])
			}
		}
		if res.Quarantined != 0 {
			t.Errorf("run %d: %d simulated events quarantined", run, res.Quarantined)
		}
		// 25,000 x 0.0005 = 12.5 claims: 12 or 13, as the carried fraction falls.
		if res.PeakMinute != "2014-01-31 00:00 Asia/Shanghai" || res.PeakClaims < 12 || res.PeakClaims > 13 {
			t.Errorf("run %d: busiest minute %s with %d claims, want 2014-01-31 00:00 with 12 or 13", run, res.PeakMinute, res.PeakClaims)
		}
		if res.ReportPages < 5 || res.ReportCharts < 5 {
			t.Errorf("run %d: report of %d pages and %d charts", run, res.ReportPages, res.ReportCharts)
		}
		for _, want := range []string{"busiest minute: 2014-01-31 00:00", "report: ", "wall time: "} {
			if !strings.Contains(out.String(), want) {
				t.Errorf("run %d: the summary lacks %q:\n%s", run, want, out.String())
			}
		}
		run, ok, err := datadir.Dir(g.dir).ReadRun()
		if err != nil || !ok || run.Scale != 0.0005 || run.Seed != 3 {
			t.Errorf("run.json: %+v ok=%v err=%v", run, ok, err)
		}
	}
	// A folder that holds something else is refused, and left alone.
	other := t.TempDir()
	keep := filepath.Join(other, "thesis.tex")
	if err := os.WriteFile(keep, []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	_, err := runDemo(context.Background(), &globalOptions{dir: other}, o, &bytes.Buffer{})
	if _, ok := err.(usageError); !ok {
		t.Errorf("demo in a folder of other data: %v, want a usage error", err)
	}
	if _, err := os.Stat(keep); err != nil {
		t.Errorf("the demo touched a folder it refused: %v", err)
	}
}

// TestDemoWithBrokers runs the demo against brokers it did not start (here an
// embedded broker of the test's own, standing in for a cluster): it drains the topic
// and lands every event it produced.
func TestDemoWithBrokers(t *testing.T) {
	b := testtopic.Broker(t, filepath.Join(t.TempDir(), "broker"))
	g := &globalOptions{dir: filepath.Join(t.TempDir(), "demo")}
	o := &demoOptions{world: worldOptions{scale: 0.0003, seed: 4}, kafka: kafkaOptions{brokers: b.Addr(), topic: broker.DefaultTopic}}
	var out bytes.Buffer
	res, err := runDemo(context.Background(), g, o, &out)
	if err != nil {
		t.Fatal(err)
	}
	for _, typ := range events.Types {
		if res.Landed[typ] != res.Produced.Count[typ] || res.Landed[typ] == 0 {
			t.Errorf("%s produced %d, landed %d", typ, res.Produced.Count[typ], res.Landed[typ])
		}
	}
	if _, err := os.Stat(filepath.Join(g.dir, "broker")); err == nil {
		t.Errorf("the demo started a broker of its own although --brokers was given")
	}
}

// TestDemoSecurityFlagsNeedBrokers: TLS and SASL flags without --brokers are a
// usage error, since the embedded broker speaks neither.
func TestDemoSecurityFlagsNeedBrokers(t *testing.T) {
	for _, args := range [][]string{{"--tls"}, {"--sasl-user", "ana"}} {
		c := newDemoCommand(&globalOptions{dir: filepath.Join(t.TempDir(), "demo")})
		c.SetArgs(args)
		c.SetOut(io.Discard)
		c.SetErr(io.Discard)
		err := c.Execute()
		var u usageError
		if !errors.As(err, &u) || !strings.Contains(err.Error(), "--brokers") {
			t.Errorf("demo %v: %v; want a usage error naming --brokers", args, err)
		}
	}
}

// TestScaleRefusedBeforeAnythingStarts: a --scale no simulation runs at (NaN, which
// every comparison used to let through and which then simulated nothing and exited 0,
// and past the maximum) is a usage error before the demo makes its folder or starts a
// broker, and before simulate writes its output; facts refuses it too (1e308 made every
// expected count +Inf).
func TestScaleRefusedBeforeAnythingStarts(t *testing.T) {
	for _, scale := range []string{"NaN", "0", "-1", "11"} {
		dir := filepath.Join(t.TempDir(), "demo")
		output := filepath.Join(t.TempDir(), "events.jsonl")
		for _, args := range [][]string{
			{"--dir", dir, "demo", "--scale", scale},
			{"--dir", dir, "simulate", "--scale", scale, "--output", output},
			{"--dir", dir, "facts", "--scale", scale},
		} {
			_, err := runHongbao(t, "", args...)
			if scale == "0" && args[2] == "facts" {
				continue // facts --scale 0 is the default: the run record's
			}
			if !isUsage(err) || !strings.Contains(err.Error(), "must be above 0 and at most 10") {
				t.Errorf("%v: %v, want a usage error naming the range", args, err)
			}
		}
		for _, p := range []string{dir, output} {
			if _, err := os.Stat(p); !errors.Is(err, os.ErrNotExist) {
				t.Errorf("--scale %s: %s exists (%v)", scale, p, err)
			}
		}
	}
}
