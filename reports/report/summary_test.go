package report

import (
	"context"
	"maps"
	"testing"
)

// TestSummary: the report gives back the rows, money and busiest minute it read, for
// the demo to print.
func TestSummary(t *testing.T) {
	res, err := Build(context.Background(), Options{Dir: testWarehouse(t), Out: t.TempDir(), Lang: "en"})
	if err != nil {
		t.Fatal(err)
	}
	s := res.Summary
	// Worked out by hand from warehouse_test.go.
	rows := map[string]int64{"envelopes": 5, "grabs": 16, "card_bindings": 8, "withdrawals": 3, "payments": 6, "links": 4, "quarantine": 0}
	fen := map[string]int64{"envelopes": 2250, "grabs": 2250, "card_bindings": 0, "withdrawals": 560, "payments": 8200, "links": 0, "quarantine": 0}
	if !maps.Equal(s.Rows, rows) || !maps.Equal(s.Fen, fen) {
		t.Errorf("rows %v, fen %v; want %v, %v", s.Rows, s.Fen, rows, fen)
	}
	for _, table := range eventTables {
		if _, ok := s.Rows[table]; !ok {
			t.Errorf("sql/table_rows.sql does not count lake table %s", table)
		}
	}
	if !s.PeakMinute.Equal(at(31, 0, 0)) || s.PeakClaims != 3 {
		t.Errorf("busiest minute %v with %d claims, want Day 1 00:00 with 3", s.PeakMinute, s.PeakClaims)
	}
}
