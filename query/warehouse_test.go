package query

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/hongbao/hongbao/internal/locale"
	"github.com/hongbao/hongbao/internal/testworld"
	"github.com/hongbao/hongbao/transform"
)

func TestTimestampsAreInstants(t *testing.T) {
	_, w := refreshed(t)
	// The session zone is Asia/Shanghai on every connection of the pool.
	w.DB().SetMaxOpenConns(3)
	for range 3 {
		var tz string
		if err := w.DB().QueryRow("SELECT current_setting('TimeZone')").Scan(&tz); err != nil || tz != locale.ZoneName {
			t.Fatalf("TimeZone = %q, %v", tz, err)
		}
	}
	res, err := Query(context.Background(), w.DB(), `
		SELECT typeof(ts) AS type, ts, ts::VARCHAR AS text FROM grabs WHERE event_id = 'g2'
		UNION ALL
		SELECT typeof(ts), ts, ts::VARCHAR FROM envelopes WHERE event_id = 'e2'`)
	if err != nil {
		t.Fatal(err)
	}
	// Instants, shown in Beijing time.
	want := [][]string{
		{"TIMESTAMP WITH TIME ZONE", "2014-01-31 00:00:10", "2014-01-31 00:00:10+08"},
		{"TIMESTAMP WITH TIME ZONE", "2014-01-31 00:00:58", "2014-01-31 00:00:58+08"},
	}
	for i, row := range res.Rows {
		for c, v := range row {
			if v.Text != want[i][c] {
				t.Errorf("row %d %s = %q, want %q", i, res.Columns[c], v.Text, want[i][c])
			}
		}
	}
}

func TestClaimsPerMinuteBusiestMinute(t *testing.T) {
	_, w := refreshed(t)
	res, err := Query(context.Background(), w.DB(), `
		SELECT minute, typeof(minute) AS type, claims, attempts, claimed_fen
		FROM claims_per_minute ORDER BY claims DESC, minute LIMIT 1`)
	if err != nil {
		t.Fatal(err)
	}
	got := make([]string, len(res.Columns))
	for c, v := range res.Rows[0] {
		got[c] = v.Text
	}
	if want := "2014-01-31 00:00:00|TIMESTAMP|3|4|9150"; strings.Join(got, "|") != want {
		t.Errorf("busiest minute = %s, want %s", strings.Join(got, "|"), want)
	}
	if n := testworld.QueryInt(t, w.DB(), "SELECT count(*) FROM claims_per_minute"); n != 3 {
		t.Errorf("claims_per_minute has %d minutes, want 3", n)
	}
}

func TestReadOnlyRefusesWrites(t *testing.T) {
	dir, w := refreshed(t)
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	ro, err := transform.OpenReadOnly(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer ro.Close()
	ctx := context.Background()
	for stmt, kind := range map[string]string{
		"DROP TABLE grabs":  "DROP",
		"DELETE FROM grabs": "DELETE",
		"SELECT 1; INSERT INTO links SELECT * FROM links": "INSERT",
	} {
		_, err := Query(ctx, ro.DB(), stmt)
		want := kind + " is not allowed in hongbao's SQL: " + writeInstead
		if !errors.Is(err, ErrRefused) || err.Error() != want {
			t.Errorf("Query(%q) error:\n got %v\nwant %s", stmt, err, want)
		}
	}
	if n := testworld.QueryInt(t, ro.DB(), "SELECT count(*) FROM grabs"); n != 6 {
		t.Errorf("grabs has %d rows after refused writes, want 6", n)
	}
	if err := ro.Refresh(ctx); !errors.Is(err, transform.ErrReadOnly) {
		t.Errorf("Refresh on a read-only warehouse = %v, want transform.ErrReadOnly", err)
	}
	// Other errors pass through as DuckDB wrote them.
	if _, err := Query(ctx, ro.DB(), "SELECT nosuch FROM grabs"); err == nil || errors.Is(err, ErrRefused) ||
		!strings.Contains(err.Error(), `Referenced column "nosuch" not found`) {
		t.Errorf("bad column: %v", err)
	}
}
