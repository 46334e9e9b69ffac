// Package testworld builds the worlds hongbao's tests run on, the way the ingester
// builds them: events and refused messages are appended to ingest/lake's partition
// writers and committed with their markers, so that every test reads a lake the real
// writer wrote. A test that needs a broken or foreign file replaces one committed file
// by hand, and only that one.
//
// It sits below the warehouse: a test refreshes the warehouse on the world itself.
package testworld

import (
	"context"
	"database/sql"
	"path/filepath"
	"slices"
	"testing"
	"time"

	_ "github.com/duckdb/duckdb-go/v2" // the "duckdb" database/sql driver

	"github.com/hongbao/hongbao/ingest/events"
	"github.com/hongbao/hongbao/ingest/lake"
	"github.com/hongbao/hongbao/ingest/simulate"
)

// Topic is the Kafka topic the worlds' messages were read from.
const Topic = "hongbao.events"

// flushRows is how many rows a partition writer takes before a world commits them, as
// the ingester's default --flush-rows.
const flushRows = 250_000

// World is a lake under construction in a data folder: each partition's messages are
// appended at the partition's next offsets and land with Commit.
type World struct {
	// Commits are the world's commits, in the order they were made.
	Commits []*lake.Commit

	t       testing.TB
	lake    *lake.Lake
	writers map[int]*lake.PartitionWriter
	next    map[int]int64
}

// New opens (creating) the lake of data folder dir for a world. Every failure fails t.
func New(t testing.TB, dir string) *World {
	t.Helper()
	l, err := lake.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	return &World{t: t, lake: l, writers: map[int]*lake.PartitionWriter{}, next: map[int]int64{}}
}

// Lake is the world's lake, for what a test does to it beside the ingester (a replay,
// an eviction).
func (w *World) Lake() *lake.Lake { return w.lake }

// writer is the partition's writer, and the offset its next message gets.
func (w *World) writer(partition int) (*lake.PartitionWriter, int64) {
	pw := w.writers[partition]
	if pw == nil {
		pw = w.lake.NewPartitionWriter(Topic, partition)
		w.writers[partition] = pw
	}
	offset := w.next[partition]
	w.next[partition]++
	return pw, offset
}

// Add appends events to a partition, each at the partition's next offset.
func (w *World) Add(partition int, es ...events.Event) *World {
	for i := range es {
		pw, offset := w.writer(partition)
		pw.Append(offset, &es[i])
	}
	return w
}

// Quarantine appends refused messages to a partition, each at the partition's next
// offset (their Offset is ignored).
func (w *World) Quarantine(partition int, qs ...lake.QuarantineRecord) *World {
	for _, q := range qs {
		pw, offset := w.writer(partition)
		q.Offset = offset
		pw.Quarantine(q)
	}
	return w
}

// Commit lands what was appended since the last commit: one commit per partition, in
// partition order, each with one file per table that got rows.
func (w *World) Commit() []*lake.Commit {
	w.t.Helper()
	parts := make([]int, 0, len(w.writers))
	for p := range w.writers {
		parts = append(parts, p)
	}
	slices.Sort(parts)
	var commits []*lake.Commit
	for _, p := range parts {
		c, err := w.commit(p)
		if err != nil {
			w.t.Fatal(err)
		}
		if c != nil {
			commits = append(commits, c)
		}
	}
	return commits
}

// commit commits one partition's rows and lets its lock go, so that a maintenance
// session may run between commits.
func (w *World) commit(partition int) (*lake.Commit, error) {
	pw := w.writers[partition]
	delete(w.writers, partition)
	defer pw.Release()
	c, err := pw.Commit()
	if c != nil {
		w.Commits = append(w.Commits, c)
	}
	return c, err
}

// Path is the lake file of a table that commit c wrote.
func (w *World) Path(c *lake.Commit, table string) string {
	w.t.Helper()
	f, ok := c.File(table)
	if !ok {
		w.t.Fatalf("commit of offsets %d-%d has no %s file", c.FirstOffset, c.LastOffset, table)
	}
	return filepath.Join(w.lake.Root(), table, f.File)
}

// Replace writes the rows of query, by DuckDB, over the file of a table that commit c
// wrote: a file the real writer would not write (another schema, other rows), for the
// tests of what its readers make of one. The marker still lists it as it was.
func (w *World) Replace(c *lake.Commit, table, query string) {
	w.t.Helper()
	db, err := sql.Open("duckdb", "")
	if err != nil {
		w.t.Fatal(err)
	}
	defer db.Close()
	path := filepath.ToSlash(w.Path(c, table))
	if _, err := db.Exec("COPY (" + query + ") TO '" + path + "' (FORMAT parquet, COMPRESSION zstd)"); err != nil {
		w.t.Fatalf("write %s: %v", path, err)
	}
}

