package lake

import (
	"encoding/json"
	"path/filepath"
	"slices"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"

	"github.com/hongbao/hongbao/ingest/events"
)

// TestContract: the contract lists the event tables in the order of events.Types, the
// quarantine and the replay log; every column has a description and a DuckDB type, and
// the schema the writer builds from it is its columns.
func TestContract(t *testing.T) {
	var names []string
	for i, tc := range Contract() {
		names = append(names, tc.Name)
		if i < len(events.Types) && (tc.Event != events.Types[i] || tc.Name != tc.Event.Table()) ||
			i >= len(events.Types) && tc.Event != "" {
			t.Errorf("table %d %s holds events %q", i, tc.Name, tc.Event)
		}
		if tc.Row == "" {
			t.Errorf("%s: no description of a row", tc.Name)
		}
		if tc.MoneyColumn != "" {
			if c, ok := tc.Column(tc.MoneyColumn); !ok || c.DuckDBType() != "BIGINT" {
				t.Errorf("%s: money column %s is %+v", tc.Name, tc.MoneyColumn, c)
			}
		}
		if s := Schema(tc.Name); s != tc.Schema() || s.NumFields() != len(tc.Columns) {
			t.Fatalf("%s: Schema() differs from the contract", tc.Name)
		}
		for j, c := range tc.Columns {
			f := tc.Schema().Field(j)
			if f.Name != c.Name || !arrow.TypeEqual(f.Type, c.Type) || f.Nullable != c.Nullable {
				t.Errorf("%s: field %d is %v, the column %+v", tc.Name, j, f, c)
			}
			if c.About == "" {
				t.Errorf("%s.%s: no description", tc.Name, c.Name)
			}
			if typ := c.DuckDBType(); !slices.Contains([]string{"VARCHAR", "BLOB", "INTEGER", "BIGINT", "TIMESTAMPTZ"}, typ) {
				t.Errorf("%s.%s: DuckDB type %s", tc.Name, c.Name, typ)
			}
		}
	}
	if want := append(slices.Clone(Tables), ReplaysTable); !slices.Equal(names, want) {
		t.Errorf("contract tables %v, want %v", names, want)
	}
	if _, ok := TableContract("nosuch"); ok || Schema("nosuch") != nil {
		t.Error("an unknown table has a contract")
	}
	if ReplaysSchema() != Schema(ReplaysTable) {
		t.Error("ReplaysSchema is not the contract's")
	}
}

// TestEventColumnsHoldTheEventsFields: each of an event table's own columns is read from
// the message's field of its name (the column names are the wire format's keys), so a
// row says what the message said; the framing columns and the other tables read nothing.
func TestEventColumnsHoldTheEventsFields(t *testing.T) {
	dir, _, w := newLakeWriter(t, 0)
	defer w.Release()
	// One message of each type, in the order of events.Types, as a producer sends it.
	msgs := []string{
		`{"event_id":"e-1","type":"envelope_sent","ts":"2014-01-30T16:00:00Z","envelope_id":"env-1","sender_id":"u-s","chat_id":"c-1","kind":"lucky","total_fen":777,"shares":7}`,
		`{"event_id":"g-1","type":"envelope_grabbed","ts":"2014-01-30T16:00:01Z","envelope_id":"env-1","user_id":"u-g","outcome":"claimed","amount_fen":55}`,
		`{"event_id":"b-1","type":"card_bound","ts":"2014-01-30T16:00:02Z","user_id":"u-b","provider":"alipay","bank_code":"CMB","outcome":"bank_not_supported"}`,
		`{"event_id":"w-1","type":"withdrawal","ts":"2014-01-30T16:00:03Z","user_id":"u-w","provider":"wechat_pay","bank_code":"ICBC","amount_fen":4321}`,
		`{"event_id":"p-1","type":"payment","ts":"2014-01-30T16:00:04Z","user_id":"u-p","provider":"alipay","scenario":"taxi","amount_fen":1234,"bank_code":"BOC"}`,
		`{"event_id":"l-1","type":"link_shared","ts":"2014-01-30T16:00:05Z","user_id":"u-l","chat_id":"c-9","url":"http://hb.example/x"}`,
	}
	for i, m := range msgs {
		e, err := events.Decode([]byte(m), events.DefaultValidator())
		if err != nil {
			t.Fatalf("message %d: %v", i, err)
		}
		w.Append(int64(i), &e)
	}
	c, err := w.Commit()
	if err != nil {
		t.Fatal(err)
	}
	for i, tc := range Contract() {
		own := 0
		for _, col := range tc.Columns {
			if col.text != nil || col.number != nil {
				own++
			}
		}
		if tc.Event == "" {
			if own != 0 {
				t.Errorf("%s: %d columns read from an event", tc.Name, own)
			}
			continue
		}
		if want := len(tc.Columns) - 4; own != want {
			t.Errorf("%s: %d columns read from the event, want its %d own columns", tc.Name, own, want)
		}
		var wire map[string]any
		if err := json.Unmarshal([]byte(msgs[i]), &wire); err != nil {
			t.Fatal(err)
		}
		cf, ok := c.File(tc.Name)
		if !ok {
			t.Fatalf("no %s file", tc.Name)
		}
		names := make([]string, len(tc.Columns))
		for j, col := range tc.Columns {
			names[j] = col.Name
		}
		cols := fileColumns(t, filepath.Join(dir, "lake", tc.Name, cf.File), names...)
		for _, col := range tc.Columns[2 : len(tc.Columns)-2] {
			var got any
			switch a := cols[col.Name].(type) {
			case *array.String:
				got = a.Value(0)
			case *array.Int64:
				got = float64(a.Value(0))
			case *array.Int32:
				got = float64(a.Value(0))
			}
			if want, ok := wire[col.Name]; !ok || got != want {
				t.Errorf("%s.%s = %v, the message's %s is %v", tc.Name, col.Name, got, col.Name, want)
			}
		}
	}
}
