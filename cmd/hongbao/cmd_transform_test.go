package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"testing"
)

func TestRunTransformPrintsRowCounts(t *testing.T) {
	dir := t.TempDir()
	writeSQLTestLake(t, dir)
	var out bytes.Buffer
	if err := runTransform(context.Background(), &globalOptions{dir: dir}, &out, false); err != nil {
		t.Fatal(err)
	}
	want := `envelopes                0 rows  no lake files
grabs                    3 rows  from 1 lake file
card_bindings            0 rows  no lake files
withdrawals              0 rows  no lake files
payments                 0 rows  no lake files
links                    0 rows  no lake files
quarantine               0 rows  no lake files
quarantine_replays       0 rows  no lake files
banks                  180 rows  reference
payment_scenarios       21 rows  reference
mobile_payment_market    5 rows  reference
later_years             16 rows  reference
facts_reported          21 rows  reference
facts_corroboration     13 rows  reference
facts_notes              3 rows  reference
claims_per_minute        2 rows  model
claims_per_hour          1 rows  model
midnight_window        120 rows  model
user_bindings            0 rows  model
bank_bindings            0 rows  model
user_grabs               3 rows  model
festival_windows         1 rows  model
user_funnel              3 rows  model
claim_sizes              2 rows  model
claim_stats              1 rows  model
`
	if out.String() != want {
		t.Errorf("transform printed:\n%s\nwant:\n%s", out.String(), want)
	}
}

// TestTransformKeepsAWarehouseWithoutItsLake: in a folder holding a warehouse copied
// without its lake, transform is refused and leaves the warehouse as it was rather than
// building it again empty. (A --dir that does not exist: TestFlagsRefusedBeforeAnythingStarts.)
func TestTransformKeepsAWarehouseWithoutItsLake(t *testing.T) {
	copied := t.TempDir()
	wh := filepath.Join(copied, "warehouse.duckdb")
	if err := os.WriteFile(wh, []byte("a warehouse copied without its lake"), 0o644); err != nil {
		t.Fatal(err)
	}
	err := runTransform(context.Background(), &globalOptions{dir: copied}, new(bytes.Buffer), false)
	want := "no lake at " + filepath.Join(copied, "lake") + ": nothing to build the warehouse from. Ingest events first ('hongbao ingest --dir " +
		copied + "', or 'hongbao demo'), or pass the --dir that holds them"
	if !isUsage(err) || err.Error() != want {
		t.Errorf("transform of a folder with only a warehouse:\n got %v\nwant a usage error %s", err, want)
	}
	if b, _ := os.ReadFile(wh); string(b) != "a warehouse copied without its lake" {
		t.Errorf("the warehouse was changed")
	}
}