// Simulate appends the simulator's events for cfg to partition 0, committing every
// 250,000 rows and at the end, and calls observe (when not nil) with each event as it
// is appended. It returns the simulator, for its calibration and expectations.
func (w *World) Simulate(cfg simulate.Config, observe func(*events.Event)) *simulate.Simulator {
	w.t.Helper()
	sim, err := simulate.New(cfg)
	if err != nil {
		w.t.Fatal(err)
	}
	err = sim.Run(context.Background(), func(e *events.Event) error {
		if observe != nil {
			observe(e)
		}
		w.Add(0, *e)
		if w.writers[0].Pending() >= flushRows {
			_, err := w.commit(0)
			return err
		}
		return nil
	})
	if err != nil {
		w.t.Fatal(err)
	}
	w.Commit()
	return sim
}

// Small writes the small world the warehouse and query tests assert on into dir, and
// returns it for more. Partition 0 holds envelope env1 (100 yuan, 4 shares) and four
// grabs of it, then one message that is not JSON; partition 1 holds envelope env2 (200
// yuan, 2 shares) and two grabs of it: six grabs around midnight of 2014-01-31 in
// Beijing, in two files (9650 fen claimed by four claims, two misses), two envelopes
// (30000 fen), one quarantined message, nothing in the other tables.
//
//	minute (CST)       claims attempts claimed_fen
//	2014-01-30 23:59   1      1        500
//	2014-01-31 00:00   3      4        9150   <- busiest
//	2014-01-31 00:01   0      1        0
func Small(t testing.TB, dir string) *World {
	t.Helper()
	w := New(t, dir)
	w.Add(0,
		Envelope("e1", TS("2014-01-30 15:59:00+00"), "env1", "u0", "chat1", events.KindLucky, 10000, 4),
		Claim("g1", TS("2014-01-30 15:59:50+00"), "env1", "u1", 500),
		Claim("g2", TS("2014-01-30 16:00:10+00"), "env1", "u2", 100),
		Claim("g3", TS("2014-01-30 16:00:20+00"), "env1", "u3", 250),
		Miss("g4", TS("2014-01-30 16:00:30+00"), "env1", "u4"))
	w.Quarantine(0, lake.QuarantineRecord{KafkaTS: TS("2014-01-30 16:00:00+00"), Raw: []byte(`{"type":"envelope_grabbed"`),
		Reason: events.ReasonNotJSON, Detail: "unexpected end of JSON input", IngestedAt: TS("2014-01-30 16:00:01+00")})
	w.Add(1,
		Envelope("e2", TS("2014-01-30 16:00:58+00"), "env2", "u0", "chat2", events.KindFixed, 20000, 2),
		Claim("g5", TS("2014-01-30 16:00:59+00"), "env2", "u5", 8800),
		Miss("g6", TS("2014-01-30 16:01:05+00"), "env2", "u6"))
	w.Commit()
	return w
}

// TS reads an instant written as "2006-01-02 15:04:05-07" (the zone in hours: +00 for
// UTC, +08 for Beijing time). It panics on anything else.
func TS(s string) time.Time {
	ts, err := time.Parse("2006-01-02 15:04:05-07", s)
	if err != nil {
		panic(err)
	}
	return ts
}

// Envelope is an envelope_sent event.
func Envelope(id string, ts time.Time, envelope, sender, chat, kind string, totalFen int64, shares int32) events.Event {
	return events.Event{EventID: id, Type: events.EnvelopeSent, TS: ts, EnvelopeID: envelope, SenderID: sender,
		ChatID: chat, Kind: kind, TotalFen: totalFen, Shares: shares}
}

// Claim is an envelope_grabbed event that claimed amountFen.
func Claim(id string, ts time.Time, envelope, user string, amountFen int64) events.Event {
	return events.Event{EventID: id, Type: events.EnvelopeGrabbed, TS: ts, EnvelopeID: envelope, UserID: user,
		Outcome: events.OutcomeClaimed, AmountFen: amountFen}
}

// Miss is an envelope_grabbed event that found the envelope empty.
func Miss(id string, ts time.Time, envelope, user string) events.Event {
	return events.Event{EventID: id, Type: events.EnvelopeGrabbed, TS: ts, EnvelopeID: envelope, UserID: user,
		Outcome: events.OutcomeMissed}
}

// Binding is a card_bound event.
func Binding(id string, ts time.Time, user, provider, bank, outcome string) events.Event {
	return events.Event{EventID: id, Type: events.CardBound, TS: ts, UserID: user, Provider: provider,
		BankCode: bank, Outcome: outcome}
}

// Withdrawal is a withdrawal event.
func Withdrawal(id string, ts time.Time, user, provider, bank string, amountFen int64) events.Event {
	return events.Event{EventID: id, Type: events.Withdrawal, TS: ts, UserID: user, Provider: provider,
		BankCode: bank, AmountFen: amountFen}
}

// Payment is a payment event.
func Payment(id string, ts time.Time, user, provider, scenario string, amountFen int64, bank string) events.Event {
	return events.Event{EventID: id, Type: events.Payment, TS: ts, UserID: user, Provider: provider,
		Scenario: scenario, AmountFen: amountFen, BankCode: bank}
}

// Link is a link_shared event.
func Link(id string, ts time.Time, user, chat, url string) events.Event {
	return events.Event{EventID: id, Type: events.LinkShared, TS: ts, UserID: user, ChatID: chat, URL: url}
}
