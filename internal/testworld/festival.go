package testworld

import (
	"bufio"
	"bytes"
	"embed"
	"fmt"
	"testing"

	"github.com/hongbao/hongbao/ingest/events"
	"github.com/hongbao/hongbao/internal/datadir"
)

// The festival world, as data: its events in the wire format the ingester reads (one
// JSON object a line, times in China Standard Time), and its bank table in the format
// of a user's DIR/banks.csv (shares sum to 1 and, largest first, are ICBC 0.4, ABC 0.3,
// HXB 0.15, CMB 0.1, DBS 0.05).
//
//go:embed festival/events.jsonl festival/banks.csv
var festivalFiles embed.FS

// Festival writes the hand-built festival world into data folder dir, and returns it
// for more: a few events of every table, from launch day (2014-01-26) to Day 1
// (2014-01-31), each placed so that every figure of the report and of the facts sheet
// can be worked out by hand (see the expectations in reports/report/data_test.go and
// transform/facts/facts_test.go), all in partition 0; and its bank table as
// DIR/banks.csv, which a refresh loads instead of the built-in one.
func Festival(t testing.TB, dir string) *World {
	t.Helper()
	es, err := festivalEvents()
	if err != nil {
		t.Fatal(err)
	}
	w := New(t, dir)
	w.Add(0, es...).Commit()
	banks, err := festivalFiles.ReadFile("festival/banks.csv")
	if err == nil {
		err = datadir.Dir(dir).WriteBanks(banks)
	}
	if err != nil {
		t.Fatal(err)
	}
	return w
}

// festivalEvents decodes the festival world's events as the ingester does, so an event
// the ingester would quarantine cannot slip into the fixture.
func festivalEvents() ([]events.Event, error) {
	raw, err := festivalFiles.ReadFile("festival/events.jsonl")
	if err != nil {
		return nil, err
	}
	var es []events.Event
	v := events.DefaultValidator()
	sc := bufio.NewScanner(bytes.NewReader(raw))
	for n := 1; sc.Scan(); n++ {
		e, err := events.Decode(sc.Bytes(), v)
		if err != nil {
			return nil, fmt.Errorf("festival/events.jsonl:%d: %w", n, err)
		}
		es = append(es, e)
	}
	return es, sc.Err()
}
