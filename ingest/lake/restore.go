package lake

import (
	"cmp"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/parquet/file"
	"github.com/apache/arrow-go/v18/parquet/pqarrow"

	"github.com/hongbao/hongbao/ingest/events"
)

// RestoreTracker seeds t with the envelopes of one partition that a Tracker would
// still remember: those sent within events.EnvelopeLifetime of the partition's newest
// committed envelope, with what had been claimed of each. It reads only the envelopes
// files whose time range reaches into that window (the markers say which) and the
// grabs files committed from the first of them on, and calls t.Restore for each
// envelope in the order they were sent. A partition without commits leaves t as is.
func (l *Lake) RestoreTracker(topic string, partition int, t *events.Tracker) error {
	if err := CheckTopic(topic); err != nil {
		return err
	}
	cs, err := l.markers(topic, partition)
	if err != nil {
		return err
	}
	// The window ends at the newest envelope, not the newest event of any type: a
	// Tracker moves its clock on envelope_sent only, and remembering an envelope too
	// many costs nothing, whereas forgetting one sends its claims to quarantine. The
	// newest is the median of the newest sends of the last commits, so that a few
	// envelopes dated in the future, which do not move a Tracker's clock, do not
	// narrow the window either; MaxClockLead widens it by what the clock may trail.
	envTable := events.EnvelopeSent.Table()
	var newests []time.Time
	for i := len(cs) - 1; i >= 0 && len(newests) < 15; i-- {
		if f, ok := cs[i].File(envTable); ok {
			newests = append(newests, f.MaxTS)
		}
	}
	if len(newests) == 0 {
		return nil
	}
	slices.SortFunc(newests, time.Time.Compare)
	newest := newests[len(newests)/2]
	cutoff := newest.Add(-events.EnvelopeLifetime - events.MaxClockLead).UnixMicro()

	type envelope struct {
		id       string
		sent     int64 // ts, µs
		offset   int64
		shares   int32
		totalFen int64
		claims   int32
		claimFen int64
	}
	live := make(map[string]*envelope)
	grabTable := events.EnvelopeGrabbed.Table()
	// The files to read: the envelopes of the commits that reach the window and the
	// grabs from the first of them on, then what 'hongbao quarantine replay' landed
	// on this partition (at offsets inside the commits' ranges).
	var envFiles, grabFiles []string
	from := -1 // the first commit whose envelopes reach the window
	for i := range cs {
		if f, ok := cs[i].File(envTable); ok && f.MaxTS.UnixMicro() >= cutoff {
			if from < 0 {
				from = i
			}
			envFiles = append(envFiles, f.File)
		}
		if f, ok := cs[i].File(grabTable); ok && from >= 0 {
			grabFiles = append(grabFiles, f.File)
		}
	}
	replayed, err := l.replayFiles(topic, partition)
	if err != nil {
		return err
	}
	for _, f := range replayed {
		switch {
		case f.Table == envTable && f.MaxTS.UnixMicro() >= cutoff:
			envFiles = append(envFiles, f.File)
		case f.Table == grabTable:
			grabFiles = append(grabFiles, f.File)
		}
	}
	for _, file := range envFiles {
		err := l.scan(filepath.Join(l.tableDir(envTable), file), schemas[tEnvelopes],
			[]string{"envelope_id", "ts", "shares", "total_fen", "kafka_offset"},
			func(cols []arrow.Array) {
				ids, ts := cols[0].(*array.String), cols[1].(*array.Timestamp)
				shares, total, off := cols[2].(*array.Int32), cols[3].(*array.Int64), cols[4].(*array.Int64)
				for r := 0; r < ids.Len(); r++ {
					if int64(ts.Value(r)) < cutoff {
						continue
					}
					// A second send of an id keeps the first, as Tracker.Check does; only lakes
					// of older builds hold one.
					if live[ids.Value(r)] != nil {
						continue
					}
					id := strings.Clone(ids.Value(r))
					live[id] = &envelope{id: id, sent: int64(ts.Value(r)), offset: off.Value(r),
						shares: shares.Value(r), totalFen: total.Value(r)}
				}
			})
		if err != nil {
			return err
		}
	}
	if len(live) == 0 {
		return nil
	}

	for _, file := range grabFiles {
		err := l.scan(filepath.Join(l.tableDir(grabTable), file), schemas[tGrabs],
			[]string{"envelope_id", "outcome", "amount_fen", "kafka_offset"},
			func(cols []arrow.Array) {
				ids, outcome := cols[0].(*array.String), cols[1].(*array.String)
				amount, off := cols[2].(*array.Int64), cols[3].(*array.Int64)
				for r := 0; r < ids.Len(); r++ {
					if outcome.Value(r) != events.OutcomeClaimed {
						continue
					}
					e := live[ids.Value(r)]
					if e == nil || off.Value(r) < e.offset {
						continue // not in the window, or a claim on an earlier send of the id
					}
					e.claims++
					e.claimFen += amount.Value(r)
				}
			})
		if err != nil {
			return err
		}
	}

	order := make([]*envelope, 0, len(live))
	for _, e := range live {
		order = append(order, e)
	}
	slices.SortFunc(order, func(a, b *envelope) int { return cmp.Compare(a.offset, b.offset) })
	for _, e := range order {
		t.Restore(e.id, time.UnixMicro(e.sent).UTC(), e.offset, e.shares, e.totalFen, e.claims, e.claimFen)
	}
	return nil
}

// scan reads the named columns of a Parquet file in batches, passing fn the columns
// in the order named. The arrays are valid only during the call.
// Each column must have the type the table's schema gives it.
func (l *Lake) scan(path string, schema *arrow.Schema, names []string, fn func(cols []arrow.Array)) error {
	f, err := os.Open(path)
	if err != nil {
		return fmt.Errorf("lake: %w", err)
	}
	rdr, err := file.NewParquetReader(f)
	if err != nil {
		f.Close()
		return fmt.Errorf("lake: read %s: %w", path, err)
	}
	defer rdr.Close()
	fr, err := pqarrow.NewFileReader(rdr, pqarrow.ArrowReadProperties{BatchSize: 64 << 10}, l.mem)
	if err != nil {
		return fmt.Errorf("lake: read %s: %w", path, err)
	}
	sc, err := fr.Schema()
	if err != nil {
		return fmt.Errorf("lake: read %s: %w", path, err)
	}
	idx := make([]int, len(names))
	for i, name := range names {
		found := sc.FieldIndices(name)
		want := schema.FieldIndices(name)
		if len(found) != 1 || len(want) != 1 {
			return fmt.Errorf("lake: read %s: no column %s", path, name)
		}
		if got := sc.Field(found[0]).Type; !arrow.TypeEqual(got, schema.Field(want[0]).Type) {
			return fmt.Errorf("lake: read %s: column %s is %s, not %s", path, name, got, schema.Field(want[0]).Type)
		}
		idx[i] = found[0]
	}
	rr, err := fr.GetRecordReader(context.Background(), idx, nil)
	if err != nil {
		return fmt.Errorf("lake: read %s: %w", path, err)
	}
	defer rr.Release()
	cols := make([]arrow.Array, len(names))
	for rr.Next() {
		rec := rr.RecordBatch()
		for i, name := range names {
			cols[i] = rec.Column(rec.Schema().FieldIndices(name)[0])
		}
		fn(cols)
	}
	if err := rr.Err(); err != nil {
		return fmt.Errorf("lake: read %s: %w", path, err)
	}
	return nil
}
