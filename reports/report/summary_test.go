package report

import (
	"context"
	"maps"
	"strings"
	"testing"

	"github.com/hongbao/hongbao/internal/testworld"
	"github.com/hongbao/hongbao/transform"
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

// TestSummaryOfAnEarlierWarehouse: the rows and money come from what the refresh
// checked; a warehouse refreshed before it recorded the money gets a sentence naming
// the command that brings it up to date, not DuckDB's binder error.
func TestSummaryOfAnEarlierWarehouse(t *testing.T) {
	dir := t.TempDir()
	testworld.Festival(t, dir)
	w := testworld.Refreshed(t, transform.Open, dir)
	if _, err := w.DB().Exec("ALTER TABLE _hongbao_meta DROP COLUMN sum_fen"); err != nil {
		t.Fatal(err)
	}
	w.Close()
	_, err := Build(context.Background(), Options{Dir: dir, Out: t.TempDir(), Lang: "en"})
	if err == nil || !strings.Contains(err.Error(), "run 'hongbao transform'") {
		t.Fatalf("report of a warehouse without sum_fen: %v, want a sentence naming 'hongbao transform'", err)
	}
	// The command it names mends it.
	testworld.Refresh(t, transform.Open, dir)
	if _, err := Build(context.Background(), Options{Dir: dir, Out: t.TempDir(), Lang: "en"}); err != nil {
		t.Fatalf("report after 'hongbao transform': %v", err)
	}
}
