package lake

import (
	"slices"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"

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
