package quarantine

import (
	"bytes"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/hongbao/hongbao/ingest/events"
	"github.com/hongbao/hongbao/ingest/lake"
)

func TestParseReason(t *testing.T) {
	for _, s := range []string{"not_json", "invalid_utf8", "unreadable_file"} {
		if r, err := ParseReason(s); err != nil || string(r) != s {
			t.Errorf("ParseReason(%q) = %q, %v", s, r, err)
		}
	}
	_, err := ParseReason("nope")
	if err == nil || !strings.Contains(err.Error(), `"nope" is not a quarantine reason; use one of not_json, `) ||
		!strings.HasSuffix(err.Error(), ", unreadable_file") {
		t.Errorf("ParseReason(nope) = %v", err)
	}
}

func TestRowsForATerminalAndForAFile(t *testing.T) {
	c := ReasonCount{Reason: events.ReasonNotJSON, Topic: topic, Messages: 5, Replayed: 2, Partitions: 2,
		FirstOffset: 3, LastOffset: 90, Example: strings.Repeat("紅包", 50)}
	whole := c.Row(false)
	if !slices.Equal(whole, []any{"not_json", topic, int64(5), int64(2), int64(3), int64(2), int64(3), int64(90), strings.Repeat("紅包", 50)}) {
		t.Errorf("Row(false) = %v", whole)
	}
	if ex := c.Row(true)[8].(string); !strings.HasSuffix(ex, "… (300 bytes)") || len(ex) >= 300 {
		t.Errorf("Row(true) example = %q, want it cut with the size", ex)
	}
	if n := len(c.Row(true)); n != len(ListHeader.Columns) || n != len(ListHeader.Types) {
		t.Errorf("a list row has %d values for %d columns", n, len(ListHeader.Columns))
	}

	m := &Message{Topic: topic, Partition: 1, Offset: 7, KafkaTS: time.Date(2014, 1, 30, 16, 0, 5, 0, time.UTC),
		Reason: events.ReasonNotJSON, Detail: "bad", Raw: []byte("a\nb\xff")}
	row := m.Row(true)
	want := []any{topic, int64(1), int64(7), nil, "2014-01-31 00:00:05", "not_json", "bad", `a\nb\xFF`, nil}
	if !slices.Equal(row, want) || len(row) != len(ShowHeader.Columns) {
		t.Errorf("Message.Row = %#v, want %#v (Kafka time in China Standard Time, no key, not replayed)", row, want)
	}
}

func TestListTotal(t *testing.T) {
	got := ListTotal([]ReasonCount{{Messages: 1500, Replayed: 400}, {Messages: 12, Replayed: 0}})
	if want := "1,512 messages in quarantine: 1,112 waiting, 400 landed by a replay"; got != want {
		t.Errorf("ListTotal = %q, want %q", got, want)
	}
}

func TestReplayReportPrint(t *testing.T) {
	rep := &ReplayReport{Considered: 12,
		Landed:  map[events.Reason]int64{"unknown_envelope": 1, "bad_timestamp": 3},
		Tables:  map[string]TableCount{"grabs": {Rows: 3, SumFen: 1240}, "envelopes": {Rows: 1}},
		Stays:   map[events.Reason]int64{"not_json": 8},
		Commits: []lake.ReplayCommit{{Seq: 4}, {Seq: 5}}}
	var out bytes.Buffer
	if err := rep.Print(&out, "D"); err != nil {
		t.Fatal(err)
	}
	want := `12 quarantined messages not replayed before: 4 landed, 8 stay in quarantine

landed, by the reason they had been quarantined for:
  bad_timestamp                 3
  unknown_envelope              1

landed, by table:
  envelopes                     1 rows
  grabs                         3 rows  1,240 fen

stay in quarantine, by the reason they fail today's rules for:
  not_json                      8

2 replay commits, markers D/lake/_replay/00000000000000000004.json to 00000000000000000005.json.
Run 'hongbao transform --dir D' to bring the warehouse up to date.
`
	if out.String() != want {
		t.Errorf("Print wrote:\n%s\nwant:\n%s", out.String(), want)
	}
	rep.DryRun, rep.Commits = true, nil
	out.Reset()
	if err := rep.Print(&out, "D"); err != nil {
		t.Fatal(err)
	}
	if s := out.String(); !strings.HasPrefix(s, "12 quarantined messages not replayed before: 4 would land, 8 would stay in quarantine\n") ||
		!strings.HasSuffix(s, "\nNothing was landed: run without --dry-run to land them.\n") {
		t.Errorf("Print of a dry run wrote:\n%s", s)
	}
}

func TestPrintEvictions(t *testing.T) {
	evs := []lake.Eviction{{Table: "grabs", File: "f.parquet", Topic: topic, Partition: 2, Marker: "m.json",
		QuarantineFile: lake.CommitFile{File: "q.parquet", Rows: 1200},
		Reasons:        map[events.Reason]int64{events.ReasonInvalidUTF8: 1, lake.ReasonUnreadableFile: 1199}}}
	var out bytes.Buffer
	if err := PrintEvictions(&out, "D", evs, true); err != nil {
		t.Fatal(err)
	}
	want := `evicted grabs/f.parquet: 1,200 rows moved to quarantine (invalid_utf8 1, unreadable_file 1,199)
  the file is kept at D/lake/_evicted/grabs/f.parquet
  marker D/lake/_commits/hongbao.events/p002/m.json lists quarantine/q.parquet instead
Next: 'hongbao quarantine replay --dir D' lands the valid rows again, then 'hongbao transform --dir D'.
`
	if out.String() != want {
		t.Errorf("PrintEvictions wrote:\n%s\nwant:\n%s", out.String(), want)
	}
	out.Reset()
	if err := PrintEvictions(&out, "D", evs, false); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(out.String(), "Next:") {
		t.Errorf("an eviction that stopped part way says what to run next:\n%s", out.String())
	}
}
