package main

import (
	"bytes"
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
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

// TestTransformWithoutALake: a --dir with no lake (mistyped, or holding a warehouse
// copied without its lake) is a usage error that names the lake; nothing is made and a
// warehouse there is left as it was, not emptied.
func TestTransformWithoutALake(t *testing.T) {
	missing := filepath.Join(t.TempDir(), "typo")
	err := runTransform(context.Background(), &globalOptions{dir: missing}, io.Discard, false)
	if !isUsage(err) || !strings.Contains(err.Error(), "no lake at "+filepath.Join(missing, "lake")) {
		t.Errorf("transform of %s: %v, want a usage error naming the lake", missing, err)
	}
	if _, err := os.Stat(missing); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("transform made %s (%v)", missing, err)
	}
	copied := t.TempDir()
	wh := filepath.Join(copied, "warehouse.duckdb")
	if err := os.WriteFile(wh, []byte("a warehouse copied without its lake"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := runTransform(context.Background(), &globalOptions{dir: copied}, io.Discard, false); !isUsage(err) {
		t.Errorf("transform of a folder with only a warehouse: %v, want a usage error", err)
	}
	if b, _ := os.ReadFile(wh); string(b) != "a warehouse copied without its lake" {
		t.Errorf("the warehouse was changed")
	}
}
