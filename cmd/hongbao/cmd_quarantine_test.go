package main

import (
	"errors"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/hongbao/hongbao/ingest/events"
	"github.com/hongbao/hongbao/ingest/lake"
	"github.com/hongbao/hongbao/internal/testworld"
	"github.com/hongbao/hongbao/transform"
)

// writeBadLake commits, as the build before UTF-8 validation did, an envelope and three
// claims on it (one with a user id that is not UTF-8) and a message that is not JSON.
// It returns the grabs file DuckDB cannot read.
func writeBadLake(t *testing.T, dir string) string {
	t.Helper()
	ts := testworld.TS("2014-01-30 16:00:00+00")
	world := testworld.New(t, dir).Add(0,
		testworld.Envelope("e1", ts, "env1", "u0", "c1", events.KindLucky, 1000, 3),
		testworld.Claim("g1", ts.Add(time.Second), "env1", "u1", 100),
		testworld.Claim("g2", ts.Add(time.Second), "env1", "u\xff", 100),
		testworld.Claim("g3", ts.Add(time.Second), "env1", "u3", 100))
	world.Quarantine(0, lake.QuarantineRecord{Raw: []byte("hello\x00kafka"), Reason: events.ReasonNotJSON, Detail: "not JSON"})
	return world.Path(world.Commit()[0], "grabs")
}

func TestQuarantineCommandsEvictAndReplay(t *testing.T) {
	dir := t.TempDir()
	bad := writeBadLake(t, dir)

	out, err := runHongbao(t, "", "--dir", dir, "transform")
	if !errors.Is(err, transform.ErrUnreadableLakeFile) || isUsage(err) {
		t.Fatalf("transform over an unreadable file = %v", err)
	}
	if !strings.Contains(squeeze(out), "\ngrabs 0 rows no lake files, 1 unreadable file left out\n") ||
		!strings.Contains(squeeze(out), "envelopes 1 rows from 1 lake file\n") {
		t.Errorf("transform printed:\n%s", out)
	}
	if !strings.Contains(err.Error(), "hongbao quarantine evict --dir "+dir+" "+bad) {
		t.Errorf("the sentence lacks the command:\n%v", err)
	}

	out, err = runHongbao(t, "", "--dir", dir, "quarantine", "evict", bad)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out, "3 rows moved to quarantine (invalid_utf8 1, unreadable_file 2)") {
		t.Errorf("evict printed:\n%s", out)
	}

	out, err = runHongbao(t, "", "--dir", dir, "quarantine", "list", "--format", "csv")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(out, "reason,topic,messages,replayed,waiting,partitions,first_offset,last_offset,example\n"+
		"unreadable_file,hongbao.events,2,0,2,1,1,3,") || !strings.Contains(out, "\nnot_json,hongbao.events,1,0,1,1,4,4,not JSON\n") {
		t.Errorf("list printed:\n%s", out)
	}
	out, err = runHongbao(t, "", "--dir", dir, "quarantine", "show", "--reason", "not_json")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out, `hello\u{0}kafka`) || !strings.Contains(out, "(1 row)") {
		t.Errorf("show printed:\n%s", out)
	}

	for run := 1; run <= 2; run++ {
		out, err = runHongbao(t, "", "--dir", dir, "quarantine", "replay")
		if err != nil {
			t.Fatal(err)
		}
		want := map[int]string{
			1: "4 quarantined messages not replayed before: 2 landed, 2 stay in quarantine",
			2: "2 quarantined messages not replayed before: 0 landed, 2 stay in quarantine",
		}[run]
		if !strings.HasPrefix(out, want) || !strings.Contains(squeeze(out), "\n invalid_utf8 1\n not_json 1\n") {
			t.Errorf("replay %d printed:\n%s", run, out)
		}
		if run == 1 && !strings.Contains(squeeze(out), "\n grabs 2 rows 200 fen\n") {
			t.Errorf("replay printed:\n%s", out)
		}
	}
	out, err = runHongbao(t, "", "--dir", dir, "transform")
	if err != nil {
		t.Fatal(err)
	}
	wantContains(t, "transform after replay", squeeze(out), "\ngrabs 2 rows", "\nquarantine 2 rows", "\nquarantine_replays 2 rows")
}

func TestQuarantineFlagsAreChecked(t *testing.T) {
	for _, args := range [][]string{
		{"quarantine", "list", "--reason", "nope"},
		{"quarantine", "show", "--limit", "0"},
		{"quarantine", "show", "--format", "xml"},
		{"quarantine", "evict"},
		{"quarantine"},
	} {
		_, err := runHongbao(t, "", append([]string{"--dir", t.TempDir()}, args...)...)
		if !isUsage(err) {
			t.Errorf("%v: %v, want a usage error", args, err)
		}
	}
}

// squeeze collapses runs of spaces, so that tests do not depend on column widths.
func squeeze(s string) string { return spaces.ReplaceAllString(s, " ") }

var spaces = regexp.MustCompile(` +`)
